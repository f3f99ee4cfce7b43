"""A pool of runtimes: spread turns over several app-servers and gather the results.

Run it:  python examples/remote_pool/async.py
(offline: three local servers on loopback ports, each with its own working directory)

One ``AsyncCodex`` per server, all on the SDK's one I/O runtime; each job goes to the next
server in turn, and the answers come back in order. A real fleet would connect to servers in
containers or on other hosts the same way (``CodexConfig(connect="ws://host:port")``, with
``auth_token_file=`` for a server started with ``--ws-auth``).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the example helpers

from _offline import example_config
from _servers import local_servers
from openai_codex import AsyncCodex, CodexConfig

JOBS = [f"Describe the file number {i}" for i in range(6)]


async def main() -> None:
    with example_config() as config, local_servers(3, config) as servers:
        clients = [AsyncCodex(CodexConfig(connect=server.url)) for server in servers]
        try:

            async def run(index: int, prompt: str) -> str:
                client = clients[index % len(clients)]
                thread = await client.thread_start(cwd=servers[index % len(servers)].workdir)
                result = await thread.run(prompt)
                return f"server {index % len(clients)}: {result.final_response}"

            for line in await asyncio.gather(*(run(i, job) for i, job in enumerate(JOBS))):
                print(line)
        finally:
            await asyncio.gather(*(client.close() for client in clients))
    print(f"{len(JOBS)} jobs on {len(servers)} servers")


if __name__ == "__main__":
    asyncio.run(main())
