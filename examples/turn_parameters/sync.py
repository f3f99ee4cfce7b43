"""Turn parameters: structured output with output_schema, plus the other per-turn settings.

A turn can constrain the agent's final message to a JSON schema; final_response is then a JSON
document to parse. Thread settings (instructions, sandbox, approvals) are given once to
thread_start(); per-turn keywords override them for that turn and, as the runtime stores them,
for the turns after it.

Run it:  python examples/turn_parameters/sync.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import ApprovalMode, Codex, Sandbox
from openai_codex.types import JsonObject, Personality, ReasoningEffort

RELEASE_NOTE_SCHEMA: JsonObject = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "highlights": {"type": "array", "items": {"type": "string"}},
        "risk": {"type": "string", "enum": ["low", "medium", "high"]},
    },
    # Strict structured output wants every property required and no others allowed.
    "required": ["title", "highlights", "risk"],
    "additionalProperties": False,
}


def main() -> None:
    with example_config() as config, Codex(config) as codex:
        thread = codex.thread_start(
            developer_instructions="You write terse release notes.",
            sandbox=Sandbox.read_only,  # commands may read files but not change them
            approval_mode=ApprovalMode.deny_all,  # refuse anything the sandbox does not allow
        )
        result = thread.run(
            "Write a release note for a version that fixes a crash on start-up.",
            output_schema=RELEASE_NOTE_SCHEMA,
            effort=ReasoningEffort.low,  # less thinking: faster and cheaper
            personality=Personality.pragmatic,
            cwd=str(Path(__file__).resolve().parent),  # where the agent's commands would run
        )
        note = json.loads(result.final_response or "{}")
        print(f"title:      {note['title']}")
        print(f"highlights: {note['highlights']}")
        print(f"risk:       {note['risk']}")


if __name__ == "__main__":
    main()
