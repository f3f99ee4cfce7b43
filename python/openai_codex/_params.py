"""Building request params from keyword arguments; shared by the sync and async APIs."""

from __future__ import annotations

from typing import Any

from .approvals import approval_settings
from .inputs import input_to_wire
from .sandbox import thread_sandbox_mode, turn_sandbox_policy


def _enum_value(value: Any) -> Any:
    """Enum members go on the wire as their value."""
    return getattr(value, "value", value)


def compact(**fields: Any) -> dict[str, Any]:
    """Wire params from camelCase fields, leaving out the ones that are None."""
    return {k: _enum_value(v) for k, v in fields.items() if v is not None}


def thread_settings(
    *,
    approval_mode: Any,
    sandbox: Any,
    base_instructions: str | None,
    config: dict[str, Any] | None,
    cwd: str | None,
    developer_instructions: str | None,
    model: str | None,
    model_provider: str | None,
    service_tier: str | None,
    personality: Any = None,
) -> dict[str, Any]:
    """Settings common to thread/start, thread/resume and thread/fork."""
    return {
        **approval_settings(approval_mode),
        **compact(
            baseInstructions=base_instructions,
            config=config,
            cwd=cwd,
            developerInstructions=developer_instructions,
            model=model,
            modelProvider=model_provider,
            personality=personality,
            sandbox=thread_sandbox_mode(sandbox),
            serviceTier=service_tier,
        ),
    }


def turn_params(
    thread_id: str,
    input: Any,
    *,
    approval_mode: Any,
    cwd: str | None,
    effort: Any,
    model: str | None,
    output_schema: dict[str, Any] | None,
    personality: Any,
    sandbox: Any,
    service_tier: str | None,
    summary: Any,
) -> dict[str, Any]:
    """Params of turn/start."""
    return {
        "threadId": thread_id,
        "input": input_to_wire(input),
        **approval_settings(approval_mode),
        **compact(
            cwd=cwd,
            effort=effort,
            model=model,
            outputSchema=output_schema,
            personality=personality,
            sandboxPolicy=turn_sandbox_policy(sandbox),
            serviceTier=service_tier,
            summary=summary,
        ),
    }
