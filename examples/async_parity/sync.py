"""Async parity, blocking side: three questions on three threads, one after another.

Compare with async.py next to it: the same calls, each awaited, and the three turns run at once
over one connection. Every Codex method has an AsyncCodex twin with the same name and arguments.

Run it:  python examples/async_parity/sync.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex

QUESTIONS = ["What is a haiku?", "What is a limerick?", "What is a sonnet?"]


def main() -> None:
    with example_config() as config, Codex(config) as codex:
        started = time.perf_counter()
        for question in QUESTIONS:
            thread = codex.thread_start()
            result = thread.run(question)
            print(f"{question} -> {result.final_response}")
        print(f"{len(QUESTIONS)} turns one after another in {time.perf_counter() - started:.2f}s")


if __name__ == "__main__":
    main()
