"""Exceptions raised by the SDK.

Everything the SDK raises on purpose derives from :class:`CodexError`. Errors the runtime reports
through JSON-RPC are :class:`JsonRpcError` subclasses chosen by error code, so callers can catch
exactly the failures they know how to handle::

    CodexError
    ├── TransportClosedError          the runtime is gone, or the client was closed
    │   └── ConnectError              a running runtime could not be reached (also a ConnectionError)
    │       └── AuthenticationError   it refused the auth token (HTTP 401 or 403)
    ├── CodexTimeoutError             a wait passed its time limit (also a TimeoutError)
    ├── TurnFailedError               a turn ended with status failed (also a RuntimeError)
    ├── UnexpectedResponseError       an answer this SDK cannot use (also a RuntimeError)
    ├── NotStartedError               AsyncCodex used before it started (also a RuntimeError)
    ├── RuntimeVersionError           a feature needs a newer Codex runtime than the connected one
    └── JsonRpcError                  the runtime answered a request with an error
        └── CodexRpcError
            ├── ParseError, InvalidRequestError, MethodNotFoundError,
            │   InvalidParamsError, InternalRpcError
            └── ServerBusyError
                └── RetryLimitExceededError

Errors of the caller's own making are the built-in ones: ``TypeError`` for an input or a value
that cannot be sent, ``ValueError`` for an invalid ``approval_mode``, ``sandbox`` or config.

Example::

    from openai_codex import JsonRpcError, TransportClosedError
    from openai_codex.errors import TurnFailedError

    try:
        result = thread.run("Fix the failing test")
    except TurnFailedError as exc:
        print("the turn failed:", exc, exc.error)
    except JsonRpcError as exc:
        print("the runtime refused:", exc.code, exc.message)
    except TransportClosedError as exc:
        print("the runtime died:", exc)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApprovalHandlerError",
    "AuthenticationError",
    "CodexError",
    "CodexRpcError",
    "CodexTimeoutError",
    "ConnectError",
    "InternalRpcError",
    "InvalidParamsError",
    "InvalidRequestError",
    "JsonRpcError",
    "MethodNotFoundError",
    "NotStartedError",
    "ParseError",
    "RetryLimitExceededError",
    "RuntimeVersionError",
    "ServerBusyError",
    "TransportClosedError",
    "TurnFailedError",
    "TurnTimeoutError",
    "UnexpectedResponseError",
    "UserInputHandlerError",
    "is_retryable_error",
    "map_jsonrpc_error",
]


class CodexError(Exception):
    """Base class of every error the SDK raises on purpose.

    Raised as itself (not a subclass) when the runtime breaks the protocol (an error
    response that is not a valid JSON-RPC error object, a ``turn/start`` answer without a turn
    id) and when a client is used in a process forked from the one that started it.
    """


class TransportClosedError(CodexError):
    """The connection to the Codex runtime is gone.

    Raised to every waiting call at once (a request, a turn's ``run()`` or ``stream()``, a
    login's ``wait()``) when the runtime process exits or closes its output, and to every call
    made afterwards. After ``close()`` the message says the client was closed; when the runtime
    died, it carries the runtime's last stderr lines, which usually tell why.
    """


class ConnectError(TransportClosedError, ConnectionError):
    """A running Codex runtime (``CodexConfig(connect=...)``) could not be reached.

    Nothing listened at the address (a refused connection is retried until
    ``connect_timeout``, in case the server is still starting), the Unix socket does not
    exist, the TLS handshake failed (an untrusted certificate, say), or the server answered
    the WebSocket upgrade with an HTTP error. Also a built-in :class:`ConnectionError`. A
    connection that does not complete in time raises :class:`CodexTimeoutError` instead.
    """


class AuthenticationError(ConnectError):
    """The running Codex runtime refused the auth token (HTTP 401 or 403 to the upgrade).

    The message says whether a token was sent at all, and what the server answered; it never
    contains the token. Pass the token the server was started with
    (``--ws-token-file``) as ``CodexConfig(auth_token=...)`` or ``auth_token_file=...``.
    """


class CodexTimeoutError(CodexError, TimeoutError):
    """A wait passed its time limit. Also a built-in :class:`TimeoutError`.

    Raised when a client's ``initialize`` handshake is not answered in time (the runtime is
    then stopped), and, as its subclass :class:`TurnTimeoutError`, when a turn runs past the
    ``timeout`` given to ``run()`` or ``stream()``.
    """


class TurnTimeoutError(CodexTimeoutError):
    """A turn ran past the ``timeout`` given to ``run()`` or ``stream()``, and was stopped.

    By the time this is raised the SDK has interrupted the turn at the runtime (so the thread
    is free for the next turn at once) and waited briefly for it to end. What the turn had
    produced is kept here.

    Args:
        message: The error message.
        turn_id: Id of the turn that timed out.
        timeout: The limit that passed, in seconds.
        result: The interrupted turn's result, if it ended in time after the interrupt.
        items: Every item the turn completed before it was stopped.
        final_response: The agent's answer so far (see ``TurnResult.final_response``).

    Attributes:
        turn_id: Id of the turn that timed out.
        timeout: The limit that passed, in seconds.
        result: The interrupted turn's ``TurnResult`` (status ``interrupted``), or ``None`` if
            the runtime did not report its end within a few seconds of the interrupt.
        items: Every item the turn completed, as in ``TurnResult.items``.
        final_response: The agent's text so far, or ``None`` if it wrote none.
    """

    def __init__(
        self,
        message: str,
        *,
        turn_id: str,
        timeout: float,
        result: Any = None,
        items: list[Any] | None = None,
        final_response: str | None = None,
    ) -> None:
        """Builds the error (the SDK raises it; there is no need to build one yourself).

        Args:
            message: The error message.
            turn_id: Id of the turn that timed out.
            timeout: The limit that passed, in seconds.
            result: The interrupted turn's result, if it ended in time after the interrupt.
            items: Every item the turn completed before it was stopped.
            final_response: The agent's answer so far.
        """
        super().__init__(message)
        self.turn_id = turn_id
        self.timeout = timeout
        self.result = result
        self.items = list(items or [])
        self.final_response = final_response


class TurnFailedError(CodexError, RuntimeError):
    """A turn ended with status ``failed``; raised by ``run()`` on a thread or a turn handle.

    The message is the runtime's error message (or ``"turn failed with status failed"`` when
    it gave none). Also a :class:`RuntimeError`, which is what code written for the reference
    SDK catches. An interrupted turn does not raise: ``run()`` returns it.

    Args:
        message: The error message.
        turn_id: Id of the failed turn.
        error: The runtime's ``TurnError`` for the turn, if any.

    Attributes:
        turn_id: Id of the failed turn (``None`` if unknown).
        error: The runtime's ``TurnError`` (``message``, ``codex_error_info``,
            ``additional_details``), or ``None`` if it reported none.
    """

    def __init__(self, message: str, *, turn_id: str | None = None, error: Any = None) -> None:
        """Makes the error; the SDK raises it from ``run()``, user code rarely builds one.

        Args:
            message: The error message.
            turn_id: Id of the failed turn.
            error: The runtime's ``TurnError`` for the turn, if any.
        """
        super().__init__(message)
        self.turn_id = turn_id
        self.error = error


class UnexpectedResponseError(CodexError, RuntimeError):
    """The runtime answered with something this SDK cannot use.

    Raised when a client starts and the ``initialize`` answer lacks a usable user agent,
    server name or version, and by the ChatGPT login methods when the runtime answers with
    another kind of sign-in than the one asked for. Also a :class:`RuntimeError`, which is
    what the reference SDK raises in these cases.
    """


class NotStartedError(CodexError, RuntimeError):
    """The client has not started its runtime yet.

    Raised by ``AsyncCodex.metadata`` before the first awaited call (or ``async with``) has
    started the runtime. Also a :class:`RuntimeError`, as in the reference SDK.
    """


class RuntimeVersionError(CodexError):
    """A call used a feature that the connected Codex runtime is too old to have.

    Raised before anything is sent, so nothing happened at the runtime: for example an
    :class:`~openai_codex.ExternalMessage` input, or ``source=`` on ``run()``, with a runtime
    older than 0.151.0. Install a newer runtime (``pip install -U openai-codex-cli-bin``), point
    ``CodexConfig.codex_bin`` at one, or leave the feature out.

    Attributes:
        feature: The feature, as the caller wrote it (``"source="``, ``"ExternalMessage input"``).
        required_version: The oldest runtime version that has it.
        runtime_version: The version of the connected runtime.
    """

    def __init__(self, feature: str, required_version: str, runtime_version: str) -> None:
        """Builds the error (the SDK raises it; there is no need to build one yourself).

        Args:
            feature: The feature that was asked for.
            required_version: The oldest runtime version that has it.
            runtime_version: The connected runtime's version.
        """
        self.feature = feature
        self.required_version = required_version
        self.runtime_version = runtime_version
        super().__init__(
            f"{feature} needs the Codex runtime {required_version} or newer; the connected runtime is "
            f"{runtime_version}. Install a newer runtime (pip install -U openai-codex-cli-bin) or set "
            "CodexConfig.codex_bin to one."
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.feature, self.required_version, self.runtime_version))


class ApprovalHandlerError(CodexError):
    """An approval handler raised; its request was declined (failing closed).

    Raised from the turn's ``run()`` (or at the end of its ``stream()``) once the turn ended;
    the handler's exception is the ``__cause__``, and the message names the request.

    Args:
        message: The error message (it names the request).
        request: The approval request the handler failed on.

    Attributes:
        request: The approval request the handler failed on.
    """

    def __init__(self, message: str, request: Any) -> None:
        """Builds the error (the SDK raises it; there is no need to build one yourself).

        Args:
            message: The error message (it names the request).
            request: The approval request the handler failed on.
        """
        super().__init__(message)
        self.request = request


class UserInputHandlerError(CodexError):
    """A user input handler raised; its request was answered with nothing (elicitations declined).

    Raised from the turn's ``run()`` (or at the end of its ``stream()``) once the turn ended;
    the handler's exception is the ``__cause__``.

    Args:
        message: The error message (it names the request).
        request: The request the handler failed on.

    Attributes:
        request: The request the handler failed on.
    """

    def __init__(self, message: str, request: Any) -> None:
        """Builds the error (the SDK raises it; there is no need to build one yourself).

        Args:
            message: The error message (it names the request).
            request: The request the handler failed on.
        """
        super().__init__(message)
        self.request = request


class JsonRpcError(CodexError):
    """The runtime answered a request with a JSON-RPC error.

    The SDK raises the subclass that matches the error code (see :func:`map_jsonrpc_error`);
    a plain ``JsonRpcError`` means a code outside the known ones. ``str(exc)`` is
    ``"JSON-RPC error {code}: {message}"``. Instances pickle with their fields.

    Args:
        code: The JSON-RPC error code.
        message: The runtime's error message.
        data: The error's ``data`` member, decoded from JSON (``None`` if absent).

    Attributes:
        code: The JSON-RPC error code (e.g. ``-32600``).
        message: The runtime's error message.
        data: The error's ``data`` member, decoded from JSON, or ``None``.
    """

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        """Makes the error from a JSON-RPC error object's members.

        Args:
            code: The JSON-RPC error code.
            message: The runtime's error message.
            data: The error's ``data`` member, decoded from JSON (``None`` if absent).
        """
        super().__init__(f"JSON-RPC error {code}: {message}")
        self.code = code
        self.message = message
        self.data = data

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.data))


class CodexRpcError(JsonRpcError):
    """A JSON-RPC error with a code of known meaning: the base of the specific classes.

    Raised as itself for a server error (code -32000 to -32099) that is neither an overload
    nor a retry limit.
    """


class ParseError(CodexRpcError):
    """The runtime could not parse the request (code -32700).

    Should not happen with this SDK, which always sends valid JSON; it points at a runtime
    problem.
    """


class InvalidRequestError(CodexRpcError):
    """The runtime rejected the request as invalid (code -32600).

    The most common runtime error: the 0.133 runtime answers this for an unknown or
    malformed thread id, a steer or interrupt of a turn that is no longer running, and an
    unknown method.
    """


class MethodNotFoundError(CodexRpcError):
    """The runtime does not know the requested method (code -32601).

    The 0.133 runtime reports unknown methods as :class:`InvalidRequestError` instead.
    """


class InvalidParamsError(CodexRpcError):
    """The runtime refused the request's parameters (code -32602).

    Retrying the same request does not help; :func:`is_retryable_error` is false for it.
    """


class InternalRpcError(CodexRpcError):
    """The runtime failed while handling the request (code -32603).

    For example, a device-code sign-in when the runtime cannot reach ``auth.openai.com``.
    """


class ServerBusyError(CodexRpcError):
    """The runtime (or the model service behind it) is overloaded; retrying later may work.

    A server error (code -32000 to -32099) whose ``data`` marks it as ``server_overloaded``.
    :func:`is_retryable_error` is true for it, and :func:`~openai_codex.retry_on_overload`
    retries it.
    """


class RetryLimitExceededError(ServerBusyError):
    """The runtime gave up after exhausting its own retries.

    A server error (code -32000 to -32099) whose message mentions a retry limit ("retry
    limit", "too many failed attempts"). A subclass of :class:`ServerBusyError`, so
    :func:`is_retryable_error` is true for it too.
    """


_OVERLOADED = "server_overloaded"
_ERROR_INFO_KEYS = ("codex_error_info", "codexErrorInfo", "errorInfo")


def _is_overloaded(data: Any) -> bool:
    """True when error data marks the server as overloaded, wherever the marker is nested."""
    if isinstance(data, str):
        return data.lower() == _OVERLOADED
    if isinstance(data, dict):
        for key in _ERROR_INFO_KEYS:
            info = data.get(key)
            if isinstance(info, str) and info.lower() == _OVERLOADED:
                return True
            if isinstance(info, dict) and any(isinstance(v, str) and v.lower() == _OVERLOADED for v in info.values()):
                return True
        return any(_is_overloaded(value) for value in data.values())
    if isinstance(data, list):
        return any(_is_overloaded(value) for value in data)
    return False


def _mentions_retry_limit(message: str) -> bool:
    lowered = message.lower()
    return "retry limit" in lowered or "too many failed attempts" in lowered


_BY_CODE: dict[int, type[CodexRpcError]] = {
    -32700: ParseError,
    -32600: InvalidRequestError,
    -32601: MethodNotFoundError,
    -32602: InvalidParamsError,
    -32603: InternalRpcError,
}


def map_jsonrpc_error(code: int, message: str, data: Any = None) -> JsonRpcError:
    """Returns the exception that best describes a JSON-RPC error object (it does not raise it).

    Codes -32700, -32600, -32601, -32602 and -32603 give :class:`ParseError`,
    :class:`InvalidRequestError`, :class:`MethodNotFoundError`, :class:`InvalidParamsError`
    and :class:`InternalRpcError`. A server error (-32000 to -32099) gives
    :class:`RetryLimitExceededError` if the message mentions a retry limit, else
    :class:`ServerBusyError` if ``data`` marks an overload, else :class:`CodexRpcError`. Any
    other code gives a plain :class:`JsonRpcError`.

    Args:
        code: The error's ``code``.
        message: The error's ``message``.
        data: The error's ``data``, decoded from JSON (``None`` if absent).

    Returns:
        The exception instance, with ``code``, ``message`` and ``data`` set.
    """
    cls = _BY_CODE.get(code)
    if cls is not None:
        return cls(code, message, data)
    if -32099 <= code <= -32000:
        if _mentions_retry_limit(message):
            return RetryLimitExceededError(code, message, data)
        if _is_overloaded(data):
            return ServerBusyError(code, message, data)
        return CodexRpcError(code, message, data)
    return JsonRpcError(code, message, data)


def is_retryable_error(exc: BaseException) -> bool:
    """Tells whether an error is a transient overload, worth retrying after a pause.

    True for :class:`ServerBusyError` (and so :class:`RetryLimitExceededError`), and for any
    :class:`JsonRpcError` whose ``data`` marks the server as overloaded (``server_overloaded``
    as a string, or under ``codex_error_info`` / ``codexErrorInfo`` / ``errorInfo``, at any
    depth). False for everything else, failed turns and closed connections included.

    Args:
        exc: The exception to classify.

    Returns:
        Whether retrying the operation may succeed.
    """
    if isinstance(exc, ServerBusyError):
        return True
    return isinstance(exc, JsonRpcError) and _is_overloaded(exc.data)
