"""The client: a connection to a Codex runtime, and the account, thread and model calls on it."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from .. import _core
from .._approval_policy import ApprovalMode, check_handler, check_user_input_handler
from .._approvals import USER_INPUT, ApprovalScopes
from .._dispatch import AsyncioDispatcher, ThreadDispatcher
from .._features import check_runtime_supports
from .._handshake import initialize_params, log_diagnostics, start_client_async, startup_failure, thread_id_of
from .._params import thread_fork_params, thread_list_params, thread_resume_params, thread_start_params
from .._wire import model_for
from ..config import CodexConfig
from ..config import checked as checked_config
from ..errors import CodexTimeoutError, NotStartedError, TransportClosedError, UnexpectedResponseError
from ..models import InitializeResponse, JsonObject, validate_initialize_metadata
from ..sandbox import Sandbox
from . import ASYNC
from .login import AsyncChatgptLoginHandle, AsyncDeviceCodeLoginHandle
from .threads import AsyncThread

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._toolcalls import ToolBindings
    from ..approvals import ApprovalHandler
    from ..tools import Tool
    from ..user_input import UserInputHandler

    if ASYNC:
        import asyncio

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

__all__ = ["AsyncCodex"]

_LOGIN_START = "account/login/start"
_TOOL_CALL = "item/tool/call"


def _tool_call_error(_request: _core.ServerRequest, exc: BaseException) -> dict[str, Any]:
    """The answer when answering a tool call itself failed (a bug, not the tool's exception)."""
    from ..tools import failure

    return failure(f"The SDK could not run this tool call: {type(exc).__name__}: {exc}")


def _login_response(result: dict[str, Any], expected_type: str) -> dict[str, Any]:
    """Checks that ``account/login/start`` answered with the flow that was asked for."""
    if not isinstance(result, dict) or result.get("type") != expected_type:
        raise UnexpectedResponseError(f"unexpected {expected_type} login response: {result!r}")
    return result


class AsyncCodex:
    """A connection to one Codex runtime (``codex app-server``), for [async: asyncio programs][sync: blocking code].

    The client owns a child process running the Codex runtime and talks to it over JSON-RPC on
    stdio.
    [async: Nothing starts when the object is made: the first awaited call (or ``async with``)
    launches the runtime and completes the ``initialize`` handshake, once, however many tasks
    race to use it. If that start fails or is cancelled, the child process is stopped again.]
    [sync: The constructor launches the runtime and completes the ``initialize`` handshake before it
    returns, so a ``Codex`` is ready to use (or the constructor raised, after stopping the child
    process).]

    [async:
    Every wait is a native awaitable on the event loop: no thread is parked per call, a
    cancelled task (``asyncio.wait_for``, ``task.cancel()``) stops waiting without disturbing
    the connection, and many turns can stream concurrently over one client. Use it as an
    async context manager, or await :meth:`close` when done.

    Because the runtime is started lazily, the first awaited method can raise what starting
    it raises (see :meth:`__init__`) besides its own errors.
    ]
    [sync:
    Every blocking wait releases the GIL, wakes up for Ctrl-C (``KeyboardInterrupt``) and
    fails with :class:`~openai_codex.TransportClosedError` as soon as the runtime dies.
    Turns on different threads can run at the same time over one client. Use it as a
    context manager, or call :meth:`close` when done. What the constructor raises is listed
    under :meth:`__init__`.
    ]

    Args:
        config: How to launch the runtime and how the client introduces itself in the
            handshake. ``None`` (the default) means ``CodexConfig()``: the runtime from the
            installed ``openai-codex-cli-bin`` package, with the default client name.
        approval_handler: Decides the approval requests of every thread of this client
            that has no handler of its own (see :mod:`openai_codex.approvals`). Without one,
            requests that reach the client are accepted (the reference SDK's behaviour).
        user_input_handler: Answers the agent's questions and MCP elicitations on every
            thread without a handler of its own (see :mod:`openai_codex.user_input`).
            Without one, questions get no answers and elicitations are declined.

    Example::

        [async:
        import asyncio
        from openai_codex import AsyncCodex


        async def main() -> None:
            async with AsyncCodex() as codex:
                thread = await codex.thread_start()
                result = await thread.run("Summarize this repository")
                print(result.final_response)


        asyncio.run(main())
        ]
        [sync:
        from openai_codex import Codex

        with Codex() as codex:
            result = codex.thread_start().run("Summarize this repository")
            print(result.final_response)
        ]
    """

    def __init__(
        self,
        config: CodexConfig | None = None,
        *,
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
    ) -> None:
        """[async: Makes a client; the runtime starts on the first awaited call, not here.]
        [sync: Starts the Codex runtime and completes the handshake; returns when it is ready.]

        [async: Nothing is launched yet, so this never blocks: only ``config`` and the handlers
        are checked here (the ``TypeError`` and ``ValueError`` below, but for an empty
        ``config.launch_args_override``). The first awaited method (or ``async with``) starts
        the runtime, and raises the others.]
        [sync: On any failure the child process is stopped before the exception propagates.]

        Args:
            config: How to launch the runtime and how the client introduces itself.
                ``None`` (the default) means ``CodexConfig()``.

        Raises:
            TypeError: ``config`` is not a ``CodexConfig`` (or None), or one of its fields has
                the wrong type (the message names the field).
            ValueError: ``config.connect`` is set together with a field that shapes a spawned
                runtime, or a connection field is invalid (the message names the field), or
                ``config.launch_args_override`` is empty.
            ConnectError: With ``config.connect``: nothing could be reached at that address
                within ``config.connect_timeout``, or TLS or the WebSocket upgrade failed;
                :class:`~openai_codex.errors.AuthenticationError` when the server refused the
                token. Both are ``TransportClosedError`` subclasses.
            FileNotFoundError: The runtime cannot be found: ``openai-codex-cli-bin`` is not
                installed, ``config.codex_bin`` does not exist, or the launch command or
                ``config.cwd`` does not exist.
            OSError: The runtime process could not be started for another reason.
            TransportClosedError: The runtime exited during the handshake; the message
                carries its last stderr lines.
            CodexTimeoutError: The runtime did not answer ``initialize`` within 60 seconds,
                or no connection was made within ``config.connect_timeout``.
            UnexpectedResponseError: The handshake answer lacks a usable user agent, server
                name or version (a ``RuntimeError`` too).
            JsonRpcError: The runtime refused the ``initialize`` request.
        """
        check_handler(approval_handler, None)
        check_user_input_handler(user_input_handler)
        self._config = checked_config(config)
        self._client: _core.Client | None = None
        self._metadata: InitializeResponse | None = None
        # The Python functions bound to each thread's dynamic tools (see openai_codex.tools);
        # made on first use, so a client without tools never loads the tools machinery.
        self._tool_state: ToolBindings | None = None
        # Routes the runtime's requests (approvals, tool calls...) to Python handlers; it only
        # runs once a handler is registered (see _dispatch).
        if ASYNC:
            self._dispatcher: AsyncioDispatcher = AsyncioDispatcher()
            self._init_lock: asyncio.Lock | None = None
        else:
            self._dispatcher: ThreadDispatcher = ThreadDispatcher()
        self._approvals = ApprovalScopes(self._dispatcher, approval_handler)
        self._user_input = ApprovalScopes(self._dispatcher, user_input_handler, USER_INPUT)
        if not ASYNC:
            self._start()

    async def _ensure_client(self) -> _core.Client:
        """The started, initialized connection (started here on first use)."""
        client = self._client
        if client is not None and self._metadata is not None:
            return client
        if ASYNC:
            if self._init_lock is None:
                # asyncio is imported here, not at module level: blocking users never pay for it.
                import asyncio

                self._init_lock = asyncio.Lock()
            async with self._init_lock:
                if self._client is None or self._metadata is None:
                    await self._start()
            assert self._client is not None
            return self._client
        else:
            raise NotStartedError("this Codex did not start")  # the constructor starts it or raises

    async def _start(self) -> None:
        client, program = await start_client_async(self._config)
        try:
            try:
                raw = await client.request_async(
                    "initialize", initialize_params(self._config), timeout=self._config.start_timeout
                )
                client.notify("initialized")
                metadata = validate_initialize_metadata(InitializeResponse.from_wire(raw))
            except (TransportClosedError, CodexTimeoutError, UnexpectedResponseError) as error:
                raise startup_failure(self._config, program, error) from None
        except BaseException:
            if ASYNC:
                import asyncio

                # Includes cancellation: never leave a half-started runtime behind.
                await asyncio.shield(client.close_async())
            else:
                client.close()
            raise
        self._client, self._metadata = client, metadata
        self._approvals.attach(client)
        self._user_input.attach(client)
        self._dispatcher.attach(client)

    def _runtime_version(self) -> str | None:
        """The connected runtime's version, from the handshake (None before it)."""
        info = None if self._metadata is None else self._metadata.serverInfo
        return None if info is None else info.version

    async def _request(self, method: str, params: Any = None) -> Any:
        client = await self._ensure_client()
        # A newer feature on an older runtime fails here, before anything is sent.
        check_runtime_supports(method, params, self._runtime_version())
        try:
            return await client.request_async(method, params, timeout=self._config.request_timeout)
        finally:
            log_diagnostics(client)

    @property
    def metadata(self) -> InitializeResponse:
        """What the runtime reported in the ``initialize`` handshake.

        The :class:`~openai_codex.types.InitializeResponse` holds ``user_agent``,
        ``platform_family``, ``platform_os``, ``codex_home`` and ``server_info`` (``name`` and
        ``version``). The runtime sends no server info of its own, so the SDK derives it from
        the user agent: ``name`` is the part before the first ``/`` and ``version`` the token
        after it (e.g. ``"0.133.0"``).

        [async:
        Raises:
            NotStartedError: The runtime has not been started yet: no ``async with`` and no
                awaited method so far (a ``RuntimeError`` too).
        ]

        Example::

            async with AsyncCodex() as codex:
                print(codex.metadata.server_info.version)
        """
        if self._metadata is None:
            raise NotStartedError(
                "AsyncCodex is not initialized yet: use 'async with AsyncCodex()' or call one of its methods first"
            )
        return self._metadata

    async def close(self) -> None:
        """Stops the runtime process and ends the connection.

        With ``CodexConfig(connect=...)`` only the connection ends: the server it reached
        keeps running, with its threads, for other clients (and a later ``thread_resume``).

        Every call still waiting on the runtime (a turn's ``run()``, a ``stream()`` loop, a
        login ``wait()``) raises :class:`~openai_codex.TransportClosedError`, and so does
        every later call on this client or its threads and turns. Calling it again, or on a
        client whose runtime never started, does nothing.
        """
        client = self._client
        if client is not None:
            # The core answers what handlers left undecided (failing closed) as it closes.
            await client.close_async()
            log_diagnostics(client)
        if ASYNC:
            await self._dispatcher.aclose()
        else:
            self._dispatcher.close()
        if self._tool_state is not None:
            self._tool_state.close()

    @property
    def _tools(self) -> ToolBindings:
        """The tool bindings, made on first use."""
        if self._tool_state is None:
            from .._toolcalls import ToolBindings

            self._tool_state = ToolBindings()
        return self._tool_state

    async def __aenter__(self) -> AsyncCodex:
        """[async: Starts the runtime (if it is not running yet) and returns this client.]
        [sync: Returns this client, whose runtime the constructor has already started.]

        Returns:
            This client[async: , ready to use].
        [async:

        Raises:
            FileNotFoundError, OSError, ValueError, TransportClosedError, CodexTimeoutError,
            UnexpectedResponseError, JsonRpcError: The runtime could not be started; see
            :meth:`__init__`.
        ]
        """
        await self._ensure_client()
        return self

    async def __aexit__(
        self,
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        """Leaves the context-manager block: calls :meth:`close`.

        An exception raised in the block propagates unchanged.
        """
        await self.close()

    # -- account ------------------------------------------------------------------------------

    async def login_api_key(self, api_key: str) -> None:
        """Signs in to the runtime with an OpenAI API key.

        The runtime keeps the key in its credential store (under ``CODEX_HOME``), so later
        clients using the same home are signed in too.

        Args:
            api_key: The OpenAI API key (``"sk-..."``).

        Raises:
            JsonRpcError: The runtime refused the sign-in (a subclass chosen by error code).
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            await codex.login_api_key(os.environ["OPENAI_API_KEY"])
        """
        await self._request(_LOGIN_START, {"type": "apiKey", "apiKey": api_key})

    async def login_chatgpt(self) -> AsyncChatgptLoginHandle:
        """Starts signing in with a ChatGPT account in a web browser.

        The runtime starts listening for the browser's callback on a local port (1455) and
        returns at once. Open ``handle.auth_url`` in a browser on the same machine, then call
        ``handle.wait()`` for the outcome; ``handle.cancel()`` gives up.

        Returns:
            The handle of the sign-in in progress, with ``login_id`` and ``auth_url``.

        Raises:
            UnexpectedResponseError: The runtime answered with another kind of sign-in (a
                ``RuntimeError`` too).
            JsonRpcError: The runtime refused to start the sign-in.
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            handle = await codex.login_chatgpt()
            print("Open", handle.auth_url)
            outcome = await handle.wait()
            print("signed in" if outcome.success else outcome.error)
        """
        result = _login_response(await self._request(_LOGIN_START, {"type": "chatgpt"}), "chatgpt")
        return AsyncChatgptLoginHandle(self, result["loginId"], result["authUrl"])

    async def login_chatgpt_device_code(self) -> AsyncDeviceCodeLoginHandle:
        """Starts signing in with a ChatGPT account by device code.

        For machines without a browser: the user visits ``handle.verification_url`` on any
        device and enters ``handle.user_code``; ``handle.wait()`` then returns the outcome. The
        runtime must reach ``auth.openai.com`` to get the code.

        Returns:
            The handle of the sign-in in progress, with ``login_id``, ``verification_url`` and
            ``user_code``.

        Raises:
            UnexpectedResponseError: The runtime answered with another kind of sign-in (a
                ``RuntimeError`` too).
            JsonRpcError: The runtime could not start the sign-in, e.g. ``InternalRpcError``
                when ``auth.openai.com`` cannot be reached.
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            handle = await codex.login_chatgpt_device_code()
            print(f"Visit {handle.verification_url} and enter {handle.user_code}")
            outcome = await handle.wait()
        """
        result = _login_response(await self._request(_LOGIN_START, {"type": "chatgptDeviceCode"}), "chatgptDeviceCode")
        return AsyncDeviceCodeLoginHandle(self, result["loginId"], result["verificationUrl"], result["userCode"])

    async def account(self, *, refresh_token: bool = False) -> GetAccountResponse:
        """Tells who is signed in to the runtime.

        Args:
            refresh_token: If true, the runtime first refreshes a ChatGPT access token (in
                its managed sign-in mode; otherwise the flag is ignored). Defaults to false.

        Returns:
            A :class:`~openai_codex.types.GetAccountResponse`: ``account`` is ``None`` when
            nobody is signed in, else an ``Account`` whose ``root`` is an ``ApiKeyAccount``,
            a ``ChatgptAccount`` (``email``, ``plan_type``) or an ``AmazonBedrockAccount``;
            ``requires_openai_auth`` says whether the configured model provider needs an
            OpenAI sign-in.

        Raises:
            JsonRpcError: The runtime refused the request.
            TransportClosedError: The runtime has exited or the client was closed.
        """
        return cast(
            "GetAccountResponse",
            model_for("GetAccountResponse", await self._request("account/read", {"refreshToken": refresh_token})),
        )

    async def logout(self) -> None:
        """Signs out of the runtime, removing its stored credentials.

        Raises:
            JsonRpcError: The runtime refused the request.
            TransportClosedError: The runtime has exited or the client was closed.
        """
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
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
        tools: Sequence[Tool[..., Any]] | None = None,
    ) -> AsyncThread:
        """Starts a new thread (a conversation with the agent) and returns its handle.

        Settings given here are stored with the thread and apply to all its turns (a turn can
        override some of them). Keywords left as ``None`` are not sent, so the runtime uses its
        configured default.

        Args:
            approval_mode: What happens when the agent wants to do something its sandbox does
                not allow. ``ApprovalMode.auto_review`` (the default): an automatic reviewer
                run by the runtime approves or declines each request.
                ``ApprovalMode.deny_all``: every such request is declined without asking.
            base_instructions: Text that replaces the agent's built-in base instructions.
            config: Runtime configuration for this thread, keyed as in the runtime's
                ``config.toml`` (for example ``{"model_reasoning_effort": "high"}``).
            cwd: Working directory of the thread: where the agent's commands run and what the
                workspace is. Defaults to the runtime process's working directory.
            developer_instructions: Extra instructions given to the agent besides its base
                instructions.
            ephemeral: If true, the thread is not stored: it cannot be listed, resumed or
                forked later.
            model: Name of the model to use (see :meth:`models`, e.g. ``"gpt-5.4"``).
            model_provider: Id of a model provider configured in the runtime (e.g.
                ``"openai"``).
            personality: The agent's tone: ``Personality.none``, ``Personality.friendly`` or
                ``Personality.pragmatic`` (or the plain string values).
            sandbox: How far the agent's commands may reach: ``Sandbox.read_only``,
                ``Sandbox.workspace_write`` or ``Sandbox.full_access``. ``None`` keeps the
                runtime's configured sandbox.
            service_name: A name for the application using the SDK, sent to the runtime
                with the thread.
            service_tier: Service tier for the model requests, where the provider offers
                tiers (e.g. ``"fast"``).
            session_start_source: How this session began, as the runtime records it:
                ``ThreadStartSource.startup`` or ``ThreadStartSource.clear``.
            thread_source: Who created the thread, for the runtime's records:
                ``ThreadSource.user``, ``ThreadSource.subagent`` or
                ``ThreadSource.memory_consolidation``.
            approval_handler: Decides this thread's approval requests, instead of the
                client's handler (see :mod:`openai_codex.approvals`). A handler, here or on the
                client, makes the runtime ask this client; it takes precedence over
                ``approval_mode=auto_review``.
            user_input_handler: Answers this thread's questions and elicitations, instead of
                the client's handler (see :mod:`openai_codex.user_input`).
            tools: Python functions made tools with :func:`openai_codex.tool`: the model is
                offered them on every turn of this thread, and their calls run here (see
                :mod:`openai_codex.tools`). The runtime keeps their definitions with the thread,
                so ``thread_resume``/``thread_fork`` bind the functions again later. They use the
                runtime's experimental API (``CodexConfig.experimental_api``, on by default).

        Returns:
            The new thread's handle; ``thread.id`` is its id.

        Raises:
            ValueError: ``approval_handler`` together with ``approval_mode=ApprovalMode.deny_all``,
                ``tools`` with the experimental API turned off, or two tools of one name.
            ValueError: ``approval_mode`` is not an ``ApprovalMode`` member, ``sandbox`` not a
                ``Sandbox`` member (plain strings are refused too), ``personality`` not one of
                its values, or ``config`` holds a float that JSON cannot carry (NaN, infinity).
            TypeError: A setting has the wrong type (the message names it), or ``config``
                holds a value that cannot be sent as JSON.
            JsonRpcError: The runtime refused the request (a subclass chosen by error code,
                e.g. ``InvalidRequestError``).
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            thread = await codex.thread_start(
                sandbox=Sandbox.workspace_write,
                approval_mode=ApprovalMode.deny_all,
                cwd="/path/to/project",
            )
        """
        check_handler(approval_handler, approval_mode)
        check_user_input_handler(user_input_handler)
        checked = self._tools_for_start(tools)
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
        if checked:
            params["dynamicTools"] = [t.spec() for t in checked]
        explicit = approval_mode is not ApprovalMode.auto_review  # auto_review is the default
        thread = await self._open_thread(
            "thread/start", params, approval_handler, approval_mode, explicit, user_input_handler
        )
        if checked:
            self._tools.remember(thread.id, (t.key for t in checked))
            self._bind_tools(thread.id, checked)
        return thread

    async def _open_thread(
        self,
        method: str,
        params: dict[str, Any],
        handler: Any,
        approval_mode: Any,
        explicit: bool,
        user_input_handler: Any,
    ) -> AsyncThread:
        """Sends thread/start|resume|fork with the approval settings its handlers need."""
        settings = self._approvals.thread_settings(handler, approval_mode, explicit_mode=explicit)
        if settings:
            params.update(settings)
        result = await self._request(method, params)
        thread_id = thread_id_of(result)
        self._approvals.thread_opened(thread_id, result, handler)
        self._user_input.thread_opened(thread_id, result, user_input_handler)
        return AsyncThread(self, thread_id)

    async def thread_list(
        self,
        *,
        archived: bool | None = None,
        cursor: str | None = None,
        cwd: ThreadListCwdFilter | str | list[str] | None = None,
        limit: int | None = None,
        model_providers: list[str] | None = None,
        search_term: str | None = None,
        sort_direction: SortDirection | None = None,
        sort_key: ThreadSortKey | None = None,
        source_kinds: list[ThreadSourceKind] | None = None,
        use_state_db_only: bool | None = None,
        section_id: str | None = None,
    ) -> ThreadListResponse:
        """Lists the threads the runtime has stored, newest first by default, one page at a time.

        Every filter left as ``None`` is not sent, so the runtime applies its default.

        Args:
            archived: If true, list only archived threads; otherwise only threads that are
                not archived.
            cursor: The ``next_cursor`` of a previous page, to get the page after it.
            cwd: Only threads whose working directory is exactly this path, or one of these
                paths (a ``str`` or a list of them).
            limit: Page size; the runtime picks one when unset.
            model_providers: Only threads recorded under these model providers (an empty
                list means all providers).
            search_term: Only threads whose title contains this text.
            sort_direction: ``SortDirection.desc`` (the runtime's default: newest first) or
                ``SortDirection.asc``.
            sort_key: ``ThreadSortKey.created_at`` (the runtime's default) or
                ``ThreadSortKey.updated_at``.
            source_kinds: Only threads started from these sources (``ThreadSourceKind``
                members, e.g. ``cli``, ``vscode``, ``exec``, ``app_server``). Unset or empty
                means the interactive sources.
            use_state_db_only: If true, the runtime answers from its state database alone,
                without scanning (and repairing) the stored session files.
            section_id: Only threads in the section with this id (sections group threads in
                the Codex app). ``None`` (the default) is not sent: every section is listed.
                Needs the Codex runtime 0.147.0 or newer.

        Returns:
            A :class:`~openai_codex.types.ThreadListResponse`: ``data`` holds the stored-thread
            records (``id``, ``name``, ``preview``, ``cwd``, ``created_at``, ``updated_at``,
            ...; not :class:`Thread` handles), ``next_cursor`` the cursor of the next page
            (``None`` on the last one) and ``backwards_cursor`` that of the previous one.

        Raises:
            TypeError: A filter has the wrong type (the message names it) or holds a value
                that cannot be sent as JSON.
            ValueError: ``sort_key``, ``sort_direction`` or a ``source_kinds`` entry is not
                one of its values, or ``limit`` is negative.
            RuntimeVersionError: ``section_id`` was given and the connected runtime is older
                than 0.147.0 (nothing was sent).
            JsonRpcError: The runtime refused the request.
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            cursor = None
            while True:
                page = await codex.thread_list(cursor=cursor, limit=50)
                for stored in page.data:
                    print(stored.id, stored.name)
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
        """
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
            section_id=section_id,
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
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
        tools: Sequence[Tool[..., Any]] | None = None,
        include_turns: bool | None = None,
    ) -> AsyncThread:
        """Loads a stored thread into this connection and returns its handle.

        New turns then continue the thread's conversation. Every keyword left as ``None`` is
        not sent, so the thread keeps its stored setting (including its approval mode); a
        keyword that is given replaces the stored setting.

        Args:
            thread_id: Id of the thread to resume (``thread.id``, or an ``id`` from
                :meth:`thread_list`).
            approval_mode: ``ApprovalMode.auto_review`` (an automatic reviewer decides each
                request the sandbox does not allow) or ``ApprovalMode.deny_all`` (every such
                request is declined).
            base_instructions: Text that replaces the agent's built-in base instructions.
            config: Runtime configuration for the thread, keyed as in ``config.toml``.
            cwd: Working directory of the thread from now on.
            developer_instructions: Extra instructions given to the agent besides its base
                instructions.
            model: Name of the model to use from now on.
            model_provider: Id of a model provider configured in the runtime.
            personality: ``Personality.none``, ``Personality.friendly`` or
                ``Personality.pragmatic``.
            sandbox: ``Sandbox.read_only``, ``Sandbox.workspace_write`` or
                ``Sandbox.full_access``.
            service_tier: Service tier for the model requests (e.g. ``"fast"``).
            approval_handler: Decides this thread's approval requests (see ``thread_start``).
            user_input_handler: Answers this thread's questions (see ``thread_start``).
            tools: Python functions (:func:`openai_codex.tool`) for tools the thread was started
                with: the runtime keeps the definitions, not the functions, so a thread resumed by
                a new client needs them again. Calls of a tool left unbound get a failed result
                telling the model so.
            include_turns: Whether the runtime's answer carries the thread's past turns
                (sent as ``excludeTurns``, its negation). It changes what the runtime sends
                back, not what the model remembers: the whole history stays the model's
                context either way. ``False`` makes opening a long thread cheaper; read the
                history with ``thread.read(include_turns=True)``. ``None`` (the default) is
                not sent, so the runtime's default applies.

        Returns:
            The thread's handle (its ``id`` is ``thread_id``).

        Raises:
            ValueError: ``approval_handler`` together with ``approval_mode=ApprovalMode.deny_all``,
                or a tool the thread does not have (tools are added only when a thread starts).
            ValueError: ``approval_mode`` is not an ``ApprovalMode`` member or ``sandbox`` not
                a ``Sandbox`` member.
            TypeError: ``config`` holds a value that cannot be sent as JSON, or
                ``include_turns`` is not a ``bool``.
            InvalidRequestError: No stored thread has this id (what the runtime answers).
            JsonRpcError: The runtime refused the request for another reason.
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            thread = await codex.thread_resume(saved_id)
            result = await thread.run("Where were we?")
        """
        check_handler(approval_handler, approval_mode)
        check_user_input_handler(user_input_handler)
        checked = await self._tools_for_existing(thread_id, tools)
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
            include_turns=include_turns,
        )
        explicit = approval_mode is not None
        thread = await self._open_thread(
            "thread/resume", params, approval_handler, approval_mode, explicit, user_input_handler
        )
        self._bind_tools(thread.id, checked)
        return thread

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
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
        tools: Sequence[Tool[..., Any]] | None = None,
        include_turns: bool | None = None,
    ) -> AsyncThread:
        """Starts a new thread whose history begins as a copy of another thread's.

        The original thread is left as it is; the two go separate ways from here. Keywords
        left as ``None`` are not sent, so the runtime decides (it starts from the original
        thread's settings).

        Args:
            thread_id: Id of the thread to copy.
            approval_mode: ``ApprovalMode.auto_review`` (an automatic reviewer decides each
                request the sandbox does not allow) or ``ApprovalMode.deny_all`` (every such
                request is declined).
            base_instructions: Text that replaces the agent's built-in base instructions.
            config: Runtime configuration for the new thread, keyed as in ``config.toml``.
            cwd: Working directory of the new thread.
            developer_instructions: Extra instructions given to the agent besides its base
                instructions.
            ephemeral: If true, the new thread is not stored (it cannot be listed, resumed or
                forked later).
            model: Name of the model for the new thread.
            model_provider: Id of a model provider configured in the runtime.
            sandbox: ``Sandbox.read_only``, ``Sandbox.workspace_write`` or
                ``Sandbox.full_access``.
            service_tier: Service tier for the model requests (e.g. ``"fast"``).
            thread_source: Who created the thread, for the runtime's records:
                ``ThreadSource.user``, ``ThreadSource.subagent`` or
                ``ThreadSource.memory_consolidation``.
            approval_handler: Decides the new thread's approval requests (see ``thread_start``).
            user_input_handler: Answers the new thread's questions (see ``thread_start``).
            tools: Python functions for the tools of the thread it copies (the fork has them
                too), as for :meth:`thread_resume`.
            include_turns: Whether the runtime's answer carries the copied turns
                (sent as ``excludeTurns``, its negation). It changes what the runtime sends
                back, not what the model remembers: the whole history stays the model's
                context either way. ``False`` makes forking a long thread cheaper; read the
                history with ``thread.read(include_turns=True)``. ``None`` (the default) is
                not sent, so the runtime's default applies.

        Returns:
            The new thread's handle, with a new ``id``.

        Raises:
            ValueError: ``approval_handler`` together with ``approval_mode=ApprovalMode.deny_all``,
                or a tool the thread does not have.
            ValueError: ``approval_mode`` is not an ``ApprovalMode`` member or ``sandbox`` not
                a ``Sandbox`` member.
            TypeError: ``config`` holds a value that cannot be sent as JSON, or
                ``include_turns`` is not a ``bool``.
            InvalidRequestError: No stored thread has this id.
            JsonRpcError: The runtime refused the request for another reason.
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            experiment = await codex.thread_fork(thread.id, model="gpt-5.4")
        """
        check_handler(approval_handler, approval_mode)
        check_user_input_handler(user_input_handler)
        checked = await self._tools_for_existing(thread_id, tools)
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
            include_turns=include_turns,
        )
        explicit = approval_mode is not None
        thread = await self._open_thread(
            "thread/fork", params, approval_handler, approval_mode, explicit, user_input_handler
        )
        known = None if self._tool_state is None else self._tool_state.known(thread_id)
        if known is not None:
            self._tools.remember(thread.id, known)
        self._bind_tools(thread.id, checked)
        return thread

    def _bind_tools(self, thread_id: str, tools: list[Tool[..., Any]]) -> None:
        """Binds the functions, and routes ``item/tool/call`` to them from the first binding on.

        A client that never binds a tool leaves tool calls to the core's default answer (a
        failed result that says to pass ``tools=``), and runs no dispatcher for them.
        """
        if not tools:
            return
        first = not self._tools.has_bindings
        self._tools.bind(thread_id, tools)
        if first:
            self._dispatcher.register(_TOOL_CALL, self._answer_tool_call, on_error=_tool_call_error)

    async def _answer_tool_call(self, request: _core.ServerRequest) -> dict[str, Any]:
        """The answer to one ``item/tool/call`` (never raises: a JSON-RPC error hides the text)."""
        params = request.params if isinstance(request.params, dict) else {}
        if ASYNC:
            # On the loop: an async tool runs here, a blocking one in the loop's executor.
            return await self._tools.answer_async(params)
        else:
            # In the dispatcher's worker pool, off the thread that reads the runtime.
            return self._tools.answer_blocking(params)

    def _tools_for_start(self, tools: Sequence[Tool[..., Any]] | None) -> list[Tool[..., Any]]:
        if tools is None:
            return []
        from .._toolcalls import checked_tools

        checked = checked_tools(tools)
        if checked and not self._config.experimental_api:
            raise ValueError(
                "tools= needs the runtime's experimental API, which this client turned off: "
                "use CodexConfig(experimental_api=True) (the default)"
            )
        return checked

    async def _tools_for_existing(self, thread_id: str, tools: Sequence[Tool[..., Any]] | None) -> list[Tool[..., Any]]:
        """``tools`` for a thread that exists: each must name one of the thread's tools."""
        if tools is None:
            return []
        from .._toolcalls import checked_tools

        checked = checked_tools(tools)
        if not checked:
            return []
        known = self._tools.known(thread_id)
        if known is None:
            # Not started by this client: the stored thread's definitions say what it has.
            stored = await self._request("thread/read", {"threadId": thread_id, "includeTurns": False})
            thread = stored.get("thread") if isinstance(stored, dict) else None
            from .._toolcalls import stored_tool_keys

            known = stored_tool_keys(thread.get("path") if isinstance(thread, dict) else None)
            if known is not None:
                self._tools.remember(thread_id, known)
        if known is not None:
            from .._toolcalls import missing_tools

            error = missing_tools(checked, known)
            if error is not None:
                raise error
        return checked

    async def thread_archive(self, thread_id: str) -> ThreadArchiveResponse:
        """Archives a stored thread: it leaves the default listing but is kept.

        :meth:`thread_list` with ``archived=True`` lists it, and :meth:`thread_unarchive`
        brings it back.

        Args:
            thread_id: Id of the thread to archive.

        Returns:
            A :class:`~openai_codex.types.ThreadArchiveResponse`, which has no fields.

        Raises:
            InvalidRequestError: No stored thread has this id.
            JsonRpcError: The runtime refused the request for another reason.
            TransportClosedError: The runtime has exited or the client was closed.
        """
        return cast(
            "ThreadArchiveResponse",
            model_for("ThreadArchiveResponse", await self._request("thread/archive", {"threadId": thread_id})),
        )

    async def thread_unarchive(self, thread_id: str) -> AsyncThread:
        """Restores an archived thread to the default listing and returns its handle, loaded.

        Args:
            thread_id: Id of the archived thread.

        Returns:
            The thread's handle, ready for a turn at once (the thread is loaded with
            ``thread/resume``, keeping its stored settings).

        Raises:
            InvalidRequestError: No archived thread has this id.
            JsonRpcError: The runtime refused the request for another reason.
            TransportClosedError: The runtime has exited or the client was closed.
        """
        restored = thread_id_of(await self._request("thread/unarchive", {"threadId": thread_id}))
        # The runtime restores the thread's files but does not load it: a turn on it would fail
        # with "thread not found" until a thread/resume. Load it here, keeping its settings
        # (except that a client approval handler needs the runtime to ask this client).
        params: dict[str, Any] = {"threadId": restored, "excludeTurns": True}
        params.update(self._approvals.thread_settings(None, None, explicit_mode=False) or {})
        result = await self._request("thread/resume", params)
        self._approvals.thread_opened(restored, result, None)
        return AsyncThread(self, restored)

    # -- models -------------------------------------------------------------------------------

    async def models(self, *, include_hidden: bool = False) -> ModelListResponse:
        """Lists the models the runtime offers.

        Args:
            include_hidden: If true, also list the models hidden from the default picker.
                Defaults to false.

        Returns:
            A :class:`~openai_codex.types.ModelListResponse` whose ``data`` holds one record
            per model: ``model`` (the name to pass as ``model=``), ``display_name``,
            ``description``, ``is_default``, ``hidden``, ``default_reasoning_effort``,
            ``supported_reasoning_efforts``, ``input_modalities``, ...

        Raises:
            JsonRpcError: The runtime refused the request.
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            listing = await codex.models()
            default = next(m for m in listing.data if m.is_default)
        """
        return cast(
            "ModelListResponse",
            model_for("ModelListResponse", await self._request("model/list", {"includeHidden": include_hidden})),
        )


if ASYNC:
    # help() shows the asyncio side of the docstrings above; the sync twin's are resolved when
    # it is generated (tools/async_to_sync.py).
    from .._twin_docs import resolve_module

    resolve_module(globals())
