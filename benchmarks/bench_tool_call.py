#!/usr/bin/env python3
"""Tool-call round trip benchmark: what answering `item/tool/call` with a Python function costs.

    python benchmarks/bench_tool_call.py                 # 1,000 calls per mode, 3 runs each
    python benchmarks/bench_tool_call.py --calls 5000 --repeat 5

devtools/fake_app_server.py (`--tool-calls N`) sends N `item/tool/call` requests in one turn,
one after the other, and times each from the moment its line is written to the moment the
answer is read back (`--tool-call-times`). The modes:

- `core default`: no tool bound, so the Rust core answers by its default policy. This is the
  floor: the pipes, the fake server's own parsing, and the core's reader and writer.
- `Codex, def tool`: a blocking `@tool` function bound with `thread_start(tools=[...])`; the
  dispatcher's pump thread hands each call to its handler pool, which checks the arguments,
  calls the function and converts its result.
- `AsyncCodex, async tool`: an `async def` tool, run on the event loop.
- `AsyncCodex, def tool`: a blocking tool under asyncio, run in the loop's executor.

The SDK's overhead is a mode's figure minus the floor's (p50 - p50, p99 - p99). Not a test:
nothing asserts speed. Figures on a shared 2-core machine vary by +-30 %.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FAKE_SERVER = REPO / "devtools" / "fake_app_server.py"

from openai_codex import AsyncCodex, Codex, CodexConfig, tool  # noqa: E402


@tool
def lookup(query: str) -> str:
    """Looks a word up."""
    return query


@tool(name="lookup")
async def lookup_async(query: str) -> str:
    """Looks a word up."""
    return query


def _config(calls: int, times: Path) -> CodexConfig:
    args = ("--tool-calls", str(calls), "--deltas", "1", "--tool-call-times", str(times))
    return CodexConfig(launch_args_override=(sys.executable, str(FAKE_SERVER), *args))


def _read(times: Path, calls: int) -> list[float]:
    values = [ns / 1000 for ns in json.loads(times.read_text())]
    if len(values) != calls:
        raise SystemExit(f"expected {calls} timed calls, got {len(values)}")
    return values


def run_default(calls: int, times: Path) -> list[float]:
    with Codex(_config(calls, times)) as codex:
        codex.thread_start().run("go")
    return _read(times, calls)


def run_sync(calls: int, times: Path) -> list[float]:
    with Codex(_config(calls, times)) as codex:
        codex.thread_start(tools=[lookup]).run("go")
    return _read(times, calls)


def _run_async(calls: int, times: Path, which: Any) -> list[float]:
    async def main() -> None:
        async with AsyncCodex(_config(calls, times)) as codex:
            thread = await codex.thread_start(tools=[which])
            await thread.run("go")

    asyncio.run(main())
    return _read(times, calls)


MODES: dict[str, Callable[[int, Path], list[float]]] = {
    "core default": run_default,
    "Codex, def tool": run_sync,
    "AsyncCodex, async tool": lambda calls, times: _run_async(calls, times, lookup_async),
    "AsyncCodex, def tool": lambda calls, times: _run_async(calls, times, lookup),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000, help="tool calls per run (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per mode, taken in turns (default 3)")
    parser.add_argument("--json", metavar="PATH", help="also write every figure here")
    args = parser.parse_args()

    figures: dict[str, list[tuple[float, float, float]]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory() as folder:
        times = Path(folder) / "times.json"
        for _ in range(args.repeat):
            for mode, run in MODES.items():  # in turns: a slow spell hits every mode
                values = run(args.calls, times)
                figures[mode].append((percentile(values, 50), percentile(values, 99), statistics.fmean(values)))

    def median(mode: str, index: int) -> float:
        return statistics.median(run[index] for run in figures[mode])

    floor50, floor99 = median("core default", 0), median("core default", 1)
    print(f"item/tool/call round trip, {args.calls} calls per run, median of {args.repeat} runs (microseconds)")
    print(f"{'mode':<24} {'p50':>8} {'p99':>8} {'mean':>8}   {'SDK p50':>8} {'SDK p99':>8}")
    for mode in MODES:
        p50, p99, mean = median(mode, 0), median(mode, 1), median(mode, 2)
        extra = "" if mode == "core default" else f"   {p50 - floor50:>8.1f} {p99 - floor99:>8.1f}"
        print(f"{mode:<24} {p50:>8.1f} {p99:>8.1f} {mean:>8.1f}{extra}")
    print("SDK = the mode minus the core default (the floor: pipes, fake server, Rust reader/writer)")
    if args.json:
        Path(args.json).write_text(json.dumps({"calls": args.calls, "runs": figures}, indent=1))


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"({time.monotonic() - started:.1f} s)")
