#!/usr/bin/env python3
"""Stage a release copy of the openai-codex SDK and, optionally, build it.

The source tree is a template: its pyproject.toml always says ``version = "0.0.0-dev"``.
A ``python-v*`` tag decides the published version; this script writes that version into a
*copy* of the tree and never edits the source. See RELEASING.md.

    python stage_sdk.py check-tag python-v0.1.0b2
    python stage_sdk.py stage-sdk /tmp/staged --tag python-v0.1.0b2 [--replace]
    python stage_sdk.py stage-sdk /tmp/staged --sdk-version 0.1.0b2 --build --out-dir /tmp/dist

For a build of your own against another published runtime (never for a release: the tag
workflow does not pass it), ``--runtime-pin 0.133.0`` also rewrites the pin in the copy, so
``pip install`` of the wheel pulls that runtime and reports no dependency conflict.

Needs Python 3.11+ (tomllib). Only the standard library, plus maturin for --build.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    sys.exit("stage_sdk.py needs Python 3.11 or newer (tomllib)")

SOURCE_ROOT = Path(__file__).resolve().parent

TAG_PREFIX = "python-v"
TEMPLATE_VERSION = "0.0.0-dev"
RUNTIME_DISTRIBUTION = "openai-codex-cli-bin"
EXAMPLE_TAG = f"{TAG_PREFIX}0.1.0b1"

# Hook for regenerating the protocol types from the schema snapshot. When this script exists in
# the template it is run, with no arguments, from the root of the *staged* copy, so the
# generated files that ship are the ones the snapshot implies. Absent: the step is skipped.
GENERATOR_SCRIPT = Path("tools") / "generate_protocol.py"

# Never copied into a staging dir, wherever they sit: VCS data, virtualenvs, caches and the
# compiled extension `maturin develop` leaves in python/ (the release build compiles its own).
EXCLUDED_NAMES = (
    ".git",
    ".venv*",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".tox",
    ".nox",
    "*.egg-info",
    "*.so",
    "*.pyd",
    "*.dylib",
    "*.dll",
    "*.py[cod]",
)
# Build and benchmark outputs, excluded only at the top of the tree.
EXCLUDED_AT_ROOT = ("target", "dist", "build", ".bench")

# A beta, and nothing else: X.Y.ZbN without leading zeros, so the tag text and the normalised
# PEP 440 version that ends up in the wheel are the same string.
_NUMBER = r"(?:0|[1-9][0-9]*)"
_BETA_VERSION = re.compile(rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}b{_NUMBER}")
_STABLE_VERSION = re.compile(rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}")
_PRERELEASE_VERSION = re.compile(rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:a|rc){_NUMBER}")

_TABLE_HEADER = re.compile(r"^\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_VERSION_KEY = re.compile(r"^\s*version\s*=")
_TEMPLATE_VERSION_LINE = re.compile(rf'^version\s*=\s*"{re.escape(TEMPLATE_VERSION)}"\s*$')
_RUNTIME_PIN = re.compile(r"^\s*openai[-_.]codex[-_.]cli[-_.]bin\s*==\s*([A-Za-z0-9.+!_-]+)\s*$")


class StageError(Exception):
    """A release precondition failed; the message says what and how to fix it."""


# --------------------------------------------------------------------------------------------
# The tag rule (the one place it is written; the release workflow calls `check-tag`).


def _version_problem(version: str) -> str | None:
    """Why ``version`` cannot be published, or None if it can. This is the whole rule."""
    if _BETA_VERSION.fullmatch(version):
        return None
    if version == TEMPLATE_VERSION:
        return f"{version!r} is the source template's placeholder, not a release version"
    if _STABLE_VERSION.fullmatch(version):
        return f"{version!r} is a stable version; only betas (X.Y.ZbN) are published"
    if _PRERELEASE_VERSION.fullmatch(version):
        return f"{version!r} is not a beta; only betas (X.Y.ZbN) are published"
    return f"{version!r} is not a version of the form X.Y.ZbN"


def validate_sdk_version(version: str) -> str:
    """Return ``version`` if it is a publishable SDK version (a beta ``X.Y.ZbN``), else raise."""
    problem = _version_problem(version)
    if problem:
        raise StageError(f"{problem}; expected e.g. {EXAMPLE_TAG[len(TAG_PREFIX) :]}")
    return version


def version_from_tag(tag: str) -> str:
    """``python-v0.1.0b2`` -> ``0.1.0b2``; anything else raises StageError."""
    expected = f"expected a tag like {EXAMPLE_TAG}"
    if not tag.startswith(TAG_PREFIX):
        raise StageError(f"tag {tag!r} does not start with {TAG_PREFIX!r}; {expected}")
    problem = _version_problem(tag[len(TAG_PREFIX) :])
    if problem:
        raise StageError(f"tag {tag!r}: {problem}; {expected}")
    return tag[len(TAG_PREFIX) :]


# --------------------------------------------------------------------------------------------
# pyproject.toml: where the version and the runtime pin are written.


def read_runtime_pin(pyproject: Path) -> str:
    """The exact ``openai-codex-cli-bin==X`` requirement from ``[project].dependencies``."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StageError(f"cannot read {pyproject}: {exc}") from None
    dependencies = data.get("project", {}).get("dependencies", [])
    pins = [dep for dep in dependencies if _RUNTIME_PIN.match(dep)]
    mentions = [dep for dep in dependencies if RUNTIME_DISTRIBUTION in dep.replace("_", "-")]
    if len(pins) == 1 and len(mentions) == 1:
        return pins[0].strip()
    if not mentions:
        raise StageError(
            f"{pyproject}: [project].dependencies has no runtime pin; expected exactly one "
            f'"{RUNTIME_DISTRIBUTION}==X.Y.Z"'
        )
    raise StageError(
        f"{pyproject}: expected exactly one exact runtime pin "
        f'"{RUNTIME_DISTRIBUTION}==X.Y.Z" in [project].dependencies, found {mentions}'
    )


