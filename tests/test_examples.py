"""Every example program runs offline, to completion, and prints what it demonstrates.

Each script runs in its own interpreter, exactly as a user would start it, against the real
runtime and the scripted model that ``examples/_offline.py`` sets up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# The demo labels the runtime with the version the runtime reports: the installed one's.
RUNTIME_VERSION = version("openai-codex-cli-bin")
TIMEOUT_S = 120

# What each example must print, sync and async alike (all of the strings, in any order).
EXPECTED: dict[str, list[str]] = {
    "quickstart": ["connected to codex_python_sdk", "codex: (scripted model) You said 'Say hello"],
    "run_result": [
        "status:         completed",
        "error:          None",
        "duration_ms:",
        "final_response: \"(scripted model) You said 'Name three primary colours.'.\"",
        "agentMessage",
        "usage (turn):",
    ],
    "stream_events": [
        "(scripted model) You said 'Explain what a thread and a turn are, briefly.'.",
        "[item done]    agentMessage",
        "[turn done]    status=completed",
        "final response has 75 characters",
    ],
    "existing_thread": [
        "session 2, resumed thread",
        "1 earlier message(s) of yours are in this thread's history",
    ],
    "thread_lifecycle": [
        "read:       'picnic planning', 1 turn(s)",
        "listed:     ['picnic planning', 'picnic planning (rainy-day variant)']",
        "archived:   ['picnic planning (rainy-day variant)']",
        "active now: ['picnic planning']",
        "unarchived: True",
        "compaction started",
        "after compaction: (scripted model) You said 'Where were we?'",
    ],
    "image_url": ["and sent 1 image(s): https://upload.wikimedia.org/"],
    "local_image": ["and sent 1 image(s): image/png (", "bytes, inlined by the runtime)"],
    "async_parity": [
        "What is a haiku? -> (scripted model) You said 'What is a haiku?'.",
        "What is a sonnet? -> (scripted model) You said 'What is a sonnet?'.",
    ],
    "errors_and_retry": [
        "1. turn failed: We're currently experiencing high demand",
        "2. InvalidRequestError (code -32600); retryable: False",
        "3. succeeded after 2 attempts: (scripted model) You said 'Now it should work.'",
        "4. TransportClosedError:",
    ],
    "cli_app": [
        "codex> (scripted model) You said 'hello'.",
        "codex> (scripted model) You said 'what did I just say?'; 1 earlier message(s)",
        "bye",
    ],
    "turn_parameters": ["title:      scripted title", "highlights: ['scripted highlights']", "risk:       low"],
    "model_selection": ["chosen: gpt-5.5 with effort low", "codex: (scripted model) You said", "usage:"],
    "turn_controls": [
        "essay begins:",
        "essay turn: status=interrupted",
        "steered turn: status=completed",
        "final answer: (scripted model) You said 'Also tell me which one you like best.'",
    ],
    "tools_sqlite": [
        "[tool] list_tables()",
        "[tool] query('SELECT name, price FROM products ORDER BY price DESC LIMIT 3', limit=20)",
        'codex: The three most expensive products: [{"name": "grinder", "price": 89.0}, '
        '{"name": "kettle", "price": 39.5}, {"name": "scale", "price": 31.0}]',
        "  list_tables: completed, success=True",
        "  query: completed, success=True",
    ],
    # Six jobs spread over three local app-servers reached over ws://, answered in order.
    "remote_pool": [
        "server 0: (scripted model) You said 'Describe the file number 0'.",
        "server 2: (scripted model) You said 'Describe the file number 5'.",
        "6 jobs on 3 servers",
    ],
    # sync: a terminal approver (y, then n); async: a deferred approval resolved by another task.
    "approvals": ["the agent wants to run /bin/bash -c 'touch ", "codex: Created the", ".txt exists: True"],
    "login_and_account": [
        "account: signed out (sign-in required: True)",
        "account: apiKey",
        "open https://auth.openai.com/",
        "cancel: canceled",
        "outcome: success=False",
        "device code: unavailable",
    ],
}

# Scripts outside the sync/async pairs: what `./scripts/demo.sh` runs.
EXPECTED_FOR_SCRIPT: dict[str, list[str]] = {
    # A CI agent with the decline_all preset: the escalated command is declined, never run.
    "approvals/fail_closed.py": [
        "turn: completed",
        "codex: I was not allowed to write the file",
        ": declined",
        "deployed.txt exists: False",
    ],
    "quickstart/stream.py": [
        f"runtime: codex app-server {RUNTIME_VERSION}\n",
        "You said 'Say hello",
        "status: completed",
        "tokens:",
    ],
}

# The CLI reads its prompts from stdin; the line after /exit must never be sent.
STDIN: dict[str, str] = {"cli_app": "hello\nwhat did I just say?\n\n/exit\nnever sent\n", "approvals": "y\nn\n"}


def _scripts() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*/*.py") if p.name != "__init__.py")


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CODEX_EXAMPLES_ONLINE"}
    return subprocess.run(
        [sys.executable, str(script), *args],
        input=STDIN.get(script.parent.name, ""),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=env,
        cwd=EXAMPLES.parent,
    )


@pytest.mark.parametrize("script", _scripts(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_runs_offline(script: Path) -> None:
    proc = _run(script)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    name = f"{script.parent.name}/{script.name}"
    expected = EXPECTED_FOR_SCRIPT.get(name) or EXPECTED[script.parent.name]
    missing = [text for text in expected if text not in proc.stdout]
    assert not missing, f"missing {missing!r} in:\n{proc.stdout}"


def test_cli_stops_at_exit() -> None:
    proc = _run(EXAMPLES / "cli_app" / "sync.py")
    assert "never sent" not in proc.stdout.split("/exit", 1)[1]


def test_demo_stream_takes_a_prompt() -> None:
    # ./scripts/demo.sh runs this path with the user's arguments.
    proc = _run(EXAMPLES / "quickstart" / "stream.py", "count", "to", "three")
    assert proc.returncode == 0, proc.stderr
    assert "You said 'count to three'" in proc.stdout
    assert "status: completed" in proc.stdout


def test_every_example_folder_is_checked_and_has_both_flavours() -> None:
    folders = {p.parent.name for p in _scripts()}
    assert folders == set(EXPECTED), "add the new example's expected output to EXPECTED"
    for folder in folders:
        assert (EXAMPLES / folder / "sync.py").exists(), folder
        assert (EXAMPLES / folder / "async.py").exists(), folder
