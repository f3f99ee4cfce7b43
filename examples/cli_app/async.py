r"""A tiny chat CLI on asyncio: type a message, watch the answer stream in; /exit quits.

printf 'hello\nwhat did I just say?\n/exit\n' | python examples/cli_app/async.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import AsyncCodex, AsyncThread


def read_prompt() -> str | None:
    """The next line the user typed, or None at end of input."""
    try:
        line = input("you> ")
    except EOFError:
        print()
        return None
    if not sys.stdin.isatty():
        print(line)  # echo piped input so the transcript reads like a session
    return line.strip()


async def answer(thread: AsyncThread, prompt: str) -> None:
    print("codex> ", end="", flush=True)
    handle = await thread.turn(prompt)
    async for event in handle.stream():
        if event.method == "item/agentMessage/delta":
            print(event.payload.delta, end="", flush=True)
    print()
    try:
        await handle.run()
    except RuntimeError as exc:
        print(f"(turn failed: {exc})")


async def main() -> None:
    with example_config() as config:
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_start()
            print("Chatting with Codex. /exit to quit.")
            # input() blocks, so it runs in a worker thread and the event loop stays free.
            while (prompt := await asyncio.to_thread(read_prompt)) is not None:
                if prompt == "/exit":
                    break
                if prompt:
                    await answer(thread, prompt)
            print("bye")


if __name__ == "__main__":
    asyncio.run(main())
