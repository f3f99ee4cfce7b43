"""Control a running turn with AsyncCodex: interrupt() and steer().

Run it:  python examples/turn_controls/async.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, scripted_slow_text
from openai_codex import AsyncCodex, InvalidRequestError


async def main() -> None:
    slow_essay = scripted_slow_text("Chapter one. It was a dark and stormy night...", seconds=5)
    slow_list = scripted_slow_text("Red, green and blue.", seconds=2)
    with example_config(slow_essay, slow_list) as config:
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_start()

            handle = await thread.turn("Write a very long essay about the weather.")
            async for event in handle.stream():
                if event.method == "item/agentMessage/delta":
                    print(f"essay begins: {event.payload.delta!r}... that will do.")
                    try:
                        await handle.interrupt()
                    except InvalidRequestError:
                        pass  # the turn had already finished: nothing to stop
                    break
            result = await handle.run()
            print(f"essay turn: status={result.status.value}")

            handle = await thread.turn("List three colours.")
            try:
                await handle.steer("Also tell me which one you like best.")
            except InvalidRequestError:
                print("(the turn finished before the steer arrived)")
            result = await handle.run()
            print(f"steered turn: status={result.status.value}, items={[i.root.type for i in result.items]}")
            print(f"final answer: {result.final_response}")


if __name__ == "__main__":
    asyncio.run(main())
