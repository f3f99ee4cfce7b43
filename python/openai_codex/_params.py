"""Building request params from keyword arguments; shared by the sync and async APIs."""

from __future__ import annotations

from typing import Any

from . import _validate as check
from ._approval_policy import approval_settings
from ._model import RootWrapper
from .inputs import ExternalMessage, external_message_to_wire, input_to_wire
from .sandbox import thread_sandbox_mode, turn_sandbox_policy


def _types() -> Any:
    """The generated protocol types, loaded on first use: importing openai_codex stays light."""
    from .generated import v2_all

    return v2_all


def _choice(param: str, value: Any, enum_name: str, *extra: str) -> str | None:
    """``check.choice`` against the generated enum ``enum_name`` (loaded only for a value)."""
    return None if value is None else check.choice(param, value, getattr(_types(), enum_name), *extra)


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
            baseInstructions=check.text("base_instructions", base_instructions),
            config=check.json_object("config", config, "config keys to values"),
            cwd=check.path("cwd", cwd),
            developerInstructions=check.text("developer_instructions", developer_instructions),
            model=check.text("model", model),
            modelProvider=check.text("model_provider", model_provider),
            personality=_choice("personality", personality, "Personality"),
            sandbox=thread_sandbox_mode(sandbox),
            serviceTier=check.text("service_tier", service_tier),
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
    source: str | None = None,
    turn_service_tier: str | None = None,
) -> dict[str, Any]:
    """Params of turn/start. An :class:`ExternalMessage` goes as ``toolOutput`` with an empty
    ``input``; ``source`` as ``turnTrigger``; ``turn_service_tier`` as ``serviceTierForTurn``."""
    if isinstance(input, ExternalMessage):
        items: list[dict[str, Any]] = []
        tool_output: dict[str, Any] | None = external_message_to_wire(input)
    else:
        items, tool_output = input_to_wire(input), None
    return {
        "threadId": thread_id,
        "input": items,
        **approval_settings(approval_mode),
        **compact(
            cwd=check.path("cwd", cwd),
            effort=_choice("effort", effort, "ReasoningEffort"),
            model=check.text("model", model),
            outputSchema=check.json_object("output_schema", output_schema, "a JSON Schema"),
            personality=_choice("personality", personality, "Personality"),
            sandboxPolicy=turn_sandbox_policy(sandbox),
            serviceTier=check.text("service_tier", service_tier),
            summary=_choice("summary", summary, "ReasoningSummaryValue", "none"),
            toolOutput=tool_output,
            turnTrigger=check.text("source", source),
            serviceTierForTurn=check.text("turn_service_tier", turn_service_tier),
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
            ephemeral=check.flag("ephemeral", ephemeral),
            serviceName=check.text("service_name", service_name),
            sessionStartSource=_choice("session_start_source", session_start_source, "ThreadStartSource"),
            threadSource=_choice("thread_source", thread_source, "ThreadSource"),
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
    include_turns: bool | None = None,
) -> dict[str, Any]:
    """Params of thread/resume; unset settings keep what the thread has stored."""
    return {
        "threadId": thread_id,
        **_exclude_turns(include_turns),
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
    include_turns: bool | None = None,
) -> dict[str, Any]:
    """Params of thread/fork."""
    return {
        "threadId": thread_id,
        **_exclude_turns(include_turns),
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
        **compact(
            ephemeral=check.flag("ephemeral", ephemeral),
            threadSource=_choice("thread_source", thread_source, "ThreadSource"),
        ),
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
    section_id: str | None = None,
) -> dict[str, Any]:
    """Params of thread/list."""
    return compact(
        archived=check.flag("archived", archived),
        cursor=check.text("cursor", cursor),
        cwd=_cwd_filter(cwd),
        limit=check.count("limit", limit),
        modelProviders=check.str_list("model_providers", model_providers),
        searchTerm=check.text("search_term", search_term),
        sectionId=check.text("section_id", section_id),
        sortDirection=_choice("sort_direction", sort_direction, "SortDirection"),
        sortKey=_choice("sort_key", sort_key, "ThreadSortKey"),
        sourceKinds=None
        if source_kinds is None
        else check.choices("source_kinds", source_kinds, _types().ThreadSourceKind),
        useStateDbOnly=check.flag("use_state_db_only", use_state_db_only),
    )


def _exclude_turns(include_turns: bool | None) -> dict[str, Any]:
    """``include_turns=`` as the wire has it: ``excludeTurns``, its negation (unset: not sent)."""
    include = check.flag("include_turns", include_turns)
    return {} if include is None else {"excludeTurns": not include}


def _cwd_filter(cwd: Any) -> Any:
    """thread/list's ``cwd``: one path or a list of paths (or a ThreadListCwdFilter of either)."""
    if isinstance(cwd, RootWrapper):
        cwd = cwd.root
    if isinstance(cwd, list | tuple):
        return [check.path(f"cwd[{i}]", c) for i, c in enumerate(cwd)]
    return check.path("cwd", cwd)
