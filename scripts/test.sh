#!/usr/bin/env bash
# Runs every test: Rust unit tests, the stub and typing checks, and the pytest suite (which drives
# the real Codex runtime offline against a scripted local model), then the end-to-end tests again
# on the newest supported runtime. Sets everything up first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== cargo test (Rust core)"
cargo test --quiet

echo "== rustfmt and clippy (lint policy: [lints] in Cargo.toml)"
cargo fmt --check
cargo clippy --quiet --all-targets --features python -- -D warnings

echo "== stubtest (the extension's .pyi matches the compiled module)"
.venv/bin/python -m mypy.stubtest openai_codex._core

echo "== ruff (lint and format), and generated code up to date (protocol types, the sync API)"
.venv/bin/python -m ruff check .
.venv/bin/python -m ruff format --check .
.venv/bin/python tools/generate_protocol.py --check
.venv/bin/python tools/async_to_sync.py --check

echo "== mypy --strict (the package, the examples and a typed usage file)"
.venv/bin/python -m mypy --strict -p openai_codex
.venv/bin/python -m mypy --strict examples tests/typing

echo "== pyright --strict (basedpyright) on the examples and typed usage files"
.venv/bin/basedpyright

echo "== pytest"
.venv/bin/python -m pytest "$@"

# The default run above uses the development runtime (0.133.0, the oldest supported one). The
# newest supported runtime runs every end-to-end test again (about 2-3 minutes), and checks that
# its schema snapshot is what it writes.
NEWEST_RUNTIME=$(.venv/bin/python -c "from openai_codex._runtime import SUPPORTED_RUNTIMES; print(SUPPORTED_RUNTIMES[-1])")
echo "== pytest -m e2e on the runtime $NEWEST_RUNTIME (scripts/install_runtime.sh, OPENAI_CODEX_TEST_RUNTIME)"
NEWEST_CODEX=$(./scripts/install_runtime.sh "$NEWEST_RUNTIME" ".runtimes/$NEWEST_RUNTIME")
OPENAI_CODEX_TEST_RUNTIME="$NEWEST_CODEX" .venv/bin/python -m pytest -q -m e2e -p no:cacheprovider
OPENAI_CODEX_TEST_RUNTIME="$NEWEST_CODEX" .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/test_generator.py -k snapshot_is_what_the_runtime_writes

# The same suite on the oldest and the newest supported CPython (3.10, 3.13), each in its own
# virtualenv with the one abi3 build of the extension (about 5 minutes each).
echo "== pytest on CPython 3.10 and 3.13 (scripts/test_pythons.sh)"
./scripts/test_pythons.sh "$@"
