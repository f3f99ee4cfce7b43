"""The generated protocol types: names, enums, tagged unions, validation, dumps, and what a real
runtime sends through them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openai_codex import Codex, CodexConfig, TurnResult
from openai_codex._model import ValidationError
from openai_codex._wire import model_for, notification_payload
from openai_codex.generated import v2_all
from openai_codex.generated.notification_registry import NOTIFICATION_MODELS
from openai_codex.generated.v2_all import (
    AgentMessageDeltaNotification,
    AgentMessageThreadItem,
    AmazonBedrockAccount,
    ApiKeyAccount,
    ApiKeyLoginAccountParams,
    ApiKeyLoginAccountResponse,
    AskForApprovalValue,
    ChatgptAccount,
    ChatgptDeviceCodeLoginAccountParams,
    ChatgptLoginAccountParams,
    ChatgptLoginAccountResponse,
    CommandExecutionThreadItem,
    ContextCompactionThreadItem,
    DangerFullAccessSandboxPolicy,
    ExternalSandboxSandboxPolicy,
    FileChangeThreadItem,
    GranularAskForApproval,
    ItemCompletedNotification,
    LoginAccountParams,
    LoginAccountResponse,
    NetworkAccess,
    PlanThreadItem,
    ReadOnlySandboxPolicy,
    ReasoningSummaryValue,
    ReasoningThreadItem,
    ThreadId,
    ThreadStartParams,
    TurnStartParams,
    UserMessageThreadItem,
    WebSearchThreadItem,
    WorkspaceWriteSandboxPolicy,
)
from openai_codex.models import Notification, UnknownNotification
from openai_codex.testing import ScriptedModel, Usage, exec_command, text
from openai_codex.types import (
    Account,
    AskForApproval,
    ReasoningSummary,
    SandboxMode,
    SandboxPolicy,
    ThreadItem,
    ThreadListCwdFilter,
    ThreadTokenUsage,
    TurnStatus,
)

ROOT = Path(__file__).resolve().parents[1]
DELTA = "item/agentMessage/delta"

# openai_codex.types.__all__ of the reference SDK 0.1.0b2 (REFERENCE.md 2.1).
REFERENCE_TYPES_ALL = [
    "Account",
    "AccountLoginCompletedNotification",
    "ApprovalsReviewer",
    "AskForApproval",
    "CancelLoginAccountResponse",
    "CancelLoginAccountStatus",
    "GetAccountResponse",
    "InitializeResponse",
    "JsonObject",
    "ModelListResponse",
    "Notification",
    "Personality",
    "PlanType",
    "ReasoningEffort",
    "ReasoningSummary",
    "SandboxMode",
    "SandboxPolicy",
    "SortDirection",
    "ThreadArchiveResponse",
    "ThreadCompactStartResponse",
    "ThreadItem",
    "ThreadListCwdFilter",
    "ThreadListResponse",
    "ThreadReadResponse",
    "ThreadSetNameResponse",
    "ThreadSortKey",
    "ThreadSource",
    "ThreadSourceKind",
    "ThreadStartSource",
    "ThreadTokenUsage",
    "ThreadTokenUsageUpdatedNotification",
    "Turn",
    "TurnCompletedNotification",
    "TurnError",
    "TurnInterruptResponse",
    "TurnStatus",
    "TurnSteerResponse",
]


def delta_params(**overrides: Any) -> dict[str, Any]:
    return {"threadId": "thr", "turnId": "turn", "itemId": "item", "delta": "tok ", **overrides}


# --------------------------------------------------------------------------------------------
# what the real runtime sends, captured once for the module


@dataclass
class Capture:
    """One real turn (a shell command, then a streamed answer), as the runtime sent it."""

    events: list[Notification]
    raw: list[tuple[str, dict[str, Any]]]  # (method, params) as parsed, before any conversion
    result: TurnResult
    summary: tuple[Any, list[Any], Any]  # the raw turn summary TurnResult was built from
    thread_read: Any
    thread_read_raw: dict[str, Any]


def raw_params(payload: Any) -> dict[str, Any]:
    # A payload wraps the dict the Rust side parsed, without copying it.
    return payload.params if isinstance(payload, UnknownNotification) else payload._data


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Capture]:
    with ScriptedModel() as model:
        model.enqueue(
            exec_command("echo captured", login=False, usage=Usage(input_tokens=40, output_tokens=7)),
            text("All done.", deltas=["All ", "done", "."], usage=Usage(input_tokens=61, output_tokens=9)),
        )
        config = CodexConfig(env=model.codex_env(tmp_path_factory.mktemp("codex-home")))
        with Codex(config) as codex:
            global_events = codex._client.global_stream()
            thread = codex.thread_start()
            handle = thread.turn("run the command")
            events = list(handle.stream())
            result = handle.run()
            summary = handle._stream.summary()
            while (event := global_events.try_next()) is not None:
                events.append(event)
            thread_read = thread.read(include_turns=True)
            thread_read_raw = codex._client.request("thread/read", {"threadId": thread.id, "includeTurns": True})
    raw = [(e.method, raw_params(e.payload)) for e in events]
    yield Capture(events, raw, result, summary, thread_read, thread_read_raw)


@pytest.mark.e2e
def test_a_real_turn_streams_typed_payloads(capture: Capture) -> None:
    deltas = [e for e in capture.events if e.method == DELTA]
    assert [d.payload.delta for d in deltas] == ["All ", "done", "."]
    for event in deltas:
        assert isinstance(event.payload, AgentMessageDeltaNotification)
        assert event.payload.turn_id == capture.result.id
    for event in capture.events:
        expected = NOTIFICATION_MODELS.get(event.method)
        assert expected is not None, event.method
        assert type(event.payload) is expected, event.method
    completed = [e.payload for e in capture.events if isinstance(e.payload, ItemCompletedNotification)]
    assert {type(p.item) for p in completed} >= {
        UserMessageThreadItem,
        CommandExecutionThreadItem,
        AgentMessageThreadItem,
    }


@pytest.mark.e2e
def test_turn_result_fields_are_typed(capture: Capture) -> None:
    result = capture.result
    completed_raw, items_raw, usage_raw = capture.summary
    assert result.status is TurnStatus.completed
    assert result.error is None
    assert [type(item) for item in result.items] == [type(ThreadItem.model_validate(raw["item"])) for raw in items_raw]
    assert [type(item) for item in result.items] == [
        UserMessageThreadItem,
        CommandExecutionThreadItem,
        AgentMessageThreadItem,
    ]
    command = result.items[1]
    assert isinstance(command, CommandExecutionThreadItem)
    assert command.command == items_raw[1]["item"]["command"]
    assert command.aggregated_output == items_raw[1]["item"]["aggregatedOutput"]
    assert isinstance(result.usage, ThreadTokenUsage)
    assert result.usage.total.total_tokens == usage_raw["tokenUsage"]["total"]["totalTokens"]
    assert result.usage.last.input_tokens == usage_raw["tokenUsage"]["last"]["inputTokens"]
    assert result.duration_ms == completed_raw["turn"]["durationMs"]
    assert result.final_response == "All done."


@pytest.mark.e2e
def test_real_payloads_round_trip(capture: Capture) -> None:
    for (method, raw), event in zip(capture.raw, capture.events, strict=True):
        payload = event.payload
        cls = type(payload)
        # What was received, and only that, comes back out under wire names.
        assert payload.model_dump(by_alias=True, mode="json", exclude_unset=True) == raw, method
        assert cls.model_validate(raw) == payload
        assert cls.model_validate(payload.model_dump()) == payload
        assert cls.model_validate(payload.model_dump(by_alias=True, mode="json")) == payload
        assert cls.model_validate(json.loads(payload.model_dump_json())) == payload
        assert json.loads(payload.model_dump_json(by_alias=True)) == payload.model_dump(by_alias=True, mode="json")


@pytest.mark.e2e
def test_thread_read_response_round_trips(capture: Capture) -> None:
    response = capture.thread_read
    assert type(response).__name__ == "ThreadReadResponse"
    assert response.model_dump(by_alias=True, mode="json", exclude_unset=True) == capture.thread_read_raw
    assert response.thread.id == capture.thread_read_raw["thread"]["id"]
    assert [type(t.status) for t in response.thread.turns] == [TurnStatus]


@pytest.mark.e2e
def test_typed_usage_module_runs_on_real_events(capture: Capture) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "typing"))
    try:
        import typed_usage
    finally:
        sys.path.remove(str(ROOT / "tests" / "typing"))
    assert "All done." in typed_usage.stream_text(capture.events)
    by_method = typed_usage.stream_text_by_method(capture.events)
    assert by_method.count("All done.") == 2  # the deltas, then the completed agent message
    assert by_method.endswith("[completed]")
    _total, commands = typed_usage.summarize(capture.result)
    assert commands == [capture.result.items[1].command]  # type: ignore[union-attr]
    _params, login, _policy = typed_usage.build_params()
    assert login._to_wire() == {"type": "apiKey", "apiKey": "sk-test"}
    assert typed_usage.registry_lookup(DELTA) == "AgentMessageDeltaNotification"


# --------------------------------------------------------------------------------------------
# names and enums


def test_types_exports_the_reference_names() -> None:
    import openai_codex.types as types

    assert types.__all__ == REFERENCE_TYPES_ALL
    for name in REFERENCE_TYPES_ALL:
        assert getattr(types, name) is not None


def test_enum_members_are_the_wire_strings() -> None:
    assert [(m.name, m.value) for m in TurnStatus] == [
        ("completed", "completed"),
        ("interrupted", "interrupted"),
        ("failed", "failed"),
        ("in_progress", "inProgress"),
    ]
    assert TurnStatus.in_progress == "inProgress"
    assert isinstance(TurnStatus.in_progress, str)
    assert TurnStatus("inProgress") is TurnStatus.in_progress
    assert str(TurnStatus.in_progress) == "inProgress" and f"{TurnStatus.failed}" == "failed"
    assert SandboxMode.read_only == "read-only"
    assert AskForApprovalValue.on_request == "on-request"
    assert {m.name for m in v2_all.ThreadSourceKind} >= {"app_server", "sub_agent_thread_spawn"}
    assert v2_all.ApprovalsReviewer.auto_review.value == "auto_review"
    assert v2_all.CancelLoginAccountStatus.not_found == "notFound"


def test_an_enum_value_the_schema_does_not_list_stays_a_string() -> None:
    item = model_for(
        "ThreadItem",
        {"type": "commandExecution", "id": "c", "command": "ls", "cwd": "/", "commandActions": [], "status": "paused"},
    )
    assert isinstance(item, CommandExecutionThreadItem)
    assert item.status == "paused" and not isinstance(item.status, v2_all.CommandExecutionStatus)


# --------------------------------------------------------------------------------------------
# tagged unions


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ({"type": "userMessage", "id": "u", "content": [{"type": "text", "text": "hi"}]}, UserMessageThreadItem),
        ({"type": "agentMessage", "id": "a", "text": "hello"}, AgentMessageThreadItem),
        ({"type": "plan", "id": "p", "text": "1. do it"}, PlanThreadItem),
        ({"type": "reasoning", "id": "r", "summary": ["thought"]}, ReasoningThreadItem),
        ({"type": "webSearch", "id": "w", "query": "codex"}, WebSearchThreadItem),
        ({"type": "fileChange", "id": "f", "changes": [], "status": "completed"}, FileChangeThreadItem),
        ({"type": "contextCompaction", "id": "c"}, ContextCompactionThreadItem),
    ],
)
def test_thread_items_become_the_variant_their_tag_names(data: dict[str, Any], cls: type) -> None:
    for item in (ThreadItem.model_validate(data), model_for("ThreadItem", data)):
        assert type(item) is cls
        assert isinstance(item, ThreadItem)
        assert item.root is item  # code written for RootModel wrappers keeps working
        assert item.id == data["id"]


def test_thread_item_fields_convert_when_read() -> None:
    item = ThreadItem.model_validate(
        {
            "type": "userMessage",
            "id": "u",
            "content": [
                {"type": "text", "text": "hi", "text_elements": []},
                {"type": "image", "url": "https://x/y.png"},
            ],
        }
    )
    assert isinstance(item, UserMessageThreadItem)
    assert [type(c).__name__ for c in item.content] == ["TextUserInput", "ImageUserInput"]
    assert item.content is item.content  # converted once, then cached
    reasoning = ThreadItem.model_validate({"type": "reasoning", "id": "r"})
    assert isinstance(reasoning, ReasoningThreadItem)
    assert reasoning.summary == [] and reasoning.content == []  # schema defaults


def test_an_unknown_tag_keeps_every_field_readable() -> None:
    item = model_for("ThreadItem", {"type": "hologram", "id": "h", "beamWidth": 3})
    assert type(item) is ThreadItem
    assert (item.type, item.id, item.beam_width) == ("hologram", "h", 3)  # type: ignore[attr-defined]
    assert item.model_dump() == {"type": "hologram", "id": "h", "beamWidth": 3}


def test_a_variant_refuses_another_variants_tag() -> None:
    with pytest.raises(ValidationError, match=r"AgentMessageThreadItem\.type"):
        AgentMessageThreadItem.model_validate({"type": "plan", "id": "x", "text": "t"})


def test_sandbox_policies_dispatch_and_send_their_wire_form() -> None:
    cases = [
        ({"type": "dangerFullAccess"}, DangerFullAccessSandboxPolicy),
        ({"type": "readOnly"}, ReadOnlySandboxPolicy),
        ({"type": "externalSandbox"}, ExternalSandboxSandboxPolicy),
        ({"type": "workspaceWrite", "writableRoots": ["/repo"]}, WorkspaceWriteSandboxPolicy),
    ]
    for data, cls in cases:
        policy = SandboxPolicy.model_validate(data)
        assert type(policy) is cls and isinstance(policy, SandboxPolicy)
    external = SandboxPolicy.model_validate({"type": "externalSandbox"})
    assert isinstance(external, ExternalSandboxSandboxPolicy)
    assert external.network_access is NetworkAccess.restricted  # the schema default, typed

    # Built by hand: the tag is implied, unset fields are not sent.
    assert ReadOnlySandboxPolicy(network_access=False)._to_wire() == {"type": "readOnly", "networkAccess": False}
    assert DangerFullAccessSandboxPolicy()._to_wire() == {"type": "dangerFullAccess"}
    workspace = WorkspaceWriteSandboxPolicy(
        writable_roots=[], network_access=False, exclude_tmpdir_env_var=False, exclude_slash_tmp=False
    )
    assert workspace._to_wire() == {
        "type": "workspaceWrite",
        "writableRoots": [],
        "networkAccess": False,
        "excludeTmpdirEnvVar": False,
        "excludeSlashTmp": False,
    }
    # The reference's RootModel spelling gives the variant itself.
    assert SandboxPolicy(root=workspace) is workspace
    assert type(SandboxPolicy(root={"type": "readOnly"})) is ReadOnlySandboxPolicy


def test_accounts_dispatch_on_type() -> None:
    assert type(Account.model_validate({"type": "apiKey"})) is ApiKeyAccount
    assert type(Account.model_validate({"type": "amazonBedrock"})) is AmazonBedrockAccount
    chatgpt = Account.model_validate({"type": "chatgpt", "email": "a@b.c", "planType": "plus"})
    assert isinstance(chatgpt, ChatgptAccount)
    assert chatgpt.plan_type is v2_all.PlanType.plus
    response = model_for("GetAccountResponse", {"account": {"type": "apiKey"}, "requiresOpenaiAuth": True})
    assert isinstance(response.account, ApiKeyAccount) and response.requires_openai_auth is True
    assert model_for("GetAccountResponse", {"account": None, "requiresOpenaiAuth": True}).account is None


def test_login_params_and_responses() -> None:
    api_key = LoginAccountParams(root=ApiKeyLoginAccountParams(api_key="sk-1"))
    assert api_key._to_wire() == {"type": "apiKey", "apiKey": "sk-1"}
    assert ChatgptLoginAccountParams()._to_wire() == {"type": "chatgpt"}
    assert ChatgptLoginAccountParams(type="chatgpt")._to_wire() == {"type": "chatgpt"}
    assert ChatgptDeviceCodeLoginAccountParams()._to_wire() == {"type": "chatgptDeviceCode"}
    with pytest.raises(ValueError, match="type"):
        LoginAccountParams(root={"type": "password"})

    started = LoginAccountResponse.model_validate({"type": "chatgpt", "loginId": "l1", "authUrl": "https://auth"})
    assert isinstance(started, ChatgptLoginAccountResponse)
    assert (started.login_id, started.auth_url) == ("l1", "https://auth")
    assert started.root is started
    assert type(LoginAccountResponse.model_validate({"type": "apiKey"})) is ApiKeyLoginAccountResponse


# --------------------------------------------------------------------------------------------
# other unions and named scalars


def test_root_wrappers_hold_the_value() -> None:
    never = AskForApproval("never")
    assert never.root is AskForApprovalValue.never and never._to_wire() == "never"
    assert AskForApproval(root=AskForApprovalValue.untrusted).root is AskForApprovalValue.untrusted
    granular = AskForApproval.model_validate(
        {"granular": {"mcp_elicitations": True, "rules": False, "sandbox_approval": True}}
    )
    assert isinstance(granular.root, GranularAskForApproval)
    assert granular.root.granular.request_permissions is False  # default
    assert ReasoningSummary("none").root == "none"
    assert ReasoningSummary("concise").root is ReasoningSummaryValue.concise
    assert ThreadListCwdFilter(["/a", "/b"]).root == ["/a", "/b"]
    assert ThreadListCwdFilter("/a").model_dump() == "/a"
    with pytest.raises(ValidationError):
        ReasoningSummary.model_validate("verbose")


def test_union_fields_return_the_value_not_a_wrapper() -> None:
    params = ThreadStartParams.model_validate({"approvalPolicy": "on-request"})
    assert params.approval_policy is AskForApprovalValue.on_request
    assert params.approval_policy.root is AskForApprovalValue.on_request
    params = ThreadStartParams(approval_policy=AskForApproval("never"))
    assert params._to_wire() == {"approvalPolicy": "never"}


def test_named_strings_are_strings_with_a_root() -> None:
    thread_id = ThreadId("thr_1")
    assert thread_id == "thr_1" and isinstance(thread_id, str) and thread_id.root == "thr_1"


# --------------------------------------------------------------------------------------------
# notifications: typed, or UnknownNotification


def test_a_payload_wraps_the_params_it_was_given() -> None:
    params = delta_params()
    payload = notification_payload(DELTA, params)
    assert isinstance(payload, AgentMessageDeltaNotification)
    assert (payload.delta, payload.item_id, payload.thread_id, payload.turn_id) == ("tok ", "item", "thr", "turn")
    assert payload == AgentMessageDeltaNotification(delta="tok ", item_id="item", thread_id="thr", turn_id="turn")
    assert repr(payload) == (
        "AgentMessageDeltaNotification(delta='tok ', item_id='item', thread_id='thr', turn_id='turn')"
    )


@pytest.mark.e2e
def test_payloads_built_from_the_raw_line_behave_like_any_model() -> None:
    """Deltas from a real stream keep their undecoded JSON in the instance until something needs a
    dict; copying, pickling, dumping and assigning must not see the difference."""
    import copy
    import pickle

    from tests.conftest import fake_server_config

    with Codex(fake_server_config("--deltas", "3")) as codex:
        payloads = [e.payload for e in codex.thread_start().turn("go").stream() if e.method == DELTA]
    first, second, third = payloads
    assert isinstance(first, AgentMessageDeltaNotification)
    expected = first.model_dump(by_alias=True)
    assert set(expected) == {"delta", "itemId", "threadId", "turnId"}
    assert pickle.loads(pickle.dumps(first)) == first
    assert copy.copy(second) == second and copy.deepcopy(second) == second
    assert AgentMessageDeltaNotification.model_validate(expected) == first
    third.delta = "changed"
    assert third.delta == "changed" and third.model_dump()["delta"] == "changed"
    assert third.thread_id == first.thread_id


@pytest.mark.e2e
def test_raw_payload_fields_are_found_whatever_the_key_order() -> None:
    """A field read from the raw line is looked up where it was found last; deltas whose keys
    come in another order, or with members the schema does not know, must still read right."""
    from tests.conftest import fake_server_config

    shuffled = [
        '{"params":{"delta":"b","turnId":"{turn}","itemId":"i2","threadId":"{thread}"},"method":"%s"}' % DELTA,
        '{"method":"%s","params":{"extra":1,"itemId":"i3","threadId":"{thread}","turnId":"{turn}","delta":"c"}}'
        % DELTA,
    ]
    args = ["--deltas", "1", "--delta-text", "a"]
    for line in shuffled:
        args += ["--raw-line", line]
    with Codex(fake_server_config(*args)) as codex:
        deltas = [e.payload for e in codex.thread_start().turn("go").stream() if e.method == DELTA]
    assert [(d.delta, d.item_id) for d in deltas[1:]] == [("b", "i2"), ("c", "i3")]
    assert deltas[0].delta == "a" and deltas[0].thread_id == deltas[2].thread_id
    assert deltas[2].extra == 1


@pytest.mark.e2e
def test_a_repeated_key_reads_as_its_last_value_as_in_a_dict() -> None:
    """The runtime does not repeat keys, but a line that does reads as the dict it would make:
    the last value counts, whatever the deltas before it taught the field reader."""
    from tests.conftest import fake_server_config

    twice = (
        '{"method":"%s","params":{"threadId":"{thread}","turnId":"{turn}","itemId":"i","delta":"x","delta":"y"}}'
        % DELTA
    )
    with Codex(fake_server_config("--deltas", "2", "--raw-line", twice)) as codex:
        deltas = [e.payload for e in codex.thread_start().turn("go").stream() if e.method == DELTA]
    assert [d.delta for d in deltas] == ["tok ", "tok ", "y"]
    assert deltas[2].model_dump()["delta"] == "y"


@pytest.mark.e2e
def test_a_misfit_amid_fitting_deltas_still_arrives_as_unknown_notification() -> None:
    """The check that a delta fits its class is skipped for repeats of a line that fitted; a
    delta of another shape (here, a number for text, with a string after it) is checked anew."""
    from tests.conftest import fake_server_config

    misfits = [
        '{"method":"%s","params":{"threadId":"{thread}","turnId":"{turn}","delta":5,"itemId":"i"}}' % DELTA,
        '{"method":"%s","params":{"threadId":"{thread}","turnId":"{turn}","delta":6,"itemId":"j"}}' % DELTA,
    ]
    args = ["--deltas", "3"]
    for line in misfits:
        args += ["--raw-line", line]
    with Codex(fake_server_config(*args)) as codex:
        payloads = [e.payload for e in codex.thread_start().turn("go").stream() if e.method == DELTA]
    assert [type(p) for p in payloads] == [AgentMessageDeltaNotification] * 3 + [UnknownNotification] * 2
    assert [p.params["delta"] for p in payloads[3:]] == [5, 6]


@pytest.mark.e2e
def test_a_failing_payload_builder_costs_its_event_not_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """Payloads are built as the stream hands notifications out. A builder that raises (a bug:
    the SDK's own builders turn misfits into UnknownNotification) fails that one step of the
    iteration; the events after it still arrive and the turn completes."""
    from openai_codex import _wire

    from tests.conftest import fake_server_config

    def broken(params: Any) -> Any:
        raise RuntimeError("builder bug")

    monkeypatch.setitem(_wire._BUILDERS, "test/brokenBuilder", broken)
    args = [
        "--deltas",
        "2",
        "--raw-line",
        '{"method":"test/brokenBuilder","params":{"threadId":"{thread}","turnId":"{turn}"}}',
    ]
    with Codex(fake_server_config(*args)) as codex:
        stream = codex.thread_start().turn("go").stream()
        methods = []
        failures = 0
        while True:
            try:
                methods.append(next(stream).method)
            except StopIteration:
                break
            except RuntimeError as error:
                assert str(error) == "builder bug"
                failures += 1
    assert failures == 1
    assert methods.count(DELTA) == 2 and methods[-1] == "turn/completed"
    assert "test/brokenBuilder" not in methods


@pytest.mark.e2e
def test_fields_stay_readable_while_a_raw_payload_makes_its_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another thread may read a field at any point while a payload's dict is made: at the moment
    the raw JSON is let go, the dict must already be there (checked here from inside that step)."""
    from openai_codex._model import WireModel

    from tests.conftest import fake_server_config

    with Codex(fake_server_config("--deltas", "2")) as codex:
        payload = next(e.payload for e in codex.thread_start().turn("go").stream() if e.method == DELTA)
    let_go = WireModel._drop_raw
    seen: list[str] = []

    def read_while_letting_go(self: Any) -> None:
        let_go(self)
        seen.append(self.delta)

    monkeypatch.setattr(WireModel, "_drop_raw", read_while_letting_go)
    dumped = payload.model_dump()
    assert seen == [dumped["delta"]]


@pytest.mark.parametrize(
    "params",
    [
        delta_params(delta=5),  # wrong type
        {"threadId": "thr", "turnId": "turn", "delta": "x"},  # required field missing
        delta_params(threadId=None),  # null where the schema has no null
        ["not", "an", "object"],
        None,
    ],
)
def test_params_that_do_not_fit_arrive_as_unknown_notification(params: Any) -> None:
    payload = notification_payload(DELTA, params)
    assert isinstance(payload, UnknownNotification)
    assert payload.params == params


def test_nested_misfits_are_caught_too() -> None:
    params = {
        "threadId": "t",
        "turnId": "u",
        "completedAtMs": 1,
        "item": {"type": "agentMessage", "id": 7, "text": "x"},
    }
    assert isinstance(notification_payload("item/completed", params), UnknownNotification)
    params["item"]["id"] = "seven"
    assert isinstance(notification_payload("item/completed", params), ItemCompletedNotification)


def test_unknown_methods_arrive_as_unknown_notification() -> None:
    payload = notification_payload("brand/new/event", {"x": 1})
    assert payload == UnknownNotification(params={"x": 1})


def test_fields_the_schema_does_not_know_are_kept() -> None:
    params = delta_params(sequenceNumber=42, extra={"nested": True})
    payload = notification_payload(DELTA, params)
    assert isinstance(payload, AgentMessageDeltaNotification)
    assert payload.sequence_number == 42  # type: ignore[attr-defined]
    assert payload.sequenceNumber == 42  # type: ignore[attr-defined]
    assert payload.model_extra == {"sequenceNumber": 42, "extra": {"nested": True}}
    assert payload.model_dump(by_alias=True)["sequenceNumber"] == 42
    assert AgentMessageDeltaNotification.model_validate(params).model_extra["extra"] == {"nested": True}
    with pytest.raises(AttributeError):
        payload.not_there  # type: ignore[attr-defined]  # noqa: B018


def test_optional_fields_read_as_none() -> None:
    item = AgentMessageThreadItem.model_validate({"type": "agentMessage", "id": "a", "text": "t"})
    assert item.phase is None and item.memory_citation is None
    assert item.model_dump(exclude_none=True) == {"id": "a", "text": "t", "type": "agentMessage"}


# --------------------------------------------------------------------------------------------
# dumps, validation, params


def test_model_dump_modes() -> None:
    turn = model_for("Turn", {"id": "t", "items": [], "status": "inProgress", "error": None})
    assert turn.model_dump()["status"] is TurnStatus.in_progress
    assert turn.model_dump(mode="json")["status"] == "inProgress"
    assert "started_at" in turn.model_dump() and "startedAt" in turn.model_dump(by_alias=True)
    assert "error" not in turn.model_dump(exclude_none=True)
    assert json.loads(turn.model_dump_json(by_alias=True, exclude_none=True)) == {
        "id": "t",
        "items": [],
        "status": "inProgress",
        "itemsView": "full",
    }


def test_model_validate_names_the_failing_field() -> None:
    with pytest.raises(ValidationError, match=r"ItemCompletedNotification\.item\.content\[0\]"):
        ItemCompletedNotification.model_validate(
            {
                "threadId": "t",
                "turnId": "u",
                "completedAtMs": 1,
                "item": {"type": "userMessage", "id": "x", "content": [3]},
            }
        )
    with pytest.raises(ValidationError, match="expected an object"):
        ThreadTokenUsage.model_validate([])


def test_model_validate_accepts_snake_case_keys_and_copies() -> None:
    data = {"delta": "d", "item_id": "i", "thread_id": "t", "turn_id": "u"}
    payload = AgentMessageDeltaNotification.model_validate(data)
    assert payload.item_id == "i"
    payload.delta = "changed"
    assert data["delta"] == "d"


def test_params_are_validated_before_anything_is_sent() -> None:
    with pytest.raises(TypeError, match=r"ThreadStartParams\.model: expected str"):
        ThreadStartParams(model=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"ThreadStartParams\.sandbox: expected SandboxMode"):
        ThreadStartParams(sandbox="sideways")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"approval_policy\.granular\.rules: expected bool"):
        ThreadStartParams(approval_policy={"granular": {"rules": 1}})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unexpected field"):
        ThreadStartParams(modle="gpt")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="missing required field 'input'"):
        TurnStartParams(thread_id="t")  # type: ignore[call-arg]
    params = ThreadStartParams(model="gpt-5", cwd="/repo")
    with pytest.raises(TypeError, match=r"ThreadStartParams\.cwd"):
        params.cwd = 3  # type: ignore[assignment]


