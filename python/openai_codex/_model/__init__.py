"""The runtime behind the generated protocol classes (``openai_codex.generated.v2_all``).

A generated object class is a :class:`WireModel`: it wraps the JSON object the runtime sent
(``_data``, camelCase keys, never copied) and exposes each schema field as a snake_case
attribute. Reading an attribute converts only that field, once (nested objects become their
classes, enum strings their members) and caches the result; scalar fields are returned straight
from the dict. Fields the schema does not know stay in ``_data``: ``model_extra`` lists them and
they can be read as attributes. Nothing is validated on the way in unless asked
(``model_validate``, or the notification factory's check); what is built by hand (constructor,
attribute assignment) is validated field by field, and errors name the field.

Field metadata comes from the generated class itself: its annotations (kept as strings by
``from __future__ import annotations``, parsed on first use), ``__wire_names__`` for fields whose
wire name differs, and class-level defaults. Type checkers see the classes as dataclass-like
(``dataclass_transform``), so ``mypy --strict`` checks constructor calls and attribute types.

One module per concept, each building on the ones before it:

- ``contract``: the names the Rust core and these classes read on each other's objects;
- ``grammar``: the annotation syntax, parsed once per annotation text;
- ``specs``: type specs, what a field holds and how its values are checked, converted and
  dumped (and the spec of an annotation);
- ``fields``: a class's fields and the attributes that read and set them;
- ``checks``: whether a JSON object fits a class, field by field or compiled;
- ``base``: ``WireModel``;
- ``wrappers``: ``RootWrapper``, ``WireEnum``, ``StrAlias``, ``IntAlias``;
- ``unions``: ``TaggedUnion``;
- ``payloads``: notification params -> payload objects (loaded on the first stream);
- ``tables``: tables of generated classes that make each class on first lookup.

This module re-exports what the generated code and the rest of the package use. Each name loads
its module on first use: ``import openai_codex`` needs only ``RootWrapper`` (for argument
checks), and the rest comes with the first generated class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .base import WireModel
    from .specs import ValidationError, spec_for_class
    from .tables import ClassTable, classes_in
    from .unions import TaggedUnion
    from .wrappers import IntAlias, RootWrapper, StrAlias, WireEnum, enum_member

__all__ = [
    "ClassTable",
    "IntAlias",
    "RootWrapper",
    "StrAlias",
    "TaggedUnion",
    "ValidationError",
    "WireEnum",
    "WireModel",
    "classes_in",
    "enum_member",
    "spec_for_class",
]

# Where each name of __all__ is defined.
_HOMES = {
    "ClassTable": "tables",
    "IntAlias": "wrappers",
    "RootWrapper": "wrappers",
    "StrAlias": "wrappers",
    "TaggedUnion": "unions",
    "ValidationError": "specs",
    "WireEnum": "wrappers",
    "WireModel": "base",
    "classes_in": "tables",
    "enum_member": "wrappers",
    "spec_for_class": "specs",
}


if not TYPE_CHECKING:  # type checkers see the imports above, and misspelled names stay errors
    __getattr__, __dir__ = lazy_attributes(globals(), __name__, _HOMES)
