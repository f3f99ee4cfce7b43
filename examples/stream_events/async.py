"""AsyncTurnHandle.stream(): the same event view with `async for`.

Run it:  python examples/stream_events/async.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import AsyncCodex


async def main() -> None:
    with example_config() as config:
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_start()
            handle = await thread.turn("Explain what a thread and a turn are, briefly.")
            async for event in handle.stream():
                if event.method == "item/agentMessage/delta":
                    print(event.payload.delta, end="", flush=True)
                elif event.method == "item/completed":
                    if event.payload.item.root.type == "agentMessage":
                        print()
                    print(f"[item done]    {event.payload.item.root.type}")
                elif event.method == "turn/completed":
                    print(f"[turn done]    status={event.payload.turn.status.value}")
            result = await handle.run()
            print(f"final response has {len(result.final_response or '')} characters")


if __name__ == "__main__":
    asyncio.run(main())
