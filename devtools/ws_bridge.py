"""A stdio app-server (the fake one) served over WebSocket, on TCP and on a Unix socket.

The work is done by ``benches/ws_bridge.rs``, a Cargo example (so it never ships in the wheel);
this module builds it with cargo when needed and runs it::

    with Bridge([sys.executable, "devtools/fake_app_server.py", "--deltas", "1000"]) as bridge:
        Codex(CodexConfig(connect=bridge.ws_url))      # or bridge.unix_url

Each connection gets a fresh child, as a fresh stdio client would. ``count(url)`` is the floor
of a socket transport: a bare Rust WebSocket client that only counts the frames of one turn.
Standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[1]


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")


def build(release: bool = True) -> Path:
    """Builds the bridge (a no-op when it is up to date) and returns the executable's path.

    Raises:
        RuntimeError: cargo is missing or the build failed.
    """
    cargo = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
    command = [cargo, "build", "--quiet", "--example", "ws_bridge", *(["--release"] if release else [])]
    try:
        proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    except OSError as exc:
        raise RuntimeError(f"cannot run cargo to build the WebSocket bridge: {exc}") from exc
    if proc.returncode != 0:
        raise RuntimeError(f"building the WebSocket bridge failed: {proc.stderr.strip()[-2000:]}")
    return target_dir() / ("release" if release else "debug") / "examples" / "ws_bridge"


class Bridge:
    """``ws_bridge serve`` on a free loopback port and on a Unix socket in a fresh folder."""

    def __init__(self, command: Sequence[str], *, binary: Path | str | None = None) -> None:
        self.binary = Path(binary) if binary is not None else build()
        # A short path: a Unix socket's path must fit in 108 bytes.
        self.folder = tempfile.mkdtemp(prefix="wsb-", dir="/tmp")
        argv = [str(self.binary), "serve", "--ws", "127.0.0.1:0", "--unix", os.path.join(self.folder, "s.sock")]
        # Its stdin is the bridge's lifeline: it exits when this process does, however that happens.
        self.process = subprocess.Popen(
            [*argv, "--", *command], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        urls: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip() == "ready":
                break
            urls.append(line.strip())
        else:
            self.close()
            raise RuntimeError(f"the WebSocket bridge exited with {self.process.wait()} before it listened")
        self.ws_url = next(url for url in urls if url.startswith("ws://"))
        self.unix_url = next(url for url in urls if url.startswith("unix://"))

    def url(self, transport: str) -> str:
        """``ws_url`` for ``"ws"``, ``unix_url`` for ``"unix"``."""
        return {"ws": self.ws_url, "unix": self.unix_url}[transport]

    def count(self, transport: str, timeout: float = 60) -> dict[str, float]:
        """One turn counted frame by frame by a bare client (see the module's docstring)."""
        proc = subprocess.run(
            [str(self.binary), "count", self.url(transport)], capture_output=True, text=True, timeout=timeout
        )
        if proc.returncode != 0:
            raise RuntimeError(f"ws_bridge count failed: {proc.stderr.strip()}")
        result: dict[str, float] = json.loads(proc.stdout)
        return result

    def close(self) -> None:
        """Stops the bridge (closing its stdin tells it to) and its children."""
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Bridge:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
