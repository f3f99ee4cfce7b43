"""The blocking API is generated from the asyncio one (tools/async_to_sync.py): the checked-in
twins are current, the transform does what its docstring says, and the twins agree."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import openai_codex
import pytest
from openai_codex import _twin_docs
from openai_codex._twin_docs import resolve

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
                """Shared words."""

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
    assert "ASYNC" not in out and "async only" not in out
    assert '    """Shared words."""' in out
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
        ('from . import ASYNC\ndef f():\n    """A."""\n    if not ASYNC:\n        """B."""\n', "second docstring"),
        ('x = "[sync: blocking]"\n', "belong in docstrings"),
        ('def f():\n    """A [sync: b."""\n', "not closed"),
        ('def f():\n    """A [sync: b [async: c]]."""\n', "nested"),
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


# -- one docstring for both twins: the [async: ...] / [sync: ...] markers (openai_codex._twin_docs)


def test_an_inline_marker_keeps_its_side_and_drops_the_other() -> None:
    doc = "For [async: asyncio programs][sync: blocking code], with [async: care].\n    More."
    assert resolve(doc, "async") == "For asyncio programs, with care.\n    More."
    assert resolve(doc, "sync") == "For blocking code, with.\n    More."
    assert resolve("No markers [here].", "sync") == "No markers [here]."


def test_a_dropped_marker_takes_the_space_before_it_when_nothing_follows_but_punctuation() -> None:
    doc = "It raises[sync:  and Ctrl-C stops it]. Or [async: (on first use)] ``x`` is empty.\n    next"
    assert resolve(doc, "async") == "It raises. Or (on first use) ``x`` is empty.\n    next"
    assert resolve(doc, "sync") == "It raises and Ctrl-C stops it. Or ``x`` is empty.\n    next"


def test_a_marker_spans_lines_and_brackets_inside_it_balance() -> None:
    doc = "Summary.\n\n    Shared. [async: Awaits ``list[str]``\n    for long.] End.\n    "
    assert resolve(doc, "async") == "Summary.\n\n    Shared. Awaits ``list[str]``\n    for long. End.\n    "
    assert resolve(doc, "sync") == "Summary.\n\n    Shared. End.\n    "


def test_blocks_leave_neither_their_marker_lines_nor_a_doubled_blank_line() -> None:
    doc = textwrap.dedent(
        """\
        Summary.

        [async:
        Async paragraph,

        and a second one.
        ]
        [sync:
        Sync paragraph.
        ]

        Example::

            [async: await codex.run()]
            [sync: codex.run()]

        [sync: A closing sync-only paragraph.]
        """
    )
    assert resolve(doc, "async") == textwrap.dedent(
        """\
        Summary.

        Async paragraph,

        and a second one.

        Example::

            await codex.run()
        """
    )
    assert resolve(doc, "sync") == textwrap.dedent(
        """\
        Summary.

        Sync paragraph.

        Example::

            codex.run()

        A closing sync-only paragraph.
        """
    )


def test_a_summary_line_may_differ() -> None:
    doc = "[async: Makes a client.]\n    [sync: Starts a client.]\n\n    Body.\n    "
    assert resolve(doc, "async") == "Makes a client.\n\n    Body.\n    "
    assert resolve(doc, "sync") == "Starts a client.\n\n    Body.\n    "


def test_the_generator_writes_the_sync_side_of_each_docstring() -> None:
    out = body(
        sync_of(
            '''
            class AsyncThing:
                """Waits [async: on the event loop][sync: releasing the GIL].

                [async:
                Cancelling the awaiting task stops it.
                ]

                Example::

                    async with AsyncCodex() as codex:
                        result = await codex.thread_start().run("hi")
                        await asyncio.sleep(1)
                """

                def f(self) -> str:
                    return "left [as] it is; await the answer"
            '''
        )
    )
    assert '"""Waits releasing the GIL.\n\n    Example::\n' in out
    assert "Cancelling" not in out and "[sync" not in out and "[async" not in out
    assert 'with Codex() as codex:\n            result = codex.thread_start().run("hi")\n' in out
    assert "asyncio.sleep(1)" in out and "await asyncio" not in out
    assert 'return "left [as] it is; await the answer"' in out  # prose keeps its "await"


def test_the_async_modules_resolve_their_side_when_imported() -> None:
    checked = 0
    for async_cls, sync_cls in PAIRS:
        for cls in (async_cls, sync_cls):
            for obj in (cls, *vars(cls).values()):
                doc = getattr(obj, "__doc__", None)
                if isinstance(doc, str):
                    checked += 1
                    assert not _twin_docs.has_markers(doc), f"{cls.__name__}: {doc[:60]!r}"
    assert checked > 50
    assert "for asyncio programs" in (openai_codex.AsyncCodex.__doc__ or "")
    assert "blocking code" not in (openai_codex.AsyncCodex.__doc__ or "")
    assert "for blocking code" in (openai_codex.Codex.__doc__ or "")
    assert "asyncio" not in (openai_codex.Codex.__doc__ or "")
    assert "asyncio.wait_for" in (openai_codex.AsyncTurnHandle.run.__doc__ or "")
    assert "releases the GIL" in (openai_codex.TurnHandle.run.__doc__ or "")
    assert "NotStartedError" in (inspect.getdoc(openai_codex.AsyncCodex.metadata) or "")
    assert "NotStartedError" not in (inspect.getdoc(openai_codex.Codex.metadata) or "")
