"""The entry points: :class:`Codex` (blocking) and :class:`AsyncCodex` (asyncio)."""

from __future__ import annotations

import atexit
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from . import _core
from ._params import thread_fork_params, thread_list_params, thread_resume_params, thread_start_params
from ._wire import model_for
from .approvals import ApprovalMode
from .config import CodexConfig, launch_command
from .login import (
    LOGIN_START,
    AsyncChatgptLoginHandle,
    AsyncDeviceCodeLoginHandle,
    ChatgptLoginHandle,
    DeviceCodeLoginHandle,
    login_response,
)
from .models import InitializeResponse, JsonObject, validate_initialize_metadata
from .sandbox import Sandbox
from .threads import AsyncThread, Thread

if TYPE_CHECKING:
    import asyncio

    from .types import (
        GetAccountResponse,
        ModelListResponse,
        Personality,
        SortDirection,
        ThreadArchiveResponse,
        ThreadListCwdFilter,
        ThreadListResponse,
        ThreadSortKey,
        ThreadSource,
        ThreadSourceKind,
        ThreadStartSource,
    )

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


# At exit, close every runtime connection while the interpreter is still whole: an awaitable
# completing during finalization would have an I/O thread enter a dying interpreter.
atexit.register(_core.shutdown)


def _start_client(config: CodexConfig) -> _core.Client:
    argv, env, cwd = launch_command(config)
    return _core.Client(argv, env, cwd)


