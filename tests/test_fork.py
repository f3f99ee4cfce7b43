"""After fork(), the child can use the SDK afresh; only the parent's own clients refuse there."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import warnings
from typing import Any

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig, CodexError
from openai_codex.testing import ScriptedModel, echo

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)


@pytest.fixture
def echo_model() -> Any:
    # The model's server threads stay in the parent; the child reaches it over 127.0.0.1.
    with ScriptedModel(default=echo) as model:
        yield model


def _in_child(parent: Codex, config: CodexConfig, results: Any) -> None:
    started = time.monotonic()
    try:
        parent.thread_start()
        results.put(("parent client", "no error"))
    except CodexError as error:
        results.put(("parent client", str(error), time.monotonic() - started))
    with Codex(config) as codex:
        results.put(("sync", codex.thread_start().run("from the forked child").final_response))

    async def main() -> str:
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_start()
            return (await thread.run("async in the forked child")).final_response or ""

    results.put(("async", asyncio.run(main())))


def _fork_context() -> Any:
    return multiprocessing.get_context("fork")


def test_a_forked_child_starts_its_own_clients_and_leaves_the_parents_alone(
    echo_model: ScriptedModel, tmp_path: Any
) -> None:
    config = echo_model.config(tmp_path / "home")
    with Codex(config) as parent:
        assert "before the fork" in (parent.thread_start().run("before the fork").final_response or "")
        context = _fork_context()
        results = context.Queue()
        with warnings.catch_warnings():
            # Python 3.12+ warns that forking a multi-threaded process may deadlock; that is
            # exactly the case under test.
            warnings.simplefilter("ignore", DeprecationWarning)
            child = context.Process(target=_in_child, args=(parent, config, results))
            child.start()
        child.join(120)
        assert child.exitcode == 0
        got = {}
        while not results.empty():
            entry = results.get(timeout=5)
            got[entry[0]] = entry[1:]

        message, elapsed = got["parent client"]
        assert "created in the parent process before fork()" in message
        assert elapsed < 1.0  # refused at once, not after a timeout
        assert "from the forked child" in got["sync"][0]
        assert "async in the forked child" in got["async"][0]

        # The child's exit (and its garbage collection of the inherited client) left the
        # parent's runtime running.
        assert "after the fork" in (parent.thread_start().run("after the fork").final_response or "")


def test_a_child_forked_after_import_only_can_use_the_sdk(echo_model: ScriptedModel, tmp_path: Any) -> None:
    # The parent has used the I/O runtime (an async client came and went) but holds no client.
    config = echo_model.config(tmp_path / "home")

    async def warm() -> None:
        async with AsyncCodex(config) as codex:
            await codex.thread_start()

    asyncio.run(warm())
    context = _fork_context()
    results = context.Queue()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        child = context.Process(target=_child_runs_one_turn, args=(config, results))
        child.start()
    child.join(120)
    assert child.exitcode == 0
    assert "only imported" in results.get(timeout=5)


def _child_runs_one_turn(config: CodexConfig, results: Any) -> None:
    with Codex(config) as codex:
        results.put(codex.thread_start().run("only imported").final_response)
