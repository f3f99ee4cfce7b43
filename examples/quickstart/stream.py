"""Stream one turn: print the agent's reply as it is written, then the turn's summary."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _offline import example_config
from openai_codex import Codex


def main() -> None:
    prompt = " ".join(sys.argv[1:]) or "Say hello and tell me what you can do."
    with example_config() as config, Codex(config) as codex:
        # serverInfo.name echoes the client's own name; the version is the runtime's.
        server = codex.metadata.server_info
        print(f"runtime: codex app-server {server.version if server else '(version not reported)'}")
        thread = codex.thread_start()
        print(f"thread:  {thread.id}\nprompt:  {prompt}\n")
        handle = thread.turn(prompt)
        for event in handle.stream():
            if event.method == "item/agentMessage/delta":
                print(event.payload.delta, end="", flush=True)
            elif event.method == "turn/completed":
                print()
        result = handle.run()
        print(f"\nstatus: {result.status.value}, items: {len(result.items)}, duration: {result.duration_ms} ms")
        if result.usage is not None:
            print(f"tokens: {result.usage.total.total_tokens}")


if __name__ == "__main__":
    main()