def _project_version_lines(lines: list[str]) -> list[int]:
    """Indexes of the ``version = ...`` lines that belong to the ``[project]`` table."""
    table = None
    found = []
    for index, line in enumerate(lines):
        header = _TABLE_HEADER.match(line.rstrip("\r\n"))
        if header:
            table = header.group(1)
        elif table == "project" and _VERSION_KEY.match(line):
            found.append(index)
    return found


def stamp_version(text: str, version: str, where: str = "pyproject.toml") -> str:
    """Rewrite the one ``version = "0.0.0-dev"`` line of ``[project]``; touch nothing else."""
    lines = text.splitlines(keepends=True)
    found = _project_version_lines(lines)
    if not found:
        raise StageError(f'{where}: [project] has no `version = "{TEMPLATE_VERSION}"` line')
    if len(found) > 1:
        numbers = ", ".join(str(i + 1) for i in found)
        raise StageError(f"{where}: [project] has {len(found)} version lines (lines {numbers})")
    index = found[0]
    line = lines[index]
    body = line.rstrip("\r\n")
    if not _TEMPLATE_VERSION_LINE.match(body):
        raise StageError(
            f'{where}:{index + 1}: expected `version = "{TEMPLATE_VERSION}"` in the template, '
            f"found `{body.strip()}` (is this already a staged copy?)"
        )
    lines[index] = f'version = "{version}"' + line[len(body) :]
    return "".join(lines)


def repin_runtime(text: str, pin: str, runtime_version: str, where: str = "pyproject.toml") -> tuple[str, str]:
    """Replace the one runtime pin ``pin`` with ``==runtime_version``; return (text, new pin)."""
    if not re.fullmatch(rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:(?:a|b|rc){_NUMBER})?", runtime_version):
        raise StageError(f"--runtime-pin {runtime_version!r} is not a runtime version such as 0.133.0")
    new_pin = f"{RUNTIME_DISTRIBUTION}=={runtime_version}"
    if text.count(f'"{pin}"') != 1:
        raise StageError(f"{where}: the runtime pin {pin!r} is not present exactly once")
    return text.replace(f'"{pin}"', f'"{new_pin}"'), new_pin


