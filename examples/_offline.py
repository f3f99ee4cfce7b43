"""Run the examples offline: a scripted model on 127.0.0.1 stands in for the real one.

Set CODEX_EXAMPLES_ONLINE=1 to run them against your own Codex configuration and account instead.
This helper is for the examples only; it is not part of the SDK.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from openai_codex import CodexConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.scripted_model import Reply, ScriptedModel, text, user_texts  # noqa: E402


def _friendly_reply(body: dict) -> Reply:
    prompt = (user_texts(body) or [""])[-1]
    answer = f"(scripted model) You asked: {prompt!r}. Offline, I can only echo, but every byte of this came through the real Codex runtime."
    return text(answer, deltas=12)


@contextmanager
def example_config(reply: Callable[[dict], Reply] = _friendly_reply) -> Iterator[CodexConfig]:
    """A CodexConfig for an example: offline against the scripted model unless asked otherwise."""
    if os.environ.get("CODEX_EXAMPLES_ONLINE") == "1":
        yield CodexConfig()
        return
    with ScriptedModel(default=reply) as model, tempfile.TemporaryDirectory() as home:
        yield CodexConfig(env=model.codex_env(home))
