#!/usr/bin/env bash
# Installs a published Codex runtime (openai-codex-cli-bin==VERSION) into DIR with
# pip install --target, and prints the path of its codex executable. Idempotent: a DIR that
# already holds that version is left as it is.
#
#   scripts/install_runtime.sh 0.163.0 .runtimes/0.163.0
#   OPENAI_CODEX_TEST_RUNTIME=$(scripts/install_runtime.sh 0.163.0 .runtimes/0.163.0) .venv/bin/python -m pytest ...
set -euo pipefail
if [ "$#" -ne 2 ]; then
    echo "usage: $0 VERSION DIR" >&2
    exit 2
fi
VERSION=$1
DIR=$2
if ! [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([a-z0-9.+-]*)$ ]]; then
    echo "error: $VERSION is not a runtime version such as 0.163.0" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
CODEX="$DIR/codex_cli_bin/bin/codex"
if [ ! -d "$DIR/openai_codex_cli_bin-$VERSION.dist-info" ] || [ ! -x "$CODEX" ]; then
    echo "[install_runtime] installing openai-codex-cli-bin==$VERSION into $DIR" >&2
    rm -rf "$DIR"
    mkdir -p "$DIR"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps --target "$DIR" \
        "openai-codex-cli-bin==$VERSION" >&2
fi
# The binary must be the version asked for (a half-written DIR is reinstalled next time).
REPORTED=$("$CODEX" --version)
if [ "${REPORTED##* }" != "$VERSION" ]; then
    echo "error: $CODEX reports '$REPORTED', not $VERSION; remove $DIR and run again" >&2
    exit 1
fi
echo "$(cd "$(dirname "$CODEX")" && pwd)/codex"
