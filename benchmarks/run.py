#!/usr/bin/env python3
"""The benchmark suite: every figure of this SDK and of the reference openai-codex 0.1.0b2, in one run.

    .venv/bin/python benchmarks/run.py                 # everything, about 8 minutes
    .venv/bin/python benchmarks/run.py --quick         # smaller sizes and fewer samples, under 2 minutes
    .venv/bin/python benchmarks/run.py --only stream,turns --json out.json
    .venv/bin/python benchmarks/run.py --callgrind stream   # instructions per event under callgrind

Each sample is a fresh worker interpreter (benchmarks/_worker.py) of one SDK; the samples of a
measurement alternate between the SDKs round by round (reference first in even rounds, ours
first in odd ones), so a busy spell of the shared machine hits both. Each cell is the median
of the samples with their min-max; the ratio is ours / reference of the medians. A sample that
hangs or times out is reported as such, and that SDK's remaining samples of that measurement are
skipped so one hang costs one timeout, not one per round.

Figures come from MEASUREMENTS, a registry: to add one (a tool-call round trip, a remote
connect), write a worker in _worker.py and a Measurement entry here; the two planned ones are
listed already and print as "not measured yet".
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "benchmarks"
WORKER = BENCH_DIR / "_worker.py"
STATE = REPO / ".bench"
REF_VENV = STATE / "refvenv"
SETUP_REF = BENCH_DIR / "setup_reference_venv.sh"
REQUIREMENTS = BENCH_DIR / "requirements.txt"
SIDES = ("reference", "ours")


# --------------------------------------------------------------------------------------------
# the registry


@dataclass(frozen=True)
class Figure:
    """One row of the table: `field` of each worker result, shown as `unit`."""

    title: str
    field: str
    unit: str  # s, ms, us, ev/s, share, KiB, MiB, count, cpu/M
    higher_is_better: bool = False
    # Derived rows (e.g. share of the floor) compute a side's value from all medians.
    derive: Callable[[dict, str], float | None] | None = None


@dataclass
class Measurement:
    name: str
    doc: str
    kind: str | None  # worker kind in _worker.py; None: planned, not measured yet
    params: dict = field(default_factory=dict)
    quick_params: dict = field(default_factory=dict)
    samples: int = 5
    quick_samples: int = 3
    timeout_s: float = 60
    figures: tuple[Figure, ...] = ()
    sides: tuple[str, ...] = SIDES
    group: str | None = None  # measurements of one group interleave round by round
    needs_runtime: bool = False
    warmup: int = 0  # samples per side run first and not counted (page cache, CODEX_HOME state)
    # After a hang, timeout or error, the side's remaining samples are skipped, unless this is
    # set: a hang that comes only sometimes is worth its samples (each costs one hang_s).
    sample_after_hang: bool = False
    # Over a socket (params["transport"] "ws" or "unix"): the worker gets the WebSocket bridge.
    needs_bridge: bool = False
    # Measurements whose medians the derived rows read: --only brings them along.
    companions: tuple[str, ...] = ()

    def sized(self, quick: bool) -> tuple[dict, int]:
        params = {**self.params, **(self.quick_params if quick else {})}
        return params, (self.quick_samples if quick else self.samples)


def _share_of_floor(measurement: str, floor: str = "floor") -> Callable[[dict, str], float | None]:
    def derive(medians: dict, side: str) -> float | None:
        ceiling = medians.get((floor, "floor", "events_per_s"))
        value = medians.get((measurement, side, "events_per_s"))
        return value / ceiling if ceiling and value else None

    return derive


def _above_floor(measurement: str, floor: str, field: str) -> Callable[[dict, str], float | None]:
    """`field` of `measurement` (this side) less that of the floor: what the client adds."""

    def derive(medians: dict, side: str) -> float | None:
        base = medians.get((floor, "floor", field))
        value = medians.get((measurement, side, field))
        return value - base if base is not None and value is not None else None

    return derive


def _share_of(measurement: str, other: str, other_side: str) -> Callable[[dict, str], float | None]:
    """events/s of `measurement` (this side) over those of `other` (`other_side`)."""

    def derive(medians: dict, side: str) -> float | None:
        base = medians.get((other, other_side, "events_per_s"))
        value = medians.get((measurement, side, "events_per_s"))
        return value / base if base and value else None

    return derive


def _socket_measurements(transport: str, scheme: str) -> list[Measurement]:
    """The floor and the stream over a socket: the fake behind benches/ws_bridge.rs."""
    floor, stream = f"floor_{transport}", f"stream_{transport}"
    return [
        Measurement(
            floor,
            f"the floor over {scheme}: the fake's 200,000-delta turn through the WebSocket bridge "
            "(benches/ws_bridge.rs), its frames only counted by a bare Rust tungstenite client",
            "floor",
            params={"deltas": 200_000, "transport": transport},
            quick_params={"deltas": 50_000},
            samples=7,
            sides=("floor",),
            group="stream",
            needs_bridge=True,
            figures=(Figure("events/s", "events_per_s", "ev/s", higher_is_better=True),),
        ),
        Measurement(
            stream,
            f"`stream` with the client connected over {scheme} (CodexConfig(connect=...)) to the same fake "
            "behind the WebSocket bridge; compare with this SDK's stream over stdio",
            "stream",
            params={"deltas": 200_000, "transport": transport},
            quick_params={"deltas": 50_000},
            samples=7,
            sides=("ours",),
            group="stream",
            needs_bridge=True,
            companions=("floor", "stream", floor),
            figures=(
                STREAM_FIGURES[0],
                Figure(
                    f"share of the {transport} floor",
                    "share",
                    "share",
                    higher_is_better=True,
                    derive=_share_of_floor(stream, floor),
                ),
                Figure(
                    "share of the stdio stream",
                    "share",
                    "share",
                    higher_is_better=True,
                    derive=_share_of(stream, "stream", "ours"),
                ),
                *STREAM_FIGURES[1:],
            ),
        ),
    ]


STREAM_FIGURES = (
    Figure("events/s", "events_per_s", "ev/s", higher_is_better=True),
    Figure("CPU-s per million events", "cpu_s_per_m_events", "cpu/M"),
    Figure("peak RSS", "peak_rss_kib", "MiB"),
)
TURN_FIGURES = (
    Figure("p50 latency", "p50_s", "ms"),
    Figure("p99 latency", "p99_s", "ms"),
    Figure("max latency", "max_s", "ms"),
    Figure("stalls (turns > 20 ms)", "stalls", "count"),
    Figure("first turn (not in p50/p99)", "first_s", "ms"),
)
ASYNC_FIGURES = (
    Figure("events/s", "events_per_s", "ev/s", higher_is_better=True),
    Figure("CPU-s per million events", "cpu_s_per_m_events", "cpu/M"),
    Figure("peak RSS", "peak_rss_kib", "MiB"),
    Figure("OS threads at peak", "peak_threads", "count"),
)

MEASUREMENTS: list[Measurement] = [
    Measurement(
        "import",
        "`import openai_codex` in a fresh interpreter (perf_counter around the import), and VmRSS after it",
        "import",
        samples=11,
        quick_samples=5,
        timeout_s=30,
        figures=(Figure("import time", "import_s", "ms"), Figure("RSS after import", "rss_kib", "MiB")),
    ),
    Measurement(
        "first_turn",
        "a fresh process to its first result: `import openai_codex`, `Codex()`, `thread_start()`, "
        "`run()` of a small turn on the 1 ms model (what a short script pays)",
        "first_turn",
        params={"turn_delay": 0.001, "hang_s": 10},
        samples=7,
        quick_samples=3,
        timeout_s=30,
        figures=(
            Figure("import to first result", "total_s", "ms"),
            Figure("of which the first run()", "run_s", "ms"),
        ),
    ),
    Measurement(
        "startup_fake",
        "`Codex(config)` (spawn + initialize) and `close()` against devtools/fake_app_server.py",
        "startup",
        params={"backend": "fake"},
        samples=9,
        quick_samples=4,
        timeout_s=30,
        figures=(Figure("Codex() start-up", "startup_s", "ms"), Figure("close()", "close_s", "ms")),
    ),
    Measurement(
        "startup_runtime",
        "the same against the real runtime, `codex app-server` of the installed openai-codex-cli-bin "
        "(both SDKs get it as CodexConfig.codex_bin, with one offline CODEX_HOME)",
        "startup",
        params={"backend": "runtime"},
        samples=7,
        quick_samples=3,
        timeout_s=60,
        needs_runtime=True,
        warmup=1,
        figures=(Figure("Codex() start-up", "startup_s", "ms"), Figure("close()", "close_s", "ms")),
    ),
    Measurement(
        "floor",
        "a bare line counter (os.read + bytes.count) reading the fake's 200,000-delta turn: "
        "the ceiling rate for any client",
        "floor",
        params={"deltas": 200_000},
        quick_params={"deltas": 50_000},
        samples=7,
        sides=("floor",),
        group="stream",
        figures=(Figure("events/s", "events_per_s", "ev/s", higher_is_better=True),),
    ),
    Measurement(
        "floor_lines",
        "a Python line loop (`for line in` a 1 MiB buffered reader of the pipe, a prefix test per "
        "line) reading the fake's 200,000-delta turn: one Python object per line and nothing else",
        "floor",
        params={"deltas": 200_000, "python_lines": True},
        quick_params={"deltas": 50_000},
        samples=7,
        sides=("floor",),
        group="stream",
        figures=(Figure("events/s", "events_per_s", "ev/s", higher_is_better=True),),
    ),
    Measurement(
        "stream",
        "`for event in handle.stream()` over one turn of 200,000 deltas, reading event.payload.delta; "
        "window from just before turn() to the end of the stream",
        "stream",
        params={"deltas": 200_000},
        quick_params={"deltas": 50_000},
        samples=7,
        group="stream",
        figures=(
            STREAM_FIGURES[0],
            Figure("share of floor", "share", "share", higher_is_better=True, derive=_share_of_floor("stream")),
            Figure(
                "share of the Python line loop",
                "share_lines",
                "share",
                higher_is_better=True,
                derive=_share_of_floor("stream", "floor_lines"),
            ),
            *STREAM_FIGURES[1:],
        ),
    ),
    Measurement(
        "run",
        "`thread.run()` on the same turn (the deltas are not read one by one)",
        "run",
        params={"deltas": 200_000},
        quick_params={"deltas": 50_000},
        samples=7,
        group="stream",
        figures=(
            STREAM_FIGURES[0],
            Figure("share of floor", "share", "share", higher_is_better=True, derive=_share_of_floor("run")),
            Figure(
                "share of the Python line loop",
                "share_lines",
                "share",
                higher_is_better=True,
                derive=_share_of_floor("run", "floor_lines"),
            ),
            STREAM_FIGURES[1],
        ),
    ),
    *_socket_measurements("ws", "ws://127.0.0.1"),
    *_socket_measurements("unix", "unix://"),
    Measurement(
        "turns_floor",
        "the floor of a small turn: a bare client (os.write of turn/start, os.read until "
        "turn/completed) of the same instant fake, timed the same way; the fake's and the pipes' share",
        "turns_floor",
        params={"turns": 2000, "warmup": 20},
        quick_params={"turns": 500},
        sides=("floor",),
        group="turns",
        figures=TURN_FIGURES[:2],
    ),
    Measurement(
        "turns_instant",
        "small turns (10 deltas) one after another with `thread.run()`, the fake's turn following "
        "its turn/start response at once; 20 warm-up turns, then 2,000 timed",
        "turns",
        params={"turns": 2000, "warmup": 20, "hang_s": 3},
        quick_params={"turns": 500},
        timeout_s=60,
        group="turns",
        companions=("turns_floor",),
        figures=(
            TURN_FIGURES[0],
            Figure(
                "p50 above the floor", "p50_above", "ms", derive=_above_floor("turns_instant", "turns_floor", "p50_s")
            ),
            *TURN_FIGURES[1:],
        ),
    ),
    Measurement(
        "turns_1ms",
        "the same with a 1 ms model: the fake waits 1 ms (--turn-delay) before the turn's first event; "
        "1,000 timed turns",
        "turns",
        params={"turns": 1000, "warmup": 20, "hang_s": 3, "turn_delay": 0.001},
        quick_params={"turns": 300},
        timeout_s=60,
        sample_after_hang=True,
        figures=TURN_FIGURES,
    ),
    Measurement(
        "rss_growth",
        "VmRSS growth over 10,000 small sequential turns (instant model) on one client after 1,000 warm-up turns",
        "turns",
        params={"turns": 10_000, "warmup": 1_000, "hang_s": 3, "rss": True},
        quick_params={"turns": 2_000, "warmup": 200},
        samples=3,
        quick_samples=1,
        timeout_s=120,
        figures=(
            Figure("RSS growth", "rss_growth_kib", "KiB"),
            Figure("RSS after warm-up", "rss_before_kib", "MiB"),
        ),
    ),
    Measurement(
        "async_4",
        "4 turns at once on one AsyncCodex (one thread each, 2,000 deltas per turn), every event read "
        "with `async for`: a load the reference survives",
        "async_turns",
        params={"concurrency": 4, "deltas": 2000, "hang_s": 15},
        quick_params={"hang_s": 8},
        samples=3,
        quick_samples=2,
        timeout_s=40,
        figures=ASYNC_FIGURES,
    ),
    Measurement(
        "async_64",
        "64 turns at once on one AsyncCodex (one thread each, 200 deltas per turn), every event read "
        "with `async for`; OS threads counted from /proc/self/task every 5 ms",
        "async_turns",
        params={"concurrency": 64, "deltas": 200, "hang_s": 15},
        quick_params={"hang_s": 8},
        samples=3,
        quick_samples=2,
        timeout_s=40,
        figures=ASYNC_FIGURES,
    ),
    Measurement(
        "async_256",
        "the same with 256 turns at once",
        "async_turns",
        params={"concurrency": 256, "deltas": 200, "hang_s": 15},
        quick_params={"hang_s": 8},
        samples=3,
        quick_samples=2,
        timeout_s=40,
        figures=ASYNC_FIGURES,
    ),
    Measurement(
        "tool_call",
        "a dynamic tool call's round trip: the fake sends 1,000 item/tool/call requests in one turn and "
        "times each until its answer is read back; the core's default answer (the floor), a `def` tool "
        "on Codex, an `async def` tool on AsyncCodex (benchmarks/bench_tool_call.py). Only this SDK has tools",
        "tool_call",
        params={"calls": 1000},
        quick_params={"calls": 300},
        samples=3,
        quick_samples=1,
        timeout_s=90,
        sides=("ours",),
        figures=(
            Figure("round trip, core default answer (floor), p50", "floor_p50_s", "us"),
            Figure("round trip, core default answer (floor), p99", "floor_p99_s", "us"),
            Figure("round trip, Codex def tool, p50", "sync_p50_s", "us"),
            Figure("round trip, Codex def tool, p99", "sync_p99_s", "us"),
            Figure("round trip, AsyncCodex async tool, p50", "async_p50_s", "us"),
            Figure("round trip, AsyncCodex async tool, p99", "async_p99_s", "us"),
        ),
    ),
    Measurement(
        "remote_connect",
        "Codex(CodexConfig(connect=...)) (connect + initialize) and close() to a runtime already listening "
        "on ws://127.0.0.1 or unix:// (started by the worker; median of 10 warm connects per sample); "
        "compare with startup_runtime, which spawns one. Only this SDK can connect",
        "remote_connect",
        params={"connects": 10},
        quick_params={"connects": 5},
        samples=5,
        quick_samples=3,
        timeout_s=90,
        needs_runtime=True,
        needs_bridge=True,
        sides=("ours",),
        figures=(
            Figure("connect + initialize over ws://", "ws_connect_s", "ms"),
            Figure("close() over ws://", "ws_close_s", "ms"),
            Figure("connect + initialize over unix://", "unix_connect_s", "ms"),
            Figure("close() over unix://", "unix_close_s", "ms"),
            Figure("bare tungstenite client over ws://: connect", "ws_raw_connect_s", "ms"),
            Figure("bare tungstenite client over ws://: initialize answered", "ws_raw_initialize_s", "ms"),
            Figure("bare tungstenite client over unix://: connect", "unix_raw_connect_s", "ms"),
            Figure("bare tungstenite client over unix://: initialize answered", "unix_raw_initialize_s", "ms"),
        ),
    ),
]


# --------------------------------------------------------------------------------------------
# running workers


@dataclass
class Env:
    pythons: dict[str, str]  # side -> interpreter ("floor" runs in ours)
    codex_bin: str | None
    codex_home: str | None
    bridge: str | None = None  # the WebSocket bridge's executable, when a measurement needs it


def call_worker(python: str, kind: str, params: dict, timeout_s: float) -> dict:
    cmd = [python, str(WORKER), kind, json.dumps(params)]
    # A neutral cwd, so nothing in the checkout shadows the installed package; a session of
    # its own, so a timeout takes the whole tree (the fake server too) down with the worker.
    with tempfile.TemporaryDirectory(prefix="bench-") as cwd:
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return {"timeout": f"no result in {timeout_s:g} s"}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        tail = (err or out).strip().splitlines()[-3:]
        return {"error": f"worker exited {proc.returncode}: {' | '.join(tail)}"}
    return json.loads(lines[-1])


def worker_params(measurement: Measurement, params: dict, env: Env) -> dict:
    if measurement.needs_runtime:
        params = {**params, "codex_bin": env.codex_bin, "codex_home": env.codex_home}
    if measurement.needs_bridge:
        params = {**params, "bridge": env.bridge}
    return params


def build_bridge(log) -> str:
    """benches/ws_bridge.rs in the release profile (cargo; a no-op when it is up to date)."""
    sys.path.insert(0, str(REPO))
    from devtools.ws_bridge import build

    log("building the WebSocket bridge (cargo build --release --example ws_bridge) ...")
    return str(build(release=True))


def run_group(group: list[Measurement], env: Env, quick: bool, log) -> dict:
    """Samples of every measurement of the group, round by round, sides alternating."""
    results: dict[tuple[str, str], list[dict]] = {}
    stopped: set[tuple[str, str]] = set()
    rounds = max(m.sized(quick)[1] for m in group)
    for measurement in group:
        for side in measurement.sides:
            for _ in range(measurement.warmup):
                params = worker_params(measurement, measurement.sized(quick)[0], env)
                call_worker(env.pythons[side], measurement.kind, params, measurement.timeout_s)
    for index in range(rounds):
        for measurement in group:
            params, samples = measurement.sized(quick)
            if index >= samples:
                continue
            sides = measurement.sides if index % 2 == 0 else tuple(reversed(measurement.sides))
            for side in sides:
                key = (measurement.name, side)
                if key in stopped:
                    continue
                started = time.monotonic()
                result = call_worker(
                    env.pythons[side],
                    measurement.kind,
                    worker_params(measurement, params, env),
                    measurement.timeout_s,
                )
                result["_wall_s"] = time.monotonic() - started
                results.setdefault(key, []).append(result)
                if "timeout" in result or "error" in result:
                    stopped.add(key)
                elif "hang" in result and not measurement.sample_after_hang:
                    stopped.add(key)
                log(f"  {measurement.name:<16} {side:<10} round {index + 1}/{samples}: {_brief(result)}")
    return results


def _brief(result: dict) -> str:
    for problem in ("error", "timeout", "hang"):
        if problem in result:
            return f"{problem}: {result[problem]}"
    shown = {k: v for k, v in result.items() if not k.startswith("_") and isinstance(v, (int, float))}
    return ", ".join(f"{k}={v:.4g}" for k, v in list(shown.items())[:4])


# --------------------------------------------------------------------------------------------
# figures and the table


def summarize(measurements: list[Measurement], results: dict) -> tuple[list[dict], dict]:
    """One row per figure: medians, min-max and problems of each side, and the ratio."""
    medians: dict[tuple[str, str, str], float] = {}
    stats: dict[tuple[str, str, str], dict] = {}
    for measurement in measurements:
        for side in measurement.sides:
            samples = results.get((measurement.name, side), [])
            for figure in measurement.figures:
                if figure.derive:
                    continue
                values = [s[figure.field] for s in samples if isinstance(s.get(figure.field), (int, float))]
                entry: dict = {"values": values}
                if values:
                    entry.update(median=statistics.median(values), min=min(values), max=max(values))
                    medians[(measurement.name, side, figure.field)] = entry["median"]
                problems = [
                    f"{p}: {s[p]}" for s in samples for p in ("hang", "timeout", "error") if p in s and s.get(p)
                ]
                entry["problems"] = problems
                entry["samples"] = len(samples)
                stats[(measurement.name, side, figure.field)] = entry
    rows = []
    for measurement in measurements:
        if measurement.kind is None:
            rows.append({"measurement": measurement.name, "figure": measurement.doc, "planned": True})
            continue
        for figure in measurement.figures:
            row: dict = {
                "measurement": measurement.name,
                "figure": figure.title,
                "field": figure.field,
                "unit": figure.unit,
                "higher_is_better": figure.higher_is_better,
            }
            for side in measurement.sides:
                if figure.derive:
                    value = figure.derive(medians, side)
                    entry = {"median": value} if value is not None else {"problems": ["no value"]}
                else:
                    entry = dict(stats.get((measurement.name, side, figure.field), {}))
                row[side] = entry
            ours, ref = row.get("ours", {}).get("median"), row.get("reference", {}).get("median")
            if ours is not None and ref is not None and ours > 0 and ref > 0:
                row["ratio"] = ours / ref
            rows.append(row)
    return rows, medians


SCALE = {"ms": 1e3, "us": 1e6, "MiB": 1 / 1024, "cpu/M": 1.0}


def fmt_value(value: float, unit: str) -> str:
    if unit == "ev/s":
        if value >= 1e6:
            return f"{value / 1e6:.2f} M"
        if value >= 1e3:
            return f"{value / 1e3:.1f} k"
        return f"{value:.0f}"
    if unit == "share":
        return f"{value * 100:.1f} %"
    if unit == "count":
        return f"{value:g}" if value == int(value) else f"{value:.1f}"
    if unit == "KiB":
        return f"{value / 1024:+.1f} MiB" if abs(value) >= 1024 else f"{value:+.0f} KiB"
    scaled = value * SCALE.get(unit, 1.0)
    digits = 3 if abs(scaled) < 1 else (2 if abs(scaled) < 10 else (1 if abs(scaled) < 100 else 0))
    return f"{scaled:.{digits}f}"


def unit_label(unit: str) -> str:
    return {"ev/s": "", "share": "", "count": "", "KiB": "", "cpu/M": " s"}.get(unit, f" {unit}")


def fmt_cell(entry: dict, unit: str) -> str:
    if not entry:
        return "-"
    problems = entry.get("problems") or []
    kinds = sorted({p.split(":")[0] for p in problems})
    if entry.get("median") is None:
        return kinds[0] if kinds else "-"
    text = fmt_value(entry["median"], unit) + unit_label(unit)
    if "min" in entry and len(entry.get("values", ())) > 1:
        text += f" ({fmt_value(entry['min'], unit)}-{fmt_value(entry['max'], unit)})"
    if kinds:
        text += f" [{'/'.join(kinds)} {len(problems)}/{entry.get('samples', '?')}]"
    return text


def fmt_ratio(row: dict) -> str:
    ratio = row.get("ratio")
    if ratio is None:
        ref, ours = row.get("reference", {}), row.get("ours", {})
        if ref.get("median") is None and ours.get("median") is not None and ref.get("problems"):
            return "reference fails"
        return "-"
    better = ratio > 1 if row["higher_is_better"] else ratio < 1
    if math.isclose(ratio, 1, rel_tol=0.05):
        word = "same"
    else:
        factor = ratio if row["higher_is_better"] else 1 / ratio
        word = f"{factor:.1f}x better" if better else f"{1 / factor:.1f}x worse"
    return f"{ratio:.3g} ({word})"


def table_lines(rows: list[dict]) -> list[str]:
    header = ("figure", "reference 0.1.0b2", "this SDK", "ratio ours/ref")
    body = []
    for row in rows:
        if row.get("planned"):
            body.append((f"{row['measurement']}: {row['figure']}", "not measured yet", "", ""))
        elif "floor" in row:
            cell = fmt_cell(row["floor"], row["unit"])
            body.append((f"{row['measurement']}: {row['figure']}", cell, cell, "-"))
        else:
            body.append(
                (
                    f"{row['measurement']}: {row['figure']}",
                    fmt_cell(row.get("reference", {}), row["unit"]),
                    fmt_cell(row.get("ours", {}), row["unit"]),
                    fmt_ratio(row),
                )
            )
    return ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"] + [
        "| " + " | ".join(cells) + " |" for cells in body
    ]


def write_pyperf(path: str, measurements: list[Measurement], results: dict, note: dict) -> list[str]:
    """The time and memory figures as pyperf suites, one file per SDK, so that
    `python -m pyperf compare_to REF OURS --table` (or `stats`, `hist`) reads them."""
    import pyperf

    units = {"ms": ("second", 1.0), "us": ("second", 1.0), "s": ("second", 1.0), "MiB": ("byte", 1024)}
    written = []
    for side in SIDES:
        benchmarks = []
        for measurement in measurements:
            for figure in measurement.figures:
                if figure.derive or figure.unit not in units:
                    continue
                unit, scale = units[figure.unit]
                samples = results.get((measurement.name, side), [])
                values = [s[figure.field] * scale for s in samples if isinstance(s.get(figure.field), (int, float))]
                runs = [
                    pyperf.Run(
                        [value],
                        metadata={"name": f"{measurement.name}.{figure.field}", "unit": unit, "loops": 1},
                        collect_metadata=False,
                    )
                    for value in values
                    if value > 0
                ]
                if runs:
                    benchmarks.append(pyperf.Benchmark(runs))
        if benchmarks:
            target = str(Path(path).with_suffix("")) + f".{side}.pyperf.json"
            suite = pyperf.BenchmarkSuite(benchmarks)
            suite.dump(target, replace=True)
            written.append(target)
    return written


# --------------------------------------------------------------------------------------------
# set-up


def ensure_pyperf() -> None:
    try:
        import pyperf  # noqa: F401
    except ImportError:
        print("installing the suite's requirements (pyperf) into", sys.prefix, file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
            check=True,
        )


def ensure_reference_python(explicit: str | None) -> str:
    if explicit:
        return explicit
    python = REF_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating the reference venv in {REF_VENV} ...", file=sys.stderr)
        subprocess.run(["bash", str(SETUP_REF), str(REF_VENV)], check=True)
    return str(python)


def precompile(python: str) -> None:
    """Byte-compile the SDK under test, as `pip install` does for both SDKs in real use.

    Without it, an editable checkout under PYTHONDONTWRITEBYTECODE (set on these machines)
    compiles its modules from source in every worker, which no installed SDK ever does.
    """
    where = subprocess.run(
        [python, "-c", "import importlib.util as u, os; print(os.path.dirname(u.find_spec('openai_codex').origin))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [python, "-m", "compileall", "-q", where],
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
        stdout=subprocess.DEVNULL,
    )


def find_runtime(python: str) -> str | None:
    proc = subprocess.run(
        [python, "-c", "import codex_cli_bin; print(codex_cli_bin.bundled_codex_path())"],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def offline_codex_home() -> str:
    """A CODEX_HOME whose model provider is a closed local port: start-up never leaves the box."""
    home = STATE / "codex-home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        'model = "mock-model"\nmodel_provider = "mock"\napproval_policy = "never"\n'
        'sandbox_mode = "read-only"\n\n[model_providers.mock]\nname = "mock"\n'
        'base_url = "http://127.0.0.1:9/v1"\nwire_api = "responses"\nrequest_max_retries = 0\n'
        "stream_max_retries = 0\nsupports_websockets = false\n"
    )
    return str(home)


def machine_note() -> dict:
    from pyperf._collect_metadata import collect_metadata

    meta = collect_metadata()
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "cpu_model": meta.get("cpu_model_name", platform.processor()),
        "load_avg": os.getloadavg(),
        "python": platform.python_version(),
        "platform": meta.get("platform", platform.platform()),
    }


# --------------------------------------------------------------------------------------------
# callgrind


def callgrind(figure: str, env: Env, quick: bool, log) -> list[str]:
    """Instructions per event of a hot-path figure: the difference of a small and a large run,
    so start-up and teardown cancel out. Counts every thread of the worker, not the fake (nor
    the WebSocket bridge: `stream_sockets` is this SDK's stream over stdio, ws and unix)."""
    stream_sizes = ("deltas", 2_000, 12_000 if quick else 22_000)
    sizes = {"stream": stream_sizes, "stream_sockets": stream_sizes, "run": ("deltas", 2_000, 22_000)}
    turn_sizes = {"turns": ("turns", 20, 120 if quick else 220)}
    if figure not in sizes and figure not in turn_sizes:
        raise SystemExit(f"--callgrind takes one of: {', '.join([*sizes, *turn_sizes])}")
    param, small, large = {**sizes, **turn_sizes}[figure]
    per = "event" if figure in sizes else "turn"
    # (row, interpreter, worker kind, extra params)
    if figure == "stream_sockets":
        variants = [
            (f"ours over {transport}", env.pythons["ours"], "stream", {"transport": transport, "bridge": env.bridge})
            for transport in ("stdio", "ws", "unix")
        ]
    else:
        variants = [(side, env.pythons[side], figure, {}) for side in SIDES]
    lines = [f"callgrind, {figure}: instructions per {per} ({param} {small:,} vs {large:,})", ""]
    lines += ["| SDK | Ir small | Ir large | Ir per " + per + " |", "|---|---|---|---|"]
    for side, python, kind, extra in variants:
        counts = []
        for size in (small, large):
            with tempfile.TemporaryDirectory(prefix="bench-cg-") as tmp:
                out = Path(tmp) / "callgrind.out"
                # 100x a turn's time under callgrind (the warm-up turn's first-use costs too)
                params = {param: size, "hang_s": 30, "warmup_hang_s": 60, **extra}
                if per == "turn":  # the 1 ms model: on the instant one the reference loses turns
                    params.update(warmup=5, turn_delay=0.001)
                cmd = [
                    "valgrind",
                    "--tool=callgrind",
                    f"--callgrind-out-file={out}",
                    python,
                    str(WORKER),
                    kind,
                    json.dumps(params),
                ]
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=1200)
                result = [line for line in proc.stdout.splitlines() if line.startswith("{")]
                log(f"  callgrind {side} {param}={size}: {result[-1][:120] if result else proc.stderr[-300:]}")
                totals = [line for line in out.read_text().splitlines() if line.startswith(("summary:", "totals:"))]
                failed = not result or any(f'"{p}"' in result[-1] for p in ("hang", "error"))
                counts.append(None if failed or not totals else int(totals[0].split()[1]))
        if None in counts:
            small_ir, large_ir = (f"{c:,}" if c is not None else "failed (hang or error)" for c in counts)
            lines.append(f"| {side} | {small_ir} | {large_ir} | - |")
            continue
        delta = (counts[1] - counts[0]) / (large - small)
        lines.append(f"| {side} | {counts[0]:,} | {counts[1]:,} | {delta:,.0f} |")
    return lines


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer samples (under 2 minutes)")
    parser.add_argument("--only", help="comma-separated measurement names (see --list)")
    parser.add_argument("--list", action="store_true", help="list the measurements and exit")
    parser.add_argument("--json", metavar="PATH", help="write every sample and figure to PATH")
    parser.add_argument(
        "--callgrind",
        metavar="FIGURE",
        help="instead: count instructions of stream, run or turns (or stream_sockets: ours over stdio, ws, unix)",
    )
    parser.add_argument("--ours-python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument(
        "--reference-python",
        default=os.environ.get("BENCH_REFERENCE_PYTHON"),
        help="interpreter with openai-codex==0.1.0b2 (default: .bench/refvenv, created if missing)",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-sample progress on stderr")
    args = parser.parse_args()

    if args.list:
        for m in MEASUREMENTS:
            print(f"{m.name:<16} {'(planned) ' if m.kind is None else ''}{m.doc}")
        return

    def log(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr, flush=True)

    began = time.monotonic()
    if not Path(args.ours_python).exists():
        raise SystemExit(f"{args.ours_python} is missing: run ./scripts/setup.sh first (it builds this SDK)")
    ensure_pyperf()
    ref_python = ensure_reference_python(args.reference_python)
    pythons = {"reference": ref_python, "ours": args.ours_python, "floor": args.ours_python}
    for side in SIDES:
        precompile(pythons[side])
    codex_bin = find_runtime(args.ours_python)
    env = Env(pythons, codex_bin, offline_codex_home() if codex_bin else None)

    if args.callgrind:
        if args.callgrind == "stream_sockets":
            env.bridge = build_bridge(log)
        print("\n".join(callgrind(args.callgrind, env, args.quick, log)))
        return

    chosen = [m for m in MEASUREMENTS if not args.only or m.name in args.only.split(",")]
    if args.only:
        unknown = set(args.only.split(",")) - {m.name for m in MEASUREMENTS}
        if unknown:
            raise SystemExit(f"unknown measurement(s): {', '.join(sorted(unknown))} (see --list)")
        wanted = {m.name for m in chosen}
        if wanted & {"stream", "run"}:
            wanted.update(("floor", "floor_lines"))
        for m in chosen:
            wanted.update(m.companions)
        chosen = [m for m in MEASUREMENTS if m.name in wanted]
    if any(m.needs_bridge for m in chosen):
        try:
            env.bridge = build_bridge(log)
        except RuntimeError as exc:
            log(f"  {exc}")
    note = machine_note()
    log(f"{note['date_utc']}, {note['cpus']} CPUs, load {note['load_avg'][0]:.2f}; runtime: {codex_bin}")

    results: dict = {}
    done_groups: set[str] = set()
    for measurement in chosen:
        if measurement.kind is None:
            continue
        if measurement.needs_runtime and not codex_bin:
            results[(measurement.name, "ours")] = [{"error": "openai-codex-cli-bin is not installed"}]
            continue
        if measurement.needs_bridge and not env.bridge:
            for side in measurement.sides:
                results[(measurement.name, side)] = [{"error": "the WebSocket bridge could not be built"}]
            continue
        if measurement.group:
            if measurement.group in done_groups:
                continue
            done_groups.add(measurement.group)
            group = [m for m in chosen if m.group == measurement.group]
        else:
            group = [measurement]
        log(f"{', '.join(m.name for m in group)} ...")
        results.update(run_group(group, env, args.quick, log))

    rows, _ = summarize(chosen, results)
    elapsed = time.monotonic() - began
    note["elapsed_s"] = round(elapsed, 1)
    note["load_avg_end"] = os.getloadavg()
    mode = "quick" if args.quick else "full"
    print(
        f"\n{mode} run, {note['date_utc']}, {note['cpus']} CPUs ({note['cpu_model']}), "
        f"load {note['load_avg'][0]:.1f} → {note['load_avg_end'][0]:.1f}, {elapsed:.0f} s\n"
    )
    print("\n".join(table_lines(rows)))
    if args.json:
        report = {
            "mode": mode,
            "machine": note,
            "pythons": pythons,
            "runtime": codex_bin,
            "measurements": {
                m.name: {"doc": m.doc, "params": m.sized(args.quick)[0], "samples": m.sized(args.quick)[1]}
                for m in chosen
            },
            "rows": rows,
            "samples": {f"{name}/{side}": samples for (name, side), samples in results.items()},
        }
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
        for target in write_pyperf(args.json, chosen, results, note):
            log(f"wrote {target}")


if __name__ == "__main__":
    main()
