"""The annotation grammar of the generated classes, parsed once per annotation text.

The generator writes a small subset of Python's type syntax: names, ``X | Y``, ``list[X]``,
``dict[str, X]`` and ``Literal["..."]``. :func:`parse` turns such a text into a syntax tree
without resolving the names (the classes they name may be defined later in the module), so it
can run while a class is being made: what kind of field it is comes from the tree
(:attr:`Node.scalar`, :attr:`Node.plain`), and the type spec is built from the same tree on
first use (``specs.build_spec``).
"""

from __future__ import annotations

import ast
import re

__all__ = ["JSON_NAMES", "SCALAR_NAMES", "ListOf", "Literal", "MapOf", "Name", "Node", "Union", "parse"]

# Names whose values are JSON scalars (immutable, so a field of them can be read afresh from the
# raw JSON on every access), and those whose values are any plain JSON (read straight from the
# wire dict, no conversion).
SCALAR_NAMES = frozenset({"str", "int", "float", "bool", "None"})
JSON_NAMES = SCALAR_NAMES | {"Any"}


class Node:
    """A parsed annotation. ``scalar``: its values are JSON scalars only; ``plain``: its values
    are plain JSON (wire value and Python value are the same object)."""

    __slots__ = ("plain", "scalar")
    scalar: bool
    plain: bool


class Name(Node):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name
        self.scalar = name in SCALAR_NAMES
        self.plain = name in JSON_NAMES


class Literal(Node):
    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value
        self.scalar = self.plain = True


class ListOf(Node):
    __slots__ = ("item",)

    def __init__(self, item: Node) -> None:
        self.item = item
        self.scalar = False
        self.plain = item.plain


class MapOf(Node):
    """``dict[str, value]``."""

    __slots__ = ("value",)

    def __init__(self, value: Node) -> None:
        self.value = value
        self.scalar = False
        self.plain = value.plain


class Union(Node):
    __slots__ = ("members",)

    def __init__(self, members: tuple[Node, ...]) -> None:
        self.members = members
        self.scalar = all(m.scalar for m in members)
        self.plain = all(m.plain for m in members)


# Python keeps postponed annotations as re-printed source, so strings come back single-quoted.
_TOKEN = re.compile(
    r"""\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<name>[A-Za-z_]\w*)|(?P<punct>[\[\],|]))"""
)
_PARSED: dict[str, Node] = {}


def parse(text: str) -> Node:
    """The syntax tree of an annotation (cached by text); SyntaxError when it is not one."""
    node = _PARSED.get(text)
    if node is None:
        node = _PARSED[text] = _parse(text)
    return node


def _parse(text: str) -> Node:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise SyntaxError(f"cannot read annotation {text!r} at {position}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    parser = _Parser(tokens, text)
    node = parser.union()
    if parser.position != len(tokens):
        raise SyntaxError(f"unexpected {tokens[parser.position][1]!r} in annotation {text!r}")
    return node


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens = tokens
        self.position = 0
        self.text = text

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise SyntaxError(f"annotation {self.text!r} ends early")
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise SyntaxError(f"expected {expected!r} in annotation {self.text!r}, got {token[1]!r}")
        self.position += 1
        return token

    def union(self) -> Node:
        members = [self.term()]
        while self.peek() == "|":
            self.take("|")
            members.append(self.term())
        return members[0] if len(members) == 1 else Union(tuple(members))

    def term(self) -> Node:
        kind, name = self.take()
        if kind != "name":
            raise SyntaxError(f"unexpected {name!r} in annotation {self.text!r}")
        if name in ("list", "dict", "Literal") and self.peek() == "[":
            self.take("[")
            node: Node
            if name == "Literal":
                kind, literal = self.take()
                if kind != "string":
                    raise SyntaxError(f"Literal needs a string in {self.text!r}")
                node = Literal(ast.literal_eval(literal))
            elif name == "list":
                node = ListOf(self.union())
            else:
                self.take("str")
                self.take(",")
                node = MapOf(self.union())
            self.take("]")
            return node
        return Name(name)
