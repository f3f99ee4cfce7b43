"""Continue an existing thread with Codex.thread_resume().

Threads are stored by the runtime (in CODEX_HOME), so a later program, with a new Codex
connection, can pick a conversation up by its id. Without an argument this example first makes
a thread to resume; pass an id to resume one of yours:

    python examples/existing_thread/sync.py [THREAD_ID]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex, CodexConfig


def first_session(config: CodexConfig) -> str:
    # Leaving the `with` block stops this runtime; the thread stays on disk.
    with Codex(config) as codex:
        thread = codex.thread_start()
        result = thread.run("My favourite colour is teal. Please remember it.")
        print(f"session 1, thread {thread.id}")
        print(f"  codex: {result.final_response}")
        return thread.id


def main() -> None:
    with example_config() as config:
        thread_id = sys.argv[1] if len(sys.argv) > 1 else first_session(config)
        with Codex(config) as codex:
            # Settings left out keep what the thread was stored with (model, sandbox, ...).
            thread = codex.thread_resume(thread_id)
            result = thread.run("What is my favourite colour?")
            print(f"session 2, resumed thread {thread.id}")
            print(f"  codex: {result.final_response}")


if __name__ == "__main__":
    main()
