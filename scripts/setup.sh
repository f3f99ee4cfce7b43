#!/usr/bin/env bash
# Development set-up on a fresh machine, idempotent: a virtualenv in .venv with the build and test
# tools and the Codex runtime wheel, and this package installed editable with its Rust extension
# built in release mode. Needs python3 (3.10+) and a Rust toolchain (cargo).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo not found; install a Rust toolchain (https://rustup.rs)" >&2
    exit 1
fi
step() { echo "[setup] $*" >&2; }
# rustfmt and clippy are part of the test run (scripts/test.sh), not optional extras.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    if command -v rustup >/dev/null 2>&1; then
        rustup component add rustfmt clippy
    else
        echo "error: cargo fmt and cargo clippy are needed; install the rustfmt and clippy components" >&2
        exit 1
    fi
fi
if [ ! -x .venv/bin/python ]; then
    step "creating .venv with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv .venv
fi
step "installing the build and test tools and the Codex runtime (requirements-dev.txt)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# --no-deps: the release runtime pin (0.132.0) is not installable here; requirements-dev.txt
# brings the development runtime instead. --no-build-isolation: use the maturin installed above.
# (Re)install when the package or its pytest plugin entry point is missing (an older checkout's
# install has no entry point).
if ! .venv/bin/python -c "import openai_codex, importlib.metadata as m; \
assert any(e.name == 'openai_codex' for e in m.entry_points(group='pytest11'))" >/dev/null 2>&1; then
    step "installing openai-codex from this checkout (editable; builds the Rust extension, about 1-2 min the first time)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
fi
# Rebuild the extension in place so the checkout's Rust code is what Python imports.
step "building the Rust extension (release mode; about 1-2 min the first time, seconds after)"
.venv/bin/maturin develop --release --skip-install --quiet
step "ready"
