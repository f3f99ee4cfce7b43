"""Connecting to a running app-server (``CodexConfig(connect=...)``), end to end.

Each test starts the real runtime itself, as a user would: ``codex app-server --listen
ws://127.0.0.1:PORT`` with capability-token auth, or ``--listen unix://PATH``, its
``CODEX_HOME`` pointing at the scripted model. Then the usual turns run over the socket, and
the faults are provoked: a wrong token, a server killed mid-turn, nothing listening, a server
that never answers.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import codex_cli_bin  # type: ignore[import-untyped]
import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig, TransportClosedError
from openai_codex.errors import AuthenticationError, CodexTimeoutError, ConnectError
from openai_codex.testing import ScriptedModel, hang, text, user_texts

pytestmark = pytest.mark.e2e  # every test here starts a runtime

CODEX = os.fspath(codex_cli_bin.bundled_codex_path())
TOKEN = "capability-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def short_dir() -> str:
    """A fresh folder with a short path: a Unix socket's path must fit in 108 bytes."""
    return tempfile.mkdtemp(prefix="cx-", dir="/tmp")


class AppServer:
    """A ``codex app-server`` this test started, listening on ``listen``."""

    def __init__(self, listen: str, home: dict[str, str], *extra: str, wait: bool = True) -> None:
        self.listen = listen
        env = {**os.environ, **home}
        argv = [CODEX, "app-server", "--listen", listen, *extra]
        self.process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if wait:
            self.wait_ready()

    def wait_ready(self, limit: float = 15.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the app-server exited with {self.process.returncode}"
            if self.listen.startswith("ws://"):
                try:
                    with urllib.request.urlopen(f"http://{self.listen[5:]}/readyz", timeout=1) as answer:
                        if answer.status == 200:
                            return
                except OSError:
                    pass
            elif os.path.exists(self.socket_path()):
                return
            time.sleep(0.02)
        raise AssertionError(f"the app-server on {self.listen} did not get ready in {limit} s")

    def socket_path(self) -> str:
        path = self.listen[len("unix://") :]
        return path or os.path.join(os.environ.get("CODEX_HOME", ""), "app-server-control", "app-server-control.sock")

    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def home(model: ScriptedModel) -> Iterator[dict[str, str]]:
    """A CODEX_HOME (short path) whose config points the runtime at the scripted model."""
    folder = short_dir()
    yield model.codex_env(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def token_file(tmp_path: Path) -> str:
    path = tmp_path / "ws-token"
    path.write_text(TOKEN + "\n")
    return str(path)


@pytest.fixture
def ws_server(home: dict[str, str], token_file: str) -> Iterator[AppServer]:
    """The runtime on a loopback port, with capability-token auth."""
    port = free_port()
    server = AppServer(f"ws://127.0.0.1:{port}", home, "--ws-auth", "capability-token", "--ws-token-file", token_file)
    yield server
    server.stop()


@pytest.fixture
def unix_server(home: dict[str, str]) -> Iterator[AppServer]:
    """The runtime on a Unix socket (no auth there: the socket's file mode protects it)."""
    folder = short_dir()
    server = AppServer(f"unix://{folder}/app-server.sock", home)
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def deltas_and_methods(events: list[Any]) -> tuple[str, list[str]]:
    methods = [event.method for event in events]
    deltas = "".join(event.payload.delta for event in events if event.method == "item/agentMessage/delta")
    return deltas, methods


# -- turns over each transport ------------------------------------------------------------


def test_a_streamed_turn_over_websocket(model: ScriptedModel, ws_server: AppServer, token_file: str) -> None:
    config = CodexConfig(connect=ws_server.listen, auth_token_file=token_file)
    with Codex(config) as codex:
        assert codex._client.pid is None  # nothing was spawned
        server_info = codex.metadata.server_info
        assert server_info is not None and server_info.version == "0.133.0"
        model.enqueue(text("hello over the socket", deltas=4))
        handle = codex.thread_start().turn("hi")
        deltas, methods = deltas_and_methods(list(handle.stream()))
        assert deltas == "hello over the socket"
        assert methods[0] == "turn/started" and methods[-1] == "turn/completed"
        assert methods.count("item/agentMessage/delta") == 4
        assert handle.run().final_response == "hello over the socket"
    assert ws_server.running(), "close() must not stop a server it did not start"


def test_async_turns_over_websocket(model: ScriptedModel, ws_server: AppServer) -> None:
    model.enqueue(*(lambda body: text(f"echo: {user_texts(body)[-1]}", deltas=3) for _ in range(3)))

    async def main() -> None:
        async with AsyncCodex(CodexConfig(connect=ws_server.listen, auth_token=TOKEN)) as codex:
            threads = await asyncio.gather(*(codex.thread_start() for _ in range(3)))

            async def one(i: int) -> tuple[str, str | None]:
                handle = await threads[i].turn(f"prompt {i}")
                deltas = "".join(
                    [e.payload.delta async for e in handle.stream() if e.method == "item/agentMessage/delta"]
                )
                return deltas, (await handle.run()).final_response

            results = await asyncio.gather(*(one(i) for i in range(3)))
            assert results == [(f"echo: prompt {i}", f"echo: prompt {i}") for i in range(3)]

    asyncio.run(main())
    assert ws_server.running()


def test_a_streamed_turn_over_a_unix_socket(model: ScriptedModel, unix_server: AppServer) -> None:
    with Codex(CodexConfig(connect=unix_server.listen.replace("unix://", "UNIX://"))) as codex:
        model.enqueue(text("hello over unix", deltas=3))
        deltas, methods = deltas_and_methods(list(codex.thread_start().turn("hi").stream()))
        assert deltas == "hello over unix" and methods[-1] == "turn/completed"
    assert unix_server.running()


def test_async_turn_over_a_unix_socket(model: ScriptedModel, unix_server: AppServer) -> None:
    async def main() -> None:
        async with AsyncCodex(CodexConfig(connect=unix_server.listen)) as codex:
            model.enqueue(text("async over unix", deltas=5))
            thread = await codex.thread_start()
            handle = await thread.turn("hi")
            events = [event async for event in handle.stream()]
            deltas, methods = deltas_and_methods(events)
            assert deltas == "async over unix" and methods.count("item/agentMessage/delta") == 5
            assert (await handle.run()).final_response == "async over unix"

    asyncio.run(main())


def test_the_default_control_socket_of_a_codex_home(model: ScriptedModel, home: dict[str, str]) -> None:
    server = AppServer("unix://", home, wait=False)
    try:
        expected = os.path.join(home["CODEX_HOME"], "app-server-control", "app-server-control.sock")
        deadline = time.monotonic() + 15
        while not os.path.exists(expected):
            assert time.monotonic() < deadline and server.running(), f"no socket at {expected}"
            time.sleep(0.02)
        with Codex(CodexConfig(connect="unix://", env=home)) as codex:
            model.enqueue(text("the default socket"))
            assert codex.thread_start().run("hi").final_response == "the default socket"
    finally:
        server.stop()


def test_a_message_of_megabytes_arrives_whole(model: ScriptedModel, ws_server: AppServer) -> None:
    # Frames above 16 MiB (tungstenite's default limit) are covered by the Rust tests
    # (transport::socket): the runtime itself needs about 50 s for a 17 MiB message, on any
    # transport, stdio included.
    big = "x" * (2 * 1024 * 1024)
    with Codex(CodexConfig(connect=ws_server.listen, auth_token=TOKEN)) as codex:
        model.enqueue(text(big))
        deltas, _ = deltas_and_methods(list(codex.thread_start().turn("big").stream()))
        assert len(deltas) == len(big)


# -- reconnecting ---------------------------------------------------------------------------


def test_close_leaves_the_server_running_and_a_new_client_resumes_the_thread(
    model: ScriptedModel, ws_server: AppServer
) -> None:
    config = CodexConfig(connect=ws_server.listen, auth_token=TOKEN)
    with Codex(config) as codex:
        model.enqueue(text("first answer"))
        thread = codex.thread_start()
        thread.run("first question")
    assert ws_server.running()
    with Codex(config) as codex:
        model.enqueue(text("second answer"))
        resumed = codex.thread_resume(thread.id)
        assert resumed.run("second question").final_response == "second answer"
    sent = user_texts(model.requests[-1])
    assert "first question" in sent and sent[-1] == "second question"


# -- faults -----------------------------------------------------------------------------------


def test_a_wrong_token_is_an_authentication_error_without_the_token(ws_server: AppServer) -> None:
    wrong = "not-the-token-but-secret-too"
    with pytest.raises(AuthenticationError) as info:
        Codex(CodexConfig(connect=ws_server.listen, auth_token=wrong))
    message = str(info.value)
    assert "authentication failed" in message and "401" in message
    assert wrong not in message and TOKEN not in message
    assert isinstance(info.value, ConnectError) and isinstance(info.value, TransportClosedError)

    with pytest.raises(AuthenticationError, match="wants a bearer token"):
        Codex(CodexConfig(connect=ws_server.listen))

    async def main() -> None:
        async with AsyncCodex(CodexConfig(connect=ws_server.listen, auth_token=wrong)):
            pass

    with pytest.raises(AuthenticationError) as info:
        asyncio.run(main())
    assert wrong not in str(info.value)


def test_killing_the_server_mid_turn_fails_every_waiter_at_once(model: ScriptedModel, ws_server: AppServer) -> None:
    parked = [hang(deltas=["a", "b", "c"], after_deltas=1) for _ in range(2)]
    model.enqueue(*parked)

    async def main() -> None:
        async with AsyncCodex(CodexConfig(connect=ws_server.listen, auth_token=TOKEN)) as codex:
            threads = await asyncio.gather(codex.thread_start(), codex.thread_start())
            handles = [await thread.turn("wait") for thread in threads]
            streams = [handle.stream() for handle in handles]
            for stream in streams:  # each turn is in the middle of its model call
                async for event in stream:
                    if event.method == "item/agentMessage/delta":
                        break

            async def drain(stream: Any) -> None:
                async for _ in stream:
                    pass

            async def run(handle: Any) -> None:
                await handle.run()

            waiters = [asyncio.ensure_future(drain(stream)) for stream in streams]
            waiters.append(asyncio.ensure_future(run(handles[0])))
            await asyncio.sleep(0.1)
            started = time.monotonic()
            ws_server.kill()
            outcomes = await asyncio.wait_for(asyncio.gather(*waiters, return_exceptions=True), 10)
            elapsed = time.monotonic() - started
            assert all(isinstance(o, TransportClosedError) for o in outcomes), outcomes
            assert elapsed < 2.0, f"the waiters learned of the lost server after {elapsed:.2f} s"
            message = str(outcomes[0])
            assert ws_server.listen in message and "thread_resume" in message, message
            with pytest.raises(TransportClosedError):
                await codex.thread_start()

    try:
        asyncio.run(main())
    finally:
        for reply in parked:
            reply.release()


def test_nothing_listening_fails_within_the_connect_timeout() -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(ConnectError, match="connection refused") as info:
        Codex(CodexConfig(connect=url, connect_timeout=0.5))
    assert time.monotonic() - started < 1.5
    assert isinstance(info.value, ConnectionError)

    with pytest.raises(ConnectError, match="there is no socket at"):
        Codex(CodexConfig(connect=f"unix://{short_dir()}/missing.sock", connect_timeout=0.2))


def test_a_server_that_is_still_starting_is_waited_for(model: ScriptedModel, home: dict[str, str]) -> None:
    port = free_port()
    server = AppServer(f"ws://127.0.0.1:{port}", home, wait=False)
    try:
        with Codex(CodexConfig(connect=f"ws://127.0.0.1:{port}")) as codex:
            model.enqueue(text("ready now"))
            assert codex.thread_start().run("hi").final_response == "ready now"
    finally:
        server.stop()


def test_a_server_that_never_answers_the_upgrade_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"ws://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(CodexTimeoutError, match=r"within 0\.3 s"):
            Codex(CodexConfig(connect=url, connect_timeout=0.3))
        assert time.monotonic() - started < 1.5


# -- TLS ---------------------------------------------------------------------------------------


class TlsFront:
    """A TLS terminator on a loopback port in front of a ``ws://`` server (the runtime has no TLS)."""

    def __init__(self, backend_port: int, cert: str, key: str) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.backend_port = backend_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            secure = self.context.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            conn.close()  # the client refused the certificate
            return
        backend = socket.create_connection(("127.0.0.1", self.backend_port))

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pump, args=(backend, secure), daemon=True).start()
        pump(secure, backend)

    def close(self) -> None:
        self.closed = True
        self.listener.close()


def test_wss_verifies_the_certificate_against_the_given_ca(
    model: ScriptedModel, ws_server: AppServer, tmp_path: Path
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    # A private CA, and a server certificate it signed for 127.0.0.1.
    ca, ca_key = tmp_path / "ca.pem", tmp_path / "ca.key"
    cert, key, csr, ext = (tmp_path / name for name in ("cert.pem", "key.pem", "leaf.csr", "leaf.ext"))
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for argv in (
        ["req", "-x509", *ec, "-days", "1", "-subj", "/CN=test-ca", "-keyout", str(ca_key), "-out", str(ca)],
        ["req", *ec, "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(csr)],
        ["x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial", "-days", "1"],
    ):
        if argv[0] == "x509":
            argv += ["-extfile", str(ext), "-out", str(cert)]
        subprocess.run(["openssl", *argv], check=True, capture_output=True)
    front = TlsFront(int(ws_server.listen.rsplit(":", 1)[1]), str(cert), str(key))
    try:
        url = f"wss://127.0.0.1:{front.port}"
        with Codex(CodexConfig(connect=url, auth_token=TOKEN, ca_file=str(ca))) as codex:
            model.enqueue(text("over TLS", deltas=2))
            assert codex.thread_start().run("hi").final_response == "over TLS"
        # The system's roots do not know this CA.
        with pytest.raises(ConnectError, match="certificate") as info:
            Codex(CodexConfig(connect=url, auth_token=TOKEN, connect_timeout=3))
        assert TOKEN not in str(info.value)
    finally:
        front.close()


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"codex_bin": "/usr/bin/codex"}, "CodexConfig.codex_bin"),
        ({"launch_args_override": ("codex", "app-server")}, "CodexConfig.launch_args_override"),
        ({"config_overrides": ('model="x"',)}, "CodexConfig.config_overrides"),
        ({"cwd": "/tmp"}, "CodexConfig.cwd"),
        ({"env": {"CODEX_HOME": "/tmp/h"}}, "CodexConfig.env"),
        ({"connect": "unix://", "env": {"CODEX_HOME": "/tmp/h", "PATH": "/bin"}}, "CodexConfig.env"),
        ({"auth_token": "a", "auth_token_file": "/tmp/t"}, "auth_token_file"),
        ({"ca_file": "/tmp/ca.pem"}, "CodexConfig.ca_file"),
        ({"connect": "http://127.0.0.1:1"}, "CodexConfig.connect"),
        ({"connect": "unix://relative.sock"}, "CodexConfig.connect"),
        ({"connect_timeout": 0}, "CodexConfig.connect_timeout"),
        ({"connect": None, "auth_token": "a"}, "CodexConfig.auth_token"),
        ({"connect": None, "ca_file": "/tmp/ca.pem"}, "CodexConfig.ca_file"),
    ],
)
def test_conflicting_or_invalid_connection_fields_name_the_field(fields: dict[str, Any], named: str) -> None:
    config = CodexConfig(**{"connect": "ws://127.0.0.1:1", **fields})
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        Codex(config)
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        AsyncCodex(config)


