"""Exceptions raised by the SDK.

Everything the SDK raises on purpose derives from :class:`CodexError`. Errors the runtime reports
through JSON-RPC are :class:`JsonRpcError` subclasses chosen by error code, so callers can catch
exactly the failures they know how to handle.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApprovalHandlerError",
    "CodexError",
    "CodexRpcError",
    "CodexTimeoutError",
    "InternalRpcError",
    "InvalidParamsError",
    "InvalidRequestError",
    "JsonRpcError",
    "MethodNotFoundError",
    "NotStartedError",
    "ParseError",
    "RetryLimitExceededError",
    "ServerBusyError",
    "TransportClosedError",
    "TurnFailedError",
    "UnexpectedResponseError",
    "UserInputHandlerError",
    "is_retryable_error",
    "map_jsonrpc_error",
]


class CodexError(Exception):
    """Base class of every error the SDK raises."""


class TransportClosedError(CodexError):
    """The connection to the Codex runtime is gone.

    Raised to every waiting call at once when the runtime process exits or its output closes, and
    to calls made after ``close()``. The message carries the runtime's last stderr lines.
    """


class CodexTimeoutError(CodexError, TimeoutError):
    """A wait passed its ``timeout``. Also a built-in :class:`TimeoutError`."""


class TurnFailedError(CodexError, RuntimeError):
    """A turn ended with status ``failed``; the message is the runtime's error message.

    Also a :class:`RuntimeError`, which is what code written for the reference SDK catches.
    ``turn_id`` names the turn and ``error`` holds the runtime's ``TurnError`` (or None).
    """

    def __init__(self, message: str, *, turn_id: str | None = None, error: Any = None) -> None:
        super().__init__(message)
        self.turn_id = turn_id
        self.error = error


class UnexpectedResponseError(CodexError, RuntimeError):
    """The runtime answered with something this SDK cannot use: a response of another shape
    than the protocol says, or a handshake without the metadata every runtime sends.

    Also a :class:`RuntimeError`, which is what the reference SDK raises in these cases.
    """


class NotStartedError(CodexError, RuntimeError):
    """The client has not started its runtime yet (an ``AsyncCodex`` before its first awaited
    call). Also a :class:`RuntimeError`, as in the reference SDK."""


class ApprovalHandlerError(CodexError):
    """An approval handler raised; its request was declined (failing closed).

    Raised from the turn's ``run()`` (or at the end of its ``stream()``) once the turn ended;
    the handler's exception is the ``__cause__``, and the message names the request.

    Attributes:
        request: The approval request the handler failed on.
    """

    def __init__(self, message: str, request: Any) -> None:
        super().__init__(message)
        self.request = request


class UserInputHandlerError(CodexError):
    """A user input handler raised; its request was answered with nothing (elicitations declined).

    Raised from the turn's ``run()`` (or at the end of its ``stream()``) once the turn ended;
    the handler's exception is the ``__cause__``.

    Attributes:
        request: The request the handler failed on.
    """

    def __init__(self, message: str, request: Any) -> None:
        super().__init__(message)
        self.request = request


class JsonRpcError(CodexError):
    """An error object returned by the runtime for a JSON-RPC request."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"JSON-RPC error {code}: {message}")
        self.code = code
        self.message = message
        self.data = data

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.data))


class CodexRpcError(JsonRpcError):
    """A JSON-RPC error with a known meaning (base of the specific classes below)."""


class ParseError(CodexRpcError):
    """The runtime could not parse the request (-32700)."""


class InvalidRequestError(CodexRpcError):
    """The runtime rejected the request (-32600); also what it answers to unknown methods and ids."""


class MethodNotFoundError(CodexRpcError):
    """The requested method does not exist (-32601)."""


class InvalidParamsError(CodexRpcError):
    """The request's parameters were invalid (-32602)."""


class InternalRpcError(CodexRpcError):
    """The runtime failed internally while handling the request (-32603)."""


class ServerBusyError(CodexRpcError):
    """The runtime is overloaded; the request may succeed if retried later."""


class RetryLimitExceededError(ServerBusyError):
    """The runtime gave up after exhausting its own retries."""


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
    """Return the exception that best describes a JSON-RPC error object."""
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
    """True for transient overload errors that are worth retrying."""
    if isinstance(exc, ServerBusyError):
        return True
    return isinstance(exc, JsonRpcError) and _is_overloaded(exc.data)
