"""Every wait on a turn can be bounded, and giving up on a turn stops it at the runtime.

A timeout, a cancelled task or Ctrl-C used to leave the turn running at the runtime: the thread
stayed busy and the next run() on it silently waited for the abandoned turn.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig, CodexTimeoutError
from openai_codex.errors import TurnTimeoutError
from openai_codex.testing import ScriptedModel, hang, text
from openai_codex.types import TurnStatus

from .conftest import ROOT

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)


def test_run_with_a_timeout_interrupts_the_turn_and_frees_the_thread(codex: Codex, model: ScriptedModel) -> None:
    stuck = hang("never finished", deltas=["partial ", "answer"], after_deltas=1)
    model.enqueue(stuck, text("the next turn"))
    thread = codex.thread_start()
    started = time.monotonic()
    with pytest.raises(TurnTimeoutError) as raised:
        thread.run("take your time", timeout=1.0)
    assert 1.0 <= time.monotonic() - started < 30
    error = raised.value
    assert isinstance(error, CodexTimeoutError) and isinstance(error, TimeoutError)
    assert error.timeout == 1.0 and error.turn_id
    # The runtime reported the interrupted turn, with what it had produced.
    assert error.result is not None and error.result.status is TurnStatus.interrupted
    assert error.result.id == error.turn_id
    # The thread is free at once: the next turn runs (the hung reply is never released).
    assert thread.run("next", timeout=60).final_response == "the next turn"
    assert len(model.requests) == 2


def test_a_turn_handle_stream_with_a_timeout_raises_after_its_events(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(hang(deltas=["one ", "two"], after_deltas=1), text("after"))
    thread = codex.thread_start()
    handle = thread.turn("stream it")
    seen = []
    with pytest.raises(TurnTimeoutError) as raised:
        for event in handle.stream(timeout=1.0):
            seen.append(event.method)
    assert "turn/started" in seen
    assert raised.value.turn_id == handle.id
    assert thread.run("again", timeout=60).final_response == "after"


def test_bad_timeouts_are_refused_with_the_parameter_named(codex: Codex) -> None:
    thread = codex.thread_start()
    with pytest.raises(ValueError, match="timeout must be a finite, non-negative number of seconds"):
        thread.run("x", timeout=-1)
    with pytest.raises(TypeError, match="timeout must be a number of seconds, not str"):
        thread.run("x", timeout="soon")  # type: ignore[arg-type]


def test_async_cancellation_in_each_form_stops_the_turn(codex_config: CodexConfig, model: ScriptedModel) -> None:
    async def main() -> None:
        async with AsyncCodex(codex_config) as codex:
            thread = await codex.thread_start()

            # asyncio.wait_for around run(): the plain TimeoutError of asyncio...
            model.enqueue(hang(after_deltas=1), text("after wait_for"))
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(thread.run("slow"), 1.0)
            # ...and the thread is free: the next turn runs, not folded into the old one.
            assert (await thread.run("next", timeout=60)).final_response == "after wait_for"

            # asyncio.timeout around an `async for` over stream().
            model.enqueue(hang(after_deltas=1), text("after asyncio.timeout"))
            handle = await thread.turn("stream slowly")
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(1.0):
                    async for _ in handle.stream():
                        pass
            assert (await thread.run("next", timeout=60)).final_response == "after asyncio.timeout"

            # task.cancel() of a task awaiting handle.run().
            model.enqueue(hang(after_deltas=1), text("after cancel"))
            handle = await thread.turn("cancel me")
            task = asyncio.ensure_future(handle.run())
            await asyncio.sleep(0.5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert (await thread.run("next", timeout=60)).final_response == "after cancel"

            # run(timeout=) on the async side raises TurnTimeoutError like the sync one.
            model.enqueue(hang(after_deltas=1), text("after timeout"))
            with pytest.raises(TurnTimeoutError):
                await thread.run("slow again", timeout=1.0)
            assert (await thread.run("next", timeout=60)).final_response == "after timeout"

    if sys.version_info < (3, 11):
        pytest.skip("asyncio.timeout needs Python 3.11")
    asyncio.run(main())


def test_leaving_a_stream_loop_early_does_not_stop_the_turn(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(text("a complete answer", deltas=4))
    handle = codex.thread_start().turn("go")
    for event in handle.stream():
        if event.method == "turn/started":
            break
    assert handle.run(timeout=60).status is TurnStatus.completed


def test_ctrl_c_in_a_blocking_run_interrupts_the_turn_before_exiting(tmp_path: Path) -> None:
    record = tmp_path / "stdin.jsonl"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.conftest import fake_server_config, take_ctrl_c
        from openai_codex import Codex
        take_ctrl_c()
        config = fake_server_config("--deltas", "400", "--delta-delay", "0.05", "--record", {str(record)!r})
        with Codex(config) as codex:
            thread = codex.thread_start()
            print("running", flush=True)
            thread.run("a long turn")
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "running"
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode != 0 and "KeyboardInterrupt" in stderr
    sent = record.read_text()
    assert '"method":"turn/interrupt"' in sent.replace(" ", "")
