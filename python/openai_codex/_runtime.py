"""Finding the packaged Codex runtime (``openai-codex-cli-bin``) and checking its version.

A release of this SDK pins one runtime (``openai-codex-cli-bin==X`` in its metadata) and works
with the range :data:`SUPPORTED_RUNTIMES`. Another installed runtime is used all the same, with
one :class:`RuntimeVersionWarning` per process that says which version was found and which
one the release expects. A source checkout (the development set-up pairs the nearest published
runtime on purpose) does not warn.

Runs when a client spawns the packaged runtime, so it stays cheap: folder names and one small
metadata file are read instead of importing ``importlib.metadata``.
"""

from __future__ import annotations

import os
import warnings

from ._version import DISTRIBUTION_NAME, _checkout_version

__all__ = ["RUNTIME_PACKAGE", "SUPPORTED_RUNTIMES", "RuntimeVersionWarning", "packaged_runtime"]

RUNTIME_PACKAGE = "openai-codex-cli-bin"
# The runtime versions this SDK's end-to-end tests run against (oldest, newest).
SUPPORTED_RUNTIMES = ("0.133.0", "0.163.0")

_RUNTIME_DIST_PREFIX = RUNTIME_PACKAGE.replace("-", "_") + "-"
_OUR_DIST_PREFIX = DISTRIBUTION_NAME.replace("-", "_") + "-"
_PIN_PREFIX = f"Requires-Dist: {RUNTIME_PACKAGE}=="

_warned = False


class RuntimeVersionWarning(UserWarning):
    """The installed Codex runtime is not the version this SDK release is pinned to.

    Only a warning: the runtime is used anyway. Silence it with
    ``warnings.filterwarnings("ignore", category=RuntimeVersionWarning)``.
    """


def packaged_runtime() -> tuple[str, str | None]:
    """The ``codex`` binary shipped by ``openai-codex-cli-bin``, and a directory for PATH.

    Raises:
        FileNotFoundError: the runtime package is not installed; the message says which
            version to install.
    """
    package_dir = os.path.dirname(os.path.realpath(__file__))
    try:
        import codex_cli_bin  # type: ignore[import-untyped]
    except ImportError:
        pin = release_pin(package_dir)
        wanted = f"{RUNTIME_PACKAGE}=={pin}" if pin else f"{RUNTIME_PACKAGE}=={SUPPORTED_RUNTIMES[1]}"
        raise FileNotFoundError(
            f"Unable to locate the Codex runtime: the {RUNTIME_PACKAGE} package is not installed. "
            f"Install it (pip install '{wanted}') or set CodexConfig.codex_bin to a codex executable."
        ) from None
    path_dir = codex_cli_bin.bundled_path_dir()
    binary = os.fspath(codex_cli_bin.bundled_codex_path())
    _check_version(package_dir, os.path.dirname(os.path.dirname(os.path.realpath(codex_cli_bin.__file__))))
    return binary, (os.fspath(path_dir) if path_dir else None)


def installed_runtime_version(site_dir: str) -> str | None:
    """The version of ``openai-codex-cli-bin`` whose ``.dist-info`` is in ``site_dir``."""
    names = _names(site_dir, _RUNTIME_DIST_PREFIX)
    return names[0][len(_RUNTIME_DIST_PREFIX) : -len(".dist-info")] if len(names) == 1 else None


def release_pin(package_dir: str) -> str | None:
    """The runtime version an installed copy of this SDK pins; None in a source checkout."""
    if _checkout_version(package_dir) is not None:
        return None
    site_dir = os.path.dirname(package_dir)
    names = _names(site_dir, _OUR_DIST_PREFIX)
    if len(names) != 1:
        return None
    try:
        with open(os.path.join(site_dir, names[0], "METADATA"), encoding="utf-8") as f:
            for line in f:
                if line.startswith(_PIN_PREFIX):
                    return line[len(_PIN_PREFIX) :].strip() or None
                if not line.strip():
                    break  # the headers end at the first blank line
    except OSError:
        return None
    return None


def _check_version(package_dir: str, runtime_site_dir: str) -> None:
    global _warned
    if _warned:
        return
    pin = release_pin(package_dir)
    found = installed_runtime_version(runtime_site_dir)
    if pin is None or found is None or found == pin:
        return
    _warned = True
    low, high = SUPPORTED_RUNTIMES
    tested = low if low == high else f"{low} to {high}"
    warnings.warn(
        f"using the Codex runtime {found} ({RUNTIME_PACKAGE}); this release of openai-codex is pinned "
        f"to {pin} and tested with {tested}. Install {RUNTIME_PACKAGE}=={pin} to match.",
        RuntimeVersionWarning,
        stacklevel=5,
    )


def _names(directory: str, prefix: str) -> list[str]:
    try:
        return [
            entry.name
            for entry in os.scandir(directory)
            if entry.name.startswith(prefix) and entry.name.endswith(".dist-info")
        ]
    except OSError:
        return []
