"""Quickstart: start Codex, ask one question, print the answer.

Run it:  python examples/quickstart/sync.py ["your prompt"]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex


def main() -> None:
    prompt = " ".join(sys.argv[1:]) or "Say hello in one short sentence."
    # The constructor starts the runtime and finishes the handshake: if it returns, Codex is ready.
    with example_config() as config, Codex(config) as codex:
        server = codex.metadata.server_info
        if server is not None:
            print(f"connected to {server.name} {server.version}")
        thread = codex.thread_start()
        result = thread.run(prompt)
        print(f"you:   {prompt}")
        print(f"codex: {result.final_response}")


if __name__ == "__main__":
    main()
