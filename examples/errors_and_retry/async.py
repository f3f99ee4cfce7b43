"""Handle errors with AsyncCodex: failed turns, JSON-RPC errors and retrying overload.

retry_on_overload() takes a blocking callable; in async code the same policy is a short loop
around is_retryable_error(), shown below.

Run it:  python examples/errors_and_retry/async.py
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, scripted_http_error
from openai_codex import (
    AsyncCodex,
    JsonRpcError,
    ServerBusyError,
    TransportClosedError,
    TurnResult,
    is_retryable_error,
)

T = TypeVar("T")


async def retry_async(op: Callable[[], Awaitable[T]], *, max_attempts: int = 3, delay_s: float = 0.1) -> T:
    """Await op(), retrying overload errors with doubling delays; other errors propagate."""
    for attempt in range(1, max_attempts + 1):
        try:
            return await op()
        except Exception as exc:
            if attempt == max_attempts or not is_retryable_error(exc):
                raise
        await asyncio.sleep(delay_s)
        delay_s *= 2
    raise AssertionError("unreachable")


async def main() -> None:
    with example_config(scripted_http_error(500)) as config:
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_start()

            try:
                await thread.run("This first call meets a server error.")
                print("1. the turn succeeded (nothing was scripted to fail)")
            except RuntimeError as exc:
                print(f"1. turn failed: {exc}")

            try:
                await codex.thread_resume("not-a-thread-id")
            except JsonRpcError as exc:
                print(f"2. {type(exc).__name__} (code {exc.code}); retryable: {is_retryable_error(exc)}")

            attempts = 0

            async def ask() -> TurnResult:
                nonlocal attempts
                attempts += 1
                if attempts == 1:  # pretend the runtime was overloaded once
                    overloaded = {"codex_error_info": "server_overloaded"}
                    raise ServerBusyError(-32001, "server overloaded (simulated)", overloaded)
                return await thread.run("Now it should work.")

            result = await retry_async(ask)
            print(f"3. succeeded after {attempts} attempts: {result.final_response}")

            await codex.close()
            try:
                await thread.run("Is anyone there?")
            except TransportClosedError as exc:
                print(f"4. TransportClosedError: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