def verify_staged_pyproject(
    source_text: str, staged_text: str, version: str, pin: str, *, source_pin: str | None = None
) -> None:
    """Check the staged pyproject: version once, pin once, and no other line changed.

    ``source_pin`` is the template's pin when a local build replaced it with ``pin``: that one
    replacement is then expected as well.
    """
    if source_pin is not None:
        source_text = source_text.replace(f'"{source_pin}"', f'"{pin}"')
    source_lines = source_text.splitlines(keepends=True)
    staged_lines = staged_text.splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(source_lines, staged_lines, strict=False)) if a != b]
    diff = "".join(difflib.unified_diff(source_lines, staged_lines, "source", "staged"))
    if len(source_lines) != len(staged_lines) or len(changed) != 1:
        raise StageError(f"staged pyproject.toml differs by more than its version line:\n{diff}")
    if staged_lines[changed[0]].rstrip("\r\n") != f'version = "{version}"':
        raise StageError(f"staged pyproject.toml changed an unexpected line:\n{diff}")

    data = tomllib.loads(staged_text)
    if data["project"].get("version") != version:
        raise StageError(
            f"staged pyproject.toml: [project].version is {data['project'].get('version')!r}, expected {version!r}"
        )
    if len(_project_version_lines(staged_lines)) != 1:
        raise StageError("staged pyproject.toml: the version is not present exactly once")
    if staged_text.count(pin) != 1 or pin not in data["project"].get("dependencies", []):
        raise StageError(f"staged pyproject.toml: runtime pin {pin!r} is not present exactly once")


# --------------------------------------------------------------------------------------------
# Staging


def _read_exact(path: Path) -> str:
    # Not read_text(): universal newlines would turn CRLF into LF and "change" every line.
    return path.read_bytes().decode("utf-8")