def test_params_send_only_what_was_set() -> None:
    params = ThreadStartParams(
        model="gpt-5", sandbox=SandboxMode.workspace_write, base_instructions=None, approval_policy="never"
    )
    assert params._to_wire() == {"model": "gpt-5", "sandbox": "workspace-write", "approvalPolicy": "never"}
    # pydantic-style dump of the same object, for code that calls it directly.
    assert params.model_dump(by_alias=True, exclude_none=True, mode="json")["model"] == "gpt-5"
    turn = TurnStartParams(
        thread_id="t",
        input=[{"type": "text", "text": "hi"}],
        sandbox_policy=ReadOnlySandboxPolicy(network_access=False),
        summary="concise",
    )
    assert turn._to_wire() == {
        "threadId": "t",
        "input": [{"type": "text", "text": "hi"}],
        "sandboxPolicy": {"type": "readOnly", "networkAccess": False},
        "summary": "concise",
    }


def test_reading_a_default_does_not_change_what_is_sent() -> None:
    item = ThreadItem.model_validate({"type": "reasoning", "id": "r"})
    assert isinstance(item, ReasoningThreadItem)
    assert item.summary == []
    assert item._to_wire() == {"type": "reasoning", "id": "r"}
    assert item.model_dump(exclude_unset=True) == {"type": "reasoning", "id": "r"}