def test_env_may_name_the_codex_home_of_the_default_socket() -> None:
    config = CodexConfig(connect="unix://", env={"CODEX_HOME": "/nonexistent-codex-home"}, connect_timeout=0.1)
    expected = "/nonexistent-codex-home/app-server-control/app-server-control.sock"
    with pytest.raises(ConnectError, match=re.escape(expected)):
        Codex(config)


def test_the_token_is_never_in_the_repr() -> None:
    config = CodexConfig(connect="ws://127.0.0.1:1", auth_token=TOKEN)
    assert TOKEN not in repr(config) and "auth_token='***'" in repr(config)
    assert "auth_token=None" in repr(CodexConfig())
    assert repr(CodexConfig()).startswith("CodexConfig(codex_bin=None, ")


def test_an_empty_token_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty-token"
    empty.write_text("\n")
    with pytest.raises(ValueError, match="holds no token"):
        Codex(CodexConfig(connect="ws://127.0.0.1:1", auth_token_file=str(empty)))


# -- steer, interrupt, approvals and tools over each socket ---------------------------------


@pytest.fixture(params=["ws", "unix"])
def remote(request: pytest.FixtureRequest, home: dict[str, str], token_file: str) -> Iterator[CodexConfig]:
    """A config connected to a runtime started on a WebSocket port or on a Unix socket."""
    if request.param == "ws":
        port = free_port()
        server = AppServer(
            f"ws://127.0.0.1:{port}", home, "--ws-auth", "capability-token", "--ws-token-file", token_file
        )
        config = CodexConfig(connect=server.listen, auth_token_file=token_file)
        folder = None
    else:
        folder = short_dir()
        server = AppServer(f"unix://{folder}/app-server.sock", home)
        config = CodexConfig(connect=server.listen)
    yield config
    server.stop()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def test_steer_and_interrupt_over_a_socket(model: ScriptedModel, remote: CodexConfig) -> None:
    from openai_codex.testing import slow
    from openai_codex.types import TurnStatus

    with Codex(remote) as codex:
        model.enqueue(slow("working on it", deltas=10, delta_delay=0.1), text("steered answer"))
        handle = codex.thread_start().turn("start working")
        assert handle.steer("also mention bananas").turn_id == handle.id
        result = handle.run()
        assert result.final_response == "steered answer"
        assert "also mention bananas" in user_texts(model.requests[-1])

        stuck = hang("never finished", deltas=3, after_deltas=1)
        model.enqueue(stuck)
        handle = codex.thread_start().turn("take your time")
        handle.interrupt()
        assert handle.run().status is TurnStatus.interrupted
        stuck.release()


