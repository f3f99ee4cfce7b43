"""A pool of runtimes from blocking code: spread turns over several app-servers, in threads.

Run it:  python examples/remote_pool/sync.py
(offline: three local servers on loopback ports, each with its own working directory)

One ``Codex`` per server; a thread pool runs the jobs, each on the server its index picks, and
the answers are gathered in order. Every blocking wait releases the GIL, so the turns overlap.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the example helpers

from _offline import example_config
from _servers import local_servers
from openai_codex import Codex, CodexConfig

JOBS = [f"Describe the file number {i}" for i in range(6)]


def main() -> None:
    with example_config() as config, local_servers(3, config) as servers:
        clients = [Codex(CodexConfig(connect=server.url)) for server in servers]
        try:

            def run(index: int) -> str:
                client = clients[index % len(clients)]
                thread = client.thread_start(cwd=servers[index % len(servers)].workdir)
                return f"server {index % len(clients)}: {thread.run(JOBS[index]).final_response}"

            with ThreadPoolExecutor(len(clients)) as pool:
                for line in pool.map(run, range(len(JOBS))):
                    print(line)
        finally:
            for client in clients:
                client.close()
    print(f"{len(JOBS)} jobs on {len(servers)} servers")


if __name__ == "__main__":
    main()