def test_assignment_updates_what_is_sent() -> None:
    params = ThreadStartParams(model="a")
    params.model = "b"
    params.sandbox = SandboxMode.read_only
    assert params._to_wire() == {"model": "b", "sandbox": "read-only"}
    usage = model_for(
        "ThreadTokenUsage",
        {
            "last": {
                "cachedInputTokens": 0,
                "inputTokens": 1,
                "outputTokens": 1,
                "reasoningOutputTokens": 0,
                "totalTokens": 2,
            },
            "total": {
                "cachedInputTokens": 0,
                "inputTokens": 1,
                "outputTokens": 1,
                "reasoningOutputTokens": 0,
                "totalTokens": 2,
            },
        },
    )
    usage.total.total_tokens = 99
    assert usage.model_dump(by_alias=True)["total"]["totalTokens"] == 99


def test_equality_and_hashing() -> None:
    a = AgentMessageThreadItem(id="x", text="t")
    assert a == AgentMessageThreadItem.model_validate({"type": "agentMessage", "id": "x", "text": "t"})
    assert a != AgentMessageThreadItem(id="x", text="other")
    assert a != PlanThreadItem(id="x", text="t")
    with pytest.raises(TypeError):
        hash(a)


@pytest.mark.e2e
def test_a_params_object_goes_over_the_wire(codex: Codex) -> None:
    params = ThreadStartParams(ephemeral=True, cwd=str(ROOT))
    response = model_for("ThreadStartResponse", codex._client.request("thread/start", params))
    assert type(response).__name__ == "ThreadStartResponse"
    assert response.thread.ephemeral is True
    assert response.cwd == str(ROOT)


