#!/usr/bin/env bash
# Create the venv holding the reference SDK, openai-codex==0.1.0b2, for side-by-side benchmarks.
#
# Usage: benchmarks/setup_reference_venv.sh [VENV_DIR]     (default: <repo>/.bench/refvenv)
#
# --no-deps: the reference pins openai-codex-cli-bin==0.132.0, which this index does not have,
# and the benchmark drives a fake app-server anyway; pydantic is its only other dependency.
# pydantic is pinned so that figures from different days compare (override: REF_PYDANTIC).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$repo/.bench/refvenv}"
python="${PYTHON:-python3}"
pydantic="${REF_PYDANTIC:-pydantic==2.14.4}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import openai_codex, pydantic" 2>/dev/null; then
    echo "reference venv already set up: $venv"
    exit 0
fi

mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
# pydantic first: installed the other way round, pip warns about the missing runtime pin.
"${pip[@]}" install "$pydantic"
"${pip[@]}" install --no-deps "openai-codex==0.1.0b2"
"$venv/bin/python" -c "import openai_codex, pydantic; print('reference venv ready:', '$venv', 'openai-codex', openai_codex.__version__, 'pydantic', pydantic.VERSION)"
