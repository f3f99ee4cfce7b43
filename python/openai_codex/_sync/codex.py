# GENERATED from python/openai_codex/_async/codex.py by tools/async_to_sync.py: do not edit.
# Change the async source and run `python tools/async_to_sync.py`.
"""The client: a connection to a Codex runtime, and the account, thread and model calls on it."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from .. import _core
from .._approvals import USER_INPUT, ApprovalScopes, check_handler, check_user_input_handler
from .._dispatch import ThreadDispatcher
from .._handshake import INITIALIZE_TIMEOUT_S, initialize_params, start_client, thread_id_of
from .._params import thread_fork_params, thread_list_params, thread_resume_params, thread_start_params
from .._wire import model_for
from ..approvals import ApprovalHandler, ApprovalMode
from ..config import CodexConfig
from ..config import checked as checked_config
from ..errors import NotStartedError, UnexpectedResponseError
from ..models import InitializeResponse, JsonObject, validate_initialize_metadata
from ..sandbox import Sandbox
from ..user_input import UserInputHandler
from .login import ChatgptLoginHandle, DeviceCodeLoginHandle
from .threads import Thread

if TYPE_CHECKING:
    from ..types import (
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

__all__ = ["Codex"]

_LOGIN_START = "account/login/start"


def _login_response(result: dict[str, Any], expected_type: str) -> dict[str, Any]:
    """Checks that ``account/login/start`` answered with the flow that was asked for."""
    if not isinstance(result, dict) or result.get("type") != expected_type:
        raise UnexpectedResponseError(f"unexpected {expected_type} login response: {result!r}")
    return result


class Codex:
    """A connection to a Codex runtime (``codex app-server``), for blocking code.

    The constructor starts the runtime and completes the handshake, so a ``Codex`` is ready
    to use (or the constructor raised). Every wait releases the GIL and stays interruptible
    by Ctrl-C. Use it as a context manager, or call :meth:`close`.

    Example::

        with Codex() as codex:
            result = codex.thread_start().run("Summarize this repository")
            print(result.final_response)
    """

    def __init__(
        self,
        config: CodexConfig | None = None,
        *,
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
    ) -> None:
        """Prepares the client (the blocking ``Codex`` also starts the runtime here).

        Args:
            config: How to start the runtime; None for the defaults.
            approval_handler: Decides the approval requests of every thread of this client
                that has no handler of its own (see :mod:`openai_codex.approvals`). Without one,
                requests that reach the client are accepted (the reference SDK's behaviour).
                ``Codex`` takes plain functions (run in an executor) and ``async def`` ones
                (run on the event loop).
            user_input_handler: Answers the agent's questions and MCP elicitations on every
                thread without a handler of its own (see :mod:`openai_codex.user_input`).
                Without one, questions get no answers and elicitations are declined.

        Raises:
            TypeError: a handler is not callable.
        """
        check_handler(approval_handler, None)
        check_user_input_handler(user_input_handler)
        self._config = checked_config(config)
        self._client: _core.Client | None = None
        self._metadata: InitializeResponse | None = None
        # Routes the runtime's requests (approvals, tool calls...) to Python handlers; it only
        # runs once a handler is registered (see _dispatch).
        self._dispatcher: ThreadDispatcher = ThreadDispatcher()
        self._approvals = ApprovalScopes(self._dispatcher, approval_handler)
        self._user_input = ApprovalScopes(self._dispatcher, user_input_handler, USER_INPUT)
        self._start()

    def _ensure_client(self) -> _core.Client:
        """The started, initialized connection (started here on first use)."""
        client = self._client
        if client is not None and self._metadata is not None:
            return client
        raise NotStartedError("this Codex did not start")  # the constructor starts it or raises

    def _start(self) -> None:
        client = start_client(self._config)
        try:
            raw = client.request("initialize", initialize_params(self._config), timeout=INITIALIZE_TIMEOUT_S)
            client.notify("initialized")
            metadata = validate_initialize_metadata(InitializeResponse.from_wire(raw))
        except BaseException:
            client.close()
            raise
        self._client, self._metadata = client, metadata
        self._approvals.attach(client)
        self._user_input.attach(client)
        self._dispatcher.attach(client)

    def _request(self, method: str, params: Any = None) -> Any:
        client = self._ensure_client()
        return client.request(method, params)

    @property
    def metadata(self) -> InitializeResponse:
        """What the runtime reported in the handshake (user agent, platform, server info)."""
        if self._metadata is None:
            raise NotStartedError("Codex is not initialized yet: use 'with Codex()' or await a method first")
        return self._metadata

    def close(self) -> None:
        """Stops the runtime and fails anything still waiting on it. Safe to call twice."""
        client = self._client
        if client is not None:
            # The core answers what handlers left undecided (failing closed) as it closes.
            client.close()
        self._dispatcher.close()

    def __enter__(self) -> Codex:
        self._ensure_client()
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
        self._request(_LOGIN_START, {"type": "apiKey", "apiKey": api_key})

    def login_chatgpt(self) -> ChatgptLoginHandle:
        """Starts a ChatGPT sign-in in the browser; open the handle's ``auth_url``."""
        result = _login_response(self._request(_LOGIN_START, {"type": "chatgpt"}), "chatgpt")
        return ChatgptLoginHandle(self, result["loginId"], result["authUrl"])

    def login_chatgpt_device_code(self) -> DeviceCodeLoginHandle:
        """Starts a ChatGPT sign-in with a device code (for machines without a browser)."""
        result = _login_response(self._request(_LOGIN_START, {"type": "chatgptDeviceCode"}), "chatgptDeviceCode")
        return DeviceCodeLoginHandle(self, result["loginId"], result["verificationUrl"], result["userCode"])

    def account(self, *, refresh_token: bool = False) -> GetAccountResponse:
        """The signed-in account (``GetAccountResponse``); ``account`` is None when signed out."""
        return cast(
            "GetAccountResponse",
            model_for("GetAccountResponse", self._request("account/read", {"refreshToken": refresh_token})),
        )

    def logout(self) -> None:
        """Signs out."""
        self._request("account/logout")

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
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
    ) -> Thread:
        """Starts a new thread (conversation) and returns it.

        Args:
            approval_handler: Decides this thread's approval requests (instead of the
                client's handler); see :mod:`openai_codex.approvals`. A handler, here or on the
                client, makes the runtime ask this client; it takes precedence over
                ``approval_mode=auto_review``.
            user_input_handler: Answers this thread's questions and elicitations (instead of
                the client's handler); see :mod:`openai_codex.user_input`.

        Raises:
            ValueError: ``approval_handler`` together with ``approval_mode=ApprovalMode.deny_all``.
        """
        check_handler(approval_handler, approval_mode)
        check_user_input_handler(user_input_handler)
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
        explicit = approval_mode is not ApprovalMode.auto_review  # auto_review is the default
        return self._open_thread("thread/start", params, approval_handler, approval_mode, explicit, user_input_handler)

    def _open_thread(
        self,
        method: str,
        params: dict[str, Any],
        handler: Any,
        approval_mode: Any,
        explicit: bool,
        user_input_handler: Any,
    ) -> Thread:
        """Sends thread/start|resume|fork with the approval settings its handlers need."""
        settings = self._approvals.thread_settings(handler, approval_mode, explicit_mode=explicit)
        if settings:
            params.update(settings)
        result = self._request(method, params)
        thread_id = thread_id_of(result)
        self._approvals.thread_opened(thread_id, result, handler)
        self._user_input.thread_opened(thread_id, result, user_input_handler)
        return Thread(self, thread_id)

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
        return cast("ThreadListResponse", model_for("ThreadListResponse", self._request("thread/list", params)))

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
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
    ) -> Thread:
        """Reopens a stored thread by id; settings left unset keep their stored values.

        Args:
            approval_handler: Decides this thread's approval requests (see ``thread_start``).
            user_input_handler: Answers this thread's questions (see ``thread_start``).

        Raises:
            ValueError: ``approval_handler`` together with ``approval_mode=ApprovalMode.deny_all``.
        """
        check_handler(approval_handler, approval_mode)
        check_user_input_handler(user_input_handler)
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
        explicit = approval_mode is not None
        return self._open_thread("thread/resume", params, approval_handler, approval_mode, explicit, user_input_handler)

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
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
    ) -> Thread:
        """Starts a new thread that begins with a copy of another thread's history.

        Args:
            approval_handler: Decides the new thread's approval requests (see ``thread_start``).
            user_input_handler: Answers the new thread's questions (see ``thread_start``).

        Raises:
            ValueError: ``approval_handler`` together with ``approval_mode=ApprovalMode.deny_all``.
        """
        check_handler(approval_handler, approval_mode)
        check_user_input_handler(user_input_handler)
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
        explicit = approval_mode is not None
        return self._open_thread("thread/fork", params, approval_handler, approval_mode, explicit, user_input_handler)

    def thread_archive(self, thread_id: str) -> ThreadArchiveResponse:
        """Archives a stored thread (``ThreadArchiveResponse``)."""
        return cast(
            "ThreadArchiveResponse",
            model_for("ThreadArchiveResponse", self._request("thread/archive", {"threadId": thread_id})),
        )

    def thread_unarchive(self, thread_id: str) -> Thread:
        """Restores an archived thread and returns it, loaded and ready for a turn."""
        restored = thread_id_of(self._request("thread/unarchive", {"threadId": thread_id}))
        # The runtime restores the thread's files but does not load it: a turn on it would fail
        # with "thread not found" until a thread/resume. Load it here, keeping its settings
        # (except that a client approval handler needs the runtime to ask this client).
        params: dict[str, Any] = {"threadId": restored, "excludeTurns": True}
        params.update(self._approvals.thread_settings(None, None, explicit_mode=False) or {})
        result = self._request("thread/resume", params)
        self._approvals.thread_opened(restored, result, None)
        return Thread(self, restored)

    # -- models -------------------------------------------------------------------------------

    def models(self, *, include_hidden: bool = False) -> ModelListResponse:
        """The models the runtime offers (``ModelListResponse``)."""
        return cast(
            "ModelListResponse",
            model_for("ModelListResponse", self._request("model/list", {"includeHidden": include_hidden})),
        )
