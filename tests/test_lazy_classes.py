"""The generated protocol classes are made on first use: importing the package makes none, a
name makes its own class (and what making it needs), a union makes the variants its data
names, and every path to a class gives the same object.

Each test runs in a fresh interpreter, where nothing has been loaded yet; what it prints is
the set of class modules (``openai_codex.generated._v2.<Class>``) loaded and the number of
generated classes that exist.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAKE_APP_SERVER = ROOT / "devtools" / "fake_app_server.py"

# Helpers of every program below: the class modules loaded, and the generated classes that
# exist (found from the bases in _model, which are there as soon as any class is).
PRELUDE = """\
import json, sys

def loaded():
    prefix = "openai_codex.generated._v2."
    return sorted(name[len(prefix):] for name in sys.modules if name.startswith(prefix))

def made():
    if "openai_codex._model.base" not in sys.modules:
        return 0
    from openai_codex._model import IntAlias, RootWrapper, StrAlias, WireEnum, WireModel
    seen, todo = set(), [WireModel, WireEnum, RootWrapper, StrAlias, IntAlias]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sum(1 for cls in seen if cls.__module__ == "openai_codex.generated.v2_all")

def report(label):
    print(json.dumps([label, loaded(), made()]))
"""


def run(program: str) -> dict[str, tuple[list[str], int]]:
    """Runs ``program`` after PRELUDE in a fresh interpreter: label -> (modules, classes) of
    each ``report(label)`` it made."""
    code = PRELUDE + textwrap.dedent(program)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("[")]
    return {label: (modules, count) for label, modules, count in reports}


def test_importing_the_package_makes_no_protocol_class() -> None:
    reports = run(
        """
        import openai_codex
        report("import")
        import openai_codex.types
        from openai_codex.generated import notification_registry, notification_types, v2_all
        report("tables")
        print(len(v2_all.__all__), len(v2_all.CLASSES), len(notification_registry.NOTIFICATION_MODELS))
        report("sizes")
        """
    )
    assert reports["import"] == ([], 0)
    # The public modules and the name tables hold names only.
    assert reports["tables"] == ([], 0)
    assert reports["sizes"] == ([], 0)


def test_a_name_makes_its_own_class_once_whichever_path_reaches_it() -> None:
    reports = run(
        """
        import pickle
        import openai_codex
        from openai_codex.generated.v2_all import ThreadTokenUsage
        report("name")
        import openai_codex.types
        from openai_codex.generated import v2_all
        from openai_codex.types import ThreadTokenUsage as again
        assert again is ThreadTokenUsage is openai_codex.types.ThreadTokenUsage
        assert v2_all.CLASSES["ThreadTokenUsage"] is ThreadTokenUsage is v2_all.ThreadTokenUsage
        assert ThreadTokenUsage.__module__ == "openai_codex.generated.v2_all"
        assert "ThreadTokenUsage" in dir(v2_all) and "TokenUsageBreakdown" in dir(v2_all)
        report("same object")
        # Its fields' classes come when a field is first used.
        usage = ThreadTokenUsage.model_validate(
            {"last": {"cachedInputTokens": 0, "inputTokens": 1, "outputTokens": 2,
                      "reasoningOutputTokens": 0, "totalTokens": 3},
             "total": {"cachedInputTokens": 0, "inputTokens": 1, "outputTokens": 2,
                       "reasoningOutputTokens": 0, "totalTokens": 3}}
        )
        assert isinstance(usage.total, v2_all.TokenUsageBreakdown)
        assert pickle.loads(pickle.dumps(usage)) == usage
        report("field used")
        """
    )
    assert reports["name"] == (["ThreadTokenUsage"], 1)
    assert reports["same object"] == (["ThreadTokenUsage"], 1)
    assert reports["field used"] == (["ThreadTokenUsage", "TokenUsageBreakdown"], 2)


def test_a_union_makes_the_variants_its_data_names() -> None:
    reports = run(
        """
        import pickle
        from openai_codex._wire import model_for
        from openai_codex.generated import v2_all
        item = model_for("ThreadItem", {"type": "agentMessage", "id": "1", "text": "hi"})
        report("one item")
        assert type(item).__name__ == "AgentMessageThreadItem" and item.text == "hi"
        assert isinstance(item, v2_all.ThreadItem) and isinstance(item, v2_all.AgentMessageThreadItem)
        assert type(item) is v2_all.AgentMessageThreadItem
        assert pickle.loads(pickle.dumps(item)) == item
        unknown = model_for("ThreadItem", {"type": "fromANewerRuntime", "id": "2"})
        assert type(unknown) is v2_all.ThreadItem and unknown.id == "2"
        report("unknown tag")
        # Built from a dict, a union makes the variant the tag names; its error lists every tag.
        plan = v2_all.ThreadItem(root={"type": "plan", "id": "3", "text": "t"})
        assert type(plan) is v2_all.PlanThreadItem
        try:
            v2_all.ThreadItem(root={"type": "nope"})
        except ValueError as error:
            assert "'sleep'" in str(error), error
        else:
            raise AssertionError("no error")
        report("built")
        """
    )
    assert reports["one item"] == (["AgentMessageThreadItem", "ThreadItem"], 2)
    assert reports["unknown tag"] == (["AgentMessageThreadItem", "ThreadItem"], 2)
    assert reports["built"] == (["AgentMessageThreadItem", "PlanThreadItem", "ThreadItem"], 3)


def test_a_class_makes_the_enums_its_defaults_name() -> None:
    """A default written as an enum member needs the enum when the class is made."""
    reports = run(
        """
        from openai_codex.generated import v2_all
        v2_all.CommandExecutionThreadItem
        report("variant")
        """
    )
    modules, count = reports["variant"]
    assert modules == ["CommandExecutionSource", "CommandExecutionThreadItem", "ThreadItem"]
    assert count == 3


def test_a_missing_name_is_an_attribute_error() -> None:
    from openai_codex.generated import v2_all

    with pytest.raises(AttributeError, match="no attribute 'NoSuchClass'"):
        v2_all.NoSuchClass  # noqa: B018
    assert "NoSuchClass" not in v2_all.CLASSES
    with pytest.raises(KeyError):
        v2_all.CLASSES["__init__"]
    assert v2_all.CLASSES.get("NoSuchClass") is None


def test_type_hints_resolve_once_the_classes_they_name_are_made() -> None:
    """``typing.get_type_hints`` evaluates annotations in ``v2_all``'s globals, where each class
    goes when it is made: with every class made, every class's hints resolve."""
    from openai_codex.generated import v2_all

    classes = list(v2_all.CLASSES.values())
    assert len(classes) == len(v2_all.__all__)
    for cls in classes:
        typing.get_type_hints(cls)
    assert typing.get_type_hints(v2_all.ThreadTokenUsage)["total"] is v2_all.TokenUsageBreakdown


@pytest.mark.e2e
def test_a_first_turn_makes_a_few_classes() -> None:
    """From a fresh process to a first result (as benchmarks/run.py's first_turn does), and a
    streamed turn after it: each event makes its own payload class, not the protocol."""
    reports = run(
        f"""
        from openai_codex import Codex, CodexConfig
        fake = ({sys.executable!r}, {str(FAKE_APP_SERVER)!r}, "--deltas", "3")
        with Codex(CodexConfig(launch_args_override=fake)) as codex:
            thread = codex.thread_start()
            assert thread.run("hi").final_response
            report("run")
            events = list(thread.turn("again").stream())
            assert events
            report("stream")
        """
    )
    modules, count = reports["run"]
    assert len(modules) <= 8 and count == len(modules), modules
    assert "ThreadItem" in modules
    modules, count = reports["stream"]
    assert len(modules) <= 40 and count == len(modules), modules
