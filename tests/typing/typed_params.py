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
