"""A runtime that does not start says which program it ran, what it did, and how to fix it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig, CodexTimeoutError, TransportClosedError
from openai_codex.errors import UnexpectedResponseError

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)

FIX = "Check that it is a Codex runtime"


def _script(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


def _start(config: CodexConfig) -> tuple[Exception, float]:
    started = time.monotonic()
    with pytest.raises(Exception) as raised:
        Codex(config)
    return raised.value, time.monotonic() - started


def test_a_program_that_exits_gives_its_status_and_stderr() -> None:
    error, _ = _start(CodexConfig(codex_bin="/bin/cat"))
    assert isinstance(error, TransportClosedError)
    message = str(error)
    assert message.startswith("Could not start '/bin/cat': it closed its stdout (process exited with code 1)")
    assert "its last stderr lines:\n    /bin/cat: unrecognized option" in message
    assert FIX in message


def test_a_program_that_prints_something_else_is_quoted_at_once(tmp_path: Path) -> None:
    chatty = _script(tmp_path, "chatty", 'echo "hello, I am not codex"; sleep 30')
    error, elapsed = _start(CodexConfig(codex_bin=chatty, start_timeout=60))
    assert isinstance(error, TransportClosedError)
    assert f"Could not start {chatty!r}: it printed a line that is not JSON-RPC" in str(error)
    assert '"hello, I am not codex"' in str(error) and FIX in str(error)
    assert elapsed < 20  # not the 60 s handshake timeout
    # The SDK's own diagnostics never pose as the program's stderr.
    assert "[openai-codex]" not in str(error)


def test_echo_is_not_mistaken_for_a_runtime() -> None:
    error, _ = _start(CodexConfig(codex_bin="/bin/echo"))
    assert isinstance(error, TransportClosedError)
    assert "printed a line that is not JSON-RPC" in str(error) and '"app-server --listen stdio://"' in str(error)


def test_a_program_that_echoes_the_handshake_back_is_not_a_runtime(tmp_path: Path) -> None:
    echoer = _script(tmp_path, "echoer", "exec cat")
    error, _ = _start(CodexConfig(codex_bin=echoer))
    assert isinstance(error, UnexpectedResponseError) and isinstance(error, RuntimeError)
    assert "answered the initialize handshake, but not as a Codex runtime does" in str(error)
    assert FIX in str(error)


def test_a_silent_program_times_out_after_start_timeout(tmp_path: Path) -> None:
    silent = _script(tmp_path, "silent", "sleep 30")
    error, elapsed = _start(CodexConfig(codex_bin=silent, start_timeout=1))
    assert isinstance(error, CodexTimeoutError)
    assert f"Could not start {silent!r}: it did not answer the initialize handshake within 1 s" in str(error)
    assert 1 <= elapsed < 15


def test_a_directory_or_a_plain_file_is_refused_before_starting(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match=r"CodexConfig\.codex_bin is a directory"):
        Codex(CodexConfig(codex_bin=str(tmp_path)))
    plain = tmp_path / "codex"
    plain.write_text("not a program")
    with pytest.raises(PermissionError, match=r"CodexConfig\.codex_bin is not executable"):
        Codex(CodexConfig(codex_bin=str(plain)))


def test_the_async_client_reports_the_same(tmp_path: Path) -> None:
    import asyncio

    chatty = _script(tmp_path, "chatty", 'echo "not codex"; sleep 30')

    async def main() -> None:
        with pytest.raises(TransportClosedError, match="printed a line that is not JSON-RPC"):
            async with AsyncCodex(CodexConfig(codex_bin=chatty)):
                pass

    asyncio.run(main())


def test_bad_timeouts_in_the_config_name_the_field() -> None:
    with pytest.raises(ValueError, match=r"CodexConfig\.start_timeout must be a finite, non-negative number"):
        Codex(CodexConfig(start_timeout=-1))
