#!/usr/bin/env bash
# The main job: set up, then run one real streamed turn through the Codex runtime and print it.
# Offline by default (a scripted model on 127.0.0.1); CODEX_EXAMPLES_ONLINE=1 uses your real
# Codex configuration and account instead.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/python examples/quickstart/stream.py "$@"