def test_an_approval_handler_and_a_tool_over_a_socket(
    model: ScriptedModel, remote: CodexConfig, tmp_path: Path
) -> None:
    from openai_codex import ApprovalDecision, tool
    from openai_codex.testing import exec_command, function_call_outputs, tool_call

    asked: list[str] = []

    def decline(request: Any) -> ApprovalDecision:
        asked.append(request.command)
        return ApprovalDecision.decline

    @tool
    def add(a: int, b: int) -> int:
        """Adds two integers."""
        return a + b

    target = tmp_path / "never-created.txt"

    async def main() -> None:
        async with AsyncCodex(remote, approval_handler=decline) as codex:
            thread = await codex.thread_start(tools=[add])
            model.enqueue(
                exec_command(
                    f"touch {target}", sandbox_permissions="require_escalated", justification="test", login=False
                ),
                text("it was declined"),
                tool_call("add", {"a": 2, "b": 3}),
                text("the sum is in"),
            )
            assert (await thread.run("make the file")).final_response == "it was declined"
            assert (await thread.run("add them")).final_response == "the sum is in"

    asyncio.run(main())
    assert len(asked) == 1 and f"touch {target}" in asked[0]
    assert not target.exists()
    # The last request carries the whole history: the declined command's output, then the sum.
    assert function_call_outputs(model.requests[-1])[-1]["output"] == "5"
