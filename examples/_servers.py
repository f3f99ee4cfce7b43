"""Starts local ``codex app-server`` processes listening on loopback ports, for the pool example.

Not part of the SDK: a real deployment runs its servers elsewhere (a container each, a build
host, a daemon) and only the ``CodexConfig(connect=...)`` side is the SDK's.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass

import codex_cli_bin  # type: ignore[import-untyped]
from openai_codex import CodexConfig


@dataclass
class Server:
    url: str
    workdir: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app-server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://{url[len('ws://') :]}/readyz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the app-server for {url} was not ready within {limit} s")


@contextmanager
def local_servers(count: int, config: CodexConfig) -> Generator[list[Server], None, None]:
    """``count`` app-servers on loopback ports, each in a working directory of its own.

    Each gets a ``CODEX_HOME`` of its own too (one runtime per home: a second server on the same
    home exits), holding a copy of the configuration and sign-in of the home ``config.env``
    names (the offline model's), else the user's.
    """
    binary = os.fspath(codex_cli_bin.bundled_codex_path())
    base = {**os.environ, **(config.env or {})}
    source = base.get("CODEX_HOME") or os.path.expanduser("~/.codex")
    processes: list[subprocess.Popen[bytes]] = []
    servers: list[Server] = []
    folders: list[str] = []
    try:
        for _ in range(count):
            url = f"ws://127.0.0.1:{_free_port()}"
            workdir = tempfile.mkdtemp(prefix="codex-pool-")
            home = tempfile.mkdtemp(prefix="codex-pool-home-")
            folders += [workdir, home]
            for name in ("config.toml", "auth.json"):
                if os.path.exists(os.path.join(source, name)):
                    shutil.copy(os.path.join(source, name), home)
            env = {**base, "CODEX_HOME": home}
            process = subprocess.Popen(
                [binary, "app-server", "--listen", url],
                env=env,
                cwd=workdir,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            processes.append(process)
            servers.append(Server(url, workdir))
        for server, process in zip(servers, processes, strict=True):
            _wait_ready(server.url, process)
        yield servers
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
