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


def thread_start_params(
    *,
    approval_mode: Any,
    base_instructions: str | None,
    config: dict[str, Any] | None,
    cwd: str | None,
    developer_instructions: str | None,
    ephemeral: bool | None,
    model: str | None,
    model_provider: str | None,
    personality: Any,
    sandbox: Any,
    service_name: str | None,
    service_tier: str | None,
    session_start_source: Any,
    thread_source: Any,
) -> dict[str, Any]:
    """Params of thread/start."""
    return {
        **thread_settings(
            approval_mode=approval_mode,
            sandbox=sandbox,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            model=model,
            model_provider=model_provider,
            service_tier=service_tier,
            personality=personality,
        ),
        **compact(
            ephemeral=ephemeral,
            serviceName=service_name,
            sessionStartSource=session_start_source,
            threadSource=thread_source,
        ),
    }


def thread_resume_params(
    thread_id: str,
    *,
    approval_mode: Any,
    base_instructions: str | None,
    config: dict[str, Any] | None,
    cwd: str | None,
    developer_instructions: str | None,
    model: str | None,
    model_provider: str | None,
    personality: Any,
    sandbox: Any,
    service_tier: str | None,
) -> dict[str, Any]:
    """Params of thread/resume; unset settings keep what the thread has stored."""
    return {
        "threadId": thread_id,
        **thread_settings(
            approval_mode=approval_mode,
            sandbox=sandbox,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            model=model,
            model_provider=model_provider,
            service_tier=service_tier,
            personality=personality,
        ),
    }


def thread_fork_params(
    thread_id: str,
    *,
    approval_mode: Any,
    base_instructions: str | None,
    config: dict[str, Any] | None,
    cwd: str | None,
    developer_instructions: str | None,
    ephemeral: bool | None,
    model: str | None,
    model_provider: str | None,
    sandbox: Any,
    service_tier: str | None,
    thread_source: Any,
) -> dict[str, Any]:
    """Params of thread/fork."""
    return {
        "threadId": thread_id,
        **thread_settings(
            approval_mode=approval_mode,
            sandbox=sandbox,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            model=model,
            model_provider=model_provider,
            service_tier=service_tier,
        ),
        **compact(ephemeral=ephemeral, threadSource=thread_source),
    }


def thread_list_params(
    *,
    archived: bool | None,
    cursor: str | None,
    cwd: Any,
    limit: int | None,
    model_providers: list[str] | None,
    search_term: str | None,
    sort_direction: Any,
    sort_key: Any,
    source_kinds: list[Any] | None,
    use_state_db_only: bool | None,
) -> dict[str, Any]:
    """Params of thread/list."""
    return compact(
        archived=archived,
        cursor=cursor,
        cwd=cwd,
        limit=limit,
        modelProviders=model_providers,
        searchTerm=search_term,
        sortDirection=sort_direction,
        sortKey=sort_key,
        sourceKinds=None if source_kinds is None else [_enum_value(k) for k in source_kinds],
        useStateDbOnly=use_state_db_only,
    )
