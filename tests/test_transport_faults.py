"""Transport behaviour under faults, driven by devtools/fake_app_server.py."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from openai_codex import (
    Codex,
    CodexError,
    InvalidParamsError,
    InvalidRequestError,
    JsonRpcError,
    MethodNotFoundError,
    RetryLimitExceededError,
    ServerBusyError,
    TransportClosedError,
)
from openai_codex.errors import CodexTimeoutError

from .conftest import ROOT, fake_server_config

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)


def test_turn_that_completes_before_turn_start_returns_is_not_lost() -> None:
    with Codex(fake_server_config("--complete-before-response", "--deltas", "5")) as codex:
        handle = codex.thread_start().turn("race")
        methods = [e.method for e in handle.stream()]
        assert methods[0] == "turn/started" and methods[-1] == "turn/completed"
        assert methods.count("item/agentMessage/delta") == 5
        assert handle.run().final_response == "tok " * 5


def test_non_protocol_stdout_lines_after_the_handshake_are_skipped() -> None:
    with Codex(fake_server_config("--garbage-line", "--deltas", "3")) as codex:
        result = codex.thread_start().run("hi")
        assert result.final_response == "tok tok tok "
        # Skipped, not passed off as the runtime's own stderr.
        assert "this is not JSON" not in codex._client.stderr_tail()


def test_lines_of_many_megabytes_arrive_intact() -> None:
    size = 12 * 1024 * 1024
    with Codex(fake_server_config("--huge-line-bytes", str(size), "--deltas", "2")) as codex:
        events = list(codex.thread_start().turn("big").stream())
        deltas = [e.payload.delta for e in events if e.method == "item/agentMessage/delta"]
        assert len(deltas[0]) > size - 200 and set(deltas[0]) == {"x"}


# Measures, in a fresh interpreter, how far a turn with one huge line (its delta; the
# completed item repeats the text in a second line) raises the process's peak RSS over where it
# stood before the turn. `stream` reads only the completed item, as `run` does, so one decoded
# copy of the text is alive at a time whatever the scheduling.
HUGE_LINE_PEAK = """
import sys
sys.path.insert(0, {root!r})
from tests.conftest import fake_server_config
from openai_codex import Codex

def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key))

mode, size = {mode!r}, {size}
with Codex(fake_server_config("--deltas", "2")) as warm:  # every code path used below, warmed
    thread = warm.thread_start()
    thread.run("warm")
    list(thread.turn("warm").stream())
with Codex(fake_server_config("--huge-line-bytes", str(size), "--deltas", "2")) as codex:
    thread = codex.thread_start()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak (VmHWM) starts again from here
    before = status("VmRSS")
    if mode == "run":
        text = thread.run("big").final_response or ""
    else:
        text = ""
        for event in thread.turn("big").stream():
            if event.method == "item/completed" and event.payload.item.type == "agentMessage":
                text = event.payload.item.text
    print(status("VmHWM") - before, len(text), text.count("x"))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc/self/clear_refs")
@pytest.mark.parametrize("mode", ["run", "stream"])
@pytest.mark.parametrize("mib", [16, 64])
def test_a_huge_line_costs_about_twice_its_size_at_peak(mode: str, mib: int) -> None:
    size = mib * 1024 * 1024
    script = HUGE_LINE_PEAK.format(root=str(ROOT), mode=mode, size=size)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    growth, length, xs = map(int, done.stdout.split())
    assert length >= xs > size - 200  # the text arrived whole (its huge part, and the rest)
    # The line in the reader's memory (shared by its event, not copied) and the text Python
    # decoded from it: twice the line, plus a few MiB of buffers that do not grow with it.
    # (Before the reader gave huge lines memory of their own: about 5x.)
    assert growth <= 2 * size + 8 * 1024 * 1024, f"peak grew by {growth / size:.2f}x the line"


def test_crash_mid_turn_raises_with_exit_status_and_stderr() -> None:
    with Codex(fake_server_config("--crash-after-deltas", "3", "--deltas", "10")) as codex:
        handle = codex.thread_start().turn("crash")
        seen = []
        with pytest.raises(TransportClosedError) as info:
            for event in handle.stream():
                seen.append(event.method)
        assert seen.count("item/agentMessage/delta") == 3
        message = str(info.value)
        assert "exited with code 1" in message
        assert "stderr_tail" in message and codex._client.stderr_tail() in message


