"""Every public name of the reference SDK 0.1.0b2 exists here with the same call signature.

The reference's signatures are a checked-in fact file, tests/data/reference_signatures.json,
written from the reference wheel by tools/reference_signatures.py; this test describes our
package with the same code and compares.

Policy: the reference's parameters must all be there, with the same names, order, kinds and
defaults. Parameters whose names start with an underscore are private plumbing
(``Thread(_client, id)``): only their position and kind must match. Keyword-only parameters
with defaults may be added (public ones such as ``approval_handler=``, and private ones): no
call written for the reference changes meaning. Public root exports may be added after the
reference's names, which keep their order. Protocol enums keep every reference member and may
gain the values a newer supported runtime adds (``ThreadSortKey.recency_at`` from 0.163).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import openai_codex
import pytest

from tools.reference_signatures import describe

FACTS = json.loads((Path(__file__).parent / "data" / "reference_signatures.json").read_text())
REFERENCE_VERSION = FACTS["reference_version"]


def _normalize(
    params: list[dict[str, Any]] | None, version: str, reference: list[dict[str, Any]] | None = None
) -> list[tuple[str, str, Any]]:
    """The comparable form of a signature; for ours (``reference`` given), added keywords go."""
    assert params is not None, "signature not introspectable"
    known = {p["name"] for p in reference or ()}
    out = []
    for p in params:
        name = p["name"]
        added = reference is not None and name not in known
        if added and p["kind"] == "KEYWORD_ONLY" and p["default"] is not None:
            continue  # an added keyword-only parameter with a default
        default = p["default"]
        if default == repr(version):
            default = "<__version__>"
        if name.startswith("_") and name != "self":
            name = "<private>"
        out.append((name, p["kind"], default))
    return out


def _cases() -> list[tuple[str, str]]:
    return [
        (module, name) for module, facts in FACTS.items() if module != "reference_version" for name in facts["names"]
    ]


@pytest.mark.parametrize("module_name", ["openai_codex", "openai_codex.types"])
def test_all_lists_the_same_names_in_the_same_order(module_name: str) -> None:
    module = importlib.import_module(module_name)
    reference = FACTS[module_name]["__all__"]
    assert list(module.__all__)[: len(reference)] == reference
    if module_name == "openai_codex.types":
        assert list(module.__all__) == reference


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, Any] = {}
    exec("from openai_codex import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(openai_codex.__all__)


@pytest.mark.parametrize(
    "name",
    [
        "CodexClient",
        "AsyncCodexClient",
        "InitializeResponse",
        "ThreadStartParams",
        "TurnStartParams",
        "TurnCompletedNotification",
        "TurnStatus",
    ],
)
def test_internal_and_protocol_names_stay_out_of_the_root(name: str) -> None:
    assert not hasattr(openai_codex, name)


@pytest.mark.parametrize(("module_name", "name"), _cases(), ids=lambda v: v)
def test_signature_matches_the_reference(module_name: str, name: str) -> None:
    reference = FACTS[module_name]["names"][name]
    ours = describe(getattr(importlib.import_module(module_name), name))
    if reference["kind"] == "model":
        # Protocol models: their fields are checked by the protocol-type tests.
        assert ours["kind"] in {"class", "model"}, ours
        return
    assert ours["kind"] == reference["kind"], ours
    if reference["kind"] == "enum":
        # Every reference member, with its value; a newer runtime's values may be added.
        assert {k: v for k, v in ours["members"].items() if k in reference["members"]} == reference["members"]
    elif reference["kind"] == "function":
        assert ours["async"] == reference["async"]
        assert _normalize(ours["params"], openai_codex.__version__, reference["params"]) == _normalize(
            reference["params"], REFERENCE_VERSION
        )
    elif reference["kind"] == "class":
        cls = getattr(importlib.import_module(module_name), name)
        for prop in reference["properties"]:
            assert isinstance(getattr(cls, prop, None), property) or hasattr(cls, prop), prop
        for method, ref_sig in reference["methods"].items():
            our_sig = ours["methods"].get(method)
            if our_sig is None:
                # Inherited here (e.g. from a shared base class): describe it directly.
                our_sig = describe(getattr(cls, method)) if hasattr(cls, method) else None
            assert our_sig is not None, f"{name}.{method} is missing"
            assert our_sig["async"] == ref_sig["async"], f"{name}.{method} sync/async differs"
            assert _normalize(our_sig["params"], openai_codex.__version__, ref_sig["params"]) == _normalize(
                ref_sig["params"], REFERENCE_VERSION
            ), f"{name}.{method}"
