"""Release engineering: the tag rule, stage_sdk.py, the built artifacts, the workflows.

The build tests compile the extension (dev profile) once per module, into a cargo target dir
under target/ that is reused across runs, so only the first run pays for the dependencies.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
import yaml

if sys.version_info < (3, 11):
    pytest.skip("stage_sdk.py needs Python 3.11+ (tomllib)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
STAGE_SCRIPT = ROOT / "stage_sdk.py"
WORKFLOWS = ROOT / ".github" / "workflows"
CARGO_TARGET_DIR = ROOT / "target" / "release-tests"
VERSION = "0.1.0b2"
PIN = "openai-codex-cli-bin==0.132.0"


def _load_stage_sdk():
    spec = importlib.util.spec_from_file_location("stage_sdk", STAGE_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["stage_sdk"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


stage_sdk = _load_stage_sdk()


def run_script(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, str(STAGE_SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


# ---------------------------------------------------------------------------------------------
# The tag rule


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("python-v0.1.0b1", "0.1.0b1"),
        ("python-v0.1.0b2", "0.1.0b2"),
        ("python-v1.0.0b0", "1.0.0b0"),
        ("python-v12.34.56b78", "12.34.56b78"),
    ],
)
def test_tag_rule_accepts_beta_tags(tag, version):
    assert stage_sdk.version_from_tag(tag) == version
    assert stage_sdk.validate_sdk_version(version) == version


@pytest.mark.parametrize(
    ("tag", "why"),
    [
        ("v0.1.0b1", "does not start with 'python-v'"),
        ("0.1.0b1", "does not start with 'python-v'"),
        ("python-0.1.0b1", "does not start with 'python-v'"),
        ("rust-v0.1.0b1", "does not start with 'python-v'"),
        ("python-v0.0.0-dev", "placeholder"),
        ("python-v0.1.0", "stable"),
        ("python-v1.2.3", "stable"),
        ("python-v0.1.0a1", "not a beta"),
        ("python-v0.1.0rc1", "not a beta"),
        ("python-v0.1.0b", "not a version of the form"),
        ("python-v0.1b1", "not a version of the form"),
        ("python-v01.1.0b1", "not a version of the form"),
        ("python-v0.1.0b1.post1", "not a version of the form"),
        ("python-v0.1.0B1", "not a version of the form"),
        ("python-v0.1.0-beta.1", "not a version of the form"),
        ("python-v0.1.0b1 ", "not a version of the form"),
        ("python-v", "not a version of the form"),
        ("", "does not start with 'python-v'"),
    ],
)
def test_tag_rule_refuses_everything_else_and_shows_the_expected_form(tag, why):
    with pytest.raises(stage_sdk.StageError) as raised:
        stage_sdk.version_from_tag(tag)
    message = str(raised.value)
    assert why in message
    assert "python-v0.1.0b1" in message


@pytest.mark.parametrize("version", ["0.0.0-dev", "0.1.0", "0.1.0rc1", "v0.1.0b1", "0.1.0b01"])
def test_version_rule_refuses_non_betas(version):
    with pytest.raises(stage_sdk.StageError, match=r"expected e\.g\. 0\.1\.0b1"):
        stage_sdk.validate_sdk_version(version)


def test_check_tag_command_prints_the_version():
    result = run_script("check-tag", "python-v0.1.0b2")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0.1.0b2\n"


def test_check_tag_command_fails_with_a_message():
    result = run_script("check-tag", "v0.1.0")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "expected a tag like python-v0.1.0b1" in result.stderr


# ---------------------------------------------------------------------------------------------
# Staging (no compiling)


def test_runtime_pin_is_read_from_the_source_pyproject():
    assert stage_sdk.read_runtime_pin(ROOT / "pyproject.toml") == PIN


def test_staging_the_real_tree_stamps_the_version_and_leaves_the_source_alone(tmp_path):
    source_pyproject = ROOT / "pyproject.toml"
    before = source_pyproject.read_bytes()
    staged = tmp_path / "staged"

    result = run_script("stage-sdk", staged, "--tag", f"python-v{VERSION}")

    assert result.returncode == 0, result.stderr
    assert source_pyproject.read_bytes() == before
    assert 'version = "0.0.0-dev"' in before.decode()

    text = (staged / "pyproject.toml").read_text()
    assert re.findall(r"(?m)^version = .*$", text) == [f'version = "{VERSION}"']
    assert text.count(PIN) == 1
    # Exactly one line differs from the source: the version.
    source_lines = before.decode().splitlines()
    staged_lines = text.splitlines()
    assert len(source_lines) == len(staged_lines)
    changed = [(a, b) for a, b in zip(source_lines, staged_lines, strict=True) if a != b]
    assert changed == [('version = "0.0.0-dev"', f'version = "{VERSION}"')]

    # The package and the crate are there; virtualenvs, build outputs and the compiled
    # extension from `maturin develop` are not.
    assert (staged / "Cargo.toml").is_file()
    assert (staged / "python" / "openai_codex" / "_version.py").is_file()
    for unwanted in (".git", ".venv", "target"):
        assert not (staged / unwanted).exists(), unwanted
    assert not list(staged.rglob("*.so")) and not list(staged.rglob("__pycache__"))


def test_a_local_build_can_pin_another_published_runtime(tmp_path):
    # For building from source against a runtime the index has: the pin line changes too,
    # nothing else does, and the source stays the template.
    before = (ROOT / "pyproject.toml").read_bytes()
    staged = tmp_path / "staged"
    result = run_script("stage-sdk", staged, "--sdk-version", VERSION, "--runtime-pin", "0.133.0")
    assert result.returncode == 0, result.stderr
    assert "(openai-codex-cli-bin==0.133.0)" in result.stdout
    assert (ROOT / "pyproject.toml").read_bytes() == before
    changed = [
        (a, b)
        for a, b in zip(before.decode().splitlines(), (staged / "pyproject.toml").read_text().splitlines(), strict=True)
        if a != b
    ]
    assert changed == [
        ('version = "0.0.0-dev"', f'version = "{VERSION}"'),
        (f'dependencies = ["{PIN}"]', 'dependencies = ["openai-codex-cli-bin==0.133.0"]'),
    ]
    bad = run_script("stage-sdk", tmp_path / "other", "--sdk-version", VERSION, "--runtime-pin", "latest")
    assert bad.returncode == 1 and "--runtime-pin 'latest' is not a runtime version" in bad.stderr


def test_the_release_workflow_never_repins_the_runtime():
    assert "--runtime-pin" not in (WORKFLOWS / "release.yml").read_text()


def _fake_template(root: Path, pyproject: str | None = None) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        pyproject
        if pyproject is not None
        else (
            "[project]\n"
            'name = "openai-codex"\n'
            'version = "0.0.0-dev"\n'
            f'dependencies = ["{PIN}"]\n'
            "\n"
            "[tool.other]\n"
            'version = "9.9.9"\n'
        )
    )
    (root / "pkg").mkdir()
    (root / "pkg" / "module.py").write_text("X = 1\n")
    return root


def _add_generator(source: Path, script: str) -> None:
    """Gives a fake template the generator hook stage_sdk runs, with this body."""
    generator = source / stage_sdk.GENERATOR_SCRIPT
    generator.parent.mkdir()
    generator.write_text(script)


def test_template_junk_is_not_copied(tmp_path):
    source = _fake_template(tmp_path / "source")
    for junk in (
        ".git/HEAD",
        ".venv/bin/python",
        ".venv-other/x",
        "target/debug/x",
        "dist/a.whl",
        "build/x",
        ".bench/data",
        "pkg/__pycache__/m.pyc",
        "pkg/_core.abi3.so",
        "pkg/_core.pyd",
        ".pytest_cache/x",
        "pkg.egg-info/PKG-INFO",
    ):
        path = source / junk
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("junk")
    # Names excluded only at the top stay when they are part of the package.
    (source / "pkg" / "build").mkdir()
    (source / "pkg" / "build" / "keep.py").write_text("")

    stage_sdk.stage_sdk(tmp_path / "staged", VERSION, source=source)

    copied = sorted(str(p.relative_to(tmp_path / "staged")) for p in (tmp_path / "staged").rglob("*") if p.is_file())
    assert copied == ["pkg/build/keep.py", "pkg/module.py", "pyproject.toml"]


def test_only_the_project_version_line_is_rewritten(tmp_path):
    source = _fake_template(tmp_path / "source")
    staged = stage_sdk.stage_sdk(tmp_path / "staged", VERSION, source=source)
    text = (staged.directory / "pyproject.toml").read_text()
    assert f'version = "{VERSION}"' in text
    assert 'version = "9.9.9"' in text  # the [tool.other] table is left alone
    assert staged.runtime_pin == PIN
    assert (source / "pyproject.toml").read_text().count('version = "0.0.0-dev"') == 1


def test_crlf_line_endings_are_kept(tmp_path):
    source = _fake_template(tmp_path / "source")
    pyproject = source / "pyproject.toml"
    pyproject.write_bytes(pyproject.read_bytes().replace(b"\n", b"\r\n"))
    stage_sdk.stage_sdk(tmp_path / "staged", VERSION, source=source)
    staged = (tmp_path / "staged" / "pyproject.toml").read_bytes()
    assert staged == pyproject.read_bytes().replace(b'"0.0.0-dev"', f'"{VERSION}"'.encode())


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        (f'[project]\nname = "x"\ndependencies = ["{PIN}"]\n', "has no `version"),
        (
            f'[project]\nversion = "0.0.0-dev"\nversion = "0.0.0-dev"\ndependencies = ["{PIN}"]\n',
            "2 version lines",
        ),
        (
            f'[project]\nversion = "0.1.0b1"\ndependencies = ["{PIN}"]\n',
            "is this already a staged copy",
        ),
        ('[project]\nversion = "0.0.0-dev"\ndependencies = ["pydantic>=2"]\n', "no runtime pin"),
        (
            '[project]\nversion = "0.0.0-dev"\ndependencies = ["openai-codex-cli-bin>=0.132"]\n',
            "exactly one exact runtime pin",
        ),
        (
            f'[project]\nversion = "0.0.0-dev"\ndependencies = ["{PIN}", "{PIN}"]\n',
            "exactly one exact runtime pin",
        ),
    ],
)
def test_bad_templates_are_refused_before_anything_is_written(tmp_path, pyproject, message):
    source = _fake_template(tmp_path / "source", pyproject)
    staging = tmp_path / "staged"
    result = run_script("stage-sdk", staging, "--sdk-version", VERSION, "--source", source)
    assert result.returncode == 1
    assert message in result.stderr
    assert not staging.exists()


def test_non_empty_staging_dir_needs_replace(tmp_path):
    source = _fake_template(tmp_path / "source")
    staging = tmp_path / "staged"
    staging.mkdir()
    (staging / "old.txt").write_text("from a previous run")

    refused = run_script("stage-sdk", staging, "--sdk-version", VERSION, "--source", source)
    assert refused.returncode == 1
    assert "not empty; pass --replace" in refused.stderr
    assert (staging / "old.txt").exists()

    replaced = run_script("stage-sdk", staging, "--sdk-version", VERSION, "--source", source, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert not (staging / "old.txt").exists()
    assert f'version = "{VERSION}"' in (staging / "pyproject.toml").read_text()


def test_staging_inside_the_source_tree_is_refused(tmp_path):
    source = _fake_template(tmp_path / "source")
    with pytest.raises(stage_sdk.StageError, match="overlaps the source tree"):
        stage_sdk.stage_sdk(source / "staged", VERSION, source=source)
    with pytest.raises(stage_sdk.StageError, match="overlaps the source tree"):
        stage_sdk.stage_sdk(tmp_path, VERSION, source=source, replace=True)
    assert (source / "pyproject.toml").is_file()


def test_version_and_tag_are_mutually_exclusive_and_one_is_required(tmp_path):
    both = run_script("stage-sdk", tmp_path / "s", "--sdk-version", VERSION, "--tag", "python-v0.1.0b2")
    neither = run_script("stage-sdk", tmp_path / "s")
    assert both.returncode == 2 and "not allowed with" in both.stderr
    assert neither.returncode == 2 and "required" in neither.stderr
    bad = run_script("stage-sdk", tmp_path / "s", "--sdk-version", "0.1.0")
    assert bad.returncode == 1 and "stable version" in bad.stderr
    assert not (tmp_path / "s").exists()


def test_build_needs_an_out_dir_outside_the_staging_dir(tmp_path):
    source = _fake_template(tmp_path / "source")
    staging = tmp_path / "staged"
    alone = run_script("stage-sdk", staging, "--sdk-version", VERSION, "--build", "--source", source)
    assert alone.returncode == 1 and "--build and --out-dir go together" in alone.stderr
    assert not staging.exists()
    inside = run_script(
        "stage-sdk", staging, "--sdk-version", VERSION, "--source", source,
        "--build", "--out-dir", staging / "dist",
    )  # fmt: skip
    assert inside.returncode == 1 and "must be outside the staging dir" in inside.stderr


def test_generator_hook_runs_in_the_staged_copy_only(tmp_path):
    source = _fake_template(tmp_path / "source")
    _add_generator(source, "from pathlib import Path\nPath('pkg/generated.py').write_text('GENERATED = True\\n')\n")
    result = run_script("stage-sdk", tmp_path / "staged", "--sdk-version", VERSION, "--source", source)
    assert result.returncode == 0, result.stderr
    assert f"running {stage_sdk.GENERATOR_SCRIPT}" in result.stdout
    assert (tmp_path / "staged" / "pkg" / "generated.py").read_text() == "GENERATED = True\n"
    assert not (source / "pkg" / "generated.py").exists()


def test_generator_hook_is_skipped_with_a_message_when_absent(tmp_path):
    source = _fake_template(tmp_path / "source")
    result = run_script("stage-sdk", tmp_path / "staged", "--sdk-version", VERSION, "--source", source)
    assert result.returncode == 0, result.stderr
    assert "not present, regeneration skipped" in result.stdout


def test_failing_generator_fails_the_staging(tmp_path):
    source = _fake_template(tmp_path / "source")
    _add_generator(source, "raise SystemExit(3)\n")
    result = run_script("stage-sdk", tmp_path / "staged", "--sdk-version", VERSION, "--source", source)
    assert result.returncode == 1
    assert "failed with exit code 3" in result.stderr


def test_a_generator_that_edits_pyproject_is_caught(tmp_path):
    source = _fake_template(tmp_path / "source")
    _add_generator(
        source,
        "from pathlib import Path\n"
        "p = Path('pyproject.toml')\n"
        "p.write_text(p.read_text().replace('name = \"openai-codex\"', 'name = \"other\"'))\n",
    )
    result = run_script("stage-sdk", tmp_path / "staged", "--sdk-version", VERSION, "--source", source)
    assert result.returncode == 1
    assert "differs by more than its version line" in result.stderr
    assert '+name = "other"' in result.stderr


# ---------------------------------------------------------------------------------------------
# __version__ outside a build


def _version_module():
    spec = importlib.util.spec_from_file_location(
        "_version_under_test", ROOT / "python" / "openai_codex" / "_version.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_source_checkout_reports_the_template_version():
    # Loaded from its place in this checkout (what the editable dev install imports), without
    # the package __init__, so the check does not need the compiled extension.
    version = _version_module()
    # The template's 0.0.0-dev, spelled as PEP 440 (and an installed dev build) spells it.
    assert version.__version__ == "0.0.0.dev0"
    assert version.package_version(ROOT / "python" / "openai_codex") == "0.0.0.dev0"
    assert [version._normal_form(v) for v in ("0.0.0-dev", "1.2-dev3", "0.1.0b2", "1.0")] == [
        "0.0.0.dev0",
        "1.2.dev3",
        "0.1.0b2",
        "1.0",
    ]


def _fake_layout(tmp_path: Path, pyproject: str | None) -> Path:
    package_dir = tmp_path / "python" / "openai_codex"
    package_dir.mkdir(parents=True)
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    return package_dir


def test_version_comes_from_our_pyproject_only(tmp_path, monkeypatch):
    version = _version_module()
    monkeypatch.setattr(version, "_installed_version", lambda: "7.7.7")

    ours = _fake_layout(tmp_path / "a", '[project]\nname = "openai-codex"\nversion = "0.1.0b9"\n')
    assert version.package_version(ours) == "0.1.0b9"

    # Someone else's project around an installed copy: use the installed metadata.
    other = _fake_layout(tmp_path / "b", '[project]\nname = "other"\nversion = "1.0"\n')
    assert version.package_version(other) == "7.7.7"
    # Our name only in another table does not count either.
    tool_only = _fake_layout(tmp_path / "c", '[project]\nname = "x"\n[tool.y]\nname = "openai-codex"\nversion = "2"\n')
    assert version.package_version(tool_only) == "7.7.7"
    assert version.package_version(_fake_layout(tmp_path / "d", None)) == "7.7.7"


def test_version_is_unknown_without_checkout_or_metadata(tmp_path, monkeypatch):
    version = _version_module()
    from importlib import metadata

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert version.package_version(_fake_layout(tmp_path, None)) == "0+unknown"


def test_installed_version_is_read_from_the_dist_info_folder_beside_the_package(tmp_path, monkeypatch):
    version = _version_module()
    monkeypatch.setattr(version, "_installed_version", lambda: "7.7.7")
    site = tmp_path / "site-packages"
    (site / "openai_codex").mkdir(parents=True)
    (site / "openai_codex-0.1.0b2.dist-info").mkdir()
    (site / "openai_codex_cli_bin-0.133.0.dist-info").mkdir()
    assert version.package_version(site / "openai_codex") == "0.1.0b2"
    # Two of ours (a broken install): let importlib.metadata decide.
    (site / "openai_codex-0.1.0b1.dist-info").mkdir()
    assert version.package_version(site / "openai_codex") == "7.7.7"


# ---------------------------------------------------------------------------------------------
# Built artifacts (compiles the extension once for this module)


def _cargo_env() -> dict[str, str]:
    return {**os.environ, "CARGO_TARGET_DIR": str(CARGO_TARGET_DIR)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Stage the real tree as 0.1.0b2 and build its sdist and wheel (dev profile)."""
    work = tmp_path_factory.mktemp("release-build")
    out = work / "dist"
    result = run_script(
        "stage-sdk",
        work / "staged",
        "--sdk-version",
        VERSION,
        "--build",
        "--out-dir",
        out,
        "--profile",
        "dev",
        env=_cargo_env(),
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0], "work": work}


