"""Manage threads with AsyncCodex: name, read, list, fork, archive, unarchive and compact.

Run it:  python examples/thread_lifecycle/async.py
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
            await thread.run("Let's plan a picnic.")
            await thread.set_name("picnic planning")

            stored = (await thread.read(include_turns=True)).thread
            print(f"read:       {stored.name!r}, {len(stored.turns)} turn(s), preview {stored.preview!r}")

            fork = await codex.thread_fork(thread.id)
            await fork.set_name("picnic planning (rainy-day variant)")
            await fork.run("What if it rains?")
            print(f"forked:     {fork.id} from {thread.id}")

            ours = {thread.id, fork.id}
            listed = await codex.thread_list(limit=50)
            print(f"listed:     {sorted(str(t.name) for t in listed.data if t.id in ours)}")

            await codex.thread_archive(fork.id)
            archived = await codex.thread_list(archived=True)
            active = await codex.thread_list()
            print(f"archived:   {[t.name for t in archived.data if t.id in ours]}")
            print(f"active now: {[t.name for t in active.data if t.id in ours]}")

            restored = await codex.thread_unarchive(fork.id)
            print(f"unarchived: {restored.id == fork.id}")

            # compact() returns once the compaction has started; the SDK holds this thread's
            # next turn until it is done (a turn sent meanwhile would never run).
            await thread.compact()
            print("compaction started")
            result = await thread.run("Where were we?")
            print(f"after compaction: {result.final_response}")


if __name__ == "__main__":
    asyncio.run(main())
