"""Shared fixtures: a scripted model that the real runtime talks to, and clients wired to it."""

from __future__ import annotations

import os
import signal
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

# The runtime the end-to-end tests run: OPENAI_CODEX_TEST_RUNTIME=/path/to/codex (for example
# one installed by scripts/install_runtime.sh), else the installed openai-codex-cli-bin package.
TEST_RUNTIME = os.environ.get("OPENAI_CODEX_TEST_RUNTIME") or None


def pytest_configure(config: pytest.Config) -> None:
    """With OPENAI_CODEX_TEST_RUNTIME set, every client that would spawn the packaged runtime
    spawns that one instead (with its own PATH folder, as the package provides)."""
    if TEST_RUNTIME is None:
        return
    binary = Path(TEST_RUNTIME)
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise pytest.UsageError(f"OPENAI_CODEX_TEST_RUNTIME={TEST_RUNTIME} is not an executable file")
    # openai-codex-cli-bin's layout: codex_cli_bin/bin/codex beside codex_cli_bin/codex-path.
    path_dir = binary.parent.parent / "codex-path"
    chosen = (str(binary), str(path_dir) if path_dir.is_dir() else None)

    from openai_codex import config as config_module

    config_module.packaged_runtime = lambda: chosen


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


def take_ctrl_c() -> None:
    """Makes SIGINT raise KeyboardInterrupt in this process, as Ctrl-C does in a terminal.

    Python leaves SIGINT ignored when it starts with it ignored, which is how a shell without
    job control starts a background job. The child processes of the Ctrl-C tests call this
    first, so that what they test is the SDK, not how the test run was started.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
