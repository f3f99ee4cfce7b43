"""The server request dispatcher (``openai_codex._dispatch``) against the fake app-server: the
contract other features build on (register / unregister / on_error), with the answers read
back from what the client wrote to the server's stdin."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from pathlib import Path
from typing import Any

import pytest
from openai_codex import AsyncCodex, Codex, _core

from .conftest import fake_server_config

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)

ELICIT = "mcpServer/elicitation/request"


def answers(record: Path) -> list[dict[str, Any]]:
    """The replies to server requests among the lines the client sent."""
    lines = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
    return [m for m in lines if "method" not in m and ("result" in m or "error" in m)]


def run_turn(codex: Codex) -> None:
    codex.thread_start().run("hi")


def test_handlers_on_error_and_unregister(tmp_path: Path) -> None:
    record = tmp_path / "sent.jsonl"
    seen: list[_core.ServerRequest] = []

    def accept(request: _core.ServerRequest) -> dict[str, Any]:
        seen.append(request)
        return {"action": "accept", "content": {"n": 1}}

    def broken(request: _core.ServerRequest) -> dict[str, Any]:
        raise RuntimeError("no")

    def answers_itself(request: _core.ServerRequest) -> None:
        request.respond({"action": "cancel"})

    config = fake_server_config("--server-request", ELICIT, "--record", str(record))
    with Codex(config) as codex:
        dispatcher = codex._dispatcher
        dispatcher.register(ELICIT, accept)
        run_turn(codex)
        dispatcher.register(ELICIT, broken, on_error=lambda request, exc: {"action": "decline", "content": str(exc)})
        run_turn(codex)
        dispatcher.register(ELICIT, broken)  # no on_error: the fail-closed answer
        run_turn(codex)
        dispatcher.register(ELICIT, lambda request: None)  # None without answering: fails closed too
        run_turn(codex)
        dispatcher.register(ELICIT, answers_itself)
        run_turn(codex)
        dispatcher.unregister(ELICIT)  # the core's default again
        run_turn(codex)
    results = [a.get("result") for a in answers(record)]
    assert results == [
        {"action": "accept", "content": {"n": 1}},
        {"action": "decline", "content": "no"},
        {"action": "decline"},
        {"action": "decline"},
        {"action": "cancel"},
        {"action": "decline"},
    ]
    [request] = seen
    assert request.method == ELICIT and request.thread_id and request.turn_id
    assert request.answered and not request.cancelled
    assert request.respond({"action": "accept"}) is False  # a second answer is a no-op


def test_a_request_left_pending_is_answered_failing_closed_at_close(tmp_path: Path) -> None:
    record = tmp_path / "sent.jsonl"
    parked: list[concurrent.futures.Future[dict[str, Any]]] = []

    def never(request: _core.ServerRequest) -> concurrent.futures.Future[dict[str, Any]]:
        future: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()
        parked.append(future)
        return future

    config = fake_server_config("--server-request", "item/commandExecution/requestApproval", "--record", str(record))
    codex = Codex(config)
    codex._dispatcher.register("item/commandExecution/requestApproval", never)
    handle = codex.thread_start().turn("hi")
    for event in handle.stream():
        if event.method == "item/commandExecution/requestApproval":
            break
    deadline = time.monotonic() + 30
    while not parked and time.monotonic() < deadline:  # the handler runs on the pool, soon
        time.sleep(0.02)
    codex.close()
    # close() does not wait for the runtime to exit (it reads the answer and its stdin's end
    # on its own time), so its record is complete only a moment later.
    deadline = time.monotonic() + 10
    while not answers(record) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [a["result"] for a in answers(record)] == [{"decision": "decline"}]
    parked[0].set_result({"decision": "accept"})  # too late: ignored


def test_the_asyncio_dispatcher_runs_async_handlers_on_the_loop(tmp_path: Path) -> None:
    record = tmp_path / "sent.jsonl"

    async def main() -> None:
        loop = asyncio.get_running_loop()
        where: list[asyncio.AbstractEventLoop] = []

        async def on_loop(request: _core.ServerRequest) -> dict[str, Any]:
            where.append(asyncio.get_running_loop())
            await asyncio.sleep(0.05)
            return {"action": "accept"}

        config = fake_server_config("--server-request", ELICIT, "--record", str(record))
        async with AsyncCodex(config) as codex:
            codex._dispatcher.register(ELICIT, on_loop)
            thread = await codex.thread_start()
            await thread.run("hi")
        assert where == [loop]

    asyncio.run(main())
    assert [a["result"] for a in answers(record)] == [{"action": "accept"}]
