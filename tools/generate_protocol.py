#!/usr/bin/env python3
"""Generates the SDK's protocol types from the checked-in JSON Schema of the Codex app-server.

    python tools/generate_protocol.py                 # regenerate python/openai_codex/generated/
    python tools/generate_protocol.py --check         # exit 1 (with a summary) if they are stale
    python tools/generate_protocol.py --schema-from-binary /path/to/codex
                                                      # add (or refresh) the snapshot of that
                                                      # runtime's version, then regenerate

Input: one snapshot per supported runtime version, ``schema/<version>/codex_app_server_protocol
.schemas.json``, the bundle that ``codex app-server generate-json-schema --experimental`` writes
(stored with sorted keys so it diffs cleanly). The snapshots are merged into one protocol
(:func:`merge_snapshots`) that every supported runtime's messages fit: a type that only one
version has is kept, and where the versions differ, the merged type takes the newest version's
shape widened to accept the older ones' data (a field that some version lacks or does not
require is optional; enum values and union variants are the union of all). Output, under
``python/openai_codex/generated/``:

- ``_v2/<Class>.py``: one class per schema type, named as in the reference SDK (which ran
  datamodel-code-generator over the same schema), built on ``openai_codex._model``, each in a
  module of its own;
- ``v2_all.py``: exports every class by name, importing a class's module on first use of its
  name (a program makes the few dozen classes it uses, not all ~1,400); ``_v2_exports.py``
  imports them all, for type checkers;
- ``notification_registry.py``: server notification method -> payload class, and server
  request method -> params class;
- ``notification_types.py``: ``KnownNotification``, the union of each method's
  ``Notification[Literal[method], payload]``, for type checkers to narrow on ``event.method``.

Standard library only, and the output depends only on the snapshot, so it is reproducible
anywhere. Paths are resolved from this file's location, so it can run from any working
directory (the release script runs it inside a staged copy of the repository).
"""

from __future__ import annotations

import argparse
import difflib
import json
import keyword
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schema"
BUNDLE_NAME = "codex_app_server_protocol.schemas.json"
V2_BUNDLE_NAME = "codex_app_server_protocol.v2.schemas.json"
OUT_DIR = ROOT / "python" / "openai_codex" / "generated"
GENERATOR = "tools/generate_protocol.py"

# The public methods of str (as of Python 3.10-3.13), written out so that the output does not
# depend on the interpreter running the generator. An enum member with one of these names
# hides that method on the members of its (str-valued) enum.
STR_ATTRIBUTES = frozenset(
    """capitalize casefold center count encode endswith expandtabs find format format_map index
    isalnum isalpha isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace
    istitle isupper join ljust lower lstrip maketrans partition removeprefix removesuffix replace
    rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title
    translate upper zfill""".split()
)

# Names the runtime classes in openai_codex._model already use on every generated class; a
# schema field with one of these names would shadow them.
RESERVED_ATTRIBUTES = {
    "model_dump",
    "model_dump_json",
    "model_validate",
    "model_extra",
    "model_fields",
    "model_copy",
}


# --------------------------------------------------------------------------------------------
# names


def pascal(text: str) -> str:
    """Class name from a schema title or a property name ("Thread/startRequest" -> ThreadStartRequest)."""
    # Rust module paths leak into some titles ("ApiKeyv2::LoginAccountParams").
    text = re.sub(r"v\d+::", "", text)
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", text) if p]
    return "".join(p[0].upper() + p[1:] for p in parts)