def _is_within(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def _ignore_for(root: Path):
    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = {n for n in names if any(fnmatch(n, pattern) for pattern in EXCLUDED_NAMES)}
        if Path(directory) == root:
            ignored.update(n for n in names if n in EXCLUDED_AT_ROOT)
        return ignored

    return ignore


def _prepare_staging_dir(staging: Path, source: Path, replace: bool) -> None:
    if _is_within(staging, source) or _is_within(source, staging):
        raise StageError(
            f"staging dir {staging} overlaps the source tree {source}; stage outside it "
            "(the source tree is never modified)"
        )
    if staging.exists() and not staging.is_dir():
        raise StageError(f"staging dir {staging} exists and is not a directory")
    if staging.is_dir() and any(staging.iterdir()):
        if not replace:
            raise StageError(f"staging dir {staging} is not empty; pass --replace to delete and re-create it")
        shutil.rmtree(staging)
    staging.mkdir(parents=True, exist_ok=True)


def _run_generator(staging: Path) -> bool:
    generator = staging / GENERATOR_SCRIPT
    if not generator.is_file():
        print(f"protocol types: {GENERATOR_SCRIPT} not present, regeneration skipped")
        return False
    print(f"protocol types: running {GENERATOR_SCRIPT} in the staged copy")
    result = subprocess.run([sys.executable, str(GENERATOR_SCRIPT)], cwd=staging)
    if result.returncode != 0:
        raise StageError(f"{GENERATOR_SCRIPT} failed with exit code {result.returncode}")
    return True


@dataclass(frozen=True)
class StagedSdk:
    directory: Path
    version: str
    runtime_pin: str
    regenerated: bool


def stage_sdk(
    staging: Path,
    version: str,
    *,
    source: Path = SOURCE_ROOT,
    replace: bool = False,
    runtime_pin: str | None = None,
) -> StagedSdk:
    """Copy the template at ``source`` into ``staging`` and stamp ``version`` into it.

    ``runtime_pin`` (a runtime version, for local builds only) also replaces the runtime pin.
    """
    version = validate_sdk_version(version)
    source = source.resolve()
    staging = staging.resolve()
    source_pyproject = source / "pyproject.toml"
    if not source_pyproject.is_file():
        raise StageError(f"no pyproject.toml in the source tree {source}")
    source_text = _read_exact(source_pyproject)
    # Fail on a bad template before anything is copied or deleted. The version line first: a
    # duplicated one also makes the TOML invalid, and its own message is the clearer one.
    stamp_version(source_text, version, str(source_pyproject))
    pin = read_runtime_pin(source_pyproject)

    _prepare_staging_dir(staging, source, replace)
    shutil.copytree(source, staging, ignore=_ignore_for(source), symlinks=True, dirs_exist_ok=True)
    regenerated = _run_generator(staging)

    staged_pyproject = staging / "pyproject.toml"
    # Compare against the pyproject as it stands in the staged copy before stamping; a
    # generator that edited it is caught by the line diff against the source.
    staged_text = stamp_version(_read_exact(staged_pyproject), version, str(staged_pyproject))
    source_pin = None
    if runtime_pin is not None:
        source_pin = pin
        staged_text, pin = repin_runtime(staged_text, pin, runtime_pin, str(staged_pyproject))
    verify_staged_pyproject(source_text, staged_text, version, pin, source_pin=source_pin)
    staged_pyproject.write_bytes(staged_text.encode("utf-8"))
    if read_runtime_pin(staged_pyproject) != pin:
        raise StageError(f"staged runtime pin differs from the source's {pin!r}")
    return StagedSdk(staging, version, pin, regenerated)


# --------------------------------------------------------------------------------------------
# Building


def _maturin() -> list[str]:
    if importlib.util.find_spec("maturin") is not None:
        return [sys.executable, "-m", "maturin"]
    found = shutil.which("maturin")
    if found is None:
        raise StageError("--build needs maturin: pip install 'maturin>=1.9,<2'")
    return [found]


def build_dists(staged: StagedSdk, out_dir: Path, *, profile: str = "release") -> list[Path]:
    """Build the sdist and this platform's wheel of the staged copy into ``out_dir``."""
    out_dir = out_dir.resolve()
    if _is_within(out_dir, staged.directory):
        # maturin would pack a half-written sdist into the sdist.
        raise StageError(f"--out-dir {out_dir} must be outside the staging dir")
    out_dir.mkdir(parents=True, exist_ok=True)
    maturin = _maturin()
    for step in (
        ["sdist", "--out", str(out_dir)],
        ["build", "--profile", profile, "--out", str(out_dir)],
    ):
        print("+ maturin", " ".join(step), flush=True)
        result = subprocess.run([*maturin, *step], cwd=staged.directory)
        if result.returncode != 0:
            raise StageError(f"maturin {step[0]} failed with exit code {result.returncode}")
    return sorted(out_dir.glob(f"openai_codex-{staged.version}[-.]*"))


# --------------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check-tag", help="validate a release tag and print its version")
    check.add_argument("tag", help=f"e.g. {EXAMPLE_TAG}")

    stage = commands.add_parser("stage-sdk", help="copy the template and stamp a version into it")
    stage.add_argument("staging_dir", type=Path, metavar="STAGING_DIR")
    which = stage.add_mutually_exclusive_group(required=True)
    which.add_argument("--sdk-version", metavar="VERSION", help="e.g. 0.1.0b1")
    which.add_argument("--tag", help=f"e.g. {EXAMPLE_TAG}")
    stage.add_argument("--replace", action="store_true", help="delete a non-empty STAGING_DIR before staging")
    stage.add_argument(
        "--build",
        action="store_true",
        help="build the sdist and wheel with maturin (needs --out-dir)",
    )
    stage.add_argument("--out-dir", type=Path, help="where --build writes, outside STAGING_DIR")
    stage.add_argument(
        "--runtime-pin",
        metavar="RUNTIME_VERSION",
        help="local builds only: pin this published openai-codex-cli-bin version instead of the release pin",
    )
    stage.add_argument(
        "--profile",
        default="release",
        help="cargo profile for the wheel (default release; `dev` builds faster, for tests)",
    )
    stage.add_argument(
        "--source", type=Path, default=SOURCE_ROOT, help=argparse.SUPPRESS
    )  # tests stage small fake templates
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check-tag":
            print(version_from_tag(args.tag))
            return 0
        if args.build != (args.out_dir is not None):
            raise StageError("--build and --out-dir go together")
        version = version_from_tag(args.tag) if args.tag else validate_sdk_version(args.sdk_version)
        staged = stage_sdk(
            args.staging_dir, version, source=args.source, replace=args.replace, runtime_pin=args.runtime_pin
        )
        print(f"staged openai-codex {staged.version} ({staged.runtime_pin}) in {staged.directory}")
        if args.build:
            for path in build_dists(staged, args.out_dir, profile=args.profile):
                print(f"built {path}")
        return 0
    except StageError as exc:
        print(f"stage_sdk.py: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
