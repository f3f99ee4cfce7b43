"""Every Codex/AsyncCodex/Thread method against the real runtime and the scripted model."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig, InternalRpcError, InvalidRequestError
from openai_codex.testing import ScriptedModel, text, user_texts

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)


@pytest.fixture
def auth_codex(model: ScriptedModel, tmp_path: Path):
    """A runtime whose provider requires OpenAI auth, so sign-in state matters."""
    config = CodexConfig(env=model.codex_env(tmp_path / "home", provider={"requires_openai_auth": True}))
    with Codex(config) as codex:
        yield codex


def test_api_key_login_account_and_logout(auth_codex: Codex, model: ScriptedModel) -> None:
    before = auth_codex.account()
    assert before.account is None and before.requires_openai_auth is True

    assert auth_codex.login_api_key("sk-test-123") is None
    after = auth_codex.account(refresh_token=False)
    assert after.account is not None and after.account.type == "apiKey"
    # The key reaches the model provider.
    auth_codex.thread_start().run("hi")
    headers = {k.lower(): v for k, v in model.request_headers[-1].items()}
    assert headers["authorization"] == "Bearer sk-test-123"

    assert auth_codex.logout() is None
    assert auth_codex.account().account is None


def test_chatgpt_browser_login_starts_exposes_its_url_and_cancels(auth_codex: Codex) -> None:
    handle = auth_codex.login_chatgpt()
    assert handle.login_id
    assert handle.auth_url.startswith("https://auth.openai.com/")
    canceller = threading.Timer(0.3, handle.cancel)
    canceller.start()
    completed = handle.wait()  # the cancellation completes the attempt, unsuccessfully
    canceller.join()
    assert completed.success is False
    assert completed.login_id == handle.login_id
    assert handle.cancel().status.value in {"canceled", "notFound"}


def test_device_code_login_offline_fails_with_the_runtime_error(auth_codex: Codex) -> None:
    # Getting a device code needs auth.openai.com; offline the runtime reports why it failed.
    with pytest.raises(InternalRpcError, match="device code"):
        auth_codex.login_chatgpt_device_code()


def test_thread_lifecycle(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(text("first answer"))
    thread = codex.thread_start()
    thread.run("remember the word walrus")

    thread.set_name("walrus thread")
    stored = thread.read(include_turns=True)
    assert stored.thread.id == thread.id
    assert stored.thread.name == "walrus thread"
    assert len(stored.thread.turns) == 1
    assert thread.read().thread.turns == []

    listed = codex.thread_list(limit=10)
    assert thread.id in [t.id for t in listed.data]
    assert codex.thread_list(search_term="no such thread anywhere").data == []

    fork = codex.thread_fork(thread.id)
    assert fork.id != thread.id
    model.enqueue(text("forked answer"))
    fork.run("what word?")
    assert "remember the word walrus" in repr(model.requests[-1]["input"])

    resumed = codex.thread_resume(thread.id)
    assert resumed.id == thread.id
    model.enqueue(text("resumed answer"))
    assert resumed.run("and again?").final_response == "resumed answer"

    codex.thread_archive(fork.id)
    assert fork.id in [t.id for t in codex.thread_list(archived=True).data]
    assert fork.id not in [t.id for t in codex.thread_list().data]
    restored = codex.thread_unarchive(fork.id)
    assert restored.id == fork.id
    assert fork.id in [t.id for t in codex.thread_list().data]
    # The restored thread runs a turn at once, with its history (no thread_resume needed).
    model.enqueue(text("restored answer"))
    assert restored.run("after unarchive").final_response == "restored answer"
    assert "remember the word walrus" in repr(model.requests[-1]["input"])

    assert thread.compact() is not None


def test_models_lists_what_the_runtime_offers(codex: Codex) -> None:
    visible = codex.models()
    assert visible.data, "the runtime always offers its built-in models"
    assert all(m.id for m in visible.data)
    with_hidden = codex.models(include_hidden=True)
    assert len(with_hidden.data) >= len(visible.data)


def test_unknown_thread_ids_raise_the_runtime_error(codex: Codex) -> None:
    with pytest.raises(InvalidRequestError):
        codex.thread_resume("00000000-0000-0000-0000-000000000000")


def test_async_twins(model: ScriptedModel, tmp_path: Path) -> None:
    async def main() -> None:
        config = CodexConfig(env=model.codex_env(tmp_path / "home", provider={"requires_openai_auth": True}))
        async with AsyncCodex(config) as codex:
            assert (await codex.account()).account is None
            await codex.login_api_key("sk-async")
            assert (await codex.account()).account.type == "apiKey"
            login = await codex.login_chatgpt()
            assert login.auth_url.startswith("https://")
            waiter = asyncio.create_task(login.wait())
            await asyncio.sleep(0.2)
            await login.cancel()
            assert (await asyncio.wait_for(waiter, 10)).success is False
            await codex.logout()

            thread = await codex.thread_start()
            await thread.run("hello")
            await thread.set_name("async thread")
            assert (await thread.read()).thread.name == "async thread"
            fork = await codex.thread_fork(thread.id)
            assert (await codex.thread_resume(thread.id)).id == thread.id
            await codex.thread_archive(fork.id)
            assert fork.id in [t.id for t in (await codex.thread_list(archived=True)).data]
            restored = await codex.thread_unarchive(fork.id)
            assert restored.id == fork.id
            model.enqueue(text("restored async"))
            assert (await restored.run("after unarchive")).final_response == "restored async"
            await thread.compact()
            assert (await codex.models()).data

    asyncio.run(main())


def test_a_turn_right_after_compact_waits_for_the_compaction_and_runs(codex: Codex, model: ScriptedModel) -> None:
    thread = codex.thread_start()
    thread.run("some history to compact")
    thread.compact()
    # Sent at once, this turn would be accepted by the runtime and never run. (The compaction
    # makes a model call of its own, so the turn gets the model's default answer.)
    handle = thread.turn("continue")
    completed = handle._stream.collect(timeout=60)  # bounded: a hang fails the test, not the suite
    assert completed[0]["turn"]["status"] == "completed"
    assert handle.run().final_response == "ok"
    assert user_texts(model.requests[-1])[-1] == "continue"
