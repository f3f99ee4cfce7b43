"""Finding the packaged runtime: the version found, the release pin, one warning on a mismatch."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from openai_codex import Codex, _runtime
from openai_codex.config import RuntimeVersionWarning


def _site(tmp_path: Path, *, pin: str | None, runtime: str | None) -> Path:
    """An installed layout: our package and dist-info, and the runtime's dist-info, side by side."""
    site = tmp_path / "site-packages"
    (site / "openai_codex").mkdir(parents=True)
    dist = site / "openai_codex-0.1.0b2.dist-info"
    dist.mkdir()
    requires = f"Requires-Dist: openai-codex-cli-bin=={pin}\n" if pin else ""
    (dist / "METADATA").write_text(f"Metadata-Version: 2.4\nName: openai-codex\n{requires}\nlong description\n")
    if runtime:
        (site / f"openai_codex_cli_bin-{runtime}.dist-info").mkdir()
    return site


def test_the_pin_and_the_runtime_version_are_read_from_the_installed_metadata(tmp_path: Path) -> None:
    site = _site(tmp_path, pin="0.132.0", runtime="0.133.0")
    assert _runtime.release_pin(str(site / "openai_codex")) == "0.132.0"
    assert _runtime.installed_runtime_version(str(site)) == "0.133.0"
    assert _runtime.release_pin(str(_site(tmp_path / "b", pin=None, runtime=None) / "openai_codex")) is None


def test_a_source_checkout_has_no_pin_to_enforce() -> None:
    package_dir = Path(_runtime.__file__).resolve().parent
    assert _runtime.release_pin(str(package_dir)) is None


def test_another_runtime_warns_once_and_the_pinned_one_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_runtime, "_warned", False)
    site = _site(tmp_path, pin="0.132.0", runtime="0.133.0")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _runtime._check_version(str(site / "openai_codex"), str(site))
        _runtime._check_version(str(site / "openai_codex"), str(site))
    assert [w.category for w in caught] == [RuntimeVersionWarning]
    message = str(caught[0].message)
    assert "using the Codex runtime 0.133.0" in message and "pinned to 0.132.0" in message
    assert "Install openai-codex-cli-bin==0.132.0" in message

    monkeypatch.setattr(_runtime, "_warned", False)
    matching = _site(tmp_path / "m", pin="0.133.0", runtime="0.133.0")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _runtime._check_version(str(matching / "openai_codex"), str(matching))
    assert caught == []


def test_missing_runtime_package_says_which_version_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "codex_cli_bin", None)  # makes the import fail
    with pytest.raises(FileNotFoundError) as raised:
        Codex()
    # From a checkout there is no release pin: the newest tested runtime is suggested.
    assert f"pip install 'openai-codex-cli-bin=={_runtime.SUPPORTED_RUNTIMES[1]}'" in str(raised.value)
    assert "CodexConfig.codex_bin" in str(raised.value)
