"""One measurement in a fresh interpreter: the worker side of benchmarks/run.py.

    python benchmarks/_worker.py KIND 'JSON_PARAMS'

It runs in the interpreter of the SDK under test (this repo's .venv, or the reference's venv) and
uses only the public API both SDKs share, plus the standard library. It prints exactly one JSON
object on stdout: the figures, or {"error": ...}, or {"hang": ...} when a turn did not finish in
time (the driver's own timeout is the last resort for a worker that cannot even report that).
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import json
import math
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FAKE_SERVER = REPO / "devtools" / "fake_app_server.py"
DELTA_METHOD = "item/agentMessage/delta"
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
# Events a turn of the fake routes to its stream besides the deltas: turn/started, two
# item/started, two item/completed, thread/tokenUsage/updated, turn/completed.
TURN_EXTRA_EVENTS = 7


def vm_rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def fake_args(deltas: int, turn_delay: float = 0.0, warmup_deltas: int | None = None) -> tuple[str, ...]:
    # The fake runs on the worker's interpreter: stdlib only, so either venv will do.
    args = [sys.executable, str(FAKE_SERVER), "--deltas", str(deltas), "--delta-text", "tok "]
    if turn_delay > 0:
        args += ["--turn-delay", str(turn_delay)]
    if warmup_deltas is not None:
        args += ["--first-turn-deltas", str(warmup_deltas)]
    return tuple(args)


def fake_config(deltas: int, turn_delay: float = 0.0, warmup_deltas: int | None = None):
    from openai_codex import CodexConfig

    return CodexConfig(launch_args_override=fake_args(deltas, turn_delay, warmup_deltas))


@contextlib.contextmanager
def fake_client_config(params: dict, deltas: int, warmup_deltas: int | None = None):
    """The config of a client of the fake over params["transport"]: "stdio" (spawned, the
    default), or "ws" / "unix": connected to the fake behind the WebSocket bridge
    (devtools/ws_bridge.py, its binary built by the driver and given as params["bridge"])."""
    transport = params.get("transport", "stdio")
    if transport == "stdio":
        yield fake_config(deltas, params.get("turn_delay", 0.0), warmup_deltas)
        return
    from openai_codex import CodexConfig

    sys.path.insert(0, str(REPO))
    from devtools.ws_bridge import Bridge

    with Bridge(fake_args(deltas, params.get("turn_delay", 0.0), warmup_deltas), binary=params["bridge"]) as bridge:
        yield CodexConfig(connect=bridge.url(transport))


# The turn a throughput figure runs first, outside its window, so that one-time costs (lazy
# imports, first-use caches) stay out of it. Not tiny: the reference loses a turn whose
# turn/completed its reader routes before the caller has registered the turn, and 2,000 deltas
# give the caller time to do so.
WARMUP_DELTAS = 2000
WARMUP_HANG_S = 5


def emit(result: dict) -> None:
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


class Watchdog:
    """Reports a hang and ends the process when one step runs longer than `limit_s`.

    The reference SDK blocks in queue.get() forever when it loses a turn's events, and no
    exception can reach that call, so the only way out is to print what we have and _exit.
    """

    def __init__(self, limit_s: float, partial) -> None:
        self.limit_s = limit_s
        self.partial = partial  # () -> dict of the figures so far
        self.started = time.monotonic()
        self.step = 0
        self._stop = threading.Event()
        threading.Thread(target=self._watch, name="bench-watchdog", daemon=True).start()

    def begin(self, step: int, limit_s: float | None = None) -> None:
        self.step = step
        self.started = time.monotonic()
        if limit_s is not None:
            self.limit_s = limit_s

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(min(0.05, self.limit_s / 4)):
            if time.monotonic() - self.started > self.limit_s:
                result = self.partial()
                result["hang"] = f"step {self.step} did not finish in {self.limit_s:g} s"
                emit(result)
                os._exit(0)


# --------------------------------------------------------------------------------------------
# figures


def w_bare(_: dict) -> dict:
    return {"rss_kib": vm_rss_kib()}


def w_import(_: dict) -> dict:
    started = time.perf_counter()
    import openai_codex

    elapsed = time.perf_counter() - started
    if not hasattr(openai_codex, "Codex"):
        raise RuntimeError("openai_codex has no Codex: its import time would say nothing")
    return {"import_s": elapsed, "rss_kib": vm_rss_kib(), "version": openai_codex.__version__}


def w_first_turn(params: dict) -> dict:
    started = time.perf_counter()
    from openai_codex import Codex

    watchdog = Watchdog(params.get("hang_s", 10), dict)
    with Codex(fake_config(10, params.get("turn_delay", 0.0))) as codex:
        thread = codex.thread_start()
        run_started = time.perf_counter()
        result = thread.run("hi")
        done = time.perf_counter()
    watchdog.stop()
    if not result.final_response:
        raise RuntimeError("the turn has no final response")
    return {"total_s": done - started, "run_s": done - run_started}


def w_startup(params: dict) -> dict:
    """`Codex(config)` (spawn + initialize) and `close()`, against the fake or the real runtime."""
    from openai_codex import Codex, CodexConfig

    if params["backend"] == "fake":
        config = fake_config(0)
    else:
        config = CodexConfig(codex_bin=params["codex_bin"], env={"CODEX_HOME": params["codex_home"]})
    watchdog = Watchdog(params.get("hang_s", 30), dict)
    started = time.perf_counter()
    codex = Codex(config)
    opened = time.perf_counter()
    codex.close()
    closed = time.perf_counter()
    watchdog.stop()
    return {"startup_s": opened - started, "close_s": closed - opened}


def _wait_listening(server: subprocess.Popen, ready: Callable[[], bool], limit_s: float = 20) -> None:
    deadline = time.monotonic() + limit_s
    while not ready():
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the app-server did not start listening (exit {server.poll()})")
        time.sleep(0.02)


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


def w_remote_connect(params: dict) -> dict:
    """`Codex(CodexConfig(connect=...))` (connect + initialize) and `close()` to a runtime that is
    already running: `codex app-server --listen ws://127.0.0.1:PORT`, then `--listen unix://PATH`,
    each started here, once per sample. Each figure is the median of `connects` warm connects
    (after one discarded), so the server's start-up stays out of it. Only this SDK can connect."""
    import tempfile

    from openai_codex import Codex, CodexConfig

    env = {**os.environ, "CODEX_HOME": params["codex_home"]}
    connects = params.get("connects", 10)
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="cx-", dir="/tmp") as folder:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        socket_path = os.path.join(folder, "app-server.sock")
        for name, listen, ready in (
            ("ws", f"ws://127.0.0.1:{port}", lambda: _port_open(port)),
            ("unix", f"unix://{socket_path}", lambda: os.path.exists(socket_path)),
        ):
            argv = [params["codex_bin"], "app-server", "--listen", listen]
            server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait_listening(server, ready)
                watchdog = Watchdog(params.get("hang_s", 30), dict)
                opens, closes = [], []
                for i in range(connects + 1):
                    started = time.perf_counter()
                    codex = Codex(CodexConfig(connect=listen))
                    opened = time.perf_counter()
                    codex.close()
                    closed = time.perf_counter()
                    if i:
                        opens.append(opened - started)
                        closes.append(closed - opened)
                watchdog.stop()
                # The floor: a bare tungstenite client's connect and initialize to the same
                # server, so what the runtime itself takes to answer is in view.
                raw = subprocess.run(
                    [params["bridge"], "initialize", listen, str(connects)],
                    capture_output=True,
                    text=True,
                    timeout=params.get("hang_s", 30),
                    check=True,
                )
                floor = json.loads(raw.stdout)
            finally:
                server.terminate()
                try:
                    server.wait(5)
                except subprocess.TimeoutExpired:  # seen now and then with --listen unix://
                    server.kill()
                    server.wait(10)
            result[f"{name}_connect_s"] = sorted(opens)[len(opens) // 2]
            result[f"{name}_close_s"] = sorted(closes)[len(closes) // 2]
            result[f"{name}_raw_connect_s"] = floor["connect_s"]
            result[f"{name}_raw_initialize_s"] = floor["initialize_s"]
    return result


def w_floor(params: dict) -> dict:
    """The ceiling for any client: count the lines of the same fake's turn, nothing else.

    Over "ws" or "unix" (params["transport"]), the frames of that turn behind the WebSocket
    bridge, counted by its bare Rust client (`ws_bridge count`)."""
    deltas = params["deltas"]
    transport = params.get("transport", "stdio")
    if transport != "stdio":
        sys.path.insert(0, str(REPO))
        from devtools.ws_bridge import Bridge

        with Bridge(fake_args(deltas), binary=params["bridge"]) as bridge:
            return bridge.count(transport)
    proc = subprocess.Popen(fake_args(deltas), stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    assert proc.stdin is not None and proc.stdout is not None
    out = proc.stdout.fileno()
    # The widest pipe an unprivileged reader can ask for, and reads of that size: no client
    # can do better on the reading side (this SDK itself asks for 256 KiB).
    with contextlib.suppress(OSError):
        fcntl.fcntl(out, F_SETPIPE_SZ, 1 << 20)
    proc.stdin.write(b'{"id":1,"method":"thread/resume","params":{"threadId":"t"}}\n')
    while b"\n" not in os.read(out, 1 << 16):
        pass
    end = b'"method":"turn/completed"'
    cpu0, wall0 = cpu_s(), time.perf_counter()
    proc.stdin.write(b'{"id":2,"method":"turn/start","params":{"threadId":"t","input":[]}}\n')
    if params.get("python_lines"):
        # One Python object per line, the least any Python consumer of lines does: the
        # buffered reader's line iterator, and a look at each line.
        lines = 0
        for line in open(out, "rb", buffering=1 << 20, closefd=False):
            lines += 1
            if line.startswith(b'{"method":"turn/completed"'):
                break
        else:
            raise RuntimeError("the fake ended before turn/completed")
        wall, cpu = time.perf_counter() - wall0, cpu_s() - cpu0
        proc.stdin.close()
        proc.wait(timeout=10)
        return {"events": lines - 1, "wall_s": wall, "events_per_s": (lines - 1) / wall, "cpu_s": cpu}
    lines = 0
    tail = b""
    while True:
        chunk = os.read(out, 1 << 20)
        if not chunk:
            raise RuntimeError("the fake ended before turn/completed")
        lines += chunk.count(b"\n")
        if end in tail + chunk[:4096] or end in chunk[-4096:]:
            break
        tail = chunk[-len(end) :]
    wall, cpu = time.perf_counter() - wall0, cpu_s() - cpu0
    proc.stdin.close()
    proc.wait(timeout=10)
    # The response line is not an event; the rest are (the turn's and two global ones).
    events = lines - 1
    return {"events": events, "wall_s": wall, "events_per_s": events / wall, "cpu_s": cpu}


def w_turns_floor(params: dict) -> dict:
    """The floor of a small turn: a bare client of the same fake (`os.write` of turn/start,
    `os.read` until turn/completed), timed as `w_turns` times `thread.run()`. It is the fake's
    and the pipes' share of a turn; what a client adds is its latency less this one."""
    count, warmup = params["turns"], params.get("warmup", 0)
    proc = subprocess.Popen(
        fake_args(params.get("deltas", 10), params.get("turn_delay", 0.0)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        bufsize=0,
    )
    assert proc.stdin is not None and proc.stdout is not None
    out, into = proc.stdout.fileno(), proc.stdin.fileno()
    os.write(into, b'{"id":1,"method":"thread/resume","params":{"threadId":"t"}}\n')
    while b"\n" not in os.read(out, 1 << 16):
        pass
    end = b'"method":"turn/completed"'
    latencies = array.array("d", bytes(8 * count))
    clock = time.perf_counter
    for index in range(-warmup, count):
        request = b'{"id":%d,"method":"turn/start","params":{"threadId":"t","input":[]}}\n' % (index + warmup + 2)
        started = clock()
        os.write(into, request)
        tail = b""
        while True:
            chunk = os.read(out, 1 << 16)
            if not chunk:
                raise RuntimeError("the fake ended before turn/completed")
            if end in tail + chunk:
                break
            tail = chunk[-len(end) :]
        if index >= 0:
            latencies[index] = clock() - started
    proc.stdin.close()
    proc.wait(timeout=10)
    done = sorted(latencies)
    return {"turns": count, "p50_s": _quantile(done, 0.50), "p99_s": _quantile(done, 0.99), "max_s": done[-1]}


def _stream_result(events: int, wall: float, cpu: float) -> dict:
    return {
        "events": events,
        "wall_s": wall,
        "events_per_s": events / wall,
        "cpu_s": cpu,
        "cpu_s_per_m_events": cpu / events * 1e6,
        "peak_rss_kib": peak_rss_kib(),
    }


def w_stream(params: dict) -> dict:
    """One turn of N deltas through `for event in handle.stream()`, reading payload.delta."""
    from openai_codex import Codex

    deltas = params["deltas"]
    with fake_client_config(params, deltas, WARMUP_DELTAS) as config, Codex(config) as codex:
        thread = codex.thread_start()
        watchdog = Watchdog(params.get("warmup_hang_s", WARMUP_HANG_S), dict)
        for _ in thread.turn("warm up").stream():
            pass
        watchdog.begin(1, params.get("hang_s", 40))
        cpu0, wall0 = cpu_s(), time.perf_counter()
        handle = thread.turn("go")
        events = seen = chars = 0
        for event in handle.stream():
            events += 1
            if event.method == DELTA_METHOD:
                seen += 1
                chars += len(event.payload.delta)
        wall, cpu = time.perf_counter() - wall0, cpu_s() - cpu0
        watchdog.stop()
    if seen != deltas or chars != 4 * deltas:
        raise RuntimeError(f"received {seen} deltas ({chars} chars), expected {deltas}")
    return _stream_result(events, wall, cpu)


def w_run(params: dict) -> dict:
    """The same turn through `thread.run()`, which only needs the final text."""
    from openai_codex import Codex

    deltas = params["deltas"]
    with fake_client_config(params, deltas, WARMUP_DELTAS) as config, Codex(config) as codex:
        thread = codex.thread_start()
        watchdog = Watchdog(params.get("warmup_hang_s", WARMUP_HANG_S), dict)
        thread.run("warm up")
        watchdog.begin(1, params.get("hang_s", 40))
        cpu0, wall0 = cpu_s(), time.perf_counter()
        result = thread.run("go")
        wall, cpu = time.perf_counter() - wall0, cpu_s() - cpu0
        watchdog.stop()
    if len(result.final_response or "") != 4 * deltas:
        raise RuntimeError(f"final_response has {len(result.final_response or '')} chars, expected {4 * deltas}")
    return _stream_result(deltas + TURN_EXTRA_EVENTS, wall, cpu)


def _quantile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank quantile: a p99 that is one of the measured turns."""
    rank = math.ceil(q * len(sorted_values))
    return sorted_values[max(0, min(len(sorted_values), rank) - 1)]


def w_turns(params: dict) -> dict:
    """Small turns one after another on one client (`thread.run("hi")`), each timed.

    With rss=True it also reads VmRSS after the warm-up turns and after the measured ones.
    """
    from openai_codex import Codex

    count, warmup = params["turns"], params.get("warmup", 0)
    stall_s = params.get("stall_ms", 20) / 1e3
    # Filled in place, unboxed: appending 10,000 float objects would itself grow RSS by about
    # 320 KiB, which rss_growth would then charge to the SDK.
    latencies = array.array("d", bytes(8 * count))
    measured = 0
    rss: dict[str, float] = {}

    def summary() -> dict:
        done = sorted(latencies[:measured])
        result: dict = {"turns": len(done), **rss}
        if done:
            result.update(
                p50_s=_quantile(done, 0.50),
                p99_s=_quantile(done, 0.99),
                max_s=done[-1],
                stalls=sum(1 for value in done if value > stall_s),
            )
        if "rss_before_kib" in rss and "rss_after_kib" in rss:
            result["rss_growth_kib"] = rss["rss_after_kib"] - rss["rss_before_kib"]
        return result

    with Codex(fake_config(params.get("deltas", 10), params.get("turn_delay", 0.0))) as codex:
        thread = codex.thread_start()
        watchdog = Watchdog(params.get("hang_s", 5), summary)
        for index in range(warmup):
            watchdog.begin(-warmup + index)
            started = time.perf_counter()
            thread.run("hi")
            if index == 0:
                rss["first_s"] = time.perf_counter() - started
        if params.get("rss"):
            rss["rss_before_kib"] = vm_rss_kib()
        clock = time.perf_counter
        for index in range(count):
            watchdog.begin(index)
            started = clock()
            thread.run("hi")
            latencies[index] = clock() - started
            measured = index + 1
        if params.get("rss"):
            rss["rss_after_kib"] = vm_rss_kib()
        watchdog.stop()
    return summary()


def w_async_turns(params: dict) -> dict:
    """C turns at once on one AsyncCodex (one thread each), every event read with `async for`."""
    import asyncio

    from openai_codex import AsyncCodex

    concurrency, deltas = params["concurrency"], params["deltas"]
    peak_threads = [os_threads()]
    sampling = threading.Event()

    def sample_threads() -> None:  # its own thread: counted, and subtracted below
        while not sampling.wait(0.005):
            peak_threads.append(os_threads())

    async def one_turn(thread) -> int:
        handle = await thread.turn("go")
        events = 0
        async for event in handle.stream():
            events += 1
            if event.method == DELTA_METHOD and not event.payload.delta:
                raise RuntimeError("empty delta")
        return events

    async def main() -> dict:
        async with AsyncCodex(fake_config(deltas, params.get("turn_delay", 0.0), WARMUP_DELTAS)) as codex:
            threads = [await codex.thread_start() for _ in range(concurrency)]
            try:
                warm = await asyncio.wait_for(one_turn(threads[0]), WARMUP_HANG_S)
            except asyncio.TimeoutError:
                emit({"hang": f"the warm-up turn did not finish in {WARMUP_HANG_S} s"})
                os._exit(0)
            if warm != WARMUP_DELTAS + TURN_EXTRA_EVENTS:
                raise RuntimeError(f"the warm-up turn had {warm} events")
            sampler = threading.Thread(target=sample_threads, name="bench-threads", daemon=True)
            sampler.start()
            cpu0, wall0 = cpu_s(), time.perf_counter()
            try:
                counts = await asyncio.wait_for(
                    asyncio.gather(*(one_turn(thread) for thread in threads)), params.get("hang_s", 60)
                )
            except asyncio.TimeoutError:
                emit({"hang": f"{concurrency} turns did not finish in {params.get('hang_s', 60)} s"})
                os._exit(0)
            wall, cpu = time.perf_counter() - wall0, cpu_s() - cpu0
            sampling.set()
            sampler.join()
        events = sum(counts)
        if events != concurrency * (deltas + TURN_EXTRA_EVENTS):
            raise RuntimeError(f"received {events} events, expected {concurrency * (deltas + TURN_EXTRA_EVENTS)}")
        result = _stream_result(events, wall, cpu)
        result["peak_threads"] = max(peak_threads) - 1
        return result

    return asyncio.run(main())


def w_tool_call(params: dict) -> dict:
    """`calls` item/tool/call round trips in one turn of the fake, per mode of
    benchmarks/bench_tool_call.py (the core's default answer, a `def` tool on `Codex`, an
    `async def` tool on `AsyncCodex`), each timed by the fake from writing the request to
    reading the answer. Only this SDK runs Python functions as tools."""
    import tempfile

    from bench_tool_call import MODES, percentile

    calls = params.get("calls", 1000)
    result: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        times = Path(folder) / "times.json"
        for mode, key in (("core default", "floor"), ("Codex, def tool", "sync"), ("AsyncCodex, async tool", "async")):
            values = MODES[mode](calls, times)  # microseconds
            result[f"{key}_p50_s"] = percentile(values, 50) / 1e6
            result[f"{key}_p99_s"] = percentile(values, 99) / 1e6
    return result


WORKERS = {
    "bare": w_bare,
    "import": w_import,
    "first_turn": w_first_turn,
    "turns_floor": w_turns_floor,
    "startup": w_startup,
    "floor": w_floor,
    "stream": w_stream,
    "run": w_run,
    "turns": w_turns,
    "async_turns": w_async_turns,
    "remote_connect": w_remote_connect,
    "tool_call": w_tool_call,
}


def main() -> None:
    kind, params = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    try:
        result = WORKERS[kind](params)
    except Exception as exc:  # reported in the table instead of ending the suite
        result = {"error": f"{type(exc).__name__}: {exc}"[:400]}
    emit(result)
    # Skip interpreter teardown: a stuck non-daemon thread of an SDK must not turn a finished
    # measurement into a timeout.
    os._exit(0)


if __name__ == "__main__":
    main()
