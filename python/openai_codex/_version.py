"""The SDK's own version, ``openai_codex.__version__``.

- Imported from a source checkout (the repo's pyproject.toml sits two levels above this
  package, at the root of the tree that holds ``python/``): the version written there (the
  template's ``0.0.0-dev``, or the stamped version inside a staged release copy), in its PEP 440
  normal form, so ``0.0.0.dev0`` as an installed copy of the checkout reports it too.
- Imported from an installed distribution: that distribution's version.
- Neither: ``0+unknown``.

The checkout is tried first because an editable install also has distribution metadata, which
may be stale (an install made before the checkout's version changed).

This runs at import, so it stays cheap: plain string handling instead of ``re``/``tomllib``, and
the installed version is read from the ``.dist-info`` folder name next to the package before
falling back to ``importlib.metadata`` (which alone costs more than the rest of the import).
"""

from __future__ import annotations

import os

DISTRIBUTION_NAME = "openai-codex"
UNKNOWN_VERSION = "0+unknown"
_DIST_INFO_PREFIX = DISTRIBUTION_NAME.replace("-", "_") + "-"


def _project_fields(text: str) -> dict[str, str]:
    """The string values of the ``[project]`` table's top-level keys in a pyproject.toml."""
    fields: dict[str, str] = {}
    in_project = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            in_project = line.split("#", 1)[0].strip() == "[project]"
            continue
        key, sep, value = line.partition("=")
        value = value.split("#", 1)[0].strip()
        if in_project and sep and len(value) >= 2 and value[0] == value[-1] == '"':
            fields.setdefault(key.strip(), value[1:-1])
    return fields


def _checkout_version(package_dir: str) -> str | None:
    pyproject = os.path.join(os.path.dirname(os.path.dirname(package_dir)), "pyproject.toml")
    try:
        with open(pyproject, encoding="utf-8") as f:
            fields = _project_fields(f.read())
    except (OSError, UnicodeDecodeError):
        return None
    # Some other project's pyproject.toml that happens to sit there (say, a venv at the root
    # of an unrelated repo) must not lend us its version.
    if fields.get("name") != DISTRIBUTION_NAME:
        return None
    version = fields.get("version")
    return None if version is None else _normal_form(version)


def _normal_form(version: str) -> str:
    """PEP 440's spelling of a development version such as the template's ``0.0.0-dev``.

    Only the ``-dev[N]`` suffix needs rewriting here: stamped release versions are refused by
    ``stage_sdk.py`` unless they are already in normal form.
    """
    release, sep, suffix = version.partition("-")
    if sep and suffix.startswith("dev"):
        number = suffix[3:].lstrip(".") or "0"
        if number.isdigit():
            return f"{release}.dev{int(number)}"
    return version


def _dist_info_version(package_dir: str) -> str | None:
    """The version in the name of our ``.dist-info`` folder beside the package, if exactly one."""
    try:
        names = [
            entry.name
            for entry in os.scandir(os.path.dirname(package_dir))
            if entry.name.startswith(_DIST_INFO_PREFIX) and entry.name.endswith(".dist-info")
        ]
    except OSError:
        return None
    if len(names) != 1:
        return None
    return names[0][len(_DIST_INFO_PREFIX) : -len(".dist-info")] or None


def _installed_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION_NAME)
    except metadata.PackageNotFoundError:
        return None


def package_version(package_dir: str | os.PathLike[str] | None = None) -> str:
    """The version for a package imported from ``package_dir`` (default: this one's)."""
    directory = os.fspath(package_dir) if package_dir is not None else os.path.dirname(os.path.realpath(__file__))
    return _checkout_version(directory) or _dist_info_version(directory) or _installed_version() or UNKNOWN_VERSION


__version__ = package_version()
