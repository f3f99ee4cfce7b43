"""Writes the blocking API from the asyncio one, so each public method is written once.

The modules in ``python/openai_codex/_async/`` are written by hand; this tool writes each one's
blocking twin into ``python/openai_codex/_sync/`` (same file name), and ``--check`` fails when a
checked-in twin differs from what it would write (``scripts/test.sh`` runs it).

The transform keeps the source's text, comments and docstrings, and changes only this:

- ``async def`` / ``async for`` / ``async with`` lose ``async``; ``await`` disappears;
- names in :data:`RENAMES` are renamed wherever they occur as a name, an attribute or a word in
  a string (``AsyncThread`` -> ``Thread``, ``request_async`` -> ``request``);
- ``if ASYNC:`` marks the few real differences: the sync twin keeps the ``else:`` branch
  (dedented) and drops the ``if`` branch; the async module runs the ``if`` branch. mypy is told
  ``ASYNC`` is always true (``pyproject.toml``), so each branch is type-checked where it runs.
  The ``else`` branch is written with the async names too (they are renamed like the rest);
- ``if not ASYNC:`` (no ``else``) holds sync-only code;
- each docstring is written once, for both twins. Where they must say different things, the
  text is marked in place: ``[async: ...]`` is the asyncio side's only, ``[sync: ...]`` the
  blocking side's only (inside a line, across lines, or as a block with the brackets on lines of
  their own; the rules are in ``python/openai_codex/_twin_docs.py``). This tool keeps the sync
  side's text; the async module resolves its own side when it is imported, by calling
  ``resolve_module(globals())`` under ``if ASYNC:`` at its end. Markers elsewhere than in a
  docstring, and a second docstring under ``if not ASYNC:``, are refused;
- in strings, :data:`STRING_PHRASES` rewrite the asyncio phrasing (``async with``, ``await
  codex.run()`` in examples, "an async context manager") into the blocking one;
- the ``ASYNC`` constant and its import are dropped; imports the sync side no longer uses are
  removed and the rest sorted (ruff), and the result is formatted with ``ruff format``.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib.util
import io
import itertools
import re
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ASYNC_DIR = ROOT / "python" / "openai_codex" / "_async"
SYNC_DIR = ROOT / "python" / "openai_codex" / "_sync"

#: Async name -> its blocking twin. Applied to names, attributes and words in strings.
RENAMES = {
    # the public classes
    "AsyncCodex": "Codex",
    "AsyncThread": "Thread",
    "AsyncTurnHandle": "TurnHandle",
    "AsyncChatgptLoginHandle": "ChatgptLoginHandle",
    "AsyncDeviceCodeLoginHandle": "DeviceCodeLoginHandle",
    "_AsyncLoginHandle": "_LoginHandle",
    # the extension's awaitable methods and their blocking twins
    "request_async": "request",
    "start_turn_async": "start_turn",
    "close_async": "close",
    "collect_async": "collect",
    "stop_async": "stop",
    "next_async": "next",
    "wait_started_async": "wait_started",
    "connect_async": "connect",
    # the SDK's own helpers with a blocking twin
    "start_client_async": "start_client",
    # the language's async protocols
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterable",
    "AsyncGenerator": "Generator",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "StopAsyncIteration": "StopIteration",
}

#: Phrases rewritten in strings (docstrings, messages) besides the renamed words: a regular
#: expression -> its replacement, applied in this order.
STRING_PHRASES = {
    r"\basync with ": "with ",
    r"\basync for ": "for ",
    # an awaited call in an example or a message (``await codex.models()``), not prose
    r"\bawait (?=[A-Za-z_][\w.]*\()": "",
}

MARKER = "ASYNC"

_WORDS = re.compile(r"\b(" + "|".join(sorted(map(re.escape, RENAMES), key=len, reverse=True)) + r")\b")
_PHRASES = [(re.compile(pattern), replacement) for pattern, replacement in STRING_PHRASES.items()]


def _load_twin_docs() -> Any:
    """``python/openai_codex/_twin_docs.py``, the docstring side markers' one home, loaded by path
    (importing the package would import the sync modules this tool writes)."""
    path = ROOT / "python" / "openai_codex" / "_twin_docs.py"
    spec = importlib.util.spec_from_file_location("_twin_docs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


twin_docs = _load_twin_docs()


class TransformError(Exception):
    """The async source uses a form this tool does not translate."""


def _is_marker(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == MARKER


def _is_not_marker(test: ast.expr) -> bool:
    return isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and _is_marker(test.operand)


def _first_line(node: ast.stmt) -> int:
    """1-based first line of a statement, decorators included."""
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _dedent(lines: list[str], by: int) -> list[str]:
    out = []
    for line in lines:
        if line.strip() and not line[:by].isspace():
            raise TransformError(f"cannot dedent line {line!r}")
        out.append(line[by:] if line.strip() else "\n")
    return out


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _resolve_branches(source: str, name: str) -> str:
    """Replaces each ``if ASYNC:`` statement with its ``else`` body; drops the marker itself."""
    tree = ast.parse(source, filename=name)
    lines = source.splitlines(keepends=True)
    # (first line, last line, replacement), 0-based inclusive line indexes.
    edits: list[tuple[int, int, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_marker(node.test):
            start, end = node.lineno - 1, node.end_lineno - 1  # type: ignore[operator]
            if_indent = _indent_of(lines[start])
            replacement: list[str] = []
            if node.orelse:
                else_at = _else_line(lines, node)
                if lines[else_at].strip().startswith("elif"):
                    raise TransformError(f"{name}:{else_at + 1}: 'elif' after 'if {MARKER}:' is not supported")
                body = lines[else_at + 1 : end + 1]
                first = _first_line(node.orelse[0]) - 1
                replacement = _dedent(body, _indent_of(lines[first]) - if_indent)
            edits.append((start, end, replacement))
        elif isinstance(node, ast.If) and _is_not_marker(node.test):
            # Sync-only code: kept (dedented) in the twin, dropped from the async module.
            if node.orelse:
                raise TransformError(f"{name}:{node.lineno}: 'if not {MARKER}:' takes no 'else'")
            start, end = node.lineno - 1, node.end_lineno - 1  # type: ignore[operator]
            first = _first_line(node.body[0]) - 1
            by = _indent_of(lines[first]) - _indent_of(lines[start])
            edits.append((start, end, _dedent(lines[first : end + 1], by)))
        elif isinstance(node, ast.ImportFrom) and any(a.name == MARKER for a in node.names):
            if len(node.names) != 1:
                raise TransformError(f"{name}:{node.lineno}: import {MARKER} on a line of its own")
            edits.append((node.lineno - 1, node.end_lineno - 1, []))  # type: ignore[operator]
        elif isinstance(node, ast.Assign) and any(_is_marker(t) for t in node.targets):
            edits.append((node.lineno - 1, node.end_lineno - 1, []))  # type: ignore[operator]
    edits.sort()
    for (_, a_end, _), (b_start, _, _) in itertools.pairwise(edits):
        if b_start <= a_end:
            raise TransformError(f"{name}:{b_start + 1}: 'if {MARKER}:' blocks must not nest")
    for start, end, replacement in reversed(edits):
        lines[start : end + 1] = replacement
    out = "".join(lines)
    _refuse_second_docstrings(out, name)
    leftover = [n.lineno for n in ast.walk(ast.parse(out)) if isinstance(n, ast.Name) and n.id == MARKER]
    if leftover:
        raise TransformError(f"{name}: {MARKER} is used outside 'if {MARKER}:' (line {leftover[0]} of the output)")
    return out


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _refuse_second_docstrings(source: str, name: str) -> None:
    """A body that now starts with two docstrings got the second from ``if not ASYNC:``: the
    differences go into the one docstring as side markers instead."""
    for node in ast.walk(ast.parse(source, filename=name)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and len(body) >= 2 and _is_docstring(body[0]) and _is_docstring(body[1]):
            raise TransformError(
                f"{name}:{body[1].lineno}: a second docstring (under 'if not {MARKER}:'); write one docstring"
                " with [async: ...] / [sync: ...] markers where the twins differ"
            )


def _else_line(lines: list[str], node: ast.If) -> int:
    """0-based index of the ``else:`` (or ``elif``) line of an ``if`` statement."""
    indent = _indent_of(lines[node.lineno - 1])
    for index in range(node.body[-1].end_lineno or node.lineno, len(lines)):  # type: ignore[arg-type]
        line = lines[index]
        if _indent_of(line) == indent and line.strip().startswith(("else", "elif")):
            return index
    raise TransformError(f"line {node.lineno}: no 'else:' found")


def _rename_string(text: str) -> str:
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return _WORDS.sub(lambda m: RENAMES[m.group(0)], text)


_STRING_START = re.compile(r"^([A-Za-z]*)('\'\'|\"\"\"|'|\")")


def _sync_docstring(token: str, where: str) -> str:
    """A docstring token with its side markers resolved for the blocking twin."""
    match = _STRING_START.match(token)
    assert match is not None, token
    head = match.end()
    tail = len(token) - len(match.group(2))
    try:
        return token[:head] + twin_docs.resolve(token[head:tail], "sync") + token[tail:]
    except twin_docs.MarkerError as error:
        raise TransformError(f"{where}: {error}") from None


def _docstring_starts(source: str) -> set[tuple[int, int]]:
    """(row, column) where each docstring of ``source`` starts, as tokenize reports it."""
    starts = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            starts.add((body[0].lineno, body[0].col_offset))
    return starts


# The tokens that hold string text: whole strings, and (Python 3.12+, PEP 701) the literal
# parts of f-strings, which earlier versions report inside one STRING token.
_STRING_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def _strip_async(source: str) -> str:
    """Drops ``async``/``await`` keywords and applies :data:`RENAMES`, keeping all other text."""
    lines = source.splitlines(keepends=True)
    # (row, start col, end col, replacement); rows 1-based as tokenize reports them.
    edits: list[tuple[int, int, int, str]] = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    docstrings = _docstring_starts(source)
    for index, tok in enumerate(tokens):
        if tok.type == tokenize.NAME and tok.string in ("async", "await"):
            following = tokens[index + 1]
            if tok.string == "async" and following.string not in ("def", "for", "with"):
                raise TransformError(f"line {tok.start[0]}: unexpected 'async {following.string}'")
            if following.start[0] != tok.start[0]:
                raise TransformError(f"line {tok.start[0]}: '{tok.string}' must be followed on the same line")
            edits.append((tok.start[0], tok.start[1], following.start[1], ""))
        elif tok.type == tokenize.NAME and tok.string in RENAMES:
            edits.append((tok.start[0], tok.start[1], tok.end[1], RENAMES[tok.string]))
        elif tok.type in _STRING_TOKENS:
            text = tok.string
            if tok.start in docstrings:
                text = _sync_docstring(text, f"line {tok.start[0]}")
            elif twin_docs.has_markers(text):
                raise TransformError(f"line {tok.start[0]}: [async: ...] / [sync: ...] markers belong in docstrings")
            renamed = _rename_string(text)
            if renamed != tok.string:
                if tok.type != tokenize.STRING and lines[tok.start[0] - 1][tok.start[1] : tok.end[1]] != tok.string:
                    # Python 3.12+ tokenizes f-strings in parts and reports "{{" as "{".
                    raise TransformError(f"line {tok.start[0]}: write this f-string without doubled braces")
                if tok.start[0] != tok.end[0]:
                    # A multi-line string: rewrite its rows as one piece of text.
                    first, last = tok.start[0] - 1, tok.end[0] - 1
                    head, tail = lines[first][: tok.start[1]], lines[last][tok.end[1] :]
                    lines[first : last + 1] = [head + renamed + tail] + [""] * (last - first)
                    continue
                edits.append((tok.start[0], tok.start[1], tok.end[1], renamed))
    for row, start, end, replacement in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + replacement + line[end:]
    return "".join(lines)


def _ruff(args: list[str], text: str, filename: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(filename), "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise TransformError(f"ruff {' '.join(args)} failed on {filename.name}:\n{done.stdout}{done.stderr}")
    return done.stdout


def _check_imports(text: str, name: str) -> None:
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            seen = [a.asname or a.name for a in node.names]
            doubled = sorted({n for n in seen if seen.count(n) > 1})
            if doubled:
                raise TransformError(f"{name}: the sync twin would import {doubled} twice; import one form only")


def header(source_path: Path) -> str:
    rel = source_path.relative_to(ROOT).as_posix()
    return (
        f"# GENERATED from {rel} by tools/async_to_sync.py: do not edit.\n"
        "# Change the async source and run `python tools/async_to_sync.py`.\n"
    )


def transform(source: str, source_path: Path, target: Path) -> str:
    """The blocking twin of one async module's text."""
    name = source_path.name
    text = _strip_async(_resolve_branches(source, name))
    _check_imports(text, name)
    text = header(source_path) + text
    text = _ruff(["check", "--quiet", "--fix", "--select", "F401,I", "--exit-zero"], text, target)
    return _ruff(["format", "--quiet"], text, target)