@pytest.mark.parametrize(
    ("code", "message", "data", "expected"),
    [
        (-32602, "bad params", None, InvalidParamsError),
        (-32600, "unknown variant", None, InvalidRequestError),
        (-32601, "no such method", None, MethodNotFoundError),
        (-32001, "busy", '{"codex_error_info": "server_overloaded"}', ServerBusyError),
        (-32001, "exceeded retry limit", '"server_overloaded"', RetryLimitExceededError),
        (-32050, "other", None, CodexError),
        (1234, "custom", None, JsonRpcError),
    ],
)
def test_rpc_errors_become_typed_exceptions(code: int, message: str, data: str | None, expected: type) -> None:
    spec = f"thread/start:{code}:{message}" + (f":{data}" if data else "")
    with Codex(fake_server_config("--error-on", spec)) as codex:
        with pytest.raises(expected) as info:
            codex.thread_start()
        assert isinstance(info.value, JsonRpcError)
        assert info.value.code == code and info.value.message == message
        assert str(info.value) == f"JSON-RPC error {code}: {message}"


def test_a_request_that_is_never_answered_times_out() -> None:
    with Codex(fake_server_config("--hang-on", "thread/start")) as codex:
        started = time.monotonic()
        with pytest.raises(CodexTimeoutError) as info:
            codex._client.request("thread/start", {}, timeout=0.3)
        assert isinstance(info.value, TimeoutError)
        assert time.monotonic() - started < 5
        # The connection is still usable.
        assert codex._client.request("model/list", {}, timeout=10) == {"data": [], "nextCursor": None}


def test_constructor_fails_cleanly_when_the_process_exits_at_once() -> None:
    config = fake_server_config()
    config.launch_args_override = (sys.executable, "-c", "import sys; sys.stderr.write('no way\\n'); sys.exit(3)")
    with pytest.raises(TransportClosedError, match="no way"):
        Codex(config)


def test_bad_params_are_rejected_before_sending() -> None:
    with Codex(fake_server_config()) as codex:
        with pytest.raises(TypeError, match=r"thread/start params\.config\.when: datetime"):
            import datetime

            codex.thread_start(config={"when": datetime.datetime.now()})
        with pytest.raises(ValueError, match=r"params\.config\.x: NaN cannot be sent as JSON"):
            codex.thread_start(config={"x": float("nan")})
        # Still fine afterwards.
        assert codex.thread_start().id


def test_blocking_waits_release_the_gil() -> None:
    with Codex(fake_server_config("--deltas", "20", "--delta-delay", "0.02")) as codex:
        handle = codex.thread_start().turn("slow")
        ticks = 0
        stop = threading.Event()

        def spin() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1

        worker = threading.Thread(target=spin)
        worker.start()
        try:
            handle.run()  # ~0.4 s of waiting
        finally:
            stop.set()
            worker.join()
        assert ticks > 10_000


