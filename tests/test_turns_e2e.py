"""End-to-end turns through the real `codex app-server` against the scripted model."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from openai_codex import Codex, CodexConfig, TransportClosedError
from openai_codex.errors import TurnFailedError
from openai_codex.testing import ScriptedModel, hang, http_error, slow, text, user_texts
from openai_codex.types import TurnStatus

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)


def test_run_returns_the_final_response_items_and_usage(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(text("The answer is 42.", deltas=4))
    result = codex.thread_start().run("What is the answer?")

    assert result.status == TurnStatus.completed
    assert result.final_response == "The answer is 42."
    assert result.error is None
    assert result.duration_ms is not None and result.duration_ms >= 0
    assert result.started_at is not None and result.completed_at is not None
    item_types = [item.type for item in result.items]
    assert item_types == ["userMessage", "agentMessage"]
    # The runtime reports the model's token counts (Usage defaults: 10 in + 5 out).
    assert result.usage.total.total_tokens == 15
    assert user_texts(model.requests[0])[-1] == "What is the answer?"


def test_stream_yields_this_turns_events_in_order(codex: Codex, model: ScriptedModel) -> None:
    pieces = ["Hel", "lo ", "wor", "ld!"]
    model.enqueue(text("".join(pieces), deltas=pieces))
    thread = codex.thread_start()
    handle = thread.turn("hi")
    events = list(handle.stream())
    methods = [e.method for e in events]

    assert methods[0] == "turn/started"
    assert methods[-1] == "turn/completed"
    assert methods.count("turn/completed") == 1
    deltas = [e.payload.delta for e in events if e.method == "item/agentMessage/delta"]
    assert deltas == pieces
    for event in events:
        payload = event.payload
        # turn/started and turn/completed carry the whole turn; the others its id.
        turn_id = payload.turn.id if event.method.startswith("turn/") else payload.turn_id
        assert turn_id == handle.id
        assert payload.thread_id == thread.id
    assert events[-1].payload.turn.status == "completed"
    # Everything was consumed by stream(); run() still knows the result.
    assert handle.run().final_response == "Hello world!"
    assert list(handle.stream()) == []


def test_second_turn_sees_the_first_turns_context(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(text("Nice to meet you, Ada."), text("Your name is Ada."))
    thread = codex.thread_start()
    thread.run("My name is Ada.")
    second = thread.run("What is my name?")

    assert second.final_response == "Your name is Ada."
    history = model.requests[1]["input"]
    flattened = repr(history)
    assert "My name is Ada." in flattened
    assert "Nice to meet you, Ada." in flattened
    assert user_texts(model.requests[1])[-1] == "What is my name?"


def test_steer_adds_input_to_the_running_turn(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(slow("working on it", deltas=10, delta_delay=0.1), text("steered answer"))
    handle = codex.thread_start().turn("start working")
    response = handle.steer("also mention bananas")
    assert response.turn_id == handle.id
    result = handle.run()

    assert result.status == TurnStatus.completed
    assert result.final_response == "steered answer"
    assert "also mention bananas" in user_texts(model.requests[-1])


def test_interrupt_stops_the_turn(codex: Codex, model: ScriptedModel) -> None:
    reply = hang("never finished", deltas=3, after_deltas=1)
    model.enqueue(reply)
    handle = codex.thread_start().turn("take your time")
    # Sent at once: the SDK waits for the runtime to announce the turn before interrupting.
    handle.interrupt()
    result = handle.run()

    assert result.status == TurnStatus.interrupted
    reply.release()


def test_failing_model_reply_raises_with_the_runtime_message(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(http_error(500))
    thread = codex.thread_start()
    with pytest.raises(TurnFailedError) as info:
        thread.run("hello?")
    assert isinstance(info.value, RuntimeError)
    assert "high demand" in str(info.value)
    assert info.value.turn_id

    # The stream of a failed turn still ends with its completion, status failed.
    model.enqueue(http_error(500))
    events = list(thread.turn("again?").stream())
    assert events[-1].payload.turn.status == "failed"


def test_runtime_killed_mid_turn_fails_the_wait_promptly(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(hang("never", deltas=2, after_deltas=1))
    handle = codex.thread_start().turn("hang")
    stream = handle.stream()
    first = next(stream)
    assert first.method == "turn/started"

    pid = codex._client.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    with pytest.raises(TransportClosedError) as info:
        for _ in stream:
            pass
    assert time.monotonic() - started < 5
    assert "signal 9" in str(info.value)
    # Later calls fail the same way instead of hanging or raising BrokenPipeError.
    with pytest.raises(TransportClosedError):
        codex.thread_start()
    with pytest.raises(TransportClosedError):
        handle.run()


def test_close_twice_and_calls_after_close(codex_config: CodexConfig) -> None:
    codex = Codex(codex_config)
    pid = codex._client.pid
    codex.close()
    codex.close()
    with pytest.raises(TransportClosedError):
        codex.thread_start()
    assert pid is not None
    # close() returns once the runtime is told to exit; it is reaped in the background, soon.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return  # gone and reaped, not a zombie
        time.sleep(0.02)
    pytest.fail("the runtime outlived close()")


def test_close_while_streaming_ends_the_stream(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(hang("never", deltas=2, after_deltas=1))
    handle = codex.thread_start().turn("hang")
    assert next(handle.stream()).method == "turn/started"
    codex.close()
    with pytest.raises(TransportClosedError):
        handle.run()


def test_missing_codex_bin_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-codex"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        Codex(CodexConfig(codex_bin=str(missing)))


def test_explicit_codex_bin_runs_that_binary(model: ScriptedModel, tmp_path: Path) -> None:
    import codex_cli_bin

    config = CodexConfig(
        codex_bin=str(codex_cli_bin.bundled_codex_path()),
        env=model.codex_env(tmp_path / "home"),
    )
    with Codex(config) as codex:
        assert codex.metadata.server_info is not None
        assert codex.metadata.server_info.version == "0.133.0"
        assert codex.thread_start().run("hi").final_response == "ok"


def test_a_second_turn_on_a_busy_thread_runs_after_the_first(codex: Codex, model: ScriptedModel) -> None:
    # Sent while the first turn runs, the runtime would fold the second turn's input into the
    # first and never run the second; the SDK holds it until the first completes.
    model.enqueue(slow("first answer", deltas=5, delta_delay=0.1), text("second answer"))
    thread = codex.thread_start()
    first = thread.turn("one")
    second = thread.turn("two")
    assert first.run().final_response.startswith("first answer")
    assert second.run().final_response == "second answer"
    assert user_texts(model.requests[-1])[-1] == "two"


def test_concurrent_async_turns_on_one_thread_run_in_turn(model: ScriptedModel, tmp_path: Path) -> None:
    import asyncio

    from openai_codex import AsyncCodex

    async def main() -> None:
        async with AsyncCodex(CodexConfig(env=model.codex_env(tmp_path / "home"))) as codex:
            thread = await codex.thread_start()
            results = await asyncio.gather(*(thread.run(f"prompt {i}") for i in range(3)))
            assert [r.status for r in results] == [TurnStatus.completed] * 3
            assert len({r.id for r in results}) == 3

    asyncio.run(main())
