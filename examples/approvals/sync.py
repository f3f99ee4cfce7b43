"""Approvals: a terminal approver decides each command the agent wants to run outside its sandbox.

Run it:  python examples/approvals/sync.py
(answer y or n at each prompt; offline, the scripted model asks to create two files)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, scripted_escalated_command, scripted_text
from openai_codex import ApprovalDecision, Codex
from openai_codex.approvals import ApprovalRequest, CommandApprovalRequest, FileChangeApprovalRequest


def ask_in_terminal(request: ApprovalRequest) -> ApprovalDecision:
    """Shows what the agent wants and reads y/n (runs on a worker thread, not the reader)."""
    if isinstance(request, CommandApprovalRequest):
        what = f"run {request.command}"
    elif isinstance(request, FileChangeApprovalRequest):
        what = f"change {', '.join(request.paths)}"
    else:
        what = f"get permissions: write {list(request.write)}, network {request.network}"
    print(f"the agent wants to {what}  (reason: {request.reason})")
    answer = input("allow? [y/N] ").strip().lower()
    print()
    return ApprovalDecision.accept if answer == "y" else ApprovalDecision.decline


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="approvals-example-"))
    first, second = folder / "first.txt", folder / "second.txt"
    script = [
        scripted_escalated_command(f"touch {first}"),
        scripted_text("Created the first file."),
        scripted_escalated_command(f"touch {second}"),
        scripted_text("I was not allowed to create the second file."),
    ]
    with example_config(*script) as config, Codex(config, approval_handler=ask_in_terminal) as codex:
        thread = codex.thread_start()
        for path in (first, second):
            result = thread.run(f"Create the file {path}")
            print(f"codex: {result.final_response}")
    print(f"first.txt exists: {first.exists()}")
    print(f"second.txt exists: {second.exists()}")


if __name__ == "__main__":
    main()
