"""The protocol generator: the checked-in output matches the snapshot, the output is
deterministic, staleness is caught, and the snapshot is what the runtime writes."""

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
SCHEMA = ROOT / "schema" / "codex_app_server_protocol.schemas.json"
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


def test_snapshot_is_stored_normalized() -> None:
    text = SCHEMA.read_text(encoding="utf-8")
    assert text == generate_protocol.normalized(json.loads(text))


def test_output_does_not_depend_on_key_order() -> None:
    bundle = json.loads(SCHEMA.read_text(encoding="utf-8"))
    first = generate_protocol.generate(bundle, "x")
    for seed in (1, 2):
        assert generate_protocol.generate(shuffled(bundle, random.Random(seed)), "x") == first


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
    bundle_path = repo_copy / "schema" / SCHEMA.name
    bundle = json.loads(bundle_path.read_text())
    definitions = bundle["definitions"]["v2"]
    definitions["AgentMessageDeltaNotification"]["properties"]["chunkIndex"] = {"type": "integer"}
    bundle_path.write_text(generate_protocol.normalized(bundle))

    stale = run_generator("--check", cwd=repo_copy)
    assert stale.returncode == 1
    # A scalar-only notification class lives in flat.py (re-exported by v2_all).
    assert "flat.py" in stale.stderr
    assert run_generator(cwd=repo_copy).returncode == 0
    assert (
        "chunk_index: int | None = None"
        in (repo_copy / "python" / "openai_codex" / "generated" / "flat.py").read_text()
    )


def test_check_notices_a_missing_file(repo_copy: Path) -> None:
    (repo_copy / "python" / "openai_codex" / "generated" / "v2_all.py").unlink()
    stale = run_generator("--check", cwd=repo_copy)
    assert stale.returncode == 1
    assert "v2_all.py: missing" in stale.stderr


def test_snapshot_is_what_the_bundled_runtime_writes(repo_copy: Path) -> None:
    codex_cli_bin = pytest.importorskip("codex_cli_bin")
    codex = codex_cli_bin.bundled_codex_path()
    version = subprocess.run([str(codex), "--version"], capture_output=True, text=True, check=True)
    pinned = (ROOT / "schema" / "RUNTIME_VERSION").read_text().strip()
    if not version.stdout.strip().endswith(pinned):
        pytest.skip(f"installed runtime is {version.stdout.strip()}, snapshot is {pinned}")

    result = run_generator("--schema-from-binary", str(codex), cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    assert (repo_copy / "schema" / SCHEMA.name).read_text() == SCHEMA.read_text()
    assert run_generator("--check", cwd=repo_copy).returncode == 0


def test_every_server_notification_has_a_payload_class() -> None:
    bundle = json.loads(SCHEMA.read_text(encoding="utf-8"))
    variants = bundle["definitions"]["ServerNotification"]["oneOf"]
    methods = {v["properties"]["method"]["enum"][0] for v in variants}
    assert len(methods) == 64

    from openai_codex.generated.notification_registry import NOTIFICATION_MODELS

    assert set(NOTIFICATION_MODELS) == methods
    for variant in variants:
        method = variant["properties"]["method"]["enum"][0]
        expected = variant["properties"]["params"]["$ref"].rsplit("/", 1)[-1]
        assert NOTIFICATION_MODELS[method].__name__ == expected


def test_every_definition_becomes_a_class() -> None:
    from openai_codex.generated.v2_all import CLASSES

    bundle = json.loads(SCHEMA.read_text(encoding="utf-8"))
    definitions = set(bundle["definitions"]) - {"v2"} | set(bundle["definitions"]["v2"])
    assert definitions <= set(CLASSES)


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
