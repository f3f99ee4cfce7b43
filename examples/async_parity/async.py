"""Async parity, asyncio side: the same three questions, running concurrently.

AsyncCodex is native asyncio: each await is an awaitable on the event loop (no thread per call),
and one connection carries many turns at once, each routed to the task that started it.

Run it:  python examples/async_parity/async.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import AsyncCodex

QUESTIONS = ["What is a haiku?", "What is a limerick?", "What is a sonnet?"]


async def ask(codex: AsyncCodex, question: str) -> str:
    thread = await codex.thread_start()
    result = await thread.run(question)
    return f"{question} -> {result.final_response}"


async def main() -> None:
    with example_config() as config:
        async with AsyncCodex(config) as codex:
            started = time.perf_counter()
            # One thread per question: turns on different threads may run at the same time.
            answers = await asyncio.gather(*(ask(codex, q) for q in QUESTIONS))
            for line in answers:
                print(line)
            print(f"{len(QUESTIONS)} turns concurrently in {time.perf_counter() - started:.2f}s")


if __name__ == "__main__":
    asyncio.run(main())
