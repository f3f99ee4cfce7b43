"""Thread.run(): run a turn to completion and look at every field of its TurnResult.

Run it:  python examples/run_result/sync.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex, TurnResult


def show(result: TurnResult) -> None:
    print(f"id:             {result.id}")
    print(f"status:         {result.status.value}")
    # error is None unless the turn was interrupted with one; a failed turn raises instead.
    print(f"error:          {result.error}")
    # Times are Unix seconds; duration_ms is measured by the runtime.
    print(f"started_at:     {result.started_at}")
    print(f"completed_at:   {result.completed_at}")
    print(f"duration_ms:    {result.duration_ms}")
    print(f"final_response: {result.final_response!r}")
    print(f"items:          {len(result.items)}")
    for item in result.items:
        # Each item is one variant of ThreadItem; `.root` gives the variant, typed by `type`.
        entry = item.root
        if entry.type == "agentMessage":
            print(f"  - agentMessage: {entry.text!r}")
        elif entry.type == "userMessage":
            print(f"  - userMessage with {len(entry.content)} input part(s)")
        else:
            print(f"  - {entry.type}")
    if result.usage is None:
        print("usage:          (not reported)")
    else:
        # `last` is this turn's model calls; `total` the whole thread's so far.
        last, total = result.usage.last, result.usage.total
        print(f"usage (turn):   {last.input_tokens} in + {last.output_tokens} out = {last.total_tokens}")
        print(f"usage (thread): {total.total_tokens}; context window {result.usage.model_context_window}")


def main() -> None:
    with example_config() as config, Codex(config) as codex:
        thread = codex.thread_start()
        show(thread.run("Name three primary colours."))


if __name__ == "__main__":
    main()