def test_ctrl_c_interrupts_a_blocked_call() -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from tests.conftest import fake_server_config, take_ctrl_c
        from openai_codex import Codex
        take_ctrl_c()
        codex = Codex(fake_server_config("--hang-on", "thread/start"))
        print("ready", flush=True)
        started = time.monotonic()
        try:
            codex.thread_start()
        except KeyboardInterrupt:
            print("interrupted after %.2f s" % (time.monotonic() - started), flush=True)
        codex.close()
        print("closed", flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        proc.send_signal(2)  # SIGINT
        out, _ = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert "interrupted after" in out and "closed" in out


def test_dropping_codex_without_close_ends_the_runtime() -> None:
    codex = Codex(fake_server_config())
    pid = codex._client.pid
    assert pid is not None
    del codex
    gc.collect()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail("the runtime outlived its Codex object")


LONE_SURROGATE_SERVER = r"""
import json, sys
def out(line): sys.stdout.write(line + "\n"); sys.stdout.flush()
for raw in sys.stdin:
    m = json.loads(raw)
    method = m.get("method")
    if method == "initialize":
        out(json.dumps({"id": m["id"], "result": {"userAgent": "x/0.133.0 (y)", "codexHome": "/",
                                                  "platformFamily": "unix", "platformOs": "linux"}}))
    elif method == "thread/start":
        out(json.dumps({"id": m["id"], "result": {"thread": {"id": "th"}}}))
    elif method == "turn/start":
        out(json.dumps({"id": m["id"], "result": {"turn": {"id": "tu", "status": "inProgress"}}}))
        out(
            '{"method":"item/agentMessage/delta",'
            '"params":{"threadId":"th","turnId":"tu","itemId":"i","delta":"a \\ud800 b"}}'
        )
        out('{"method":"turn/completed","params":{"threadId":"th","turn":{"id":"tu","status":"completed","items":[]}}}')
"""


def test_a_lone_surrogate_escape_is_delivered_as_python_would_decode_it() -> None:
    config = fake_server_config()
    config.launch_args_override = (sys.executable, "-c", LONE_SURROGATE_SERVER)
    with Codex(config) as codex:
        events = list(codex.thread_start().turn("x").stream())
        assert [e.method for e in events] == ["item/agentMessage/delta", "turn/completed"]
        assert events[0].payload.delta == "a \ud800 b"


def test_exit_hook_closes_every_connection_and_settles_awaitables() -> None:
    import asyncio

    from openai_codex import AsyncCodex, _core

    async def main() -> None:
        codex = AsyncCodex(fake_server_config("--hang-on", "thread/start"))
        client = await codex._ensure_client()
        pending = asyncio.ensure_future(codex.thread_start())  # never answered
        await asyncio.sleep(0.05)
        # What atexit runs: close everything while the interpreter is whole, and let the pending
        # awaitable settle instead of completing during finalization.
        await asyncio.get_running_loop().run_in_executor(None, _core.shutdown)
        assert client.closed
        with pytest.raises(TransportClosedError):
            await asyncio.wait_for(pending, 5)

    asyncio.run(main())


def test_leaving_a_stream_early_loses_nothing() -> None:
    import asyncio

    from openai_codex import AsyncCodex

    with Codex(fake_server_config("--deltas", "6")) as codex:
        handle = codex.thread_start().turn("go")
        first = []
        for event in handle.stream():
            first.append(event.method)
            if len(first) == 3:
                break
        rest = [e.method for e in handle.stream()]
        assert first[0] == "turn/started" and rest[-1] == "turn/completed"
        assert (first + rest).count("item/agentMessage/delta") == 6
        assert handle.run().final_response == "tok " * 6

    async def main() -> None:
        async with AsyncCodex(fake_server_config("--deltas", "6")) as codex:
            handle = await (await codex.thread_start()).turn("go")
            first = []
            async for event in handle.stream():
                first.append(event.method)
                if len(first) == 3:
                    break
            rest = [e.method async for e in handle.stream()]
            assert (first + rest).count("item/agentMessage/delta") == 6
            assert rest[-1] == "turn/completed"

    asyncio.run(main())


def test_the_os_thread_count_stays_fixed_however_many_async_turns_run() -> None:
    # Each finished awaitable used to borrow a thread of tokio's blocking pool to hand its
    # result to asyncio, so threads grew with concurrency (26 at 256 turns). Counted, not timed.
    import asyncio

    from openai_codex import AsyncCodex

    def threads_now() -> int:
        return len(os.listdir("/proc/self/task"))

    async def main() -> int:
        peak = threads_now()
        async with AsyncCodex(fake_server_config("--deltas", "20")) as codex:
            threads = await asyncio.gather(*(codex.thread_start() for _ in range(256)))

            async def one(thread: object) -> None:
                nonlocal peak
                handle = await thread.turn("go")  # type: ignore[attr-defined]
                async for _ in handle.stream():
                    peak = max(peak, threads_now())
                await handle.run()

            await asyncio.gather(*(one(t) for t in threads))
        return peak

    baseline = threads_now()
    peak = asyncio.run(main())
    # Two I/O workers, one asyncio-completion thread, the runtime child's watcher: a fixed few.
    assert peak - baseline <= 6, (baseline, peak)


@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_an_item_completed_after_its_turn_is_still_in_the_result(delay: float) -> None:
    # The runtime under load sends a command's item/completed after turn/completed; the result
    # used to miss that item. Reproduced deterministically by the fake, not by load.
    with Codex(fake_server_config("--late-item-completed", str(delay), "--deltas", "3")) as codex:
        thread = codex.thread_start()
        result = thread.run("go")
        assert [type(item.root).__name__ for item in result.items] == [
            "UserMessageThreadItem",
            "AgentMessageThreadItem",
        ]
        assert result.final_response == "tok tok tok "
        # And stream() hands the late item out before the turn's completion.
        handle = thread.turn("again")
        methods = [event.method for event in handle.stream()]
        assert methods[-2:] == ["item/completed", "turn/completed"]
        assert len(handle.run().items) == 2


def test_diagnostics_reach_the_openai_codex_logger(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="openai_codex")
    with Codex(fake_server_config("--garbage-line", "--deltas", "2")) as codex:
        assert codex.thread_start().run("hi").final_response == "tok tok "
    records = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "openai_codex"]
    garbage = "this is not JSON {"  # what the fake prints (devtools/fake_app_server.py)
    skipped = f'skipped a stdout line that is not JSON-RPC ({len(garbage)} bytes): "{garbage}"'
    assert (logging.WARNING, skipped) in records
    closed = [m for level, m in records if level == logging.INFO and "closed" in m]
    assert closed == ["the Codex runtime connection was closed"]

    caplog.clear()
    approval = 'item/commandExecution/requestApproval:{"threadId":"t","turnId":"u","itemId":"i","command":"ls"}'
    with Codex(fake_server_config("--server-request", approval)) as codex:
        codex.thread_start().run("ask")
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert "answered the runtime's item/commandExecution/requestApproval request by the default policy" in debug

    caplog.clear()
    with Codex(fake_server_config("--crash-after-deltas", "1", "--deltas", "5")) as codex:
        with pytest.raises(TransportClosedError):
            codex.thread_start().run("crash")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("exited with code 1" in message for message in warnings), warnings


