#!/usr/bin/env bash
# Runs every test: Rust unit tests, the stub and typing checks, and the pytest suite (which drives
# the real Codex runtime offline against a scripted local model). Sets everything up first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== cargo test (Rust core)"
cargo test --quiet

echo "== stubtest (the extension's .pyi matches the compiled module)"
.venv/bin/python -m mypy.stubtest openai_codex._core

echo "== pytest"
.venv/bin/python -m pytest "$@"
