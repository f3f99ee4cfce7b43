"""The benchmarks' WebSocket bridge (``benches/ws_bridge.rs``, run by ``devtools/ws_bridge.py``),
end to end: the fake app-server behind it, reached with ``CodexConfig(connect=...)`` over
``ws://`` and over ``unix://``, gives the same turn a stdio client gets, every delta intact and
in order, and its bare frame counter counts exactly the lines the fake writes.

The bridge is built here with cargo (dev profile; ``cargo test`` has usually built it already).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai_codex import Codex, CodexConfig, TransportClosedError

from devtools.ws_bridge import Bridge, build

from .conftest import FAKE_APP_SERVER

pytestmark = pytest.mark.e2e  # every test here starts the fake app-server

DELTA_METHOD = "item/agentMessage/delta"


@pytest.fixture(scope="module")
def binary() -> Path:
    return build(release=False)


@pytest.fixture(params=["ws", "unix"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def fake(*args: str) -> list[str]:
    return [sys.executable, str(FAKE_APP_SERVER), *args]


@pytest.fixture
def numbered(binary: Path) -> Iterator[Bridge]:
    """The fake behind the bridge, each delta naming its index: order is visible."""
    with Bridge(fake("--deltas", "5000", "--delta-text", "d{i} "), binary=binary) as bridge:
        yield bridge


def test_a_streamed_turn_arrives_whole_and_in_order(numbered: Bridge, transport: str) -> None:
    with Codex(CodexConfig(connect=numbered.url(transport))) as codex:
        assert codex.metadata.server_info.version == "0.133.0"
        thread = codex.thread_start()
        handle = thread.turn("go")
        methods, deltas = [], []
        for event in handle.stream():
            methods.append(event.method)
            if event.method == DELTA_METHOD:
                deltas.append(event.payload.delta)
        assert deltas == [f"d{i} " for i in range(5000)]
        assert methods[0] == "turn/started" and methods[-1] == "turn/completed"
        # A second turn on the same connection, folded by run(): the same text again.
        assert thread.run("again").final_response == "".join(f"d{i} " for i in range(5000))


def test_each_connection_gets_its_own_server(numbered: Bridge) -> None:
    with Codex(CodexConfig(connect=numbered.ws_url)) as first, Codex(CodexConfig(connect=numbered.unix_url)) as second:
        one, other = first.thread_start(), second.thread_start()
        assert one.run("a").final_response == other.run("b").final_response


def test_a_message_of_megabytes_is_one_frame(binary: Path, transport: str) -> None:
    size = 12 * 1024 * 1024
    with (
        Bridge(fake("--deltas", "3", "--huge-line-bytes", str(size)), binary=binary) as bridge,
        Codex(CodexConfig(connect=bridge.url(transport))) as codex,
    ):
        deltas = [e.payload.delta for e in codex.thread_start().turn("go").stream() if e.method == DELTA_METHOD]
    assert len(deltas) == 3
    assert len(deltas[0]) > size - 200 and set(deltas[0]) == {"x"}
    assert deltas[1:] == ["tok ", "tok "]


def test_the_server_dying_mid_turn_ends_the_connection(binary: Path, transport: str) -> None:
    with (
        Bridge(fake("--deltas", "1000", "--crash-after-deltas", "100"), binary=binary) as bridge,
        Codex(CodexConfig(connect=bridge.url(transport))) as codex,
    ):
        handle = codex.thread_start().turn("go")
        seen = 0
        with pytest.raises(TransportClosedError, match="closed by the server"):
            for event in handle.stream():
                seen += event.method == DELTA_METHOD
        assert seen == 100


def test_the_frame_counter_counts_every_line_of_the_turn(numbered: Bridge, transport: str) -> None:
    counted = numbered.count(transport)
    # The same turn over stdio, its lines counted after the turn/start answer.
    requests = (
        b'{"id":1,"method":"thread/resume","params":{"threadId":"t"}}\n'
        b'{"id":2,"method":"turn/start","params":{"threadId":"t","input":[]}}\n'
    )
    out = subprocess.run(fake("--deltas", "5000", "--delta-text", "d{i} "), input=requests, capture_output=True)
    lines = out.stdout.splitlines()
    answered = next(i for i, line in enumerate(lines) if line.startswith(b'{"id":2,'))
    assert b'"method":"turn/completed"' in lines[-1]
    assert counted["events"] == len(lines) - answered - 1
    assert counted["events_per_s"] > 0 and counted["wall_s"] > 0
