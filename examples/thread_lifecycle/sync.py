"""Manage threads: name, read, list, fork, archive, unarchive and compact.

Online (CODEX_EXAMPLES_ONLINE=1) this leaves two small threads in your history.

Run it:  python examples/thread_lifecycle/sync.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex


def main() -> None:
    with example_config() as config, Codex(config) as codex:
        thread = codex.thread_start()
        thread.run("Let's plan a picnic.")
        thread.set_name("picnic planning")

        # read() returns the stored thread; include_turns=True adds its turns and their items.
        stored = thread.read(include_turns=True).thread
        print(f"read:       {stored.name!r}, {len(stored.turns)} turn(s), preview {stored.preview!r}")

        # A fork starts with a copy of the history and then goes its own way.
        fork = codex.thread_fork(thread.id)
        fork.set_name("picnic planning (rainy-day variant)")
        fork.run("What if it rains?")
        print(f"forked:     {fork.id} from {thread.id}")

        # Listings hold every stored thread (online: yours too); show only this example's.
        ours = {thread.id, fork.id}
        listed = codex.thread_list(limit=50)
        print(f"listed:     {sorted(str(t.name) for t in listed.data if t.id in ours)}")

        # Archiving hides a thread from the default listing without deleting it.
        codex.thread_archive(fork.id)
        archived = codex.thread_list(archived=True)
        active = codex.thread_list()
        print(f"archived:   {[t.name for t in archived.data if t.id in ours]}")
        print(f"active now: {[t.name for t in active.data if t.id in ours]}")

        restored = codex.thread_unarchive(fork.id)
        print(f"unarchived: {restored.id == fork.id}")

        # Compaction replaces the history with a summary the model writes; compact() returns as
        # soon as it has started. The runtime would accept a turn sent meanwhile and never run
        # it, so the SDK holds this thread's next turn until the compaction is done.
        thread.compact()
        print("compaction started")
        result = thread.run("Where were we?")
        print(f"after compaction: {result.final_response}")


if __name__ == "__main__":
    main()
