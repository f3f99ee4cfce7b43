"""The protocol generator: the checked-in output matches the snapshots, the output is
deterministic, staleness is caught, each snapshot is what its runtime writes, and the merged
protocol accepts what every snapshot's runtime sends."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "tools" / "generate_protocol.py"
BUNDLE = "codex_app_server_protocol.schemas.json"
# One snapshot per supported runtime version (schema/<version>/), oldest first.
SNAPSHOTS = sorted((ROOT / "schema").glob(f"*/{BUNDLE}"), key=lambda p: tuple(int(n) for n in p.parent.name.split(".")))
OLDEST, NEWEST = SNAPSHOTS[0], SNAPSHOTS[-1]
GENERATED = ROOT / "python" / "openai_codex" / "generated"

sys.path.insert(0, str(GENERATOR.parent))
import generate_protocol  # noqa: E402

# Where the reference SDK may be installed on a development machine (not in CI).
REFERENCE_V2_ALL = [
    ROOT
    / ".bench"
    / "refvenv"
    / "lib"
    / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    / "site-packages"
    / "openai_codex"
    / "generated"
    / "v2_all.py",
    Path("/tmp/refenv/venv/lib/python3.11/site-packages/openai_codex/generated/v2_all.py"),
]


def run_generator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "tools/generate_protocol.py", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The generator, snapshot and generated package in a scratch tree, as the release stages them."""
    copy = tmp_path / "staged"
    (copy / "tools").mkdir(parents=True)
    shutil.copy2(GENERATOR, copy / "tools" / "generate_protocol.py")
    shutil.copytree(ROOT / "schema", copy / "schema")
    shutil.copytree(
        GENERATED, copy / "python" / "openai_codex" / "generated", ignore=shutil.ignore_patterns("__pycache__")
    )
    return copy


