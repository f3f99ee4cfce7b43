"""The asyncio API against the real runtime: lazy start, concurrency, cancellation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openai_codex import AsyncCodex, CodexConfig, TransportClosedError
from openai_codex.testing import ScriptedModel, hang, text, user_texts
from openai_codex.types import TurnStatus

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)


def echo_model() -> ScriptedModel:
    """A model whose reply names the prompt it answers, so results can be matched to turns."""
    return ScriptedModel(default=lambda body: text(f"echo: {user_texts(body)[-1]}", deltas=3))


def test_eight_concurrent_turns_on_one_connection(tmp_path: Path) -> None:
    async def main() -> None:
        with echo_model() as model:
            async with AsyncCodex(CodexConfig(env=model.codex_env(tmp_path / "home"))) as codex:
                threads = await asyncio.gather(*(codex.thread_start() for _ in range(8)))

                async def one(i: int) -> tuple[int, list[str], str | None]:
                    handle = await threads[i].turn(f"prompt {i}")
                    methods = [event.method async for event in handle.stream()]
                    result = await handle.run()
                    return i, methods, result.final_response

                results = await asyncio.gather(*(one(i) for i in range(8)))
                for i, methods, final in results:
                    assert final == f"echo: prompt {i}"
                    assert methods[0] == "turn/started" and methods[-1] == "turn/completed"
                    assert methods.count("item/agentMessage/delta") == 3
                assert len({t.id for t in threads}) == 8

    asyncio.run(main())


def test_async_codex_starts_lazily_and_only_once(tmp_path: Path) -> None:
    async def main() -> None:
        with ScriptedModel() as model:
            codex = AsyncCodex(CodexConfig(env=model.codex_env(tmp_path / "home")))
            with pytest.raises(RuntimeError, match="not initialized"):
                _ = codex.metadata
            assert codex._client is None
            threads = await asyncio.gather(*(codex.thread_start() for _ in range(4)))
            client = codex._client
            assert client is not None and codex.metadata.user_agent
            assert len({t.id for t in threads}) == 4
            result = await threads[0].run("hi")
            assert result.final_response == "ok" and result.status == TurnStatus.completed
            await codex.close()
            await codex.close()
            assert client.closed

    asyncio.run(main())


def test_cancelling_a_stream_stops_the_turn_and_loses_no_event(tmp_path: Path) -> None:
    async def main() -> None:
        with ScriptedModel() as model:
            reply = hang("a b c d", deltas=4, after_deltas=2)
            model.enqueue(reply)
            async with AsyncCodex(CodexConfig(env=model.codex_env(tmp_path / "home"))) as codex:
                thread = await codex.thread_start()
                handle = await thread.turn("go")
                seen: list[str] = []

                async def consume() -> None:
                    async for event in handle.stream():
                        seen.append(event.method)

                task = asyncio.create_task(consume())
                while seen.count("item/agentMessage/delta") < 2:
                    await asyncio.sleep(0.01)
                task.cancel()  # cancelled while waiting for the gated deltas
                with pytest.raises(asyncio.CancelledError):
                    await task
                # The cancellation stopped the turn at the runtime (the gated reply is never
                # released); every event it produced is still there for the next reader.
                rest = [event async for event in handle.stream()]
                assert (
                    seen.count("item/agentMessage/delta") + [e.method for e in rest].count("item/agentMessage/delta")
                    == 2
                )
                assert rest[-1].method == "turn/completed"
                assert rest[-1].payload.turn.status is TurnStatus.interrupted

    asyncio.run(main())


def test_async_waits_fail_when_the_connection_closes(tmp_path: Path) -> None:
    async def main() -> None:
        with ScriptedModel() as model:
            model.enqueue(hang("never", deltas=2, after_deltas=1))
            codex = AsyncCodex(CodexConfig(env=model.codex_env(tmp_path / "home")))
            thread = await codex.thread_start()
            handle = await thread.turn("hang")
            waiter = asyncio.create_task(handle.run())
            await asyncio.sleep(0.2)
            await codex.close()
            with pytest.raises(TransportClosedError):
                await asyncio.wait_for(waiter, 10)

    asyncio.run(main())
