"""pytest fixtures for testing agent code offline; loaded automatically (entry point ``pytest11``).

- ``scripted_model``: a started :class:`~openai_codex.testing.ScriptedModel`, closed after the test.
- ``codex_offline_config``: a :class:`~openai_codex.CodexConfig` running the real runtime against it.
- ``codex_offline``: a :class:`~openai_codex.Codex` on that config, closed after the test.
- ``async_codex_offline``: an :class:`~openai_codex.AsyncCodex` on that config. It starts on its
  first awaited call, in your test's event loop (run async tests with the runner you already use,
  e.g. pytest-asyncio or anyio), and is closed after the test.

A test is then a few lines::

    from openai_codex.testing import text

    def test_greets(codex_offline, scripted_model):
        scripted_model.enqueue(text("hello there"))
        assert codex_offline.thread_start().run("Say hello").final_response == "hello there"

Disable the plugin with ``-p no:openai_codex``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .._async.codex import AsyncCodex
from .._sync.codex import Codex
from ..config import CodexConfig
from ._server import ScriptedModel

__all__ = ["async_codex_offline", "codex_offline", "codex_offline_config", "scripted_model"]


@pytest.fixture
def scripted_model() -> Iterator[ScriptedModel]:
    """A scripted Responses-API model on 127.0.0.1; it answers "ok" to calls not scripted."""
    with ScriptedModel() as model:
        yield model


@pytest.fixture
def codex_offline_config(scripted_model: ScriptedModel, tmp_path: Path) -> CodexConfig:
    """A config that runs the real Codex runtime against ``scripted_model``."""
    return scripted_model.config(tmp_path / "codex-home")


@pytest.fixture
def codex_offline(codex_offline_config: CodexConfig) -> Iterator[Codex]:
    """A started :class:`~openai_codex.Codex` talking to ``scripted_model``."""
    with Codex(codex_offline_config) as codex:
        yield codex


@pytest.fixture
def async_codex_offline(codex_offline_config: CodexConfig) -> Iterator[AsyncCodex]:
    """An :class:`~openai_codex.AsyncCodex` talking to ``scripted_model`` (started on first use)."""
    codex = AsyncCodex(codex_offline_config)
    try:
        yield codex
    finally:
        # The test's event loop may be gone by now: close the connection without one.
        client = codex._client
        if client is not None:
            client.close()
