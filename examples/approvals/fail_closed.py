"""A fail-closed agent for CI: nothing escalates, nothing waits for a person.

Run it:  python examples/approvals/fail_closed.py
(offline, the scripted model asks to write outside the sandbox; the request is declined)

In CI there is nobody to ask. ``approvals.decline_all`` answers every approval request with
"decline" at once: the agent is told and goes on, the command never runs, and the turn ends
normally. Compare ``approval_mode=ApprovalMode.deny_all``, where the runtime refuses escalation
without asking the client at all; ``decline_all`` lets the program see (and log) each request.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, scripted_escalated_command, scripted_text
from openai_codex import Codex, approvals
from openai_codex.types import TurnStatus


def main() -> None:
    target = Path(tempfile.mkdtemp(prefix="ci-example-")) / "deployed.txt"
    script = [
        scripted_escalated_command(f"touch {target}"),
        scripted_text("I was not allowed to write the file, so I stopped there."),
    ]
    with example_config(*script) as config, Codex(config, approval_handler=approvals.decline_all) as codex:
        result = codex.thread_start().run(f"Deploy by creating {target}")
    commands = [item.root for item in result.items if item.root.type == "commandExecution"]
    print(f"turn: {result.status.value}")
    print(f"codex: {result.final_response}")
    for command in commands:
        print(f"command {command.command!r}: {command.status.value}")
    print(f"{target.name} exists: {target.exists()}")
    # A CI job fails when the agent could not do its work without escalating.
    sys.exit(0 if result.status is TurnStatus.completed and not target.exists() else 1)


if __name__ == "__main__":
    main()
