"""HTTP-level tests of openai_codex.testing.ScriptedModel (the server alone, no runtime, no SDK)."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from pathlib import Path

import pytest

try:  # tomllib is 3.11+; the SDK supports 3.10, where only the TOML checks are skipped
    import tomllib
except ImportError:
    tomllib = None

# devtools/ lives at the repo root, which is not on sys.path when pytest runs with rootdir-only
# discovery; make the import independent of how pytest was invoked.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openai_codex.testing import (
    ScriptedModel,
    Usage,
    codex_env,
    exec_command,
    function_call,
    function_call_outputs,
    hang,
    http_error,
    message,
    parse_sse,
    raw,
    response,
    slow,
    text,
    user_texts,
    write_codex_home,
)

BODY = {
    "model": "mock-model",
    "input": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "<environment_context/>"}]},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
        {"type": "function_call_output", "call_id": "c1", "output": "hi\n"},
    ],
}


def post(
    model: ScriptedModel, body: dict = BODY, path: str = "/v1/responses", timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", model.port, timeout=timeout)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def kinds(events: list[tuple[str, dict]]) -> list[str]:
    return [kind for kind, _ in events]


@pytest.fixture
def model():
    with ScriptedModel() as server:
        yield server


def test_base_url_is_loopback_with_ephemeral_port(model):
    assert model.base_url == f"http://127.0.0.1:{model.port}/v1"
    assert model.port > 0


def test_text_reply_is_framed_like_the_responses_api(model):
    model.enqueue(text("hello world", deltas=3, usage=Usage(7, 3, cached_tokens=2)))
    status, headers, body = post(model)
    assert status == 200
    assert headers["Content-Type"] == "text/event-stream"
    events = parse_sse(body)
    assert kinds(events) == [
        "response.created",
        "response.output_item.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = [data["delta"] for kind, data in events if kind == "response.output_text.delta"]
    assert "".join(deltas) == "hello world" and all(deltas)
    done = events[-2][1]["item"]
    assert done["content"][0]["text"] == "hello world" and done["role"] == "assistant"
    # Every delta names the item announced by output_item.added.
    item_id = events[1][1]["item"]["id"]
    assert {data["item_id"] for kind, data in events if kind.endswith(".delta")} == {item_id}
    assert all(data["type"] == kind for kind, data in events)
    usage = events[-1][1]["response"]["usage"]
    assert usage["input_tokens"] == 7 and usage["output_tokens"] == 3
    assert usage["total_tokens"] == 10 and usage["input_tokens_details"]["cached_tokens"] == 2


def test_requests_are_recorded_in_order_and_default_reply_is_ok(model):
    model.enqueue(text("first"))
    post(model, {"n": 1})
    _, _, second = post(model, {"n": 2})  # queue empty: the default reply
    assert [body["n"] for body in model.requests] == [1, 2]
    assert parse_sse(second)[-2][1]["item"]["content"][0]["text"] == "ok"
    assert model.pending == 0
    assert len(model.served) == 2 and len(model.request_headers) == 2


def test_explicit_delta_pieces_and_bad_split():
    assert message(deltas=["a", "", "b"]).pieces == ("a", "", "b")
    assert message("abcdefg", deltas=3).pieces == ("abc", "de", "fg")
    with pytest.raises(ValueError):
        message("ab", deltas=3)


def test_tool_call_reply_and_multi_item_response(model):
    model.enqueue(
        exec_command("echo hi", login=False, call_id="call_x"),
        response(message("let me check", phase="commentary"), function_call("update_plan", {"plan": []})),
    )
    events = parse_sse(post(model)[2])
    done = [data["item"] for kind, data in events if kind == "response.output_item.done"]
    assert done == [
        {
            "type": "function_call",
            "id": done[0]["id"],
            "call_id": "call_x",
            "name": "exec_command",
            "arguments": json.dumps({"cmd": "echo hi", "login": False}),
        }
    ]
    events = parse_sse(post(model)[2])
    done = [data["item"] for kind, data in events if kind == "response.output_item.done"]
    assert [item["type"] for item in done] == ["message", "function_call"]
    assert done[0]["phase"] == "commentary"
    assert [d["output_index"] for k, d in events if k == "response.output_item.done"] == [0, 1]


@pytest.mark.parametrize("status", [500, 429, 400])
def test_http_error_reply(model, status):
    model.enqueue(http_error(status, headers={"x-test": "1"}))
    got, headers, body = post(model)
    assert got == status and headers["x-test"] == "1"
    assert "error" in json.loads(body)


def test_http_error_with_custom_body(model):
    model.enqueue(http_error(400, "plain words"))
    assert post(model)[2] == b"plain words"


def test_raw_frames_are_sent_verbatim(model):
    model.enqueue(raw([("response.created", {"response": {"id": "r"}}), b"data: not json\n\n"]))
    assert parse_sse(post(model)[2]) == [
        ("response.created", {"type": "response.created", "response": {"id": "r"}}),
        ("message", "not json"),
    ]


def test_slow_reply_spaces_its_deltas(model):
    model.enqueue(slow("abcd", deltas=4, delta_delay=0.05))
    started = time.monotonic()
    events = parse_sse(post(model)[2])
    assert time.monotonic() - started >= 0.15
    assert kinds(events).count("response.output_text.delta") == 4


def test_hang_waits_for_release_mid_stream(model):
    gated = hang("one two", deltas=2, after_deltas=1)
    model.enqueue(gated)
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(body=post(model)[2]))
    worker.start()
    assert gated.started.wait(5)
    time.sleep(0.2)
    assert worker.is_alive() and not gated.finished.is_set()
    gated.release()
    worker.join(5)
    deltas = [d["delta"] for k, d in parse_sse(result["body"]) if k.endswith(".delta")]
    assert deltas == ["one ", "two"] and gated.finished.is_set() and not gated.aborted


def test_hang_ends_when_the_client_hangs_up(model):
    gated = hang()
    model.enqueue(gated)
    conn = http.client.HTTPConnection("127.0.0.1", model.port, timeout=5)
    conn.request("POST", "/v1/responses", "{}")
    conn.getresponse()  # headers and response.created arrive; then the reply parks
    conn.close()
    assert gated.finished.wait(5) and gated.aborted


def test_close_cuts_off_parked_replies():
    server = ScriptedModel().start()
    gated = hang()
    server.enqueue(gated)
    worker = threading.Thread(target=lambda: post(server), daemon=True)
    worker.start()
    assert gated.started.wait(5)
    server.close()
    server.close()  # idempotent
    assert gated.finished.wait(5) and gated.aborted


def test_callable_reply_sees_the_request(model):
    model.enqueue(lambda body: text("echo: " + user_texts(body)[-1]))
    events = parse_sse(post(model)[2])
    assert events[-2][1]["item"]["content"][0]["text"] == "echo: hi"


def test_wait_for_requests(model):
    threading.Timer(0.1, lambda: post(model)).start()
    assert len(model.wait_for_requests(1, timeout=5)) == 1
    with pytest.raises(TimeoutError):
        model.wait_for_requests(2, timeout=0.1)


def test_other_paths_get_404_and_are_logged(model):
    assert post(model, path="/v1/models")[0] == 404
    assert model.other_requests == [("POST", "/v1/models")]
    assert model.requests == []


def test_request_body_helpers():
    assert user_texts(BODY) == ["<environment_context/>", "hi"]
    assert function_call_outputs(BODY) == [BODY["input"][2]]


needs_tomllib = pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")


@needs_tomllib
def test_write_codex_home(tmp_path):
    home = write_codex_home(
        tmp_path / "home",
        "http://127.0.0.1:1/v1",
        approval_policy="on-request",
        sandbox_mode=None,
        provider={"requires_openai_auth": True},
        features={"x": True},
    )
    config = tomllib.loads((home / "config.toml").read_text())
    assert config["model"] == "mock-model" and config["model_provider"] == "mock"
    assert config["approval_policy"] == "on-request" and "sandbox_mode" not in config
    assert config["features"] == {"x": True}
    mock = config["model_providers"]["mock"]
    assert mock["base_url"] == "http://127.0.0.1:1/v1" and mock["wire_api"] == "responses"
    assert mock["request_max_retries"] == 0 and mock["stream_max_retries"] == 0
    assert mock["supports_websockets"] is False and mock["requires_openai_auth"] is True
    assert codex_env(home) == {"CODEX_HOME": str(home.resolve())}


@needs_tomllib
def test_model_codex_env_points_at_the_model(model, tmp_path):
    env = model.codex_env(tmp_path / "h")
    config = tomllib.loads((Path(env["CODEX_HOME"]) / "config.toml").read_text())
    assert config["model_providers"]["mock"]["base_url"] == model.base_url
    assert config["approval_policy"] == "never" and config["sandbox_mode"] == "read-only"
