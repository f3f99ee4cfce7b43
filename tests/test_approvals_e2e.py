"""Approval handlers against the real runtime: the scripted model asks to run an escalated
command (``sandbox_permissions="require_escalated"``), the runtime asks this client, and the
handler's decision is what happens."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from openai_codex import (
    ApprovalDecision,
    ApprovalHandlerError,
    ApprovalMode,
    AsyncCodex,
    Codex,
)
from openai_codex.approvals import (
    CommandApprovalRequest,
    FileChangeApprovalRequest,
    PermissionGrant,
    PermissionsApprovalRequest,
    accept_all,
    answer_to_wire,
    decline_all,
    request_from_wire,
)
from openai_codex.testing import (
    Reply,
    ScriptedModel,
    exec_command,
    function_call_outputs,
    text,
    tool_call,
    user_texts,
)
from openai_codex.types import TurnStatus

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)

COMMAND_APPROVAL = "item/commandExecution/requestApproval"


def touch(path: Path) -> Reply:
    """A model reply that runs ``touch path`` outside the read-only sandbox (needs approval)."""
    return exec_command(f"touch {path}", sandbox_permissions="require_escalated", justification="to test", login=False)


class Recorder:
    """A handler that records each request and answers with a fixed decision."""

    def __init__(self, answer: object = ApprovalDecision.accept) -> None:
        self.answer = answer
        self.requests: list[Any] = []

    def __call__(self, request: Any) -> object:
        self.requests.append(request)
        return self.answer


@pytest.mark.parametrize(
    ("decision", "runs", "status"),
    [
        (ApprovalDecision.decline, False, TurnStatus.completed),
        ("decline", False, TurnStatus.completed),
        (ApprovalDecision.accept, True, TurnStatus.completed),
        ("accept_for_session", True, TurnStatus.completed),
        (ApprovalDecision.cancel, False, TurnStatus.interrupted),
    ],
)
def test_the_handler_sees_the_command_and_its_decision_is_what_happens(
    model: ScriptedModel, tmp_path: Path, decision: object, runs: bool, status: TurnStatus
) -> None:
    target = tmp_path / "made.txt"
    handler = Recorder(decision)
    with Codex(model.config(tmp_path / "home")) as codex:
        thread = codex.thread_start(approval_handler=handler)
        model.enqueue(touch(target), text("done"))
        result = thread.run("make the file")
    assert result.status == status
    assert target.exists() is runs
    [request] = handler.requests
    assert isinstance(request, CommandApprovalRequest) and request.kind == "command_execution"
    assert f"touch {target}" in request.command
    assert request.thread_id == thread.id and request.turn_id == result.id
    assert request.reason == "to test" and request.item_id
    with pytest.raises(AttributeError):
        request.command = "rm -rf /"  # type: ignore[misc]


def test_a_permissions_grant_gives_a_subset(model: ScriptedModel, tmp_path: Path) -> None:
    granted, refused = tmp_path / "granted", tmp_path / "refused"
    granted.mkdir()
    refused.mkdir()
    handler = Recorder(PermissionGrant(write=(str(granted),)))
    # The runtime offers the agent request_permissions only with this (experimental) feature.
    config = model.config(tmp_path / "home", extra_toml="[features]\nrequest_permissions_tool = true\n")
    with Codex(config, approval_handler=handler) as codex:
        ask = {"permissions": {"file_system": {"write": [str(granted), str(refused)]}}, "reason": "write both"}
        model.enqueue(
            tool_call("request_permissions", ask),
            exec_command(f"touch {granted}/x", login=False),
            exec_command(f"touch {refused}/y", login=False),
            text("done"),
        )
        assert codex.thread_start().run("go").status == TurnStatus.completed
    [request] = handler.requests
    assert isinstance(request, PermissionsApprovalRequest) and request.write == (str(granted), str(refused))
    assert (granted / "x").exists() and not (refused / "y").exists()


def test_a_client_handler_covers_every_thread_and_a_thread_handler_wins(model: ScriptedModel, tmp_path: Path) -> None:
    client_handler, thread_handler = Recorder(ApprovalDecision.decline), Recorder(ApprovalDecision.accept)
    with Codex(model.config(tmp_path / "home"), approval_handler=client_handler) as codex:
        plain = codex.thread_start()
        own = codex.thread_start(approval_handler=thread_handler)
        model.enqueue(touch(tmp_path / "a"), text("done"))
        plain.run("a")
        model.enqueue(touch(tmp_path / "b"), text("done"))
        own.run("b")
    assert not (tmp_path / "a").exists() and (tmp_path / "b").exists()
    assert [r.thread_id for r in client_handler.requests] == [plain.id]
    assert [r.thread_id for r in thread_handler.requests] == [own.id]


def test_a_raising_handler_fails_closed_and_its_exception_reaches_run(
    model: ScriptedModel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = tmp_path / "made.txt"

    def broken(request: Any) -> object:
        raise KeyError("no policy for this")

    with Codex(model.config(tmp_path / "home")) as codex:
        thread = codex.thread_start(approval_handler=broken)
        model.enqueue(touch(target), text("done"))
        with caplog.at_level(logging.ERROR, logger="openai_codex"):
            with pytest.raises(ApprovalHandlerError, match="touch") as raised:
                thread.run("make the file")
        assert isinstance(raised.value.__cause__, KeyError)
        assert isinstance(raised.value.request, CommandApprovalRequest)
        assert any("no policy for this" in r.getMessage() for r in caplog.records)
        # The turn went on (the command was declined) and the thread still works.
        assert thread.run("again").final_response == "ok"
    assert not target.exists()


def test_a_raising_handler_is_raised_at_the_end_of_stream(model: ScriptedModel, tmp_path: Path) -> None:
    def broken(request: Any) -> object:
        raise RuntimeError("boom")

    with Codex(model.config(tmp_path / "home")) as codex:
        thread = codex.thread_start()
        model.enqueue(touch(tmp_path / "x"), text("done"))
        handle = thread.turn("go", approval_handler=broken)
        methods: list[str] = []
        handle_events = []
        with pytest.raises(ApprovalHandlerError):
            for event in handle.stream():
                methods.append(event.method)
                handle_events.append(event)
    assert methods[-1] == "turn/completed"
    # The request itself is in the stream, as a notification with the typed request.
    assert COMMAND_APPROVAL in methods
    [shown] = [e for e in handle_events if e.method == COMMAND_APPROVAL]
    assert isinstance(shown.payload, CommandApprovalRequest) and "touch" in shown.payload.command


def test_a_file_change_request_names_its_files(model: ScriptedModel, tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    patch = f"apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: {target}\n+hello\n*** End Patch\nEOF\n"
    handler = Recorder(ApprovalDecision.decline)
    with Codex(model.config(tmp_path / "home"), approval_handler=handler) as codex:
        model.enqueue(exec_command(patch, login=False), text("done"))
        codex.thread_start().run("write it")
    [request] = handler.requests
    assert isinstance(request, FileChangeApprovalRequest) and request.kind == "file_change"
    assert request.paths == (str(target),)
    assert request.changes[0].diff == "hello\n"
    assert not target.exists()


def test_a_per_turn_handler_applies_to_its_turn_only(model: ScriptedModel, tmp_path: Path) -> None:
    handler = Recorder(ApprovalDecision.accept)
    with Codex(model.config(tmp_path / "home")) as codex:
        thread = codex.thread_start()  # the home's config: approval_policy = "never"
        model.enqueue(touch(tmp_path / "first"), text("done"))
        thread.run("first", approval_handler=handler)
        model.enqueue(touch(tmp_path / "second"), text("done"))
        thread.run("second")
    assert (tmp_path / "first").exists()
    # The second turn went back to the thread's own policy: nobody was asked, nothing ran.
    assert len(handler.requests) == 1 and not (tmp_path / "second").exists()
    second_turn = model.requests[-2]
    assert second_turn  # the runtime still called the model for the second turn


def test_a_slow_handler_does_not_delay_another_threads_stream(model: ScriptedModel, tmp_path: Path) -> None:
    release = threading.Event()
    order: list[str] = []

    def slow(request: Any) -> object:
        release.wait(5)
        order.append("slow handler answered")
        return ApprovalDecision.decline

    with Codex(model.config(tmp_path / "home")) as codex:
        waiting = codex.thread_start(approval_handler=slow)
        other = codex.thread_start()
        model.enqueue(touch(tmp_path / "x"))  # every later call gets the default "ok"
        blocked = waiting.turn("blocked")
        # Wait until the approval request is pending (the runtime asked; the handler waits).
        for event in blocked.stream():
            if event.method == COMMAND_APPROVAL:
                break
        started = time.monotonic()
        result = other.run("meanwhile")
        order.append("other turn finished")
        elapsed = time.monotonic() - started
        release.set()
        assert blocked.run().status == TurnStatus.completed
    assert result.final_response == "ok"
    assert order == ["other turn finished", "slow handler answered"], elapsed


def test_a_deferred_answer_and_a_withdrawn_request(model: ScriptedModel, tmp_path: Path) -> None:
    answers: list[tuple[Any, concurrent.futures.Future[object]]] = []

    def later(request: Any) -> concurrent.futures.Future[object]:
        future: concurrent.futures.Future[object] = concurrent.futures.Future()
        answers.append((request, future))
        return future

    with Codex(model.config(tmp_path / "home")) as codex:
        thread = codex.thread_start(approval_handler=later)
        # Answered later, from another thread: the command runs.
        model.enqueue(touch(tmp_path / "later"), text("done"))
        handle = thread.turn("deferred")
        while not answers:
            time.sleep(0.05)
        threading.Timer(0.3, answers[0][1].set_result, (ApprovalDecision.accept,)).start()
        assert handle.run().status == TurnStatus.completed
        assert (tmp_path / "later").exists()

        # Never answered: interrupting the turn withdraws the request; a late answer is ignored.
        model.enqueue(touch(tmp_path / "never"))  # the interrupted turn makes no second call
        handle = thread.turn("withdrawn")
        while len(answers) < 2:
            time.sleep(0.05)
        request, future = answers[1]
        assert not request.cancelled
        handle.interrupt()
        assert handle.run().status == TurnStatus.interrupted
        deadline = time.monotonic() + 10
        while not request.cancelled and time.monotonic() < deadline:
            time.sleep(0.05)
        assert request.cancelled
        future.set_result(ApprovalDecision.accept)
        assert thread.run("after").final_response == "ok"
    assert not (tmp_path / "never").exists()


def test_presets(model: ScriptedModel, tmp_path: Path) -> None:
    with Codex(model.config(tmp_path / "home"), approval_handler=decline_all) as codex:
        model.enqueue(touch(tmp_path / "declined"), text("done"))
        codex.thread_start().run("x")
        model.enqueue(touch(tmp_path / "accepted"), text("done"))
        codex.thread_start(approval_handler=accept_all).run("y")
    assert not (tmp_path / "declined").exists()
    assert (tmp_path / "accepted").exists()


def test_a_handler_with_deny_all_is_refused(model: ScriptedModel, tmp_path: Path) -> None:
    with Codex(model.config(tmp_path / "home")) as codex:
        with pytest.raises(ValueError, match="deny_all"):
            codex.thread_start(approval_mode=ApprovalMode.deny_all, approval_handler=accept_all)
        thread = codex.thread_start()
        with pytest.raises(ValueError, match="deny_all"):
            thread.turn("x", approval_mode=ApprovalMode.deny_all, approval_handler=accept_all)
        with pytest.raises(TypeError, match="callable"):
            codex.thread_start(approval_handler="yes")  # type: ignore[arg-type]


def test_async_handlers_with_concurrent_turns(tmp_path: Path) -> None:
    targets = [tmp_path / ("even" if i % 2 == 0 else "odd") / str(i) for i in range(7)]
    for target in targets:
        target.parent.mkdir(exist_ok=True)
    # Turns run concurrently: each model call is answered by the prompt it carries.
    by_prompt = {f"turn {i}": target for i, target in enumerate(targets)}
    by_prompt["sync"] = tmp_path / "sync"

    def reply(body: dict[str, Any]) -> Reply:
        if function_call_outputs(body):
            return text("done")
        return touch(by_prompt[user_texts(body)[-1]])

    async def main(model: ScriptedModel) -> None:
        seen: list[str] = []

        async def decide(request: Any) -> ApprovalDecision:
            await asyncio.sleep(0.2)
            seen.append(request.thread_id)
            return ApprovalDecision.accept if "even" in request.command else ApprovalDecision.decline

        def plain(request: Any) -> str:
            return "accept"

        async with AsyncCodex(model.config(tmp_path / "home"), approval_handler=decide) as codex:
            threads = [await codex.thread_start() for _ in range(7)]  # plus one: 8 concurrent turns
            sync_thread = await codex.thread_start(approval_handler=plain)
            results = await asyncio.gather(
                *(t.run(f"turn {i}") for i, t in enumerate(threads)), sync_thread.run("sync")
            )
        assert all(r.status == TurnStatus.completed for r in results)
        assert sorted(seen) == sorted(t.id for t in threads)
        for i, target in enumerate(targets):
            assert target.exists() is (i % 2 == 0), target
        assert (tmp_path / "sync").exists()

    with ScriptedModel(default=reply) as model:
        asyncio.run(main(model))


def test_an_async_handler_that_raises_reaches_run(model: ScriptedModel, tmp_path: Path) -> None:
    async def main() -> None:
        async def broken(request: Any) -> ApprovalDecision:
            raise ValueError("async boom")

        async with AsyncCodex(model.config(tmp_path / "home")) as codex:
            thread = await codex.thread_start()
            model.enqueue(touch(tmp_path / "x"), text("done"))
            with pytest.raises(ApprovalHandlerError) as raised:
                await thread.run("go", approval_handler=broken)
            assert isinstance(raised.value.__cause__, ValueError)
            methods = []
            model.enqueue(touch(tmp_path / "y"), text("done"))
            handle = await thread.turn("again", approval_handler=decline_all)
            async for event in handle.stream():
                methods.append(event.method)
            assert COMMAND_APPROVAL in methods
        assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()

    asyncio.run(main())


# -- the answers, without a runtime --------------------------------------------------------


def _permissions_request() -> PermissionsApprovalRequest:
    params = {
        "threadId": "th",
        "turnId": "tu",
        "itemId": "it",
        "cwd": "/w",
        "reason": "needs to write",
        "permissions": {"fileSystem": {"read": ["/r"], "write": ["/w/out", "/w/tmp"]}, "network": {"enabled": True}},
    }
    request = request_from_wire("item/permissions/requestApproval", params)
    assert isinstance(request, PermissionsApprovalRequest)
    return request


def test_permission_answers_are_grants() -> None:
    request = _permissions_request()
    assert request.kind == "permissions" and request.write == ("/w/out", "/w/tmp") and request.network is True
    asked = dict(request.permissions)
    assert answer_to_wire(request, "accept") == {"permissions": asked, "scope": "turn"}
    assert answer_to_wire(request, ApprovalDecision.accept_for_session) == {"permissions": asked, "scope": "session"}
    assert answer_to_wire(request, ApprovalDecision.decline) == {"permissions": {}, "scope": "turn"}
    grant = PermissionGrant(write=("/w/out",), scope="session")
    assert answer_to_wire(request, grant) == {"permissions": {"fileSystem": {"write": ["/w/out"]}}, "scope": "session"}


def test_command_answers_use_the_wire_spelling() -> None:
    request = request_from_wire(COMMAND_APPROVAL, {"threadId": "t", "turnId": "u", "itemId": "i", "command": "ls"})
    assert answer_to_wire(request, ApprovalDecision.accept_for_session) == {"decision": "acceptForSession"}
    assert answer_to_wire(request, "acceptForSession") == {"decision": "acceptForSession"}
    assert answer_to_wire(request, "cancel") == {"decision": "cancel"}
    with pytest.raises(ValueError, match="ApprovalDecision"):
        answer_to_wire(request, "maybe")
    with pytest.raises(ValueError, match="PermissionGrant"):
        answer_to_wire(request, PermissionGrant())


def test_the_controlling_the_agent_snippets_run_as_written() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "controlling-the-agent.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    assert len(blocks) >= 3
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/controlling-the-agent.md[{i}]", "exec"), {})


def test_the_typed_handlers_module_answers_as_typed() -> None:
    import importlib.util

    path = Path(__file__).resolve().parent / "typing" / "typed_handlers.py"
    spec = importlib.util.spec_from_file_location("typed_handlers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    command = request_from_wire(COMMAND_APPROVAL, {"threadId": "t", "turnId": "u", "itemId": "i", "command": "git log"})
    assert module.approve(command) is ApprovalDecision.accept
    assert module.approve(_permissions_request()) == PermissionGrant(write=("/w/out",))
    assert module.approve_later(command).result() is ApprovalDecision.accept
