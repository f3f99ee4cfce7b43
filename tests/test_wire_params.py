"""What goes on the wire for each keyword: recorded by the fake app-server (--record)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openai_codex import (
    ApprovalMode,
    Codex,
    ExternalMessage,
    ImageInput,
    InvalidRequestError,
    LocalImageInput,
    MentionInput,
    RuntimeVersionError,
    Sandbox,
    SkillInput,
    TextInput,
)
from openai_codex.types import Personality, SortDirection, ThreadSortKey, ThreadSourceKind

from .conftest import fake_server_config

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)


class Recorder:
    """A Codex on the fake server plus what it sent, by method."""

    def __init__(self, tmp_path: Path, *flags: str) -> None:
        self.path = tmp_path / "sent.jsonl"
        self.codex = Codex(fake_server_config("--record", str(self.path), *flags))

    def sent(self, method: str) -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
        return [m.get("params") for m in lines if m.get("method") == method]

    def last(self, method: str) -> dict[str, Any]:
        return self.sent(method)[-1]


@pytest.fixture
def rec(tmp_path: Path):
    r = Recorder(tmp_path)
    yield r
    r.codex.close()


def test_handshake_identifies_the_client(rec: Recorder) -> None:
    # A request answered after the handshake proves the server has read (and recorded) it all.
    rec.codex.thread_start()
    params = rec.last("initialize")
    assert params["clientInfo"] == {
        "name": "codex_python_sdk",
        "title": "Codex Python SDK",
        "version": __import__("openai_codex").__version__,
    }
    assert params["capabilities"] == {"experimentalApi": True}
    assert rec.sent("initialized") == [None]


def test_thread_start_defaults_to_auto_review_and_omits_unset_keywords(rec: Recorder) -> None:
    rec.codex.thread_start()
    assert rec.last("thread/start") == {"approvalPolicy": "on-request", "approvalsReviewer": "auto_review"}


def test_thread_start_keywords_become_camel_case_fields(rec: Recorder) -> None:
    rec.codex.thread_start(
        approval_mode=ApprovalMode.deny_all,
        base_instructions="base",
        config={"model_reasoning_effort": "low"},
        cwd="/tmp",
        developer_instructions="dev",
        ephemeral=True,
        model="gpt-x",
        model_provider="mock",
        personality=Personality.friendly,
        sandbox=Sandbox.workspace_write,
        service_name="svc",
        service_tier="flex",
    )
    assert rec.last("thread/start") == {
        "approvalPolicy": "never",
        "baseInstructions": "base",
        "config": {"model_reasoning_effort": "low"},
        "cwd": "/tmp",
        "developerInstructions": "dev",
        "ephemeral": True,
        "model": "gpt-x",
        "modelProvider": "mock",
        "personality": "friendly",
        "sandbox": "workspace-write",
        "serviceName": "svc",
        "serviceTier": "flex",
    }


@pytest.mark.parametrize(
    ("sandbox", "thread_mode", "turn_policy"),
    [
        (Sandbox.read_only, "read-only", {"type": "readOnly", "networkAccess": False}),
        (
            Sandbox.workspace_write,
            "workspace-write",
            {
                "type": "workspaceWrite",
                "writableRoots": [],
                "networkAccess": False,
                "excludeTmpdirEnvVar": False,
                "excludeSlashTmp": False,
            },
        ),
        (Sandbox.full_access, "danger-full-access", {"type": "dangerFullAccess"}),
    ],
)
def test_sandbox_presets(rec: Recorder, sandbox: Sandbox, thread_mode: str, turn_policy: dict[str, Any]) -> None:
    thread = rec.codex.thread_start(sandbox=sandbox)
    assert rec.last("thread/start")["sandbox"] == thread_mode
    thread.run("go", sandbox=sandbox)
    assert rec.last("turn/start")["sandboxPolicy"] == turn_policy
    assert "sandbox" not in rec.last("turn/start")


def test_turn_overrides_are_sent_only_when_given(rec: Recorder) -> None:
    thread = rec.codex.thread_start()
    thread.run("plain")
    assert rec.last("turn/start") == {"threadId": thread.id, "input": [{"type": "text", "text": "plain"}]}
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    thread.run(
        "tuned",
        approval_mode=ApprovalMode.auto_review,
        cwd="/work",
        effort="high",
        model="gpt-y",
        output_schema=schema,
        personality=Personality.pragmatic,
        service_tier="fast",
        summary="concise",
    )
    sent = rec.last("turn/start")
    assert sent["approvalPolicy"] == "on-request" and sent["approvalsReviewer"] == "auto_review"
    assert sent["cwd"] == "/work" and sent["effort"] == "high" and sent["model"] == "gpt-y"
    assert sent["outputSchema"] == schema and sent["personality"] == "pragmatic"
    assert sent["serviceTier"] == "fast" and sent["summary"] == "concise"


def test_input_shapes(rec: Recorder) -> None:
    thread = rec.codex.thread_start()
    thread.run(
        [
            TextInput("look"),
            ImageInput("https://example.com/a.png"),
            LocalImageInput("/tmp/b.png"),
            SkillInput("review", "/skills/review"),
            MentionInput("app", "app://thing"),
        ]
    )
    assert rec.last("turn/start")["input"] == [
        {"type": "text", "text": "look"},
        {"type": "image", "url": "https://example.com/a.png"},
        {"type": "localImage", "path": "/tmp/b.png"},
        {"type": "skill", "name": "review", "path": "/skills/review"},
        {"type": "mention", "name": "app", "path": "app://thing"},
    ]
    thread.run(ImageInput("https://example.com/c.png"))
    assert rec.last("turn/start")["input"] == [{"type": "image", "url": "https://example.com/c.png"}]
    with pytest.raises(TypeError, match="unsupported input item"):
        thread.run([TextInput("ok"), 42])  # type: ignore[list-item]


def test_resume_and_fork_send_only_what_is_given(rec: Recorder) -> None:
    rec.codex.thread_resume("t-1")
    assert rec.last("thread/resume") == {"threadId": "t-1"}
    rec.codex.thread_resume("t-1", approval_mode=ApprovalMode.deny_all, model="m", personality=Personality.none)
    assert rec.last("thread/resume") == {
        "threadId": "t-1",
        "approvalPolicy": "never",
        "model": "m",
        "personality": "none",
    }


@pytest.fixture
def rec163(tmp_path: Path):
    """A recorder whose fake server says it is the runtime 0.163.0."""
    r = Recorder(tmp_path, "--runtime-version", "0.163.0")
    yield r
    r.codex.close()


def test_the_0163_keywords_and_their_wire_names(rec163: Recorder) -> None:
    thread = rec163.codex.thread_start()
    thread.run("tagged", source="schedule", turn_service_tier="flex")
    sent = rec163.last("turn/start")
    assert sent["turnTrigger"] == "schedule" and sent["serviceTierForTurn"] == "flex"
    assert "serviceTier" not in sent and "toolOutput" not in sent

    thread.run(ExternalMessage("webhook", "green"))
    sent = rec163.last("turn/start")
    assert sent["input"] == [] and sent["toolOutput"] == {"name": "webhook", "output": "green"}
    item = {"type": "input_text", "text": "one"}
    thread.run(ExternalMessage("feed", [item], namespace="news"))
    assert rec163.last("turn/start")["toolOutput"] == {"name": "feed", "namespace": "news", "output": [item]}

    rec163.codex.thread_resume("t-1", include_turns=False)
    assert rec163.last("thread/resume") == {"threadId": "t-1", "excludeTurns": True}
    with pytest.raises(InvalidRequestError):  # the fake does not serve thread/fork
        rec163.codex.thread_fork("t-1", include_turns=True)
    assert rec163.last("thread/fork") == {"threadId": "t-1", "excludeTurns": False}
    with pytest.raises(InvalidRequestError):
        rec163.codex.thread_list(section_id="s-1")
    assert rec163.last("thread/list") == {"sectionId": "s-1"}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"source": 3}, TypeError, "source must be a str"),
        ({"turn_service_tier": ["fast"]}, TypeError, "turn_service_tier must be a str"),
        ({"input": ExternalMessage("  ", "x")}, ValueError, "tool_name must not be blank"),
        ({"input": ExternalMessage("w", 5)}, TypeError, "ExternalMessage.content must be"),  # type: ignore[arg-type]
        ({"input": ExternalMessage("w", [{"type": "nope"}])}, ValueError, r"content\[0\]: type must be one of"),
        ({"input": [ExternalMessage("w", "x")]}, TypeError, "whole input"),
    ],
)
def test_bad_0163_values_are_refused_before_sending(
    rec163: Recorder, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    thread = rec163.codex.thread_start()
    prompt = kwargs.pop("input", "hi")
    with pytest.raises(error, match=match):
        thread.run(prompt, **kwargs)
    assert rec163.sent("turn/start") == []


def test_include_turns_must_be_a_bool(rec: Recorder) -> None:
    with pytest.raises(TypeError, match="include_turns must be a bool"):
        rec.codex.thread_resume("t-1", include_turns="no")  # type: ignore[arg-type]
    assert rec.sent("thread/resume") == []


@pytest.mark.parametrize(
    ("runtime", "refused"),
    [
        ("0.133.0", {"source", "turn_service_tier", "ExternalMessage", "section_id"}),
        ("0.147.0", {"source", "turn_service_tier", "ExternalMessage"}),
        ("0.151.0-alpha.2", {"source", "turn_service_tier", "ExternalMessage"}),
        ("0.151.0", set()),
        ("0.0.0", set()),  # a runtime built from source: not refused, it answers for itself
    ],
)
def test_the_version_gate(tmp_path: Path, runtime: str, refused: set[str]) -> None:
    r = Recorder(tmp_path, "--runtime-version", runtime)
    try:
        thread = r.codex.thread_start()
        calls = {
            "source": lambda: thread.run("a", source="x"),
            "turn_service_tier": lambda: thread.run("b", turn_service_tier="flex"),
            "ExternalMessage": lambda: thread.run(ExternalMessage("t", "c")),
            "section_id": lambda: r.codex.thread_list(section_id="s"),
        }
        for name, call in calls.items():
            if name in refused:
                with pytest.raises(RuntimeVersionError) as raised:
                    call()
                assert raised.value.runtime_version == runtime
            else:
                try:
                    call()
                except InvalidRequestError:
                    pass  # the fake does not know thread/list; what matters is that it was sent
        started = r.sent("turn/start")
        assert len(started) == 3 - len(refused - {"section_id"})
        assert bool(r.sent("thread/list")) == ("section_id" not in refused)
        # include_turns is in every supported runtime: never refused.
        r.codex.thread_resume("t-1", include_turns=False)
    finally:
        r.codex.close()


def test_thread_list_filters(rec: Recorder) -> None:
    # The fake answers unknown methods with -32600; the params are recorded all the same.
    with pytest.raises(InvalidRequestError):
        rec.codex.thread_list(
            archived=False,
            cursor="c",
            cwd=["/a", "/b"],
            limit=5,
            model_providers=["openai"],
            search_term="walrus",
            sort_direction=SortDirection.desc,
            sort_key=ThreadSortKey.updated_at,
            source_kinds=[ThreadSourceKind.cli, ThreadSourceKind.app_server],
            use_state_db_only=True,
        )
    assert rec.last("thread/list") == {
        "archived": False,
        "cursor": "c",
        "cwd": ["/a", "/b"],
        "limit": 5,
        "modelProviders": ["openai"],
        "searchTerm": "walrus",
        "sortDirection": "desc",
        "sortKey": "updated_at",
        "sourceKinds": ["cli", "appServer"],
        "useStateDbOnly": True,
    }


def test_steer_and_interrupt_params(tmp_path: Path) -> None:
    rec = Recorder(tmp_path, "--deltas", "20", "--delta-delay", "0.02")
    try:
        handle = rec.codex.thread_start().turn("long")
        handle.steer([TextInput("more"), ImageInput("https://x/y.png")])
        assert rec.last("turn/steer") == {
            "threadId": handle.thread_id,
            "expectedTurnId": handle.id,
            "input": [{"type": "text", "text": "more"}, {"type": "image", "url": "https://x/y.png"}],
        }
        handle.interrupt()
        assert rec.last("turn/interrupt") == {"threadId": handle.thread_id, "turnId": handle.id}
        handle.run()
    finally:
        rec.codex.close()


@pytest.mark.parametrize("bad", ["read-only", "full_access", None.__class__, 3])
def test_bad_sandbox_values_are_refused_before_sending(rec: Recorder, bad: Any) -> None:
    with pytest.raises(
        ValueError, match=r"sandbox must be one of: Sandbox.read_only, Sandbox.workspace_write, Sandbox.full_access"
    ):
        rec.codex.thread_start(sandbox=bad)
    assert rec.sent("thread/start") == []


@pytest.mark.parametrize("bad", ["auto_review", "never", 1])
def test_bad_approval_modes_are_refused_before_sending(rec: Recorder, bad: Any) -> None:
    with pytest.raises(ValueError, match="approval_mode must be one of: deny_all, auto_review"):
        rec.codex.thread_start(approval_mode=bad)
    assert rec.sent("thread/start") == []


def test_account_and_models_params(rec: Recorder) -> None:
    rec.codex.account(refresh_token=True)
    assert rec.last("account/read") == {"refreshToken": True}
    rec.codex.models(include_hidden=True)
    assert rec.last("model/list") == {"includeHidden": True}
