"""Parameter types as the docs give them: checked by ``mypy --strict`` in scripts/test.sh."""

from __future__ import annotations

from openai_codex import AsyncCodex, Codex


def list_by_folder(codex: Codex) -> None:
    # thread_list's cwd takes one path or a list of them (the API reference says so).
    codex.thread_list(cwd="/tmp")
    codex.thread_list(cwd=["/srv/a", "/srv/b"])


async def list_by_folder_async(codex: AsyncCodex) -> None:
    await codex.thread_list(cwd="/tmp")
    await codex.thread_list(cwd=["/srv/a", "/srv/b"])


def newer_runtime_features(codex: Codex) -> None:
    # What openai-codex 0.163.0 added, with the same names (docs/api-reference.md).
    from openai_codex import ExternalMessage, RuntimeVersionError, TurnResult

    thread = codex.thread_start()
    try:
        result: TurnResult = thread.run(
            ExternalMessage("webhook", [{"type": "input_text", "text": "build is green"}], namespace="ci"),
            source="webhook",
            turn_service_tier="flex",
        )
        print(result.final_response)
    except RuntimeVersionError as error:
        print(error.feature, error.required_version, error.runtime_version)
    codex.thread_resume(thread.id, include_turns=False)
    codex.thread_fork(thread.id, include_turns=True)
    codex.thread_list(section_id="work")


async def newer_runtime_features_async(codex: AsyncCodex) -> None:
    from openai_codex import ExternalMessage

    thread = await codex.thread_start()
    handle = await thread.turn(ExternalMessage("monitor", "disk is 91% full"), source="monitor")
    await handle.steer("and check the logs")
    await codex.thread_resume(thread.id, include_turns=False)
    await codex.thread_list(section_id="work")