@pytest.fixture(scope="module")
def wheel_from_sdist(built):
    """Unpack the sdist alone and build a wheel from it the same way."""
    work = built["work"] / "from-sdist"
    work.mkdir()
    with tarfile.open(built["sdist"]) as archive:
        archive.extractall(work, filter="data")
    (unpacked,) = work.iterdir()
    # sdists carry fixed old timestamps; without fresh ones cargo would take the shared
    # target dir's extension, built from the staged copy, as up to date and not compile
    # the sdist's own sources.
    now = time.time()
    for path in unpacked.rglob("*"):
        os.utime(path, (now, now))
    out = built["work"] / "sdist-dist"
    result = subprocess.run(
        [sys.executable, "-m", "maturin", "build", "--profile", "dev", "--out", str(out)],
        cwd=unpacked,
        capture_output=True,
        text=True,
        env=_cargo_env(),
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Compiling openai-codex-core" in result.stderr  # really built from the sdist
    (wheel,) = out.glob("*.whl")
    return wheel


def _metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name).decode()


def test_staged_wheel_metadata_has_the_version_and_the_pin(built):
    metadata = _metadata(built["wheel"])
    assert "Name: openai-codex\n" in metadata
    assert f"Version: {VERSION}\n" in metadata
    assert re.findall(r"(?m)^Requires-Dist: .*$", metadata) == [f"Requires-Dist: {PIN}"]
    assert built["wheel"].name.startswith(f"openai_codex-{VERSION}-cp310-abi3-")


