"""Continue an existing thread with AsyncCodex.thread_resume().

python examples/existing_thread/async.py [THREAD_ID]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import AsyncCodex, CodexConfig


async def first_session(config: CodexConfig) -> str:
    async with AsyncCodex(config) as codex:
        thread = await codex.thread_start()
        result = await thread.run("My favourite colour is teal. Please remember it.")
        print(f"session 1, thread {thread.id}")
        print(f"  codex: {result.final_response}")
        return thread.id


async def main() -> None:
    with example_config() as config:
        thread_id = sys.argv[1] if len(sys.argv) > 1 else await first_session(config)
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_resume(thread_id)
            result = await thread.run("What is my favourite colour?")
            print(f"session 2, resumed thread {thread.id}")
            print(f"  codex: {result.final_response}")


if __name__ == "__main__":
    asyncio.run(main())
