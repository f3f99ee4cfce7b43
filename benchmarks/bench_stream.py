#!/usr/bin/env python3
"""Streaming and import benchmark: this SDK side by side with the reference openai-codex 0.1.0b2.

    python benchmarks/bench_stream.py                   # both SDKs, 200,000 deltas, 3 runs each
    python benchmarks/bench_stream.py --only reference  # just the reference
    python benchmarks/bench_stream.py --async           # also AsyncCodex with `async for`

The driver (default mode) runs every measurement in a fresh worker interpreter: our SDK in
this repo's .venv, the reference in .bench/refvenv (created on first use by
setup_reference_venv.sh). A worker streams one turn of N `item/agentMessage/delta`
notifications from devtools/fake_app_server.py through the public API
(`Codex(CodexConfig(launch_args_override=...))` -> `thread_start()` -> `turn("go")` ->
`for event in handle.stream()`, reading `event.payload.delta`), and prints one JSON line.
CPU time is the worker's own (getrusage RUSAGE_SELF: all its threads, not the fake server,
which is a child). Not a test: nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FAKE_SERVER = REPO / "devtools" / "fake_app_server.py"
REF_VENV = REPO / ".bench" / "refvenv"
SETUP_REF = REPO / "benchmarks" / "setup_reference_venv.sh"
DELTA_METHOD = "item/agentMessage/delta"


# --------------------------------------------------------------------------------------------
# worker side: runs inside the SDK's interpreter, prints one JSON object


def _vm_rss_kib() -> int:
    """Current resident set size (ru_maxrss only gives the peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker_import() -> dict:
    started = time.perf_counter()
    import openai_codex

    elapsed = time.perf_counter() - started
    return {
        "import_s": elapsed,
        "rss_after_import_kib": _vm_rss_kib(),
        "version": getattr(openai_codex, "__version__", "?"),
        # An import of a package without its API would be a meaningless "win".
        "has_api": hasattr(openai_codex, "Codex"),
    }


def worker_bare() -> dict:
    return {"rss_bare_kib": _vm_rss_kib()}


def _fake_args(deltas: int) -> tuple[str, ...]:
    # The fake server runs on the worker's interpreter: stdlib only, so any venv does.
    return (sys.executable, str(FAKE_SERVER), "--deltas", str(deltas), "--delta-text", "tok ")


def _result(events: int, deltas: int, chars: int, wall: float, cpu: float, expected: int) -> dict:
    if deltas != expected:
        raise RuntimeError(f"received {deltas} delta events, expected {expected}")
    return {
        "events": events,
        "deltas": deltas,
        "delta_chars": chars,
        "wall_s": wall,
        "cpu_s": cpu,
        "events_per_s": events / wall,
        "cpu_us_per_event": cpu / events * 1e6,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def worker_stream(deltas: int) -> dict:
    from openai_codex import Codex, CodexConfig

    config = CodexConfig(launch_args_override=_fake_args(deltas))
    with Codex(config) as codex:
        thread = codex.thread_start()
        cpu0, wall0 = _cpu_s(), time.perf_counter()
        handle = thread.turn("go")
        events = seen = chars = 0
        for event in handle.stream():
            events += 1
            if event.method == DELTA_METHOD:
                seen += 1
                chars += len(event.payload.delta)
        wall, cpu = time.perf_counter() - wall0, _cpu_s() - cpu0
    return _result(events, seen, chars, wall, cpu, deltas)


def worker_stream_async(deltas: int) -> dict:
    import asyncio

    import openai_codex

    if not hasattr(openai_codex, "AsyncCodex"):
        return {"skipped": "no AsyncCodex"}

    async def run() -> dict:
        config = openai_codex.CodexConfig(launch_args_override=_fake_args(deltas))
        async with openai_codex.AsyncCodex(config) as codex:
            thread = await codex.thread_start()
            cpu0, wall0 = _cpu_s(), time.perf_counter()
            handle = await thread.turn("go")
            events = seen = chars = 0
            async for event in handle.stream():
                events += 1
                if event.method == DELTA_METHOD:
                    seen += 1
                    chars += len(event.payload.delta)
            wall, cpu = time.perf_counter() - wall0, _cpu_s() - cpu0
        return _result(events, seen, chars, wall, cpu, deltas)

    return asyncio.run(run())


def run_worker(kind: str, deltas: int) -> None:
    try:
        if kind == "import":
            result = worker_import()
        elif kind == "bare":
            result = worker_bare()
        elif kind == "stream":
            result = worker_stream(deltas)
        elif kind == "stream-async":
            result = worker_stream_async(deltas)
        else:
            raise ValueError(f"unknown worker kind {kind}")
    except Exception as exc:  # reported in the table instead of killing the whole run
        result = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    print(json.dumps(result), flush=True)


# --------------------------------------------------------------------------------------------
# driver side


def _call_worker(python: str, kind: str, deltas: int = 0, timeout: float = 900) -> dict:
    cmd = [python, str(Path(__file__).resolve()), "--worker", kind, "--deltas", str(deltas)]
    # A neutral cwd, so nothing in the checkout shadows the installed package.
    with tempfile.TemporaryDirectory() as cwd:
        try:
            proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f}s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": f"worker exited {proc.returncode}: {' | '.join(tail)}"}
    return json.loads(lines[-1])


def _startup_s(python: str, code: str, runs: int) -> float:
    """Best wall time of `python -c code` over fresh interpreters."""
    best = float("inf")
    with tempfile.TemporaryDirectory() as cwd:
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [python, "-c", code], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            best = min(best, time.perf_counter() - started)
    return best


def measure_import(python: str, runs: int) -> dict:
    samples = [_call_worker(python, "import") for _ in range(runs)]
    errors = [s["error"] for s in samples if "error" in s]
    if errors:
        return {"error": errors[0]}
    bare = _call_worker(python, "bare")
    bare_s = _startup_s(python, "pass", runs)
    with_import_s = _startup_s(python, "import openai_codex", runs)
    return {
        "version": samples[0]["version"],
        "has_api": samples[0]["has_api"],
        "import_s_best": min(s["import_s"] for s in samples),
        "import_s_median": statistics.median(s["import_s"] for s in samples),
        "process_import_minus_bare_s": max(with_import_s - bare_s, 0.0),
        "rss_after_import_kib": statistics.median(s["rss_after_import_kib"] for s in samples),
        "rss_bare_kib": bare.get("rss_bare_kib", 0),
    }


def measure_streams(sdks: dict[str, str], kind: str, deltas: int, repeat: int) -> dict[str, dict]:
    """Runs the SDKs' workers in turns (ours, reference, ours, ...), so that a slow spell of a
    shared machine hits both alike; each SDK's figures are medians over its runs."""
    runs: dict[str, list[dict]] = {sdk: [] for sdk in sdks}
    failed: dict[str, dict] = {}
    for _ in range(repeat):
        for sdk, python in sdks.items():
            if sdk in failed:
                continue
            result = _call_worker(python, kind, deltas)
            if "error" in result or "skipped" in result:
                failed[sdk] = result
            else:
                runs[sdk].append(result)
    summaries: dict[str, dict] = {}
    for sdk, sdk_runs in runs.items():
        if sdk in failed:
            summaries[sdk] = failed[sdk]
            continue
        summary = {
            key: statistics.median(run[key] for run in sdk_runs)
            for key in ("events_per_s", "cpu_us_per_event", "wall_s", "peak_rss_kib")
        }
        summary["events_per_s_best"] = max(run["events_per_s"] for run in sdk_runs)
        summary["events"] = sdk_runs[0]["events"]
        summary["runs"] = sdk_runs
        summaries[sdk] = summary
    return summaries


def _paired_median(ours: dict, ref: dict, key: str, ref_over_ours: bool) -> float:
    """Median over rounds of one round's ratio (the runs of a round ran back to back)."""
    pairs = zip(ours["runs"], ref["runs"], strict=True)
    return statistics.median(r[key] / o[key] if ref_over_ours else o[key] / r[key] for o, r in pairs)


def ensure_reference_python(explicit: str | None) -> str:
    if explicit:
        return explicit
    python = REF_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating the reference venv in {REF_VENV} ...", file=sys.stderr)
        subprocess.run(["bash", str(SETUP_REF), str(REF_VENV)], check=True)
    return str(python)


def default_ours_python() -> str:
    venv_python = REPO / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def _mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def print_stream_table(results: dict, deltas: int, repeat: int) -> None:
    print(f"\nStreaming one turn of {deltas:,} deltas from the fake app-server (median of {repeat} fresh processes)")
    header = (
        f"{'SDK':<11}{'mode':<7}{'events/s':>12}{'best ev/s':>12}{'CPU µs/event':>14}{'wall s':>9}{'peak RSS MiB':>14}"
    )
    print(header)
    print("-" * len(header))
    for (sdk, mode), res in results.items():
        if "error" in res or "skipped" in res:
            print(f"{sdk:<11}{mode:<7}  {res.get('error') or res.get('skipped')}")
            continue
        print(
            f"{sdk:<11}{mode:<7}{res['events_per_s']:>12,.0f}{res['events_per_s_best']:>12,.0f}"
            f"{res['cpu_us_per_event']:>14.2f}{res['wall_s']:>9.3f}"
            f"{_mib(res['peak_rss_kib']):>14}"
        )
    for mode in ("sync", "async"):
        ours, ref = results.get(("ours", mode)), results.get(("reference", mode))
        if ours and ref and "events_per_s" in ours and "events_per_s" in ref:
            speed = ours["events_per_s"] / ref["events_per_s"]
            cpu = ref["cpu_us_per_event"] / ours["cpu_us_per_event"]
            rss = ours["peak_rss_kib"] / ref["peak_rss_kib"]
            print(
                f"ours vs reference ({mode}): events/s x{speed:.1f}, CPU per event "
                f"/{cpu:.1f}, peak RSS ours/reference {rss:.2f}"
            )
            paired_speed = _paired_median(ours, ref, "events_per_s", ref_over_ours=False)
            paired_cpu = _paired_median(ours, ref, "cpu_us_per_event", ref_over_ours=True)
            print(
                f"  per round (back-to-back runs), median: events/s x{paired_speed:.1f}, "
                f"CPU per event /{paired_cpu:.1f}"
            )


def print_import_table(results: dict, runs: int) -> None:
    print(f"\n`import openai_codex` (fresh interpreters, {runs} runs)")
    header = (
        f"{'SDK':<11}{'version':<12}{'import ms best':>15}{'median':>9}"
        f"{'process Δ ms':>14}{'RSS after import MiB':>22}{'bare MiB':>10}"
    )
    print(header)
    print("-" * len(header))
    for sdk, res in results.items():
        if "error" in res:
            print(f"{sdk:<11}  {res['error']}")
            continue
        print(
            f"{sdk:<11}{res['version']:<12}{res['import_s_best'] * 1e3:>15.1f}"
            f"{res['import_s_median'] * 1e3:>9.1f}"
            f"{res['process_import_minus_bare_s'] * 1e3:>14.1f}"
            f"{_mib(res['rss_after_import_kib']):>22}{_mib(res['rss_bare_kib']):>10}"
        )
    ours, ref = results.get("ours"), results.get("reference")
    if ours and "has_api" in ours and not ours["has_api"]:
        print("ours: openai_codex has no Codex yet, so its import time says nothing")
    elif ours and ref and "import_s_best" in ours and "import_s_best" in ref:
        ratio = ref["import_s_best"] / ours["import_s_best"]
        print(f"ours vs reference: import {ratio:.1f}x faster")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--deltas", type=int, default=200_000, help="delta notifications in the streamed turn (default 200000)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="fresh worker processes per SDK and mode (default 3)")
    parser.add_argument("--only", choices=("ours", "reference"), help="benchmark one SDK")
    parser.add_argument(
        "--async", dest="use_async", action="store_true", help="also stream through AsyncCodex with `async for`"
    )
    parser.add_argument(
        "--import-runs", type=int, default=7, help="fresh interpreters for the import figures (default 7; 0 skips)"
    )
    parser.add_argument("--no-stream", action="store_true", help="only the import figures")
    parser.add_argument(
        "--ours-python", default=None, help="interpreter with this SDK installed (default: <repo>/.venv)"
    )
    parser.add_argument(
        "--reference-python",
        default=os.environ.get("BENCH_REFERENCE_PYTHON"),
        help="interpreter with openai-codex==0.1.0b2 (default: .bench/refvenv, "
        "created if missing; env BENCH_REFERENCE_PYTHON)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write every figure to PATH")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        run_worker(args.worker, args.deltas)
        return

    sdks: dict[str, str] = {}
    if args.only in (None, "ours"):
        sdks["ours"] = args.ours_python or default_ours_python()
    if args.only in (None, "reference"):
        sdks["reference"] = ensure_reference_python(args.reference_python)
    for sdk, python in sdks.items():
        print(f"{sdk:<10} {python}")
        precompile(python)

    report: dict = {"deltas": args.deltas, "repeat": args.repeat, "pythons": sdks}
    if args.import_runs > 0:
        report["import"] = {sdk: measure_import(python, args.import_runs) for sdk, python in sdks.items()}
        print_import_table(report["import"], args.import_runs)
    if not args.no_stream:
        modes = [("sync", "stream")] + ([("async", "stream-async")] if args.use_async else [])
        stream: dict = {}
        for mode, kind in modes:
            for sdk, summary in measure_streams(sdks, kind, args.deltas, args.repeat).items():
                stream[(sdk, mode)] = summary
        print_stream_table(stream, args.deltas, args.repeat)
        report["stream"] = {f"{sdk}/{mode}": res for (sdk, mode), res in stream.items()}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