def test_sdist_carries_the_stamped_pyproject(built):
    with tarfile.open(built["sdist"]) as archive:
        root = f"openai_codex-{VERSION}"
        pyproject = archive.extractfile(f"{root}/pyproject.toml").read().decode()
        pkg_info = archive.extractfile(f"{root}/PKG-INFO").read().decode()
    assert re.findall(r"(?m)^version = .*$", pyproject) == [f'version = "{VERSION}"']
    assert pyproject.count(PIN) == 1
    assert f"Version: {VERSION}\n" in pkg_info
    assert f"Requires-Dist: {PIN}\n" in pkg_info
    # The declared Apache-2.0 licence travels with the sources, and the wheel.
    with tarfile.open(built["sdist"]) as archive:
        licence = archive.extractfile(f"{root}/LICENSE").read()
    assert licence == (ROOT / "LICENSE").read_bytes()
    assert "License-File: LICENSE\n" in pkg_info
    with zipfile.ZipFile(built["wheel"]) as wheel:
        assert wheel.read(f"openai_codex-{VERSION}.dist-info/licenses/LICENSE") == licence


def test_the_sdist_builds_the_same_wheel(built, wheel_from_sdist):
    assert wheel_from_sdist.name == built["wheel"].name
    with zipfile.ZipFile(built["wheel"]) as a, zipfile.ZipFile(wheel_from_sdist) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            # The extension embeds build paths, RECORD hashes it, and the SBOM stamps time
            # and paths: those legitimately differ. Everything else must be byte-identical.
            if name.endswith((".so", ".pyd", "/RECORD")) or "/sboms/" in name:
                continue
            assert a.read(name) == b.read(name), name


