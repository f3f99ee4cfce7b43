"""The SDK's own version, ``openai_codex.__version__``.

- Imported from a source checkout (the repo's pyproject.toml sits two levels above this
  package, at the root of the tree that holds ``python/``): the version written there, which is
  the template's ``0.0.0-dev`` (or the stamped version inside a staged release copy).
- Imported from an installed distribution: that distribution's version.
- Neither: ``0+unknown``.

The checkout is tried first because an editable install also has distribution metadata, and
that metadata records the PEP 440 normalisation ``0.0.0.dev0`` rather than the template text.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

DISTRIBUTION_NAME = "openai-codex"
UNKNOWN_VERSION = "0+unknown"

# A regex over the one file rather than tomllib: cheap at import time and works on 3.10.
_PROJECT_TABLE = re.compile(r"(?ms)^\[project\][ \t]*(?:#[^\n]*)?$(.*?)(?=^\[|\Z)")
_NAME = re.compile(r'(?m)^name\s*=\s*"([^"]*)"\s*$')
_VERSION = re.compile(r'(?m)^version\s*=\s*"([^"]+)"\s*$')


def _checkout_version(package_dir: Path) -> str | None:
    pyproject = package_dir.parents[1] / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    table = _PROJECT_TABLE.search(text)
    if table is None:
        return None
    name = _NAME.search(table.group(1))
    version = _VERSION.search(table.group(1))
    # Some other project's pyproject.toml that happens to sit there (say, a venv at the root
    # of an unrelated repo) must not lend us its version.
    if name is None or name.group(1) != DISTRIBUTION_NAME or version is None:
        return None
    return version.group(1)


def _installed_version() -> str | None:
    try:
        return metadata.version(DISTRIBUTION_NAME)
    except metadata.PackageNotFoundError:
        return None


def package_version(package_dir: Path | None = None) -> str:
    """The version for a package imported from ``package_dir`` (default: this one's)."""
    if package_dir is None:
        package_dir = Path(__file__).resolve().parent
    return _checkout_version(package_dir) or _installed_version() or UNKNOWN_VERSION


__version__ = package_version()
