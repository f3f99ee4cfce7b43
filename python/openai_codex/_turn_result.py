"""What a finished turn produced: :class:`TurnResult`, and building it from a turn's events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._wire import model_for
from .errors import CodexError, TurnFailedError, TurnTimeoutError

if TYPE_CHECKING:
    from .generated.v2_all import ThreadItem, ThreadTokenUsage, TurnError, TurnStatus

__all__ = ["TurnResult", "turn_result", "turn_timed_out"]

# After a turn is interrupted for running past its timeout, how long run()/stream() wait for
# its turn/completed (the runtime reports it within milliseconds when healthy).
STOP_GRACE_S = 5.0


@dataclass(slots=True)
class TurnResult:
    """What a finished turn produced: returned by ``run()`` on a thread or a turn handle.

    A turn that failed raises ``TurnFailedError`` instead, so ``status`` is
    ``TurnStatus.completed`` or ``TurnStatus.interrupted`` (or, from a newer runtime, a status
    string this SDK does not know).

    Attributes:
        id: The turn's id.
        status: How the turn ended, a ``TurnStatus`` member.
        error: The runtime's ``TurnError`` (``message``, ``codex_error_info``,
            ``additional_details``) if it reported one, else ``None``.
        started_at: When the turn started, in Unix seconds (``None`` if not reported).
        completed_at: When the turn ended, in Unix seconds (``None`` if not reported).
        duration_ms: How long the turn took by the runtime's clock, in milliseconds.
        final_response: The text of the agent's answer: the last agent message marked as the
            final answer; if none is marked, the last agent message without a phase (which
            may be ``""``); ``None`` if the agent wrote only commentary or nothing.
        items: Every item the turn completed, in order (the user's message, agent messages,
            reasoning, commands, file changes, tool calls, ...). Each is a ``ThreadItem``
            whose ``root`` is the concrete variant; its ``type`` tells which
            (``"agentMessage"``, ``"commandExecution"``, ...).
        usage: The turn's last token-usage report (``ThreadTokenUsage``: ``last`` for this
            turn's model calls, ``total`` for the thread so far, ``model_context_window``),
            or ``None`` if the runtime sent none.

    Example::

        result = thread.run("List the files in this directory")
        print(result.final_response)
        for item in result.items:
            if item.root.type == "commandExecution":
                print("ran:", item.root.command)
    """

    id: str
    status: TurnStatus
    error: TurnError | None
    started_at: int | None
    completed_at: int | None
    duration_ms: int | None
    final_response: str | None
    items: list[ThreadItem]
    usage: ThreadTokenUsage | None


def _final_response(items: list[dict[str, Any]]) -> str | None:
    unphased: str | None = None
    for item in reversed(items):
        if item.get("type") != "agentMessage":
            continue
        phase = item.get("phase")
        text: str | None = item.get("text")
        if phase == "final_answer":
            return text
        if phase is None and unphased is None:
            unphased = text
    return unphased


def turn_result(summary: tuple[Any, list[Any], Any]) -> TurnResult:
    """Builds the result from a stream's summary; raises if the turn failed."""
    completed, item_events, usage_event = summary
    turn = completed["turn"]
    raw_items = [event["item"] for event in item_events]
    # A TurnStatus member; a status this SDK does not know (a newer runtime) stays a plain
    # string. (Through the loader, not an import here: a function-level import costs more
    # than the rest of this function.)
    status = model_for("TurnStatus", turn["status"])
    error = turn.get("error")
    if turn["status"] == "failed":
        message = (error or {}).get("message") or "turn failed with status failed"
        raise TurnFailedError(message, turn_id=turn["id"], error=model_for("TurnError", error))
    return TurnResult(
        id=turn["id"],
        status=status,
        error=model_for("TurnError", error) if error is not None else None,
        started_at=turn.get("startedAt"),
        completed_at=turn.get("completedAt"),
        duration_ms=turn.get("durationMs"),
        final_response=_final_response(raw_items),
        items=[model_for("ThreadItem", item) for item in raw_items],
        usage=model_for("ThreadTokenUsage", usage_event["tokenUsage"]) if usage_event else None,
    )


def turn_timed_out(
    turn_id: str,
    timeout: float,
    summary: tuple[Any, list[Any], Any] | None,
    partial: tuple[Any, list[Any], Any],
) -> TurnTimeoutError:
    """The error for a turn stopped after ``timeout``: ``summary`` is the interrupted turn's
    whole summary if it ended in time, ``partial`` what had been gathered before."""
    result: TurnResult | None = None
    if summary is not None:
        try:
            result = turn_result(summary)
        except CodexError:
            result = None
    if result is not None:
        items, final = result.items, result.final_response
    else:
        raw = [event["item"] for event in partial[1]]
        items, final = [model_for("ThreadItem", item) for item in raw], _final_response(raw)
    return TurnTimeoutError(
        f"turn {turn_id} ran past its timeout of {timeout:g} s and was interrupted",
        turn_id=turn_id,
        timeout=timeout,
        result=result,
        items=items,
        final_response=final,
    )