def snake(name: str) -> str:
    """Python attribute name for a wire field or enum value ("itemId" -> item_id)."""
    if name.startswith("_"):
        # A leading underscore would make the attribute private; the reference used "field_".
        name = "field" + name
    name = re.sub(r"[^0-9A-Za-z_]+", "_", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = name.lower().strip("_") or "value"
    if name[0].isdigit():
        name = "field_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def singular(name: str) -> str:
    """Class name for the items of an array property ("indices" -> Indice), as the reference has."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


# --------------------------------------------------------------------------------------------
# the model of what to generate


@dataclass(frozen=True)
class Prim:
    """A JSON scalar, or any JSON value: str, int, float, bool, None, Any."""

    name: str


@dataclass(frozen=True)
class Lit:
    value: str


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class MapOf:
    value: Any


@dataclass(frozen=True)
class UnionOf:
    members: tuple[Any, ...]


NONE = Prim("None")
ANY = Prim("Any")


def optional(t: Any) -> Any:
    if t == ANY or t == NONE:
        return t
    if isinstance(t, UnionOf):
        return t if NONE in t.members else UnionOf((*t.members, NONE))
    return UnionOf((t, NONE))


def render(t: Any) -> str:
    if isinstance(t, Prim):
        return t.name
    if isinstance(t, Lit):
        return f"Literal[{json.dumps(t.value)}]"
    if isinstance(t, Ref):
        return t.name
    if isinstance(t, ListOf):
        return f"list[{render(t.item)}]"
    if isinstance(t, MapOf):
        return f"dict[str, {render(t.value)}]"
    if isinstance(t, UnionOf):
        return " | ".join(render(m) for m in t.members)
    raise TypeError(t)


@dataclass
class FieldDef:
    name: str
    wire: str
    type: Any
    required: bool
    default: Any  # JSON value, or NO_DEFAULT
    description: str | None


NO_DEFAULT = object()


@dataclass
class ObjectDef:
    name: str
    doc: str
    fields: list[FieldDef]
    base: str = "WireModel"
    tag: tuple[str, str] | None = None  # (wire key, value) for a tagged union's variant


@dataclass
class EnumDef:
    name: str
    doc: str
    members: list[tuple[str, str, str | None]]  # (member name, value, description)


@dataclass
class UnionDef:
    """A tagged union: the base class of its variants, which are chosen by ``tag``."""

    name: str
    doc: str
    tag: str
    variants: list[str]


@dataclass
class WrapperDef:
    """Any other union (or constrained scalar): a RootModel-style holder of ``root``."""

    name: str
    doc: str
    root: Any


@dataclass
class AliasDef:
    """A named scalar (ThreadId is a str): a subclass of the scalar with ``.root``."""

    name: str
    doc: str
    base: str  # "str" or "int"


@dataclass
class Protocol:
    objects: dict[str, ObjectDef] = field(default_factory=dict)
    enums: dict[str, EnumDef] = field(default_factory=dict)
    unions: dict[str, UnionDef] = field(default_factory=dict)
    wrappers: dict[str, WrapperDef] = field(default_factory=dict)
    aliases: dict[str, AliasDef] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # emission order of non-enum classes
    notifications: dict[str, str] = field(default_factory=dict)  # method -> payload class
    server_requests: dict[str, str] = field(default_factory=dict)  # method -> params class
    client_requests: dict[str, str] = field(default_factory=dict)  # method -> params class


class SchemaError(Exception):
    pass


class Builder:
    """Walks the schema bundle and decides every class: its kind, name, fields and docs."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        definitions = dict(bundle["definitions"])
        nested = definitions.pop("v2", {})
        # The v2 namespace is what the reference generated from; the root namespace adds the
        # server->client requests, the JSON-RPC envelope and v1 initialize. Same name, same
        # schema in both (checked when a snapshot is taken).
        self.defs: dict[str, Any] = flatten_alternatives({**definitions, **nested})
        # The bundles' root schemas are empty objects; the reference has a class for the v2 one.
        title = bundle.get("title", "CodexAppServerProtocol")
        for root in (title, f"{title}V2"):
            self.defs.setdefault(root, {"type": "object", "description": "The schema bundle's root (no fields)."})
        self.out = Protocol()
        self.taken: set[str] = set(self.defs)
        self.done: set[str] = set()

    # -- helpers ----------------------------------------------------------------------------

    def unique(self, name: str) -> str:
        if name not in self.taken:
            self.taken.add(name)
            return name
        n = 1
        while f"{name}{n}" in self.taken:
            n += 1
        self.taken.add(f"{name}{n}")
        return f"{name}{n}"

    @staticmethod
    def ref_name(ref: str) -> str:
        return ref.rsplit("/", 1)[-1]

    @staticmethod
    def string_enum(schema: Any) -> list[tuple[str, str | None]] | None:
        """The values of a string enum, or of a oneOf whose members are all one-value enums."""
        if not isinstance(schema, dict):
            return None
        if "enum" in schema and schema.get("type", "string") == "string" and "properties" not in schema:
            if all(isinstance(v, str) for v in schema["enum"]):
                return [(v, None) for v in schema["enum"]]
        members = schema.get("oneOf")
        if members and all(
            isinstance(m, dict) and "enum" in m and len(m["enum"]) == 1 and isinstance(m["enum"][0], str)
            for m in members
        ):
            return [(m["enum"][0], m.get("description")) for m in members]
        return None

    @staticmethod
    def tag_of(variants: list[Any]) -> str | None:
        """The property every variant requires with one fixed string value, if there is one."""
        common: set[str] | None = None
        for v in variants:
            if not (isinstance(v, dict) and v.get("type") == "object" and "properties" in v):
                return None
            keys = {
                k
                for k, p in v["properties"].items()
                if isinstance(p, dict) and len(p.get("enum", ())) == 1 and k in v.get("required", ())
            }
            common = keys if common is None else common & keys
        if not common:
            return None
        for preferred in ("type", "method", "kind", "mode"):
            if preferred in common:
                return preferred
        return sorted(common)[0]

    # -- definitions ------------------------------------------------------------------------

    def build(self) -> Protocol:
        self.registries()
        self.purposes = self.purpose_docs()
        for name in sorted(self.defs):
            self.definition(name)
        return self.out

    def purpose_docs(self) -> dict[str, str]:
        """Docstrings for undocumented definitions that a method carries (params, results)."""
        docs: dict[str, str] = {}
        for method, cls in sorted(self.out.notifications.items()):
            docs.setdefault(cls, f"Params of the ``{method}`` notification.")
        for kind, registry in (("request", self.out.client_requests), ("server request", self.out.server_requests)):
            for method, cls in sorted(registry.items()):
                docs.setdefault(cls, f"Params of the ``{method}`` {kind}.")
                if cls.endswith("Params") and cls[: -len("Params")] + "Response" in self.defs:
                    docs.setdefault(cls[: -len("Params")] + "Response", f"Result of the ``{method}`` {kind}.")
        return docs

    def definition(self, name: str) -> None:
        if name in self.done:
            return
        self.done.add(name)
        schema = self.defs[name]
        doc = schema.get("description") or ""
        values = self.string_enum(schema)
        if values is not None:
            self.enum(name, values, doc or f"Values of ``{name}`` in the app-server protocol.")
            return
        variants = schema.get("oneOf") or schema.get("anyOf")
        if variants:
            self.union(name, with_common_properties(schema, variants), doc)
            return
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            self.object(name, schema, doc or self.purposes.get(name) or f"``{name}`` of the app-server protocol.")
            return
        if kind in ("string", "integer"):
            base = "str" if kind == "string" else "int"
            self.out.aliases[name] = AliasDef(name, doc or f"A ``{base}`` named ``{name}``.", base)
            self.out.order.append(name)
            return
        raise SchemaError(f"definition {name}: unsupported schema {json.dumps(schema)[:200]}")

    def enum(self, name: str, values: list[tuple[str, str | None]], doc: str) -> None:
        members = []
        seen: set[str] = set()
        for value, description in values:
            member = snake(value)
            if member in seen or member in RESERVED_ATTRIBUTES:
                raise SchemaError(f"enum {name}: member name {member!r} clashes")
            seen.add(member)
            members.append((member, value, description))
        self.out.enums[name] = EnumDef(name, doc, members)

    def union(self, name: str, variants: list[Any], doc: str) -> None:
        non_null = [v for v in variants if not (isinstance(v, dict) and v.get("type") == "null")]
        tag = self.tag_of(non_null)
        if tag is not None and len(non_null) == len(variants):
            self.out.unions[name] = UnionDef(
                name, doc or f"One of the ``{name}`` variants, chosen by its ``{tag}`` field.", tag, []
            )
            self.out.order.append(name)
            for variant in non_null:
                self.variant(name, variant, tag)
            return
        members = tuple(self.member(name, v) for v in variants)
        self.out.wrappers[name] = WrapperDef(
            name, doc or f"``{name}``: one of several shapes; the value is in ``root``.", UnionOf(members)
        )
        self.out.order.append(name)

    def variant_name(self, union: str, title: str | None) -> str:
        if not title:
            return self.unique(union)
        name = pascal(title)
        if union == "ServerNotification" and name.endswith("Notification"):
            # Its titles repeat the payload names ("Item/agentMessage/deltaNotification"); the
            # reference names them all <Method>ServerNotification.
            return self.unique(name[: -len("Notification")] + union)
        if name in self.defs:
            # "ErrorNotification" inside ServerNotification collides with the payload type of
            # the same name: keep what differs and append the union's name, as the reference
            # does (ErrorServerNotification).
            suffix = ""
            for a, b in zip(reversed(name), reversed(union), strict=False):
                if a != b:
                    break
                suffix = a + suffix
            word = re.search(r"[A-Z][a-z0-9]*$", suffix)
            common = word.group(0) if word and suffix.endswith(word.group(0)) else ""
            name = name[: len(name) - len(common)] + union
        return self.unique(name)

    def variant(self, union: str, schema: dict[str, Any], tag: str) -> None:
        name = self.variant_name(union, schema.get("title"))
        value = schema["properties"][tag]["enum"][0]
        doc = schema.get("description") or f"The ``{value}`` variant of :class:`{union}`."
        self.object(name, schema, doc, base=union, tag=(tag, value))
        self.out.unions[union].variants.append(name)

    def member(self, union: str, schema: Any) -> Any:
        """One member of a non-tagged union (AskForApproval, ReasoningSummary, ...)."""
        if isinstance(schema, dict) and "enum" in schema and "$ref" not in schema:
            values = schema["enum"]
            if len(values) == 1:
                return Lit(values[0])
            name = self.unique(f"{union}Value")
            self.enum(name, [(v, None) for v in values], f"The plain values of :class:`{union}`.")
            return Ref(name)
        if isinstance(schema, dict) and schema.get("type") == "object" and "properties" in schema:
            name = self.variant_name(union, schema.get("title"))
            doc = schema.get("description") or f"One shape of :class:`{union}`."
            self.object(name, schema, doc)
            return Ref(name)
        return self.type_of(schema, union, union)

    def object(
        self,
        name: str,
        schema: dict[str, Any],
        doc: str,
        *,
        base: str = "WireModel",
        tag: tuple[str, str] | None = None,
    ) -> None:
        obj = ObjectDef(name, doc, [], base, tag)
        self.out.objects[name] = obj
        self.out.order.append(name)
        required = set(schema.get("required", ()))
        used: set[str] = set()
        for wire in sorted(schema.get("properties", {})):
            prop = schema["properties"][wire]
            attr = snake(wire)
            # Variants of a tagged union answer ``.root`` with themselves, as the reference's
            # RootModel wrappers did.
            if attr in RESERVED_ATTRIBUTES or attr in used or (attr == "root" and tag is not None):
                raise SchemaError(f"{name}.{wire}: attribute name {attr!r} clashes")
            used.add(attr)
            ftype = self.type_of(prop, name, wire)
            is_required = wire in required
            default = NO_DEFAULT
            if isinstance(prop, dict) and "default" in prop:
                default = prop["default"]
            if not is_required:
                ftype = optional(ftype)
                if default is NO_DEFAULT:
                    default = None
            description = prop.get("description") if isinstance(prop, dict) else None
            obj.fields.append(FieldDef(attr, wire, ftype, is_required, default, description))

    # -- field types ------------------------------------------------------------------------

    def type_of(self, schema: Any, owner: str, prop: str) -> Any:
        """The type of a property (or array item) ``prop`` of class ``owner``."""
        if schema is True or schema == {}:
            return ANY
        if not isinstance(schema, dict):
            raise SchemaError(f"{owner}.{prop}: unsupported schema {schema!r}")
        if "$ref" in schema:
            return Ref(self.ref_name(schema["$ref"]))
        if "allOf" in schema:
            parts = schema["allOf"]
            if len(parts) == 1:
                return self.type_of(parts[0], owner, prop)
            raise SchemaError(f"{owner}.{prop}: allOf with several parts")
        for key in ("anyOf", "oneOf"):
            if key in schema:
                members = [self.type_of(m, owner, prop) for m in schema[key]]
                flat: list[Any] = []
                for m in members:
                    for part in m.members if isinstance(m, UnionOf) else (m,):
                        if part not in flat:
                            flat.append(part)
                return flat[0] if len(flat) == 1 else UnionOf(tuple(flat))
        kind = schema.get("type")
        if isinstance(kind, list):
            types = [self.type_of({**schema, "type": k}, owner, prop) for k in kind]
            flat = []
            for t in types:
                if t not in flat:
                    flat.append(t)
            return flat[0] if len(flat) == 1 else UnionOf(tuple(flat))
        if "enum" in schema:
            values = schema["enum"]
            if len(values) == 1:
                return Lit(values[0])
            name = self.unique(pascal(schema.get("title") or prop))
            self.enum(name, [(v, None) for v in values], schema.get("description") or f"Values of ``{prop}``.")
            return Ref(name)
        if kind == "string":
            return Prim("str")
        if kind == "integer":
            return Prim("int")
        if kind == "number":
            return Prim("float")
        if kind == "boolean":
            return Prim("bool")
        if kind == "null":
            return NONE
        if kind == "array":
            items = schema.get("items", True)
            item_name = singular(prop)
            if isinstance(items, dict) and items.get("type") == "integer" and "minimum" in items:
                # A constrained integer item: the reference made a RootModel[int] class of it.
                alias = self.unique(pascal(item_name))
                self.out.aliases[alias] = AliasDef(alias, f"An item of ``{owner}.{prop}``.", "int")
                self.out.order.append(alias)
                return ListOf(Prim("int"))
            return ListOf(self.type_of(items, owner, item_name))
        if kind == "object" or "properties" in schema:
            extra = schema.get("additionalProperties")
            if "properties" in schema:
                name = self.unique(pascal(schema.get("title") or prop))
                doc = schema.get("description") or f"The ``{prop}`` of :class:`{owner}`."
                self.object(name, schema, doc)
                return Ref(name)
            if isinstance(extra, dict) or extra is True:
                return MapOf(self.type_of(extra, owner, prop))
            return MapOf(ANY)
        if kind is None:
            return ANY
        raise SchemaError(f"{owner}.{prop}: unsupported type {kind!r}")

    # -- method registries ------------------------------------------------------------------

    def registries(self) -> None:
        for union, target in (
            ("ServerNotification", self.out.notifications),
            ("ServerRequest", self.out.server_requests),
            ("ClientRequest", self.out.client_requests),
        ):
            for variant in self.defs[union]["oneOf"]:
                method = variant["properties"]["method"]["enum"][0]
                params = variant["properties"].get("params")
                if params is None or "$ref" not in params:
                    continue
                target[method] = self.ref_name(params["$ref"])


def flatten_alternatives(schema: Any) -> Any:
    """``schema`` with every object that also has untagged alternatives (``{"properties":
    {detail, type}, "anyOf": [{image_url}, {file_id}]}``, serde's flattened enums inside a
    variant) made one object: the alternatives' properties become fields, required when every
    alternative requires them. Unions whose members share a tag stay unions."""
    if isinstance(schema, list):
        return [flatten_alternatives(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: flatten_alternatives(v) for k, v in schema.items()}
    key = _variants_key(schema)
    if key is None or "properties" not in schema:
        return schema
    alternatives = schema[key]
    if not all(isinstance(a, dict) and a.get("type") == "object" and "properties" in a for a in alternatives):
        return schema
    if Builder.tag_of(alternatives) is not None:
        return schema
    properties = dict(schema["properties"])
    for alternative in alternatives:
        for name, prop in alternative["properties"].items():
            properties.setdefault(name, prop)
    required_everywhere = set.intersection(*(set(a.get("required", ())) for a in alternatives))
    flat = {k: v for k, v in schema.items() if k != key}
    flat["properties"] = properties
    flat["required"] = sorted({*schema.get("required", ()), *required_everywhere})
    return flat


def with_common_properties(schema: dict[str, Any], variants: list[Any]) -> list[Any]:
    """The variants of a union whose schema also lists properties of its own (serde's
    flattened enums: ``HookMetadata`` is ``{key, source, ...}`` plus one of several
    ``handlerType`` shapes), each with those properties added, so that no field is lost."""
    common = schema.get("properties")
    if not common:
        return variants
    required = list(schema.get("required", ()))
    out = []
    for variant in variants:
        if isinstance(variant, dict) and variant.get("type") == "object" and "properties" in variant:
            own = variant["properties"]
            variant = {
                **variant,
                "properties": {**{k: v for k, v in common.items() if k not in own}, **own},
                "required": sorted({*required, *variant.get("required", ())}),
            }
        out.append(variant)
    return out


# --------------------------------------------------------------------------------------------
# emitting Python


HEADER = """\
# Generated by {generator} from schema/*/{bundle}
# (codex app-server {version}). Do not edit: change the generator or refresh the snapshots.
"""


def docstring(text: str, indent: str) -> list[str]:
    text = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    lines: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        if i:
            lines.append("")
        flowed = " ".join(line.strip() for line in paragraph.splitlines())
        lines.extend(textwrap.wrap(flowed, width=96 - len(indent), break_long_words=False, break_on_hyphens=False))
    if not lines:
        lines = ["(undocumented)"]
    if len(lines) == 1 and len(lines[0]) + len(indent) + 6 <= 100:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out.extend(f"{indent}{line}" if line else "" for line in lines[1:])
    out.append(f'{indent}"""')
    return out


def default_literal(proto: Protocol, ftype: Any, value: Any, enums: set[str]) -> str:
    """Python source for a field default; enum values are written as members (also when the
    enum is a member of a union the field's type wraps), and their enums added to ``enums``."""
    enum = enum_of(proto, expand_wrappers(proto, ftype))
    if isinstance(value, str) and enum is not None:
        for member, member_value, _ in proto.enums[enum].members:
            if member_value == value:
                enums.add(enum)
                return f"{enum}.{member}"
        raise SchemaError(f"default {value!r} is not a value of {enum}")
    if isinstance(value, list):
        item = ftype
        if isinstance(item, UnionOf):
            item = next(m for m in item.members if m != NONE)
        inner = item.item if isinstance(item, ListOf) else ANY
        return "[" + ", ".join(default_literal(proto, inner, v, enums) for v in value) + "]"
    if isinstance(value, dict):
        if value:
            raise SchemaError(f"non-empty object default {value!r}")
        return "{}"
    return repr(value)


def enum_of(proto: Protocol, ftype: Any) -> str | None:
    for t in ftype.members if isinstance(ftype, UnionOf) else (ftype,):
        if isinstance(t, Ref) and t.name in proto.enums:
            return t.name
    return None


def emit_enum(e: EnumDef) -> list[str]:
    lines = [f"class {e.name}(WireEnum):", *docstring(e.doc, "    "), ""]
    for member, value, description in e.members:
        if member in STR_ATTRIBUTES:
            # The reference's member name; on a str enum it hides the str method of that name.
            lines.append(f"    {member} = {json.dumps(value)}  # type: ignore[assignment]")
        else:
            lines.append(f"    {member} = {json.dumps(value)}")
        if description:
            lines.extend(docstring(description, "    "))
    return lines


def expand_wrappers(proto: Protocol, t: Any) -> Any:
    """A field's type as its attribute returns it: a RootModel-style union is replaced by its
    members (the attribute gives the value, not the wrapper)."""
    if isinstance(t, Ref) and t.name in proto.wrappers:
        return expand_wrappers(proto, proto.wrappers[t.name].root)
    if isinstance(t, ListOf):
        return ListOf(expand_wrappers(proto, t.item))
    if isinstance(t, MapOf):
        return MapOf(expand_wrappers(proto, t.value))
    if isinstance(t, UnionOf):
        flat: list[Any] = []
        for member in t.members:
            expanded = expand_wrappers(proto, member)
            for part in expanded.members if isinstance(expanded, UnionOf) else (expanded,):
                if part not in flat:
                    flat.append(part)
        # None last, as written by hand.
        flat.sort(key=lambda m: m == NONE)
        return flat[0] if len(flat) == 1 else UnionOf(tuple(flat))
    return t


def emit_object(proto: Protocol, o: ObjectDef, enums: set[str]) -> list[str]:
    """The class of ``o``; the enums its defaults name (needed to make it) go into ``enums``."""
    lines = [f"class {o.name}({o.base}):", *docstring(o.doc, "    "), "", "    __slots__ = ()"]
    renamed = {f.name: f.wire for f in o.fields if f.name != f.wire}
    if renamed:
        lines.append("    __wire_names__ = {")
        lines.extend(f"        {json.dumps(k)}: {json.dumps(v)}," for k, v in renamed.items())
        lines.append("    }")
    if o.fields:
        lines.append("")
    for f in o.fields:
        ftype = expand_wrappers(proto, f.type)
        members = [render(m) for m in ftype.members] if isinstance(ftype, UnionOf) else [render(ftype)]
        if o.tag is not None and f.wire == o.tag[0]:
            # The tag is implied by the class: writing it is optional.
            default = json.dumps(o.tag[1])
        elif f.default is NO_DEFAULT:
            default = None
        else:
            default = default_literal(proto, f.type, f.default, enums)
        lines.extend(field_lines(f.name, members, default))
        if f.description:
            lines.extend(docstring(f.description, "    "))
    return lines


def wrapped(prefix: str, members: list[str], suffix: str, indent: str) -> list[str]:
    """``prefix A | B | C suffix`` on one line, or with the union split over several lines."""
    line = f"{indent}{prefix}{' | '.join(members)}{suffix}"
    if len(line) <= 100:
        return [line]
    inner = indent + "    "
    return [
        f"{indent}{prefix}(",
        *(f"{inner}{'| ' if i else ''}{m}" for i, m in enumerate(members)),
        f"{indent}){suffix}",
    ]


def field_lines(name: str, members: list[str], default: str | None) -> list[str]:
    """``name: A | B = default``, split over lines when longer than 100 columns."""
    suffix = "" if default is None else f" = {default}"
    line = f"    {name}: {' | '.join(members)}{suffix}"
    if len(line) <= 100:
        return [line]
    if len(members) == 1:
        if default is None:
            return [line]  # one long type (a dict of a union): left as is
        return [f"    {name}: {members[0]} = (", f"        {default}", "    )"]
    return wrapped(f"{name}: ", members, suffix, "    ")


def emit_union(proto: Protocol, u: UnionDef) -> list[str]:
    tags = {v: tag[1] for v in u.variants if (tag := proto.objects[v].tag) is not None}
    return [
        f"class {u.name}(TaggedUnion):",
        *docstring(u.doc, "    "),
        "",
        "    __slots__ = ()",
        f"    __tag__ = {json.dumps(u.tag)}",
        "    # Tag value -> variant class; each variant is made when first needed.",
        "    __variant_names__ = {",
        *(f"        {json.dumps(tag)}: {json.dumps(v)}," for v, tag in tags.items()),
        "    }",
        "",
        "    if TYPE_CHECKING:",
        "",
        *wrapped("def __init__(self, root: ", u.variants, ") -> None: ...", "        "),
        "",
        "        @property",
        *wrapped("def root(self) -> ", u.variants, ": ...", "        "),
    ]


def emit_wrapper(w: WrapperDef) -> list[str]:
    members = [render(m) for m in w.root.members] if isinstance(w.root, UnionOf) else [render(w.root)]
    return [
        f"class {w.name}(RootWrapper):",
        *docstring(w.doc, "    "),
        "",
        "    __slots__ = ()",
        "",
        *wrapped("root: ", members, "", "    "),
        "",
        "    if TYPE_CHECKING:",
        "",
        *wrapped("def __init__(self, root: ", members, ") -> None: ...", "        "),
    ]


def emit_alias(a: AliasDef) -> list[str]:
    base = "StrAlias" if a.base == "str" else "IntAlias"
    return [f"class {a.name}({base}):", *docstring(a.doc, "    "), "", "    __slots__ = ()"]


def type_refs(t: Any) -> list[str]:
    """The classes a type names, in order."""
    if isinstance(t, Ref):
        return [t.name]
    if isinstance(t, ListOf):
        return type_refs(t.item)
    if isinstance(t, MapOf):
        return type_refs(t.value)
    if isinstance(t, UnionOf):
        return [name for m in t.members for name in type_refs(m)]
    return []


def module_head(version: str, *doc: str) -> list[str]:
    """The first lines of a generated module: the header, the docstring (one argument per line)
    and the future import."""
    docstring = [f'"""{doc[0]}"""'] if len(doc) == 1 else [f'"""{doc[0]}', *doc[1:], '"""']
    header = HEADER.format(generator=GENERATOR, bundle=BUNDLE_NAME, version=version).rstrip("\n")
    return [header, *docstring, "", "from __future__ import annotations"]


def method_table(comment: str, name: str, value_type: str, entries: Any) -> list[str]:
    """A module-level dict literal from method names to ``entries``' (already rendered) values."""
    return [comment, f"{name}: dict[str, {value_type}] = {{", *(f"    {json.dumps(m)}: {v}," for m, v in entries), "}"]


# Where the classes live for their users: ``v2_all`` exports every one (and is where pickles,
# reprs and ``help()`` say they are). Each class has a module of its own in ``CLASS_PACKAGE``,
# named as the class, imported when the class is first used.
PUBLIC_MODULE = "openai_codex.generated.v2_all"
CLASS_PACKAGE = "_v2"
# The module that imports every class under its name, for type checkers only: v2_all imports
# it under ``TYPE_CHECKING`` (at run time, v2_all loads each class's module on first use).
EXPORTS_MODULE = "_v2_exports"


def class_parts(proto: Protocol, name: str) -> tuple[list[str], str, set[str], set[str]]:
    """The source of class ``name``, its base, the classes needed to make it (its base, the
    enums its defaults name) and the other classes its annotations name."""
    if name in proto.enums:
        return emit_enum(proto.enums[name]), "WireEnum", set(), set()
    if name in proto.unions:
        union = proto.unions[name]
        return emit_union(proto, union), "TaggedUnion", set(), set(union.variants)
    if name in proto.objects:
        o = proto.objects[name]
        enums: set[str] = set()
        lines = emit_object(proto, o, enums)
        named = {ref for f in o.fields for ref in type_refs(expand_wrappers(proto, f.type))}
        needed = enums | ({o.base} if o.base != "WireModel" else set())
        return lines, o.base, needed, named
    if name in proto.wrappers:
        return emit_wrapper(proto.wrappers[name]), "RootWrapper", set(), set(type_refs(proto.wrappers[name].root))
    alias = proto.aliases[name]
    return emit_alias(alias), "StrAlias" if alias.base == "str" else "IntAlias", set(), set()


def emit_class_module(proto: Protocol, name: str, version: str) -> str:
    """The module of one class. It imports at run time only what making the class needs (a
    variant's union, the enums its defaults name); the classes its annotations name are found
    when first used, through ``v2_all`` (the class's ``__module__``), and are imported here for
    type checkers only."""
    block, base, needed, named = class_parts(proto, name)
    classes = all_names(proto)
    source = "\n".join(block)
    typing_only = sorted(named - needed - {name})
    typing = [n for n in ("TYPE_CHECKING", "Any", "Literal") if re.search(rf"\b{n}\b", source)]
    if typing_only and "TYPE_CHECKING" not in typing:
        typing.insert(0, "TYPE_CHECKING")
    out = [
        *module_head(version, f"``{name}``, exported by ``v2_all``."),
        "",
        *([f"from typing import {', '.join(typing)}", ""] if typing else []),
        *([] if base in classes else [f"from ..._model import {base}"]),
        "from ..._public import public",
        *(f"from .{n} import {n}" for n in sorted(needed)),
    ]
    if typing_only:
        out += ["", "if TYPE_CHECKING:", *(f"    from .{n} import {n}" for n in typing_only)]
    out += [
        "",
        "",
        *block,
        "",
        "",
        "# Its home for pickles, reprs and the names in its annotations.",
        f"public({json.dumps(PUBLIC_MODULE)}, {name})",
    ]
    return "\n".join(out) + "\n"


def check_module_names(proto: Protocol) -> None:
    """Module files are named as their classes: two names that differ only in case would be
    one file on macOS and Windows."""
    seen: dict[str, str] = {}
    for name in sorted(all_names(proto)):
        other = seen.setdefault(name.lower(), name)
        if other != name:
            raise SchemaError(f"classes {other} and {name} differ only in case: their modules would collide")


def check_runtime_imports(proto: Protocol) -> None:
    """A class module imports at run time the modules of what making its class needs; none
    may need itself, directly or not, or the first of them to load would fail."""
    needs = {name: class_parts(proto, name)[2] for name in all_names(proto)}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise SchemaError(f"class modules import each other at run time: {' -> '.join([*path, name])}")
        if name in done:
            return
        for other in sorted(needs[name]):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(needs):
        visit(name, [])


def emit_exports(proto: Protocol, version: str) -> str:
    names = sorted(all_names(proto))
    out = [
        *module_head(
            version,
            "Every protocol class under its name, for type checkers: ``v2_all`` imports this module",
            "under ``TYPE_CHECKING`` only (at run time it loads each class's module on first use).",
        ),
        "",
        *(f"from .{CLASS_PACKAGE}.{n} import {n} as {n}" for n in names),
        "",
        "__all__ = [",
        *(f"    {json.dumps(n)}," for n in names),
        "]",
    ]
    return "\n".join(out) + "\n"


def emit_v2_all(proto: Protocol, version: str) -> str:
    names = sorted(all_names(proto))
    # The names as one string: it loads faster than a list literal of ~1,400 entries.
    name_lines = textwrap.wrap(" ".join(names), width=96, break_long_words=False, break_on_hyphens=False)
    out = [
        *module_head(
            version,
            "Every type of the Codex app-server protocol, as a Python class.",
            "",
            "Objects are :class:`~openai_codex._model.WireModel` classes: snake_case attributes over the",
            "camelCase JSON the runtime sends, converted when first read. String enums are ``str``-valued",
            "enums. A tagged union (``ThreadItem``, ``SandboxPolicy``, ...) is the base class of its",
            "variants, and reading one gives the variant its tag names. Other unions are RootModel-style",
            "holders of ``root``. See ``openai_codex._model`` for the behaviour they share.",
            "",
            "A class is made when first used: each has a module of its own, named as the class, in",
            f"``{CLASS_PACKAGE}``, which the first use of its name here imports (PEP 562 ``__getattr__``).",
            f"Type checkers see the classes through ``{EXPORTS_MODULE}``, which imports them all.",
        ),
        "",
        "# Literal and Any are named by the classes' annotations (for typing.get_type_hints).",
        "from typing import TYPE_CHECKING, Any, Literal",
        "",
        "from .._model import classes_in",
        "",
        "if TYPE_CHECKING:",
        f"    from .{EXPORTS_MODULE} import *",
        "",
        '__all__ = """',
        *name_lines,
        '""".split()',
        "",
        "# Every class of the protocol, by name: how openai_codex._wire finds the class of a",
        f"# schema type. Each is made on first lookup, by importing its module of .{CLASS_PACKAGE},",
        "# and put in this module's globals.",
        f'CLASSES = classes_in(f"{{__package__}}.{CLASS_PACKAGE}", __all__, globals())',
        "",
        "",
        "if not TYPE_CHECKING:  # type checkers see the imports above, and misspelled names stay errors",
        "",
        "    def __getattr__(name: str) -> Any:",
        "        try:",
        "            return CLASSES[name]  # also put in globals(): later lookups do not come back here",
        "        except KeyError:",
        '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None',
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted({*globals(), *__all__})",
    ]
    return "\n".join(out) + "\n"


def all_names(proto: Protocol) -> set[str]:
    return set(proto.enums) | set(proto.objects) | set(proto.unions) | set(proto.wrappers) | set(proto.aliases)


def emit_registry(proto: Protocol, version: str) -> str:
    notification_classes = sorted(set(proto.notifications.values()))
    request_classes = sorted(set(proto.server_requests.values()))
    out = [
        *module_head(
            version,
            "Which class each server notification and server request carries, by method.",
            "",
            "The tables hold class names: looking a method up makes its class (and only that one).",
        ),
        "",
        "from collections.abc import Mapping",
        "from typing import TYPE_CHECKING, Any, Union",
        "",
        "from .._model import ClassTable",
        "from ..models import UnknownNotification",
        "from .v2_all import CLASSES",
        "",
        "if TYPE_CHECKING:",
        "    from .._model import WireModel",
        "    from .v2_all import (",
    ]
    out += [f"        {n}," for n in sorted(set(notification_classes) | set(request_classes))]
    out += [
        "    )",
        "",
        *method_table(
            "# Server notification method -> the name of the class of its params (Notification.payload).",
            "_NOTIFICATION_CLASSES",
            "str",
            ((m, json.dumps(c)) for m, c in sorted(proto.notifications.items())),
        ),
        "",
        *method_table(
            "# Server -> client request method -> the name of the class of its params.",
            "_SERVER_REQUEST_CLASSES",
            "str",
            ((m, json.dumps(c)) for m, c in sorted(proto.server_requests.items())),
        ),
        "",
        "# Server notification method -> the class of its params, made on first lookup.",
        "NOTIFICATION_MODELS: Mapping[str, type[WireModel]] = ClassTable(",
        "    _NOTIFICATION_CLASSES, lambda method: CLASSES[_NOTIFICATION_CLASSES[method]]",
        ")",
        "# Server -> client request method -> the class of its params, made on first lookup.",
        "SERVER_REQUEST_PARAMS: Mapping[str, type[WireModel]] = ClassTable(",
        "    _SERVER_REQUEST_CLASSES, lambda method: CLASSES[_SERVER_REQUEST_CLASSES[method]]",
        ")",
        "",
        *method_table(
            "# Client request method -> the name of its params class in v2_all.",
            "CLIENT_REQUEST_PARAMS",
            "str",
            ((m, json.dumps(c)) for m, c in sorted(proto.client_requests.items())),
        ),
        "",
        "if TYPE_CHECKING:",
        "    # What Notification.payload can be: a registered class, or UnknownNotification for a",
        "    # method the schema does not know or params that do not fit it.",
        "    NotificationPayload = Union[",
        *(f"        {c}," for c in notification_classes),
        "        UnknownNotification,",
        "    ]",
        "else:",
        "",
        "    def __getattr__(name: str) -> Any:",
        "        # NotificationPayload names every payload class: it is made (with them) when first used.",
        '        if name != "NotificationPayload":',
        '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        "        classes = (CLASSES[c] for c in sorted(set(_NOTIFICATION_CLASSES.values())))",
        "        value = globals()[name] = Union[(*classes, UnknownNotification)]",
        "        return value",
    ]
    return "\n".join(out) + "\n"


def emit_notification_types(proto: Protocol, version: str) -> str:
    """``KnownNotification``: one ``Notification[Literal[method], payload]`` per method, so that
    a type checker narrows ``event.payload`` when code compares ``event.method``."""
    classes = sorted(set(proto.notifications.values()))
    out = [
        *module_head(
            version,
            "The notification of each method, as a type: compare ``event.method`` to narrow ``event.payload``.",
            "",
            "Loaded by ``openai_codex.types`` (for annotations), never on a stream's hot path;",
            "``KnownNotification`` names every payload class, so it is made (with them) when first used.",
        ),
        "",
        "from typing import TYPE_CHECKING, Any, Literal, Union",
        "",
        "from ..models import Notification, UnknownNotification",
        "from .notification_registry import NOTIFICATION_MODELS",
        "",
        "if TYPE_CHECKING:",
        "    from .v2_all import (",
        *(f"        {c}," for c in classes),
        "    )",
        "",
        "    # A payload is UnknownNotification when the params do not fit the method's class.",
        "    KnownNotification = Union[",
        *(
            f"        Notification[Literal[{json.dumps(m)}], Union[{c}, UnknownNotification]],"
            for m, c in sorted(proto.notifications.items())
        ),
        "    ]",
        "else:",
        "",
        "    def __getattr__(name: str) -> Any:",
        '        if name != "KnownNotification":',
        '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        "        value = globals()[name] = Union[",
        "            tuple(",
        "                Notification[Literal[method], Union[cls, UnknownNotification]]",
        "                for method, cls in sorted(NOTIFICATION_MODELS.items())",
        "            )",
        "        ]",
        "        return value",
    ]
    return "\n".join(out) + "\n"


INIT = '''\
{header}"""Protocol types generated from the Codex app-server schema.

``v2_all`` exports every class; ``notification_registry`` maps methods to them;
``notification_types`` names each method's notification as a type. All load on first use, not
at ``import openai_codex``, and so does each class (``{package}`` has a module per class).
"""
'''

CLASS_PACKAGE_INIT = '''\
{header}"""One module per protocol class, named as the class; import the classes from
``{public}``, which loads each module on first use of its class."""
'''


def generate(bundle: dict[str, Any], version: str) -> dict[str, str]:
    """Path (relative to the generated package) -> content of every file in it."""
    proto = Builder(bundle).build()
    check_module_names(proto)
    check_runtime_imports(proto)
    header = HEADER.format(generator=GENERATOR, bundle=BUNDLE_NAME, version=version)
    files = {
        "__init__.py": INIT.format(header=header, package=CLASS_PACKAGE),
        "v2_all.py": emit_v2_all(proto, version),
        f"{EXPORTS_MODULE}.py": emit_exports(proto, version),
        "notification_registry.py": emit_registry(proto, version),
        "notification_types.py": emit_notification_types(proto, version),
        f"{CLASS_PACKAGE}/__init__.py": CLASS_PACKAGE_INIT.format(header=header, public=PUBLIC_MODULE),
    }
    for name in sorted(all_names(proto)):
        files[f"{CLASS_PACKAGE}/{name}.py"] = emit_class_module(proto, name, version)
    return files


# --------------------------------------------------------------------------------------------
# the snapshot


def normalized(data: Any) -> str:
    """The stored form of a schema file: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a runtime version such as ``0.163.0`` (numeric parts only)."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def snapshot_paths(schema_dir: Path = SCHEMA_DIR) -> list[tuple[str, Path]]:
    """``(version, bundle path)`` of every snapshot under ``schema/``, oldest first."""
    found = [(path.parent.name, path) for path in schema_dir.glob(f"*/{BUNDLE_NAME}")]
    if not found:
        raise SchemaError(f"no schema snapshot: expected {schema_dir}/<version>/{BUNDLE_NAME}")
    return sorted(found, key=lambda entry: version_key(entry[0]))


def load_snapshots(schema_dir: Path = SCHEMA_DIR) -> list[tuple[str, dict[str, Any]]]:
    return [(version, json.loads(path.read_text(encoding="utf-8"))) for version, path in snapshot_paths(schema_dir)]


def load_snapshot() -> tuple[dict[str, Any], str]:
    """The merged protocol of every snapshot, and the versions it covers (for the headers)."""
    snapshots = load_snapshots()
    return merge_snapshots(snapshots), ", ".join(version for version, _ in snapshots)


# -- merging the snapshots of several runtime versions -----------------------------------------


def flat_definitions(bundle: dict[str, Any]) -> dict[str, Any]:
    """A bundle's definitions in one namespace (root and ``v2``), as the Builder reads them."""
    definitions = dict(bundle["definitions"])
    definitions.update(definitions.pop("v2", {}))
    return definitions


def merge_snapshots(snapshots: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One bundle whose definitions accept what every snapshot's runtime sends.

    ``snapshots`` is ``(version, bundle)``, oldest first. A definition found in one snapshot
    only is taken as is; one found in several is folded from the oldest to the newest with
    :func:`merge_schema`. With one snapshot, the result is that snapshot.
    """
    if len(snapshots) == 1:
        return snapshots[0][1]
    merged: dict[str, Any] = {}
    replaced: list[str] = []
    for _, bundle in snapshots:
        definitions = flatten_alternatives(flat_definitions(bundle))
        strings = {name for name, schema in {**merged, **definitions}.items() if _is_string(schema, {})}
        for name, schema in definitions.items():
            if name in merged:
                schema = merge_schema(merged[name], schema, strings, replaced, name)
            merged[name] = schema
    unreviewed = sorted(set(replaced) - REVIEWED_REPLACEMENTS)
    if unreviewed:
        raise SchemaError(
            "a newer snapshot changes the shape of these types, so the older runtimes' data may not fit "
            f"the merged type: {', '.join(unreviewed)}. Review each one and list it in REVIEWED_REPLACEMENTS."
        )
    newest = snapshots[-1][1]
    return {key: value for key, value in newest.items() if key != "definitions"} | {"definitions": merged}


def _canonical(schema: Any) -> str:
    """A schema's identity for comparison: refs in one namespace, docs left out."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("description", "title", "$schema")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str):
            return value.replace("#/definitions/v2/", "#/definitions/")
        return value

    return json.dumps(strip(schema), sort_keys=True)


def _string_values(schema: Any) -> list[str] | None:
    """The values of a string enum (either spelling), or None."""
    values = Builder.string_enum(schema)
    return None if values is None else [value for value, _ in values]


def _is_object(schema: Any) -> bool:
    return isinstance(schema, dict) and "properties" in schema and not ("oneOf" in schema or "anyOf" in schema)


def _is_empty_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and not {"properties", "additionalProperties", "oneOf", "anyOf"} & set(schema)


def _variants_key(schema: dict[str, Any]) -> str | None:
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return key
    return None


def _member_identity(member: Any, tag: str | None) -> str:
    """What a union member is, across versions: its tag value, its object shape, or its kind."""
    if isinstance(member, dict):
        if tag is not None and _is_object(member):
            value = member["properties"].get(tag, {}).get("enum", [None])[0]
            if isinstance(value, str):
                return f"tag:{value}"
        if _string_values(member) is not None and "properties" not in member:
            return "enum"
        if _is_object(member):
            # An externally tagged variant ({"httpConnectionFailed": {...}}): its one required key.
            return "object:" + ",".join(sorted(member.get("required", ()))) or member.get("title", "")
        if "$ref" in member:
            return "ref:" + member["$ref"].rsplit("/", 1)[-1]
        if member.get("type") == "null":
            return "null"
    return _canonical(member)


# Types whose newer shape replaces the older one in the merged protocol (merge_schema cannot
# widen one into the other), each checked by hand:
REVIEWED_REPLACEMENTS = {
    # A spec the client sends (thread/start's dynamicTools); the runtime never sends one. 0.163
    # has a ``type``-tagged union (a function, or a namespace of functions) where 0.133 had one
    # object; the object form without ``type`` is still accepted by 0.163 (tests/test_tools_e2e).
    "DynamicToolSpec",
    # hooks/list: 0.163 puts the handler's fields in a ``handlerType``-tagged union; 0.133's
    # records have ``handlerType`` too (required there), so they pick their variant.
    "HookMetadata",
}


def merge_schema(
    old: Any,
    new: Any,
    strings: set[str] = frozenset(),  # type: ignore[assignment]
    replaced: list[str] | None = None,
    where: str = "",
) -> Any:
    """A schema accepting what ``old`` and ``new`` accept, in ``new``'s shape where possible.

    - the same schema (docs aside): ``new``;
    - two string enums: ``new``'s values, then ``old``'s that ``new`` dropped; a string enum
      that became a plain string stays an enum (an enum field reads any string, so nothing is
      refused, and the named type keeps its members);
    - two objects: every property of either (common ones merged), required only when both
      require it;
    - two unions: members matched by tag value (or shape) are merged, ``old``'s others kept;
    - two arrays: merged items; two nullable-or-not forms of one type: the nullable one;
    - two strings (a ``str`` alias renamed, a plain string now an alias): ``new``;
    - anything else: ``new``, and ``where`` is added to ``replaced`` (the runtime changed the
      type, and older data may not fit it: :data:`REVIEWED_REPLACEMENTS` lists the reviewed ones).

    ``strings`` names the definitions that are ``str`` aliases.
    """
    if _canonical(old) == _canonical(new):
        return new
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return _replaced(new, replaced, where)
    if _is_string(old, strings) and _is_string(new, strings):
        return new
    new_key = _variants_key(new)
    if new_key is not None and any(_canonical(old) == _canonical(member) for member in new[new_key]):
        return new  # what was one shape is now one of several (often: now nullable)

    def merge(a: Any, b: Any, part: str) -> Any:
        return merge_schema(a, b, strings, replaced, f"{where}.{part}" if where else part)

    old_values, new_values = _string_values(old), _string_values(new)
    if old_values is not None and new_values is not None:
        added = [v for v in old_values if v not in new_values]
        if "oneOf" in new:
            return {**new, "oneOf": [*new["oneOf"], *({"enum": [v], "type": "string"} for v in added)]}
        return {**new, "enum": [*new_values, *added]}
    if old_values is not None and new.get("type") == "string" and "enum" not in new and "format" not in new:
        return {**old, **({"description": new["description"]} if "description" in new else {})}
    if _is_empty_object(old) and _is_object(new):
        old = {**old, "properties": {}}  # an object of no declared fields: every new one is optional
    if _is_object(old) and _is_object(new):
        old_props, new_props = old["properties"], new["properties"]
        properties = {
            name: merge(old_props[name], schema, name) if name in old_props else schema
            for name, schema in new_props.items()
        }
        properties.update({name: schema for name, schema in old_props.items() if name not in new_props})
        both = set(old.get("required", ())) & set(new.get("required", ()))
        merged = {**new, "properties": properties}
        required = [name for name in new.get("required", ()) if name in both]
        if required:
            merged["required"] = required
        else:
            merged.pop("required", None)
        return merged
    old_key = _variants_key(old)
    if old_key is not None and new_key is not None:
        old_members = [m for m in old[old_key]]
        new_members = [m for m in new[new_key]]
        tag = Builder.tag_of([m for m in new_members if not (isinstance(m, dict) and m.get("type") == "null")])
        # The older members first, in their order, then the new ones: the classes generated for
        # untitled members are numbered in order (McpServerElicitationRequestParams1, ...), and a
        # name must keep naming the same shape.
        new_by_identity = {_member_identity(m, tag): m for m in new_members}
        members = []
        for member in old_members:
            identity = _member_identity(member, tag)
            match = new_by_identity.pop(identity, None)
            members.append(member if match is None else merge(member, match, identity))
        members.extend(new_by_identity.values())
        return {**new, new_key: members}
    old_types, new_types = _types_of(old), _types_of(new)
    if old_types and new_types and old_types - {"null"} == new_types - {"null"} and "object" not in old_types:
        merged = {**new, "type": _type_value(old_types | new_types)}
        if "items" in old and "items" in new:
            merged["items"] = merge(old["items"], new["items"], "[]")
        return merged
    return _replaced(new, replaced, where)


def _replaced(new: Any, replaced: list[str] | None, where: str) -> Any:
    if replaced is not None:
        replaced.append(where.split(".", 1)[0])
    return new


def _is_string(schema: Any, strings: set[str]) -> bool:
    """A plain string schema (no enum), or a reference to a ``str`` alias; nullable or not."""
    if not isinstance(schema, dict):
        return False
    parts = schema.get("allOf") or schema.get("anyOf") or schema.get("oneOf")
    if parts is not None:
        non_null = [m for m in parts if not (isinstance(m, dict) and m.get("type") == "null")]
        return len(non_null) == 1 and _is_string(non_null[0], strings)
    if "$ref" in schema and len(schema) == 1:
        return schema["$ref"].rsplit("/", 1)[-1] in strings
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return "string" in kinds and kinds <= {"string", "null"} and "enum" not in schema and "properties" not in schema


def _types_of(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return set(kind)
    return set()


def _type_value(types: set[str]) -> Any:
    ordered = sorted(types, key=lambda t: (t == "null", t))
    return ordered[0] if len(ordered) == 1 else ordered


def snapshot_from_binary(codex: Path) -> None:
    """Writes ``schema/<version>/`` from ``codex app-server generate-json-schema --experimental``
    (a new snapshot for a new version; the snapshots of other versions stay)."""
    version = subprocess.run([str(codex), "--version"], check=True, capture_output=True, text=True).stdout
    version = version.strip().split()[-1]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [str(codex), "app-server", "generate-json-schema", "--experimental", "--out", tmp],
            check=True,
        )
        bundle = json.loads((Path(tmp) / BUNDLE_NAME).read_text(encoding="utf-8"))
        v2 = json.loads((Path(tmp) / V2_BUNDLE_NAME).read_text(encoding="utf-8"))
    check_bundle_covers(bundle, v2)
    target = SCHEMA_DIR / version
    target.mkdir(parents=True, exist_ok=True)
    (target / BUNDLE_NAME).write_text(normalized(bundle), encoding="utf-8")
    print(f"schema/{version}/{BUNDLE_NAME}: snapshot of codex {version}")


def check_bundle_covers(bundle: dict[str, Any], v2: dict[str, Any]) -> None:
    """Only the full bundle is stored; make sure the v2 bundle adds nothing to it."""
    definitions = dict(bundle["definitions"])
    definitions.update(definitions.pop("v2", {}))
    for name, schema in v2["definitions"].items():
        ours = json.dumps(definitions.get(name), sort_keys=True).replace("#/definitions/v2/", "#/definitions/")
        if ours != json.dumps(schema, sort_keys=True):
            raise SchemaError(f"{V2_BUNDLE_NAME} defines {name} differently from {BUNDLE_NAME}")


# --------------------------------------------------------------------------------------------
# command line


def stale_files(expected: dict[str, str]) -> list[str]:
    problems = []
    for name, content in sorted(expected.items()):
        path = OUT_DIR / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        if current is None:
            problems.append(f"{name}: missing")
            continue
        diff = list(difflib.unified_diff(current.splitlines(), content.splitlines(), lineterm="", n=0))
        changed = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        preview = "\n    ".join(changed[:12])
        problems.append(f"{name}: {len(changed)} changed lines, e.g.\n    {preview}")
    problems.extend(f"{name}: not generated any more" for name in sorted(present_files() - set(expected)))
    return problems


def present_files() -> set[str]:
    """The Python files under the generated package (paths relative to it)."""
    return {p.relative_to(OUT_DIR).as_posix() for p in OUT_DIR.rglob("*.py")} if OUT_DIR.exists() else set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the generated files are stale")
    parser.add_argument(
        "--schema-from-binary",
        metavar="CODEX",
        type=Path,
        help="first add (or refresh) schema/<version>/ from this codex executable",
    )
    args = parser.parse_args(argv)
    if args.schema_from_binary and args.check:
        parser.error("--check compares against the existing snapshot; refresh it separately")
    if args.schema_from_binary:
        snapshot_from_binary(args.schema_from_binary)
    bundle, version = load_snapshot()
    expected = generate(bundle, version)
    if args.check:
        problems = stale_files(expected)
        if problems:
            print("generated protocol types are stale; run: python tools/generate_protocol.py", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        print("generated protocol types are up to date")
        return 0
    for name, content in expected.items():
        path = OUT_DIR / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    # Everything in the package is generated: a module the schema no longer implies (a
    # definition gone from the snapshots) would still import, so it goes.
    for name in sorted(present_files() - set(expected)):
        (OUT_DIR / name).unlink()
        print(f"removed {(OUT_DIR / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