def test_metadata_passes_twine_check_strict(built):
    pytest.importorskip("twine")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(built["wheel"]),
            str(built["sdist"]),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("which", ["staged wheel", "wheel from sdist"])
def test_wheel_installs_into_a_fresh_venv_and_reports_its_version(built, wheel_from_sdist, tmp_path, which):
    wheel = built["wheel"] if which == "staged wheel" else wheel_from_sdist
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # --no-deps: the pinned runtime 0.132.0 is not installable here (see RUNTIME.md).
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        env=env,
        timeout=300,
    )
    probe = (
        "import json, importlib.metadata, openai_codex, openai_codex._core, openai_codex._version\n"
        "print(json.dumps({'file': openai_codex.__file__,"
        " 'version': openai_codex._version.__version__,"
        " 'public': openai_codex.__version__,"
        " 'dist': importlib.metadata.version('openai-codex')}))\n"
    )
    out = subprocess.run(
        [str(python), "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert Path(report["file"]).resolve().is_relative_to(venv.resolve())
    assert report["version"] == VERSION
    assert report["dist"] == VERSION
    assert report["public"] == VERSION


# ---------------------------------------------------------------------------------------------
# Workflows

FULL_SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def _triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def _steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


@pytest.mark.parametrize("name", ["release.yml", "ci.yml"])
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version(name):
    uses = [step["uses"] for _, step in _steps(_workflow(name)) if "uses" in step]
    assert uses
    for ref in uses:
        assert FULL_SHA_PIN.match(ref), f"{name}: {ref} is not pinned to a 40-hex commit"
    text = (WORKFLOWS / name).read_text()
    lines = [line.strip() for line in text.splitlines() if "uses:" in line]
    for line in lines:
        assert VERSION_COMMENT.search(line), f"{name}: {line!r} lacks a `# vX.Y.Z` comment"
    # One action, one commit: no two versions of the same action in a file.
    pins: dict[str, set[str]] = {}
    for ref in uses:
        action, sha = ref.split("@")
        pins.setdefault(action, set()).add(sha)
    assert all(len(shas) == 1 for shas in pins.values()), pins


def test_release_trigger_concurrency_and_permissions():
    workflow = _workflow("release.yml")
    assert _triggers(workflow) == {"push": {"tags": ["python-v*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    concurrency = workflow["concurrency"]
    assert concurrency["group"] and "${{" not in concurrency["group"]  # one group for all tags
    assert concurrency.get("cancel-in-progress", False) is False


def test_release_jobs_run_in_order():
    jobs = _workflow("release.yml")["jobs"]
    assert set(jobs) == {"validate-tag", "stage", "wheels", "smoke-test", "sdist", "publish"}

    def needs(job):
        value = jobs[job].get("needs", [])
        return {value} if isinstance(value, str) else set(value)

    assert needs("validate-tag") == set()
    assert "validate-tag" in needs("stage")
    assert "stage" in needs("wheels") and "stage" in needs("sdist")
    assert "wheels" in needs("smoke-test")
    assert {"smoke-test", "sdist"} <= needs("publish")


def test_release_validates_and_stages_with_the_script_rule():
    jobs = _workflow("release.yml")["jobs"]
    validate = " ".join(step.get("run", "") for step in jobs["validate-tag"]["steps"])
    assert 'python stage_sdk.py check-tag "$GITHUB_REF_NAME"' in validate
    stage = " ".join(step.get("run", "") for step in jobs["stage"]["steps"])
    assert "python stage_sdk.py stage-sdk" in stage and '--tag "$GITHUB_REF_NAME"' in stage
    uploads = [s for s in jobs["stage"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["name"] == "staged-sdk"
    # Build jobs use the staged copy, never a fresh checkout of the template.
    for job in ("wheels", "sdist", "smoke-test", "publish"):
        assert not any(s.get("uses", "").startswith("actions/checkout@") for s in jobs[job]["steps"]), job


def test_release_builds_every_platform_with_maturin_and_smoke_tests_each():
    jobs = _workflow("release.yml")["jobs"]
    build = jobs["wheels"]
    targets = {(p["name"], p["target"]) for p in build["strategy"]["matrix"]["platform"]}
    assert targets == {
        ("linux-x86_64", "x86_64"),
        ("linux-aarch64", "aarch64"),
        ("macos-x86_64", "x86_64"),
        ("macos-arm64", "aarch64"),
        ("windows-x64", "x64"),
    }
    (maturin,) = [s for s in build["steps"] if s.get("uses", "").startswith("PyO3/maturin-action@")]
    assert maturin["with"]["working-directory"] == "staged"
    assert "--release" in maturin["with"]["args"]
    assert maturin["with"]["manylinux"]

    smoke = jobs["smoke-test"]
    smoked = {p["name"] for p in smoke["strategy"]["matrix"]["platform"]}
    assert smoked == {name for name, _ in targets}
    runners = {p["name"]: p["runner"] for p in smoke["strategy"]["matrix"]["platform"]}
    assert runners["linux-aarch64"].endswith("-arm") and runners["macos-x86_64"].endswith("-intel")
    script = "\n".join(s.get("run", "") for s in smoke["steps"])
    assert "pip install --no-deps" in script
    assert "openai_codex.__version__" in script
    assert "twine check --strict" in script

    sdist = jobs["sdist"]
    (maturin,) = [s for s in sdist["steps"] if s.get("uses", "").startswith("PyO3/maturin-action@")]
    assert maturin["with"]["command"] == "sdist"
    script = "\n".join(s.get("run", "") for s in sdist["steps"])
    assert "openai_codex.__version__" in script and "twine check --strict" in script


def test_publish_uses_trusted_publishing_only():
    workflow = _workflow("release.yml")
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    (step,) = [s for s in publish["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert set(step.get("with", {})) <= {"packages-dir", "print-hash", "attestations", "verbose"}
    text = (WORKFLOWS / "release.yml").read_text()
    assert "secrets." not in text and "password" not in text
    # Only the publish job can mint an OIDC token.
    for name, job in workflow["jobs"].items():
        if name != "publish":
            assert "id-token" not in (job.get("permissions") or {}), name


def test_ci_runs_the_readme_test_command_on_pull_requests():
    workflow = _workflow("ci.yml")
    triggers = _triggers(workflow)
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    runs = [step.get("run") for _, step in _steps(workflow)]
    assert "./scripts/test.sh" in runs


def _venv_tool(name: str) -> str:
    # The venv's bin dir need not be on PATH when tests run as .venv/bin/python -m pytest.
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.is_file() else shutil.which(name)
    assert found, f"{name} is missing: scripts/setup.sh installs it from requirements-dev.txt"
    return found


WORKFLOW_FILES = [str(WORKFLOWS / "release.yml"), str(WORKFLOWS / "ci.yml")]


def test_workflows_are_valid_against_githubs_workflow_schema():
    result = subprocess.run(
        [_venv_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *WORKFLOW_FILES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_have_no_zizmor_findings_even_pedantic_ones():
    result = subprocess.run(
        [_venv_tool("zizmor"), "--offline", "--persona=pedantic", *WORKFLOW_FILES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr
