"""Approvals, asyncio style: a deferred approval, as a web app would do it.

The handler does not decide: it parks the request and returns; a separate task (standing in for
the web request of a person clicking "approve") resolves it later. No thread waits meanwhile.

Run it:  python examples/approvals/async.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, scripted_escalated_command, scripted_text
from openai_codex import ApprovalDecision, AsyncCodex
from openai_codex.approvals import ApprovalRequest

# Requests waiting for a person, by item id: what a web page would list.
pending: dict[str, asyncio.Future[ApprovalDecision]] = {}


async def park_for_the_web_ui(request: ApprovalRequest) -> ApprovalDecision:
    """Runs on the event loop; waits (without a thread) until someone decides."""
    decision: asyncio.Future[ApprovalDecision] = asyncio.get_running_loop().create_future()
    pending[request.item_id] = decision
    print(f"the agent wants to run {getattr(request, 'command', request.kind)}: waiting for a decision")
    return await decision


async def person_clicks_approve() -> None:
    """Stands in for the web handler of the "approve" button."""
    while not pending:
        await asyncio.sleep(0.05)
    item_id, decision = next(iter(pending.items()))
    print(f"approved {item_id} from the web page")
    decision.set_result(ApprovalDecision.accept)


async def main() -> None:
    target = Path(tempfile.mkdtemp(prefix="approvals-example-")) / "deferred.txt"
    script = [scripted_escalated_command(f"touch {target}"), scripted_text("Created the file after approval.")]
    with example_config(*script) as config:
        async with AsyncCodex(config, approval_handler=park_for_the_web_ui) as codex:
            thread = await codex.thread_start()
            result, _ = await asyncio.gather(thread.run(f"Create the file {target}"), person_clicks_approve())
            print(f"codex: {result.final_response}")
    print(f"deferred.txt exists: {target.exists()}")


if __name__ == "__main__":
    asyncio.run(main())
