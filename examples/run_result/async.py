"""AsyncThread.run(): the same TurnResult, awaited.

Run it:  python examples/run_result/async.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import AsyncCodex, TurnResult


def show(result: TurnResult) -> None:
    # TurnResult is the same class for sync and async code.
    print(f"id:             {result.id}")
    print(f"status:         {result.status.value}")
    print(f"error:          {result.error}")
    print(f"started_at:     {result.started_at}")
    print(f"completed_at:   {result.completed_at}")
    print(f"duration_ms:    {result.duration_ms}")
    print(f"final_response: {result.final_response!r}")
    print(f"items:          {[item.root.type for item in result.items]}")
    if result.usage is not None:
        print(f"usage (turn):   {result.usage.last.total_tokens} tokens")


async def main() -> None:
    with example_config() as config:
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_start()
            show(await thread.run("Name three primary colours."))


if __name__ == "__main__":
    asyncio.run(main())
