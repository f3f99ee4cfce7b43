#!/usr/bin/env bash
# Runs the pytest suite on other CPython versions (default: 3.10 and 3.13, the oldest supported
# and the newest), each in its own virtualenv (.venv-pyX.Y) with the same tools and runtime as
# .venv. The extension is one abi3 build, so each install only relinks it for that interpreter.
# Interpreters are looked up under pyenv, then on PATH (python3.10). Extra arguments go to pytest.
# Used by scripts/test.sh; run it alone after ./scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSIONS=${TEST_PYTHONS-"3.10 3.13"}
step() { echo "[pythons] $*" >&2; }

find_python() {
    # pyenv's own install first (its python3.X shims fail for versions that are not selected).
    local version=$1 candidate
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python "$(command -v "python$version")"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c "" >/dev/null 2>&1; then
            echo "$candidate"
            return
        fi
    done
    return 1
}

for version in $VERSIONS; do
    python=$(find_python "$version") || {
        echo "error: CPython $version not found (on PATH as python$version, or under pyenv)" >&2
        exit 1
    }
    venv=.venv-py$version
    if [ ! -x "$venv/bin/python" ]; then
        step "creating $venv with $("$python" --version 2>&1)"
        "$python" -m venv "$venv"
    fi
    step "$venv: installing the test tools and the runtime (requirements-dev.txt)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
    if ! "$venv/bin/python" -c "import openai_codex, importlib.metadata as m; \
assert any(e.name == 'openai_codex' for e in m.entry_points(group='pytest11'))" >/dev/null 2>&1; then
        step "$venv: installing openai-codex from this checkout (editable)"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
    fi
    echo "== pytest on $("$venv/bin/python" --version 2>&1)"
    "$venv/bin/python" -m pytest "$@"
done
