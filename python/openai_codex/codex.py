"""The entry points: :class:`Codex` (blocking) and :class:`AsyncCodex` (asyncio)."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from . import _core
from ._params import compact, thread_settings
from .approvals import ApprovalMode
from .config import CodexConfig, launch_command
from .models import InitializeResponse, validate_initialize_metadata
from .sandbox import Sandbox
from .threads import AsyncThread, Thread

__all__ = ["AsyncCodex", "Codex"]

# A runtime that starts but never answers the handshake (a wrong binary, say) must not hang the
# constructor forever.
_INITIALIZE_TIMEOUT_S = 60.0


def _initialize_params(config: CodexConfig) -> dict[str, Any]:
    return {
        "clientInfo": {
            "name": config.client_name,
            "title": config.client_title,
            "version": config.client_version,
        },
        "capabilities": {"experimentalApi": config.experimental_api},
    }


def _start_client(config: CodexConfig) -> _core.Client:
    argv, env, cwd = launch_command(config)
    return _core.Client(argv, env, cwd)


def _thread_start_params(**kw: Any) -> dict[str, Any]:
    return {
        **thread_settings(
            approval_mode=kw["approval_mode"],
            sandbox=kw["sandbox"],
            base_instructions=kw["base_instructions"],
            config=kw["config"],
            cwd=kw["cwd"],
            developer_instructions=kw["developer_instructions"],
            model=kw["model"],
            model_provider=kw["model_provider"],
            service_tier=kw["service_tier"],
            personality=kw["personality"],
        ),
        **compact(
            ephemeral=kw["ephemeral"],
            serviceName=kw["service_name"],
            sessionStartSource=kw["session_start_source"],
            threadSource=kw["thread_source"],
        ),
    }


class Codex:
    """A connection to a local Codex runtime (``codex app-server``), for blocking code.

    The constructor starts the runtime and completes the handshake, so a ``Codex`` is ready to
    use (or the constructor raised). Use it as a context manager, or call :meth:`close`.

    Example::

        with Codex() as codex:
            result = codex.thread_start().run("Summarize this repository")
            print(result.final_response)
    """

    def __init__(self, config: CodexConfig | None = None) -> None:
        self._config = config if config is not None else CodexConfig()
        self._client = _start_client(self._config)
        try:
            raw = self._client.request(
                "initialize", _initialize_params(self._config), timeout=_INITIALIZE_TIMEOUT_S
            )
            self._client.notify("initialized")
            self._metadata = validate_initialize_metadata(InitializeResponse.from_wire(raw))
        except BaseException:
            self._client.close()
            raise

    @property
    def metadata(self) -> InitializeResponse:
        """What the runtime reported in the handshake (user agent, platform, server info)."""
        return self._metadata

    def close(self) -> None:
        """Stops the runtime and fails anything still waiting on it. Safe to call twice."""
        self._client.close()

    def __enter__(self) -> Codex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def thread_start(
        self,
        *,
        approval_mode: ApprovalMode = ApprovalMode.auto_review,
        base_instructions: str | None = None,
        config: dict[str, Any] | None = None,
        cwd: str | None = None,
        developer_instructions: str | None = None,
        ephemeral: bool | None = None,
        model: str | None = None,
        model_provider: str | None = None,
        personality: Any = None,
        sandbox: Sandbox | None = None,
        service_name: str | None = None,
        service_tier: str | None = None,
        session_start_source: Any = None,
        thread_source: Any = None,
    ) -> Thread:
        """Starts a new thread (conversation) and returns it."""
        params = _thread_start_params(
            approval_mode=approval_mode,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            ephemeral=ephemeral,
            model=model,
            model_provider=model_provider,
            personality=personality,
            sandbox=sandbox,
            service_name=service_name,
            service_tier=service_tier,
            session_start_source=session_start_source,
            thread_source=thread_source,
        )
        response = self._client.request("thread/start", params)
        return Thread(self, response["thread"]["id"])


class AsyncCodex:
    """Async twin of :class:`Codex`, built on asyncio.

    Nothing starts until the first awaited call (or ``async with``); the runtime is then started
    once, however many tasks race to use it. Every wait is a native awaitable: no thread is
    parked per call, so many turns can stream concurrently over one connection.
    """

    def __init__(self, config: CodexConfig | None = None) -> None:
        self._config = config if config is not None else CodexConfig()
        self._client: _core.Client | None = None
        self._metadata: InitializeResponse | None = None
        self._init_lock: asyncio.Lock | None = None

    async def _ensure_client(self) -> _core.Client:
        if self._client is not None and self._metadata is not None:
            return self._client
        if self._init_lock is None:
            self._init_lock = asyncio.Lock()
        async with self._init_lock:
            if self._client is None or self._metadata is None:
                await self._start()
        assert self._client is not None
        return self._client

    async def _start(self) -> None:
        client = _start_client(self._config)
        try:
            raw = await client.request_async(
                "initialize", _initialize_params(self._config), timeout=_INITIALIZE_TIMEOUT_S
            )
            client.notify("initialized")
            metadata = validate_initialize_metadata(InitializeResponse.from_wire(raw))
        except BaseException:
            # Includes cancellation: never leave a half-started runtime behind.
            await asyncio.shield(client.close_async())
            raise
        self._client, self._metadata = client, metadata

    @property
    def metadata(self) -> InitializeResponse:
        """What the runtime reported in the handshake; available once started."""
        if self._metadata is None:
            raise RuntimeError(
                "AsyncCodex is not initialized yet: use 'async with AsyncCodex()' or await a "
                "method first"
            )
        return self._metadata

    async def close(self) -> None:
        """Stops the runtime and fails anything still waiting on it. Safe to call twice."""
        client = self._client
        if client is not None:
            await client.close_async()

    async def __aenter__(self) -> AsyncCodex:
        await self._ensure_client()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def thread_start(
        self,
        *,
        approval_mode: ApprovalMode = ApprovalMode.auto_review,
        base_instructions: str | None = None,
        config: dict[str, Any] | None = None,
        cwd: str | None = None,
        developer_instructions: str | None = None,
        ephemeral: bool | None = None,
        model: str | None = None,
        model_provider: str | None = None,
        personality: Any = None,
        sandbox: Sandbox | None = None,
        service_name: str | None = None,
        service_tier: str | None = None,
        session_start_source: Any = None,
        thread_source: Any = None,
    ) -> AsyncThread:
        """Starts a new thread (conversation) and returns it."""
        params = _thread_start_params(
            approval_mode=approval_mode,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            ephemeral=ephemeral,
            model=model,
            model_provider=model_provider,
            personality=personality,
            sandbox=sandbox,
            service_name=service_name,
            service_tier=service_tier,
            session_start_source=session_start_source,
            thread_source=thread_source,
        )
        client = await self._ensure_client()
        response = await client.request_async("thread/start", params)
        return AsyncThread(self, response["thread"]["id"])
