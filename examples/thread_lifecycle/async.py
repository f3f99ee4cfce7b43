"""Manage threads with AsyncCodex: name, read, list, fork, archive, unarchive and compact.

Run it:  python examples/thread_lifecycle/async.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config  # noqa: E402

from openai_codex import AsyncCodex, AsyncThread  # noqa: E402


async def wait_for_compaction(thread: AsyncThread, turns_before: int, timeout_s: float = 60) -> None:
    """The compaction shows up as one more turn; done once it is there and the thread is idle."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        stored = (await thread.read(include_turns=True)).thread
        if len(stored.turns) > turns_before and stored.status.root.type == "idle":
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the compaction did not finish in time")


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

            # compact() returns once the compaction has started; wait for it before the next turn.
            turns_before = len((await thread.read(include_turns=True)).thread.turns)
            await thread.compact()
            print("compaction started")
            await wait_for_compaction(thread, turns_before)
            result = await thread.run("Where were we?")
            print(f"after compaction: {result.final_response}")


if __name__ == "__main__":
    asyncio.run(main())
