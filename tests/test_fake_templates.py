"""The fake app-server's fast encoding (`_Template`) against plain JSON encoding.

The fake renders a turn's messages from templates so that its own cost does not blur the
client's latency in the benchmarks. What it writes must still be exactly what encoding each
filled-in message would give: this checks that, over seeded random values of every kind a
hole takes, and texts with the characters JSON must escape (and `%`, which the template's
format must not read as a placeholder).
"""

from __future__ import annotations

import json
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
