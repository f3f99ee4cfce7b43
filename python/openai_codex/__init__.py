"""Python SDK for the Codex agent, with a Rust engine.

Start with :class:`Codex` (blocking) or :class:`AsyncCodex` (asyncio)::

    from openai_codex import Codex

    with Codex() as codex:
        print(codex.thread_start().run("Hello!").final_response)
"""

from typing import TYPE_CHECKING

from ._approval_policy import ApprovalDecision, ApprovalMode
from ._version import __version__
from .codex import AsyncCodex, Codex
from .config import CodexConfig
from .errors import (
    ApprovalHandlerError,
    CodexError,
    CodexRpcError,
    InternalRpcError,
    InvalidParamsError,
    InvalidRequestError,
    JsonRpcError,
    MethodNotFoundError,
    ParseError,
    RetryLimitExceededError,
    RuntimeVersionError,
    ServerBusyError,
    TransportClosedError,
    is_retryable_error,
)
from .errors import (
    AuthenticationError as AuthenticationError,
)
from .errors import (
    CodexTimeoutError as CodexTimeoutError,
)
from .errors import (
    ConnectError as ConnectError,
)
from .errors import (
    TurnFailedError as TurnFailedError,
)
from .errors import (
    TurnTimeoutError as TurnTimeoutError,
)
from .inputs import (
    ExternalMessage,
    ImageInput,
    Input,
    InputItem,
    LocalImageInput,
    MentionInput,
    RunInput,
    SkillInput,
    TextInput,
)
from .login import (
    AsyncChatgptLoginHandle,
    AsyncDeviceCodeLoginHandle,
    ChatgptLoginHandle,
    DeviceCodeLoginHandle,
)
from .retry import retry_on_overload
from .sandbox import Sandbox
from .threads import AsyncThread, Thread
from .turns import AsyncTurnHandle, TurnHandle, TurnResult

# The reference SDK's order, kept as is, then our additions (tests/test_signatures.py checks it).
__all__ = [  # noqa: RUF022
    "__version__",
    "CodexConfig",
    "Codex",
    "AsyncCodex",
    "ApprovalMode",
    "Sandbox",
    "ChatgptLoginHandle",
    "DeviceCodeLoginHandle",
    "AsyncChatgptLoginHandle",
    "AsyncDeviceCodeLoginHandle",
    "Thread",
    "AsyncThread",
    "TurnHandle",
    "AsyncTurnHandle",
    "TurnResult",
    "Input",
    "InputItem",
    "RunInput",
    "TextInput",
    "ImageInput",
    "LocalImageInput",
    "SkillInput",
    "MentionInput",
    "retry_on_overload",
    "CodexError",
    "TransportClosedError",
    "JsonRpcError",
    "CodexRpcError",
    "ParseError",
    "InvalidRequestError",
    "MethodNotFoundError",
    "InvalidParamsError",
    "InternalRpcError",
    "ServerBusyError",
    "RetryLimitExceededError",
    "is_retryable_error",
    # Added after the reference's names:
    "ApprovalDecision",
    "ApprovalHandlerError",
    "tool",
    "ExternalMessage",
    "RuntimeVersionError",
]


if TYPE_CHECKING:
    from .tools import tool as tool


def __getattr__(name: str) -> object:
    # ``tool`` loads the tools machinery (schemas, docstring parsing) on first use, so importing
    # openai_codex stays light for programs that define no tools.
    if name == "tool":
        from .tools import tool

        globals()["tool"] = tool
        return tool
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
