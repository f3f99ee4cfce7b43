"""Shared fixtures: a scripted model that the real runtime talks to, and clients wired to it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # devtools/ (the fake app-server) lives at the repo root, outside the package.
    sys.path.insert(0, str(ROOT))

from openai_codex import Codex, CodexConfig  # noqa: E402
from openai_codex.testing import ScriptedModel  # noqa: E402

FAKE_APP_SERVER = ROOT / "devtools" / "fake_app_server.py"


class StartsARuntime(AssertionError):
    """A test not marked e2e started a runtime: mark it, or keep it runtime-free."""


@pytest.fixture(autouse=True)
def _unit_tests_start_no_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeps the unit/e2e split honest: only tests marked ``e2e`` may start a runtime (the real
    ``codex app-server`` or the fake one), so ``-m "not e2e"`` is the runtime-free suite."""
    if request.node.get_closest_marker("e2e") is not None:
        return
    from openai_codex import _core

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise StartsARuntime(f"{request.node.nodeid} starts a runtime but is not marked e2e")

    monkeypatch.setattr(_core, "Client", refuse)


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    """A scripted Responses-API model on 127.0.0.1 (replies "ok" unless scripted)."""
    with ScriptedModel() as m:
        yield m


@pytest.fixture
def codex_config(model: ScriptedModel, tmp_path: Path) -> CodexConfig:
    """A config that runs the real packaged runtime against the scripted model."""
    return CodexConfig(env=model.codex_env(tmp_path / "codex-home"))


@pytest.fixture
def codex(codex_config: CodexConfig) -> Iterator[Codex]:
    with Codex(codex_config) as c:
        yield c


def fake_server_config(*args: str) -> CodexConfig:
    """A config that runs devtools/fake_app_server.py with these flags instead of the runtime."""
    return CodexConfig(launch_args_override=(sys.executable, str(FAKE_APP_SERVER), *args))
