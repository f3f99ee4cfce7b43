"""A ``CODEX_HOME`` whose ``config.toml`` sends every model call to a scripted model."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["codex_env", "write_codex_home"]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to config.toml")


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def write_codex_home(
    directory: str | os.PathLike[str],
    base_url: str,
    *,
    provider: Mapping[str, Any] | None = None,
    extra_toml: str = "",
    **overrides: Any,
) -> Path:
    """Creates ``directory`` with a ``config.toml`` that sends every model call to ``base_url``.

    Top-level keys default to ``model = "mock-model"``, ``model_provider = "mock"``,
    ``approval_policy = "never"`` and ``sandbox_mode = "read-only"``. The provider
    ``[model_providers.mock]`` speaks the Responses API with retries off, so that an error
    reply surfaces at once instead of after backoff. An existing ``config.toml`` is replaced.

    Args:
        directory: The folder to write (created, with its parents, if missing).
        base_url: The provider's ``base_url`` (e.g. ``ScriptedModel.base_url``).
        provider: Keys to add to or replace in ``[model_providers.mock]`` (e.g.
            ``{"requires_openai_auth": True}``); a ``None`` value removes a key.
        extra_toml: TOML appended verbatim (tables such as ``[features]`` go here).
        **overrides: Top-level keys to replace or add (``None`` removes one; dicts become
            inline tables).

    Returns:
        The folder, as a ``Path``.

    Raises:
        TypeError: An override's value has no TOML form.
    """
    home = Path(directory)
    home.mkdir(parents=True, exist_ok=True)
    top: dict[str, Any] = {
        "model": "mock-model",
        "model_provider": "mock",
        "approval_policy": "never",
        "sandbox_mode": "read-only",
    }
    top.update(overrides)
    mock: dict[str, Any] = {
        "name": "mock",
        "base_url": base_url,
        "wire_api": "responses",
        "request_max_retries": 0,
        "stream_max_retries": 0,
        "supports_websockets": False,
    }
    mock.update(provider or {})
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in top.items() if v is not None]
    lines.append("")
    lines.append("[model_providers.mock]")
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in mock.items() if v is not None]
    if extra_toml:
        lines += ["", extra_toml.strip()]
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return home


def codex_env(codex_home: str | os.PathLike[str]) -> dict[str, str]:
    """The environment that points the runtime at a ``CODEX_HOME`` folder.

    Args:
        codex_home: The folder (made absolute here).

    Returns:
        ``{"CODEX_HOME": <absolute path>}``, for ``CodexConfig(env=...)``, which adds it to
        the inherited environment.
    """
    return {"CODEX_HOME": str(Path(codex_home).resolve())}
