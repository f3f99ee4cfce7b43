"""Turn parameters with AsyncCodex: output_schema and the other per-turn settings.

Run it:  python examples/turn_parameters/async.py
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import ApprovalMode, AsyncCodex, Sandbox
from openai_codex.types import JsonObject, Personality, ReasoningEffort

RELEASE_NOTE_SCHEMA: JsonObject = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "highlights": {"type": "array", "items": {"type": "string"}},
        "risk": {"type": "string", "enum": ["low", "medium", "high"]},
    },
    "required": ["title", "highlights", "risk"],
    "additionalProperties": False,
}


async def main() -> None:
    with example_config() as config:
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_start(
                developer_instructions="You write terse release notes.",
                sandbox=Sandbox.read_only,
                approval_mode=ApprovalMode.deny_all,
            )
            result = await thread.run(
                "Write a release note for a version that fixes a crash on start-up.",
                output_schema=RELEASE_NOTE_SCHEMA,
                effort=ReasoningEffort.low,
                personality=Personality.pragmatic,
                cwd=str(Path(__file__).resolve().parent),
            )
            note = json.loads(result.final_response or "{}")
            print(f"title:      {note['title']}")
            print(f"highlights: {note['highlights']}")
            print(f"risk:       {note['risk']}")


if __name__ == "__main__":
    asyncio.run(main())