def _thread_id(result: dict[str, Any]) -> str:
    return str(result["thread"]["id"])


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
        # Threads with a compaction started by this client: thread id -> idle count before it.
        self._compactions: dict[str, int] = {}
        self._client = _start_client(self._config)
        try:
            raw = self._client.request("initialize", _initialize_params(self._config), timeout=_INITIALIZE_TIMEOUT_S)
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
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- account ------------------------------------------------------------------------------

    def login_api_key(self, api_key: str) -> None:
        """Signs in with an OpenAI API key."""
        self._client.request(LOGIN_START, {"type": "apiKey", "apiKey": api_key})

    def login_chatgpt(self) -> ChatgptLoginHandle:
        """Starts a ChatGPT sign-in in the browser; open the handle's ``auth_url``."""
        result = login_response(self._client.request(LOGIN_START, {"type": "chatgpt"}), "chatgpt")
        return ChatgptLoginHandle(self, result["loginId"], result["authUrl"])

    def login_chatgpt_device_code(self) -> DeviceCodeLoginHandle:
        """Starts a ChatGPT sign-in with a device code (for machines without a browser)."""
        result = login_response(self._client.request(LOGIN_START, {"type": "chatgptDeviceCode"}), "chatgptDeviceCode")
        return DeviceCodeLoginHandle(self, result["loginId"], result["verificationUrl"], result["userCode"])

    def account(self, *, refresh_token: bool = False) -> GetAccountResponse:
        """The signed-in account (``GetAccountResponse``); ``account`` is None when signed out."""
        return cast(
            "GetAccountResponse",
            model_for("GetAccountResponse", self._client.request("account/read", {"refreshToken": refresh_token})),
        )

    def logout(self) -> None:
        """Signs out."""
        self._client.request("account/logout")

    # -- threads ------------------------------------------------------------------------------

    def thread_start(
        self,
        *,
        approval_mode: ApprovalMode = ApprovalMode.auto_review,
        base_instructions: str | None = None,
        config: JsonObject | None = None,
        cwd: str | None = None,
        developer_instructions: str | None = None,
        ephemeral: bool | None = None,
        model: str | None = None,
        model_provider: str | None = None,
        personality: Personality | None = None,
        sandbox: Sandbox | None = None,
        service_name: str | None = None,
        service_tier: str | None = None,
        session_start_source: ThreadStartSource | None = None,
        thread_source: ThreadSource | None = None,
    ) -> Thread:
        """Starts a new thread (conversation) and returns it."""
        params = thread_start_params(
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
        return Thread(self, _thread_id(self._client.request("thread/start", params)))

    def thread_list(
        self,
        *,
        archived: bool | None = None,
        cursor: str | None = None,
        cwd: ThreadListCwdFilter | None = None,
        limit: int | None = None,
        model_providers: list[str] | None = None,
        search_term: str | None = None,
        sort_direction: SortDirection | None = None,
        sort_key: ThreadSortKey | None = None,
        source_kinds: list[ThreadSourceKind] | None = None,
        use_state_db_only: bool | None = None,
    ) -> ThreadListResponse:
        """Lists stored threads (``ThreadListResponse``: ``data``, ``next_cursor``)."""
        params = thread_list_params(
            archived=archived,
            cursor=cursor,
            cwd=cwd,
            limit=limit,
            model_providers=model_providers,
            search_term=search_term,
            sort_direction=sort_direction,
            sort_key=sort_key,
            source_kinds=source_kinds,
            use_state_db_only=use_state_db_only,
        )
        return cast("ThreadListResponse", model_for("ThreadListResponse", self._client.request("thread/list", params)))

    def thread_resume(
        self,
        thread_id: str,
        *,
        approval_mode: ApprovalMode | None = None,
        base_instructions: str | None = None,
        config: JsonObject | None = None,
        cwd: str | None = None,
        developer_instructions: str | None = None,
        model: str | None = None,
        model_provider: str | None = None,
        personality: Personality | None = None,
        sandbox: Sandbox | None = None,
        service_tier: str | None = None,
    ) -> Thread:
        """Reopens a stored thread by id; settings left unset keep their stored values."""
        params = thread_resume_params(
            thread_id,
            approval_mode=approval_mode,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            model=model,
            model_provider=model_provider,
            personality=personality,
            sandbox=sandbox,
            service_tier=service_tier,
        )
        return Thread(self, _thread_id(self._client.request("thread/resume", params)))

    def thread_fork(
        self,
        thread_id: str,
        *,
        approval_mode: ApprovalMode | None = None,
        base_instructions: str | None = None,
        config: JsonObject | None = None,
        cwd: str | None = None,
        developer_instructions: str | None = None,
        ephemeral: bool | None = None,
        model: str | None = None,
        model_provider: str | None = None,
        sandbox: Sandbox | None = None,
        service_tier: str | None = None,
        thread_source: ThreadSource | None = None,
    ) -> Thread:
        """Starts a new thread that begins with a copy of another thread's history."""
        params = thread_fork_params(
            thread_id,
            approval_mode=approval_mode,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            ephemeral=ephemeral,
            model=model,
            model_provider=model_provider,
            sandbox=sandbox,
            service_tier=service_tier,
            thread_source=thread_source,
        )
        return Thread(self, _thread_id(self._client.request("thread/fork", params)))

    def thread_archive(self, thread_id: str) -> ThreadArchiveResponse:
        """Archives a stored thread (``ThreadArchiveResponse``)."""
        return cast(
            "ThreadArchiveResponse",
            model_for("ThreadArchiveResponse", self._client.request("thread/archive", {"threadId": thread_id})),
        )

    def thread_unarchive(self, thread_id: str) -> Thread:
        """Restores an archived thread and returns it."""
        return Thread(self, _thread_id(self._client.request("thread/unarchive", {"threadId": thread_id})))

    # -- models -------------------------------------------------------------------------------

    def models(self, *, include_hidden: bool = False) -> ModelListResponse:
        """The models the runtime offers (``ModelListResponse``)."""
        return cast(
            "ModelListResponse",
            model_for("ModelListResponse", self._client.request("model/list", {"includeHidden": include_hidden})),
        )


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
        # Threads with a compaction started by this client: thread id -> idle count before it.
        self._compactions: dict[str, int] = {}

    async def _ensure_client(self) -> _core.Client:
        client = self._client
        if client is not None and self._metadata is not None:
            return client
        if self._init_lock is None:
            # asyncio is imported here, not at module level: blocking users never pay for it.
            import asyncio

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
            import asyncio

            # Includes cancellation: never leave a half-started runtime behind.
            await asyncio.shield(client.close_async())
            raise
        self._client, self._metadata = client, metadata

    async def _request(self, method: str, params: Any = None) -> Any:
        client = await self._ensure_client()
        return await client.request_async(method, params)

    @property
    def metadata(self) -> InitializeResponse:
        """What the runtime reported in the handshake; available once started."""
        if self._metadata is None:
            raise RuntimeError(
                "AsyncCodex is not initialized yet: use 'async with AsyncCodex()' or await a method first"
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
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- account ------------------------------------------------------------------------------

    async def login_api_key(self, api_key: str) -> None:
        """Signs in with an OpenAI API key."""
        await self._request(LOGIN_START, {"type": "apiKey", "apiKey": api_key})

    async def login_chatgpt(self) -> AsyncChatgptLoginHandle:
        """Starts a ChatGPT sign-in in the browser; open the handle's ``auth_url``."""
        result = login_response(await self._request(LOGIN_START, {"type": "chatgpt"}), "chatgpt")
        return AsyncChatgptLoginHandle(self, result["loginId"], result["authUrl"])

    async def login_chatgpt_device_code(self) -> AsyncDeviceCodeLoginHandle:
        """Starts a ChatGPT sign-in with a device code (for machines without a browser)."""
        result = login_response(await self._request(LOGIN_START, {"type": "chatgptDeviceCode"}), "chatgptDeviceCode")
        return AsyncDeviceCodeLoginHandle(self, result["loginId"], result["verificationUrl"], result["userCode"])

    async def account(self, *, refresh_token: bool = False) -> GetAccountResponse:
        """The signed-in account (``GetAccountResponse``); ``account`` is None when signed out."""
        return cast(
            "GetAccountResponse",
            model_for("GetAccountResponse", await self._request("account/read", {"refreshToken": refresh_token})),
        )

    async def logout(self) -> None:
        """Signs out."""
        await self._request("account/logout")

    # -- threads ------------------------------------------------------------------------------

    async def thread_start(
        self,
        *,
        approval_mode: ApprovalMode = ApprovalMode.auto_review,
        base_instructions: str | None = None,
        config: JsonObject | None = None,
        cwd: str | None = None,
        developer_instructions: str | None = None,
        ephemeral: bool | None = None,
        model: str | None = None,
        model_provider: str | None = None,
        personality: Personality | None = None,
        sandbox: Sandbox | None = None,
        service_name: str | None = None,
        service_tier: str | None = None,
        session_start_source: ThreadStartSource | None = None,
        thread_source: ThreadSource | None = None,
    ) -> AsyncThread:
        """Starts a new thread (conversation) and returns it."""
        params = thread_start_params(
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
        return AsyncThread(self, _thread_id(await self._request("thread/start", params)))

    async def thread_list(
        self,
        *,
        archived: bool | None = None,
        cursor: str | None = None,
        cwd: ThreadListCwdFilter | None = None,
        limit: int | None = None,
        model_providers: list[str] | None = None,
        search_term: str | None = None,
        sort_direction: SortDirection | None = None,
        sort_key: ThreadSortKey | None = None,
        source_kinds: list[ThreadSourceKind] | None = None,
        use_state_db_only: bool | None = None,
    ) -> ThreadListResponse:
        """Lists stored threads (``ThreadListResponse``: ``data``, ``next_cursor``)."""
        params = thread_list_params(
            archived=archived,
            cursor=cursor,
            cwd=cwd,
            limit=limit,
            model_providers=model_providers,
            search_term=search_term,
            sort_direction=sort_direction,
            sort_key=sort_key,
            source_kinds=source_kinds,
            use_state_db_only=use_state_db_only,
        )
        return cast("ThreadListResponse", model_for("ThreadListResponse", await self._request("thread/list", params)))

    async def thread_resume(
        self,
        thread_id: str,
        *,
        approval_mode: ApprovalMode | None = None,
        base_instructions: str | None = None,
        config: JsonObject | None = None,
        cwd: str | None = None,
        developer_instructions: str | None = None,
        model: str | None = None,
        model_provider: str | None = None,
        personality: Personality | None = None,
        sandbox: Sandbox | None = None,
        service_tier: str | None = None,
    ) -> AsyncThread:
        """Reopens a stored thread by id; settings left unset keep their stored values."""
        params = thread_resume_params(
            thread_id,
            approval_mode=approval_mode,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            model=model,
            model_provider=model_provider,
            personality=personality,
            sandbox=sandbox,
            service_tier=service_tier,
        )
        return AsyncThread(self, _thread_id(await self._request("thread/resume", params)))

    async def thread_fork(
        self,
        thread_id: str,
        *,
        approval_mode: ApprovalMode | None = None,
        base_instructions: str | None = None,
        config: JsonObject | None = None,
        cwd: str | None = None,
        developer_instructions: str | None = None,
        ephemeral: bool | None = None,
        model: str | None = None,
        model_provider: str | None = None,
        sandbox: Sandbox | None = None,
        service_tier: str | None = None,
        thread_source: ThreadSource | None = None,
    ) -> AsyncThread:
        """Starts a new thread that begins with a copy of another thread's history."""
        params = thread_fork_params(
            thread_id,
            approval_mode=approval_mode,
            base_instructions=base_instructions,
            config=config,
            cwd=cwd,
            developer_instructions=developer_instructions,
            ephemeral=ephemeral,
            model=model,
            model_provider=model_provider,
            sandbox=sandbox,
            service_tier=service_tier,
            thread_source=thread_source,
        )
        return AsyncThread(self, _thread_id(await self._request("thread/fork", params)))

    async def thread_archive(self, thread_id: str) -> ThreadArchiveResponse:
        """Archives a stored thread (``ThreadArchiveResponse``)."""
        return cast(
            "ThreadArchiveResponse",
            model_for("ThreadArchiveResponse", await self._request("thread/archive", {"threadId": thread_id})),
        )

    async def thread_unarchive(self, thread_id: str) -> AsyncThread:
        """Restores an archived thread and returns it."""
        return AsyncThread(self, _thread_id(await self._request("thread/unarchive", {"threadId": thread_id})))

    # -- models -------------------------------------------------------------------------------

    async def models(self, *, include_hidden: bool = False) -> ModelListResponse:
        """The models the runtime offers (``ModelListResponse``)."""
        return cast(
            "ModelListResponse",
            model_for("ModelListResponse", await self._request("model/list", {"includeHidden": include_hidden})),
        )
