"""Control a running turn: interrupt() stops it, steer() adds input while it runs.

Both can be called right after thread.turn(): they wait until the runtime has actually started
the turn (the runtime refuses them before that). Offline, the scripted model answers slowly so
there is time to act.

Run it:  python examples/turn_controls/sync.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, scripted_slow_text
from openai_codex import Codex, InvalidRequestError


def main() -> None:
    slow_essay = scripted_slow_text("Chapter one. It was a dark and stormy night...", seconds=5)
    slow_list = scripted_slow_text("Red, green and blue.", seconds=2)
    with example_config(slow_essay, slow_list) as config, Codex(config) as codex:
        thread = codex.thread_start()

        # interrupt(): stop a turn once you have seen enough. It then completes with status
        # "interrupted", which run() returns rather than raises.
        handle = thread.turn("Write a very long essay about the weather.")
        for event in handle.stream():
            if event.method == "item/agentMessage/delta":
                print(f"essay begins: {event.payload.delta!r}... that will do.")
                try:
                    handle.interrupt()
                except InvalidRequestError:
                    pass  # the turn had already finished: nothing to stop
                break
        result = handle.run()
        print(f"essay turn: status={result.status.value}")

        # steer(): more input for the turn in progress. The agent reads it once its current
        # step is done and answers it within the same turn.
        handle = thread.turn("List three colours.")
        try:
            handle.steer("Also tell me which one you like best.")
        except InvalidRequestError:
            print("(the turn finished before the steer arrived)")
        result = handle.run()
        print(f"steered turn: status={result.status.value}, items={[i.root.type for i in result.items]}")
        print(f"final answer: {result.final_response}")


if __name__ == "__main__":
    main()
