"""Handle errors: failed turns, JSON-RPC errors, overload retries and a closed connection.

Offline, the scripted model answers the first model call with HTTP 500, so the first turn fails
the way a real outage makes it fail.

Run it:  python examples/errors_and_retry/sync.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, scripted_http_error
from openai_codex import (
    Codex,
    JsonRpcError,
    ServerBusyError,
    TransportClosedError,
    TurnResult,
    is_retryable_error,
    retry_on_overload,
)


def main() -> None:
    with example_config(scripted_http_error(500)) as config, Codex(config) as codex:
        thread = codex.thread_start()

        # 1. A turn that fails raises from run(). The error is a RuntimeError carrying the
        #    runtime's message; the thread itself stays usable.
        try:
            thread.run("This first call meets a server error.")
            print("1. the turn succeeded (nothing was scripted to fail)")
        except RuntimeError as exc:
            print(f"1. turn failed: {exc}")

        # 2. Requests the runtime rejects raise a JsonRpcError subclass with the JSON-RPC code.
        try:
            codex.thread_resume("not-a-thread-id")
        except JsonRpcError as exc:
            print(f"2. {type(exc).__name__} (code {exc.code}); retryable: {is_retryable_error(exc)}")

        # 3. retry_on_overload retries only overload errors (ServerBusyError and friends), with
        #    capped, jittered backoff. The runtime rarely reports overload, so the operation below
        #    pretends to be refused once before it really runs.
        attempts = 0

        def ask() -> TurnResult:
            nonlocal attempts
            attempts += 1
            if attempts == 1:
                overloaded = {"codex_error_info": "server_overloaded"}
                raise ServerBusyError(-32001, "server overloaded (simulated)", overloaded)
            return thread.run("Now it should work.")

        result = retry_on_overload(ask, max_attempts=3, initial_delay_s=0.1)
        print(f"3. succeeded after {attempts} attempts: {result.final_response}")

        codex.close()
        # 4. Once the connection is gone, every call fails at once instead of hanging.
        try:
            thread.run("Is anyone there?")
        except TransportClosedError as exc:
            print(f"4. TransportClosedError: {exc}")


if __name__ == "__main__":
    main()
