"""The blocking API is generated from the asyncio one (tools/async_to_sync.py): the checked-in
twins are current, the transform does what its docstring says, and the twins agree."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import openai_codex
import pytest

from tools import async_to_sync

SRC = async_to_sync.ASYNC_DIR / "example.py"
DST = async_to_sync.SYNC_DIR / "example.py"


def sync_of(source: str) -> str:
    return async_to_sync.transform(textwrap.dedent(source), SRC, DST)


def body(generated: str) -> str:
    """The generated text without its two header lines."""
    return "".join(generated.splitlines(keepends=True)[2:])


def test_checked_in_sync_modules_are_current() -> None:
    assert async_to_sync.main(["--check"]) == 0


def test_keywords_go_and_names_are_renamed_in_code_and_strings() -> None:
    out = sync_of(
        '''
        from collections.abc import AsyncIterator


        class AsyncThing:
            """Use ``async with AsyncCodex()``; see :class:`AsyncThread`."""

            async def run(self, client: object) -> AsyncIterator[int]:
                async with self.lock:
                    value = await client.request_async("m")
                async for item in value:
                    yield item
        '''
    )
    assert out.startswith("# GENERATED from python/openai_codex/_async/example.py")
    text = body(out)
    assert "async" not in text.replace("AsyncThing", "") and "await" not in text
    assert "from collections.abc import Iterator" in text
    assert '"""Use ``with Codex()``; see :class:`Thread`."""' in text
    assert "def run(self, client: object) -> Iterator[int]:" in text
    assert 'value = client.request("m")' in text
    assert "with self.lock:" in text and "for item in value:" in text


def test_marked_branches_keep_the_sync_side_dedented() -> None:
    out = body(
        sync_of(
            '''
            from . import ASYNC


            class AsyncThing:
                """Async words."""

                if not ASYNC:
                    """Blocking words."""

                def __init__(self) -> None:
                    if ASYNC:
                        self.lock = None  # async only
                    else:
                        # sync only
                        self.start()

                if ASYNC:

                    async def stream(self) -> int:
                        return 1

                else:

                    def stream(self) -> int:
                        return 2
            '''
        )
    )
    assert "ASYNC" not in out and "Async words" not in out and "async only" not in out
    assert '    """Blocking words."""' in out
    assert "        # sync only\n        self.start()\n" in out
    assert "    def stream(self) -> int:\n        return 2\n" in out
    assert "return 1" not in out


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("from . import ASYNC\nif ASYNC:\n    x = 1\nelif y:\n    x = 2\n", "elif"),
        ("from . import ASYNC\nif ASYNC:\n    if ASYNC:\n        x = 1\n", "nest"),
        ("from . import ASYNC\nx = ASYNC\n", "outside"),
        ("from . import ASYNC, other\n", "own"),
        ("async def f():\n    await\\\n        g()\n", "same line"),
        ("from a import AsyncIterator, Iterator\n", "twice"),
    ],
)
def test_forms_it_cannot_translate_are_refused(source: str, message: str) -> None:
    with pytest.raises(async_to_sync.TransformError, match=message):
        sync_of(source)


PAIRS = [
    (openai_codex.AsyncCodex, openai_codex.Codex),
    (openai_codex.AsyncThread, openai_codex.Thread),
    (openai_codex.AsyncTurnHandle, openai_codex.TurnHandle),
    (openai_codex.AsyncChatgptLoginHandle, openai_codex.ChatgptLoginHandle),
    (openai_codex.AsyncDeviceCodeLoginHandle, openai_codex.DeviceCodeLoginHandle),
]


@pytest.mark.parametrize(("async_cls", "sync_cls"), PAIRS, ids=lambda c: c.__name__)
def test_twins_have_the_same_methods_and_parameters(async_cls: type, sync_cls: type) -> None:
    def methods(cls: type) -> dict[str, list[str]]:
        return {
            name: list(inspect.signature(member).parameters)
            for name, member in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_") or name in ("__init__", "__repr__", "__eq__", "__hash__")
        }

    renamed = {async_to_sync.RENAMES.get(n, n): p for n, p in methods(async_cls).items()}
    assert renamed == methods(sync_cls)
    assert sync_cls.__module__ == async_cls.__module__ and sync_cls.__module__.startswith("openai_codex.")
    assert sync_cls.__doc__ and async_cls.__doc__


def test_twins_agree_on_equality_hash_and_repr() -> None:
    class Owner:
        _client = None

    a, b = Owner(), Owner()
    for cls in (openai_codex.Thread, openai_codex.AsyncThread):
        assert cls(a, "t1") == cls(a, "t1") and hash(cls(a, "t1")) == hash(cls(a, "t1"))  # type: ignore[arg-type]
        assert cls(a, "t1") != cls(b, "t1") and cls(a, "t1") != cls(a, "t2")  # type: ignore[arg-type]
        assert repr(cls(a, "t1")) == f"{cls.__name__}(id='t1')"  # type: ignore[arg-type]


def test_the_generated_files_say_where_they_come_from() -> None:
    for path in sorted(Path(async_to_sync.SYNC_DIR).glob("*.py")):
        if path.name != "__init__.py":
            assert path.read_text().startswith(async_to_sync.header(async_to_sync.ASYNC_DIR / path.name))
