"""TurnHandle.stream(): watch a turn happen, event by event.

Thread.turn() starts a turn and returns at once; stream() then yields the turn's notifications in
order, ending with its `turn/completed`. This prints a readable view of the interesting ones.

Run it:  python examples/stream_events/sync.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex
from openai_codex.types import TypedNotification


def describe(event: TypedNotification) -> str | None:
    """One line for the events worth showing; None for the rest (status changes, warnings...).

    Comparing ``event.method`` narrows ``event.payload`` to that method's class for type checkers.
    """
    if event.method == "turn/started":
        return f"[turn started] {event.payload.turn.id}"
    if event.method == "item/started":
        return f"[item started] {event.payload.item.root.type}"
    if event.method == "item/completed":
        return f"[item done]    {event.payload.item.root.type}"
    if event.method == "thread/tokenUsage/updated":
        return f"[usage]        {event.payload.token_usage.last.total_tokens} tokens this turn"
    if event.method == "turn/completed":
        return f"[turn done]    status={event.payload.turn.status.value}"
    return None


def main() -> None:
    with example_config() as config, Codex(config) as codex:
        thread = codex.thread_start()
        handle = thread.turn("Explain what a thread and a turn are, briefly.")
        streaming = False
        for event in handle.stream():
            if event.method == "item/agentMessage/delta":
                # Deltas are pieces of the agent's message; print them as they arrive.
                if not streaming:
                    print("[agent]        ", end="")
                    streaming = True
                print(event.payload.delta, end="", flush=True)
                continue
            if streaming:
                print()
                streaming = False
            line = describe(event)
            if line is not None:
                print(line)
        # The stream is consumed, yet run() still returns the finished turn's result.
        result = handle.run()
        print(f"final response has {len(result.final_response or '')} characters")


if __name__ == "__main__":
    main()
