r"""A tiny chat CLI: type a message, watch the answer stream in; /exit (or Ctrl-D) quits.

All messages go to one thread, so the agent keeps the context of the conversation. Prompts can
also be piped in:

    printf 'hello\nwhat did I just say?\n/exit\n' | python examples/cli_app/sync.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex, Thread


def read_prompt() -> str | None:
    """The next line the user typed, or None at end of input."""
    try:
        line = input("you> ")
    except EOFError:
        print()
        return None
    if not sys.stdin.isatty():
        print(line)  # echo piped input so the transcript reads like a session
    return line.strip()


def answer(thread: Thread, prompt: str) -> None:
    print("codex> ", end="", flush=True)
    handle = thread.turn(prompt)
    for event in handle.stream():
        if event.method == "item/agentMessage/delta":
            print(event.payload.delta, end="", flush=True)
    print()
    # run() after stream() returns the finished turn's result; it raises if the turn failed.
    try:
        handle.run()
    except RuntimeError as exc:
        print(f"(turn failed: {exc})")


def main() -> None:
    with example_config() as config, Codex(config) as codex:
        thread = codex.thread_start()
        print("Chatting with Codex. /exit to quit.")
        while (prompt := read_prompt()) is not None:
            if prompt == "/exit":
                break
            if prompt:
                answer(thread, prompt)
        print("bye")


if __name__ == "__main__":
    main()
