"""Quickstart, asyncio flavour: the same program with AsyncCodex.

Run it:  python examples/quickstart/async.py ["your prompt"]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import AsyncCodex


async def main() -> None:
    prompt = " ".join(sys.argv[1:]) or "Say hello in one short sentence."
    # AsyncCodex starts nothing in its constructor; `async with` starts the runtime.
    with example_config() as config:
        async with AsyncCodex(config) as codex:
            server = codex.metadata.server_info
            if server is not None:
                print(f"connected to {server.name} {server.version}")
            thread = await codex.thread_start()
            result = await thread.run(prompt)
            print(f"you:   {prompt}")
            print(f"codex: {result.final_response}")


if __name__ == "__main__":
    asyncio.run(main())