def generate() -> dict[Path, str]:
    """Every sync twin, by target path."""
    out = {}
    for source_path in sorted(ASYNC_DIR.glob("*.py")):
        if source_path.name == "__init__.py":
            continue  # the packages' own docstrings differ; _sync/__init__.py is written by hand
        target = SYNC_DIR / source_path.name
        out[target] = transform(source_path.read_text(encoding="utf-8"), source_path, target)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a checked-in sync module is out of date")
    args = parser.parse_args(argv)
    try:
        wanted = generate()
    except TransformError as exc:
        print(f"async_to_sync: {exc}", file=sys.stderr)
        return 2
    stale = sorted(set(SYNC_DIR.glob("*.py")) - set(wanted) - {SYNC_DIR / "__init__.py"})
    if args.check:
        problems = 0
        for target, text in wanted.items():
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != text:
                problems += 1
                rel = target.relative_to(ROOT).as_posix()
                diff = difflib.unified_diff(current.splitlines(True), text.splitlines(True), rel, f"{rel} (wanted)")
                sys.stdout.writelines(diff)
        for path in stale:
            problems += 1
            print(f"{path.relative_to(ROOT).as_posix()}: has no async source; delete it")
        if problems:
            print("async_to_sync: the sync API is out of date; run `python tools/async_to_sync.py`", file=sys.stderr)
            return 1
        return 0
    SYNC_DIR.mkdir(exist_ok=True)
    for target, text in wanted.items():
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT).as_posix()}")
    for path in stale:
        path.unlink()
        print(f"deleted {path.relative_to(ROOT).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