def test_a_runtime_that_closes_stdout_but_lives_on_fails_the_turn_promptly() -> None:
    with Codex(fake_server_config("--close-stdout-mid-turn")) as codex:
        started = time.monotonic()
        with pytest.raises(TransportClosedError) as info:
            codex.thread_start().run("go")
        assert time.monotonic() - started < 10  # not the 1.5 s + 2 s close sequence per wait
        assert "closed its stdout (process is still running)" in str(info.value)


def test_megabytes_of_stderr_during_a_turn_neither_stall_it_nor_pile_up() -> None:
    import resource

    with Codex(fake_server_config("--stderr-flood", str(20 * 1024 * 1024), "--deltas", "3")) as codex:
        codex.thread_start().run("warm up")  # one-time costs (the protocol classes) come first
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert codex.thread_start().run("go").final_response == "tok tok tok "
        grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        tail = codex._client.stderr_tail()
    assert tail.startswith("fake app-server: log") and len(tail) <= 4000  # a bounded ring
    assert grown_kib < 10 * 1024, grown_kib  # 20 MB went through, not into memory


def _children() -> set[int]:
    me = str(os.getpid())
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                found.add(int(entry))
    return found


def test_hundreds_of_open_close_cycles_leave_no_process_fd_or_thread_behind() -> None:
    def fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    def threads() -> int:
        return len(os.listdir("/proc/self/task"))

    def settled() -> bool:
        # close() does not wait for a child's exit; each is reaped in the background, soon
        # (earlier tests' children too: a runtime that ignores stdin EOF is stopped in ~3.5 s).
        deadline = time.monotonic() + 30
        while _children() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)  # the reaped child's pipes close just after
        return not _children()

    with Codex(fake_server_config()) as warm:  # the I/O runtime's own threads start here
        warm.thread_start()
    assert settled()
    base_fds, base_threads = fds(), threads()
    for _ in range(500):
        with Codex(fake_server_config()) as codex:
            codex.thread_start()
    assert settled()
    assert fds() == base_fds
    assert threads() == base_threads


def test_close_from_another_thread_ends_a_blocked_stream_at_once() -> None:
    with Codex(fake_server_config("--deltas", "1000", "--delta-delay", "0.05")) as codex:
        handle = codex.thread_start().turn("long")
        seen: list[str] = []
        failure: list[BaseException] = []

        def consume() -> None:
            try:
                for event in handle.stream():
                    seen.append(event.method)
            except BaseException as error:
                failure.append(error)

        reader = threading.Thread(target=consume)
        reader.start()
        while "item/agentMessage/delta" not in seen:
            time.sleep(0.01)
        codex.close()
        reader.join(10)
        assert not reader.is_alive()
        assert len(failure) == 1 and isinstance(failure[0], TransportClosedError)
        assert "closed" in str(failure[0])


def test_close_from_another_task_ends_an_async_stream_at_once() -> None:
    import asyncio

    from openai_codex import AsyncCodex

    async def main() -> None:
        async with AsyncCodex(fake_server_config("--deltas", "1000", "--delta-delay", "0.05")) as codex:
            handle = await (await codex.thread_start()).turn("long")
            seen: list[str] = []

            async def consume() -> None:
                async for event in handle.stream():
                    seen.append(event.method)

            task = asyncio.create_task(consume())
            while "item/agentMessage/delta" not in seen:
                await asyncio.sleep(0.01)
            await codex.close()
            with pytest.raises(TransportClosedError):
                await asyncio.wait_for(task, 10)

    asyncio.run(main())
