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
    """Create `directory` with a config.toml that sends every model call to `base_url`.

    Top-level keys default to model "mock-model", approval_policy "never", sandbox_mode
    "read-only"; keyword overrides replace or add top-level keys (None removes one; dicts become
    inline tables). `provider` adds/replaces keys of `[model_providers.mock]` (e.g.
    `requires_openai_auth=True`). `extra_toml` is appended verbatim (tables go there).
    Retries are off so that an error reply surfaces at once instead of after backoff.
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
    """Env overrides for the runtime child (merge into os.environ, as CodexConfig.env is)."""
    return {"CODEX_HOME": str(Path(codex_home).resolve())}