def shuffled(value: Any, rng: random.Random) -> Any:
    """The same JSON with every object's keys in a random order (as the runtime writes them)."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


def test_checked_in_code_matches_the_snapshot() -> None:
    result = run_generator("--check", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_there_is_a_snapshot_of_the_oldest_and_the_newest_supported_runtime() -> None:
    from openai_codex._runtime import SUPPORTED_RUNTIMES

    assert [p.parent.name for p in (OLDEST, NEWEST)] == list(SUPPORTED_RUNTIMES)


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda p: p.parent.name)
def test_snapshot_is_stored_normalized(snapshot: Path) -> None:
    text = snapshot.read_text(encoding="utf-8")
    assert text == generate_protocol.normalized(json.loads(text))


def test_output_does_not_depend_on_key_order() -> None:
    snapshots = [(p.parent.name, json.loads(p.read_text(encoding="utf-8"))) for p in SNAPSHOTS]
    first = generate_protocol.generate(generate_protocol.merge_snapshots(snapshots), "x")
    for seed in (1, 2):
        rng = random.Random(seed)
        reordered = [(version, shuffled(bundle, rng)) for version, bundle in snapshots]
        assert generate_protocol.generate(generate_protocol.merge_snapshots(reordered), "x") == first


def test_check_reports_an_edited_file_and_regeneration_repairs_it(repo_copy: Path) -> None:
    registry = repo_copy / "python" / "openai_codex" / "generated" / "notification_registry.py"
    registry.write_text(registry.read_text().replace('"item/agentMessage/delta"', '"item/renamed"'))

    stale = run_generator("--check", cwd=repo_copy)
    assert stale.returncode == 1
    assert "notification_registry.py" in stale.stderr and "item/renamed" in stale.stderr

    # No arguments, run from the copy's root: what the release script does in its staging dir.
    regenerated = run_generator(cwd=repo_copy)
    assert regenerated.returncode == 0, regenerated.stderr
    assert registry.read_text() == (GENERATED / "notification_registry.py").read_text()
    assert run_generator("--check", cwd=repo_copy).returncode == 0


def test_check_fails_when_the_schema_changes(repo_copy: Path) -> None:
    bundle_path = repo_copy / "schema" / NEWEST.parent.name / BUNDLE
    bundle = json.loads(bundle_path.read_text())
    definitions = bundle["definitions"]["v2"]
    definitions["AgentMessageDeltaNotification"]["properties"]["chunkIndex"] = {"type": "integer"}
    bundle_path.write_text(generate_protocol.normalized(bundle))

    stale = run_generator("--check", cwd=repo_copy)
    assert stale.returncode == 1
    # Each class has a module of its own, named as the class (v2_all exports it).
    module = Path("_v2") / "AgentMessageDeltaNotification.py"
    assert module.as_posix() in stale.stderr
    assert run_generator(cwd=repo_copy).returncode == 0
    regenerated = (repo_copy / "python" / "openai_codex" / "generated" / module).read_text()
    assert "chunk_index: int | None = None" in regenerated


def test_check_notices_a_missing_file(repo_copy: Path) -> None:
    (repo_copy / "python" / "openai_codex" / "generated" / "v2_all.py").unlink()
    stale = run_generator("--check", cwd=repo_copy)
    assert stale.returncode == 1
    assert "v2_all.py: missing" in stale.stderr


def test_a_module_the_schema_no_longer_implies_is_reported_and_removed(repo_copy: Path) -> None:
    gone = repo_copy / "python" / "openai_codex" / "generated" / "_v2" / "GoneFromTheSchema.py"
    gone.write_text("class GoneFromTheSchema: ...\n")
    stale = run_generator("--check", cwd=repo_copy)
    assert stale.returncode == 1
    assert "_v2/GoneFromTheSchema.py: not generated any more" in stale.stderr
    assert run_generator(cwd=repo_copy).returncode == 0
    assert not gone.exists()
    assert run_generator("--check", cwd=repo_copy).returncode == 0


def test_class_modules_are_one_per_class_named_as_the_class() -> None:
    proto = generate_protocol.Builder(generate_protocol.load_snapshot()[0]).build()
    names = generate_protocol.all_names(proto)
    modules = {p.stem for p in (GENERATED / "_v2").glob("*.py")} - {"__init__"}
    assert modules == names
    # File names differing only in case would be one file on macOS and Windows.
    proto.objects["THREAD"] = proto.objects["Thread"]
    with pytest.raises(generate_protocol.SchemaError, match="differ only in case"):
        generate_protocol.check_module_names(proto)


def _runtime_under_test() -> Path:
    """The runtime the tests run (OPENAI_CODEX_TEST_RUNTIME, else the installed package)."""
    import os

    chosen = os.environ.get("OPENAI_CODEX_TEST_RUNTIME")
    if chosen:
        return Path(chosen)
    codex_cli_bin = pytest.importorskip("codex_cli_bin")
    return Path(codex_cli_bin.bundled_codex_path())


def test_snapshot_is_what_the_runtime_writes(repo_copy: Path) -> None:
    codex = _runtime_under_test()
    version = subprocess.run([str(codex), "--version"], capture_output=True, text=True, check=True)
    version_number = version.stdout.strip().split()[-1]
    snapshot = ROOT / "schema" / version_number / BUNDLE
    if not snapshot.exists():
        pytest.skip(f"runtime under test is {version.stdout.strip()}, which has no snapshot")

    result = run_generator("--schema-from-binary", str(codex), cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    assert (repo_copy / "schema" / version_number / BUNDLE).read_text() == snapshot.read_text()
    assert run_generator("--check", cwd=repo_copy).returncode == 0


def _notification_methods(snapshot: Path) -> dict[str, str]:
    bundle = json.loads(snapshot.read_text(encoding="utf-8"))
    return {
        v["properties"]["method"]["enum"][0]: v["properties"]["params"]["$ref"].rsplit("/", 1)[-1]
        for v in bundle["definitions"]["ServerNotification"]["oneOf"]
    }


def test_every_server_notification_of_every_snapshot_has_a_payload_class() -> None:
    from openai_codex.generated.notification_registry import NOTIFICATION_MODELS

    by_version = {p.parent.name: _notification_methods(p) for p in SNAPSHOTS}
    assert len(by_version[OLDEST.parent.name]) == 64
    # The newer runtime adds methods (thread/deleted, turn/moderationMetadata, ...), drops none.
    assert set(by_version[OLDEST.parent.name]) < set(by_version[NEWEST.parent.name])
    union = {m: c for methods in by_version.values() for m, c in methods.items()}
    assert set(NOTIFICATION_MODELS) == set(union)
    for method, expected in union.items():
        assert NOTIFICATION_MODELS[method].__name__ == expected


def test_every_definition_of_every_snapshot_becomes_a_class() -> None:
    from openai_codex.generated.v2_all import CLASSES

    for snapshot in SNAPSHOTS:
        bundle = json.loads(snapshot.read_text(encoding="utf-8"))
        definitions = set(bundle["definitions"]) - {"v2"} | set(bundle["definitions"]["v2"])
        assert definitions <= set(CLASSES), snapshot.parent.name


def _defs(version: str, **definitions: Any) -> tuple[str, dict[str, Any]]:
    return version, {"definitions": definitions}


def test_merge_makes_a_field_optional_unless_every_version_requires_it() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["a", "b"]}
    new = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "c": {"type": "integer"}},
        "required": ["a", "c"],
    }
    merged = generate_protocol.merge_snapshots([_defs("1", T=old), _defs("2", T=new)])["definitions"]["T"]
    assert set(merged["properties"]) == {"a", "b", "c"}
    assert merged["required"] == ["a"]  # b: gone in 2; c: missing in 1


def test_merge_keeps_enum_values_and_union_variants_of_every_version() -> None:
    def variant(tag: str, **props: Any) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"type": {"enum": [tag], "type": "string"}, **props},
            "required": ["type", *props],
        }

    old = _defs(
        "1",
        E={"type": "string", "enum": ["x", "gone"]},
        U={"oneOf": [variant("a", n={"type": "integer"}), variant("b")]},
    )
    new = _defs(
        "2",
        E={"type": "string", "enum": ["x", "y"]},
        U={"oneOf": [variant("a", m={"type": "string"}), variant("c")]},
    )
    merged = generate_protocol.merge_snapshots([old, new])["definitions"]
    assert merged["E"]["enum"] == ["x", "y", "gone"]
    tags = [v["properties"]["type"]["enum"][0] for v in merged["U"]["oneOf"]]
    assert tags == ["a", "b", "c"]  # the older variants keep their places (and class numbers)
    a = merged["U"]["oneOf"][0]
    assert set(a["properties"]) == {"type", "n", "m"} and a["required"] == ["type"]


def test_merge_refuses_an_unreviewed_change_of_shape() -> None:
    old = _defs("1", T={"type": "object", "properties": {"a": {"type": "string"}}})
    new = _defs("2", T={"type": "array", "items": {"type": "string"}})
    with pytest.raises(generate_protocol.SchemaError, match="T"):
        generate_protocol.merge_snapshots([old, new])


def test_a_merged_class_requires_only_what_every_snapshot_requires() -> None:
    """So a payload of the older runtime fits the class although the newer one added required
    fields (0.163's Thread requires projectId, which 0.133 never sends)."""
    from openai_codex.generated.v2_all import CLASSES

    flat = [generate_protocol.flat_definitions(json.loads(p.read_text(encoding="utf-8"))) for p in SNAPSHOTS]
    checked = 0
    for name, cls in CLASSES.items():
        fields = getattr(cls, "model_fields", None)
        schemas = [defs[name] for defs in flat if name in defs and "properties" in defs[name]]
        if not fields or len(schemas) < 2 or "oneOf" in schemas[-1] or "anyOf" in schemas[-1]:
            continue
        required = {f.alias for f in fields.values() if f.required}
        for schema in schemas:
            assert required <= set(schema.get("required", ())), (name, required - set(schema.get("required", ())))
        checked += 1
    assert checked > 300
    assert not CLASSES["Thread"].model_fields["project_id"].required


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("itemId", "item_id"),
        ("inProgress", "in_progress"),
        ("on-failure", "on_failure"),
        ("PreToolUse", "pre_tool_use"),
        ("_meta", "field_meta"),
        ("async", "async_"),
        ("self_serve_business_usage_based", "self_serve_business_usage_based"),
        ("HTTPStatusCode", "http_status_code"),
    ],
)
def test_snake_case_names(value: str, name: str) -> None:
    assert generate_protocol.snake(value) == name


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Thread/startRequest", "ThreadStartRequest"),
        ("ApiKeyv2::LoginAccountParams", "ApiKeyLoginAccountParams"),
        ("item/agentMessage/delta", "ItemAgentMessageDelta"),
    ],
)
def test_class_names_from_titles(title: str, name: str) -> None:
    assert generate_protocol.pascal(title) == name


def test_every_reference_class_name_exists() -> None:
    """Code written for the reference SDK imports its classes from generated.v2_all by name."""
    reference = next((p for p in REFERENCE_V2_ALL if p.exists()), None)
    if reference is None:
        pytest.skip("the reference SDK (openai-codex 0.1.0b2) is not installed here")
    names = set(re.findall(r"^class (\w+)\(", reference.read_text(), re.MULTILINE))
    assert len(names) > 700

    from openai_codex.generated import v2_all

    missing = sorted(n for n in names if not hasattr(v2_all, n))
    assert missing == []
