"""The fake app-server's fast encoding (`_Template`) against plain JSON encoding.

The fake renders a turn's messages from templates so that its own cost does not blur the
client's latency in the benchmarks. What it writes must still be exactly what encoding each
filled-in message would give: this checks that, over seeded random values of every kind a
hole takes, and texts with the characters JSON must escape (and `%`, which the template's
format must not read as a placeholder).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
from typing import Any

import pytest

from devtools import fake_app_server as fake

_ALPHABET = 'ab %s%d%%"\\\n\t\x00\x1fé€😀/'


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 12)))


def _value(rng: random.Random) -> Any:
    kind = rng.randrange(7)
    if kind == 0:
        return _text(rng)
    if kind == 1:
        return rng.randrange(-(10**12), 10**12)
    if kind == 2:
        return None
    if kind == 3:
        return rng.choice([True, False])
    if kind == 4:
        return rng.random() * 1e6
    if kind == 5:
        return {"k": _text(rng), "n": [rng.randrange(9), None]}
    return [_text(rng), rng.randrange(5)]


def _message(rng: random.Random, names: list[str]) -> dict:
    """A message shaped like the fake's, with a hole per name, among fixed members."""
    params: dict[str, Any] = {"fixed %d": _text(rng)}
    for name in names:
        params[name] = fake._hole(name)
    return {"method": "m/" + _text(rng), "params": params, "tail": ["%s", "%%"]}


def _filled(message: Any, values: dict[str, Any]) -> Any:
    if isinstance(message, dict):
        return {key: _filled(value, values) for key, value in message.items()}
    if isinstance(message, list):
        return [_filled(value, values) for value in message]
    if isinstance(message, str):
        found = re.fullmatch("\x00(\\w+)\x00", message)
        if found:
            value = values[found.group(1)]
            # A bytes value is JSON already: it stands for what it encodes.
            return json.loads(value) if isinstance(value, bytes) else value
    return message


@pytest.mark.parametrize("seed", range(40))
def test_a_template_renders_what_encoding_the_filled_message_gives(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"v{i}" for i in range(rng.randrange(0, 6))]
    template = fake._Template(_message(random.Random(-seed), names))
    message = _message(random.Random(-seed), names)  # the same message again, unfilled
    for _ in range(5):
        values = {name: _value(rng) for name in names}
        if names and rng.random() < 0.3:
            values[names[0]] = fake._dumps(_value(rng))  # pre-encoded JSON, as the fake passes
        assert template.render(**values) == fake._dumps(_filled(message, values)) + b"\n"


def test_the_fake_ids_are_uuid_shaped_and_distinct() -> None:
    ids = [fake._new_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    for value in ids[:3] + ids[-3:]:
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)


class _Fd:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def flush(self) -> None:
        pass


def _server(argv: list[str], plain: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fake whose stdin is a pipe nobody writes to (so `--turn-delay` waits it out) and whose
    output is kept."""
    read, _unwritten = os.pipe()
    monkeypatch.setattr(fake.sys, "stdin", _Fd(read))
    monkeypatch.setattr(fake.sys, "stdout", _Fd(os.open(os.devnull, os.O_WRONLY)))
    server = fake.FakeAppServer(fake.parse_args(argv))
    server.plain_turns = plain
    server.out = io.BytesIO()
    server.threads["th"] = server._thread("th", {})
    return server


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--deltas", "0"],
        ["--deltas", "3", "--delta-text", 'q"\\é%s'],
        ["--deltas", "64", "--first-turn-deltas", "2"],
        ["--complete-before-response"],
        ["--turn-delay", "0.001"],
    ],
)
def test_a_plain_turn_from_one_template_writes_what_the_general_path_writes(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole-turn template against the message-by-message path, with the clock and the
    ids pinned: two turns each (a first turn may differ), inputs with text and without."""
    outputs = []
    for plain in (True, False):
        ticks = itertools.count(1_700_000_000_000, 7)
        monkeypatch.setattr(fake.time, "time", lambda ticks=ticks: next(ticks) / 1000)
        ids = itertools.count(1)
        monkeypatch.setattr(fake, "_new_id", lambda ids=ids: f"id-{next(ids)}")
        server = _server(argv, plain, monkeypatch)
        assert server.plain_turns is plain
        server.on_turn_start(2, {"threadId": "th", "input": [{"type": "text", "text": "hi %d"}]})
        server.on_turn_start(3, {"threadId": "th", "input": [{"type": "image", "url": "u"}]})
        outputs.append(server.out.getvalue())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b'"method":"turn/completed"') == 2


def test_options_that_shape_a_turn_take_the_general_path() -> None:
    for argv in (["--delta-delay", "0.1"], ["--tool-calls", "3"], ["--raw-line", "x"], ["--delta-text", "{i}"]):
        assert not fake._turns_are_plain(fake.parse_args(argv)), argv
    assert fake._turns_are_plain(fake.parse_args([]))