# --------------------------------------------------------------------------------------------
# cost: nothing heavy at import, and typing holds


# Loaded on first use only: the protocol classes, the request classes of handlers, the tools.
_LOADED_ON_DEMAND = (
    "openai_codex.generated.v2_all",
    "openai_codex.approvals",
    "openai_codex.user_input",
    "openai_codex.tools",
    "openai_codex._toolschema",
)


@pytest.mark.parametrize(
    "program",
    [
        "import openai_codex",
        # A client built without handlers or tools (not started: no runtime needed).
        "import openai_codex; openai_codex.AsyncCodex()",
    ],
)
def test_import_and_a_plain_client_do_not_load_what_they_do_not_use(program: str) -> None:
    code = f"import sys; {program}; print(sorted(set(sys.modules) & {set(_LOADED_ON_DEMAND)!r}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_model_package_loads_each_module_when_first_needed() -> None:
    code = """if True:
        import sys, openai_codex
        from openai_codex._model import specs

        def loaded():
            return sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("openai_codex._model."))

        print(loaded())
        # Until WireModel exists, nothing is one, and a non-generated class is refused.
        print(isinstance({}, specs.WireModel), specs.WireModel.__name__)
        from openai_codex._model import TaggedUnion, WireModel
        print(loaded())
        print(specs.WireModel is WireModel, issubclass(TaggedUnion, specs.WireModel))
        from openai_codex._model import payloads
        print("payloads" in loaded())
    """
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "['contract', 'fields', 'grammar', 'specs', 'wrappers']"
    assert lines[1] == "False NotBoundYet"
    assert lines[2] == "['base', 'checks', 'contract', 'fields', 'grammar', 'specs', 'unions', 'wrappers']"
    assert lines[3:] == ["True True", "True"]


def test_the_model_package_refuses_names_it_does_not_have() -> None:
    import openai_codex._model as model

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        model.Nope  # noqa: B018
    assert model.RootWrapper.__module__ == "openai_codex._model.wrappers"


def test_typed_usage_passes_mypy_strict() -> None:
    if (
        shutil.which("mypy") is None
        and subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode != 0
    ):
        pytest.skip("mypy is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "tests/typing/typed_usage.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
