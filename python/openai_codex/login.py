"""Signing in to Codex: handles for the ChatGPT browser and device-code flows.

The async handles are written in ``_async/login.py``; the blocking ones are generated from them.
"""

from ._async.login import AsyncChatgptLoginHandle, AsyncDeviceCodeLoginHandle
from ._public import public
from ._sync.login import ChatgptLoginHandle, DeviceCodeLoginHandle

__all__ = [
    "AsyncChatgptLoginHandle",
    "AsyncDeviceCodeLoginHandle",
    "ChatgptLoginHandle",
    "DeviceCodeLoginHandle",
]

public(__name__, AsyncChatgptLoginHandle, AsyncDeviceCodeLoginHandle, ChatgptLoginHandle, DeviceCodeLoginHandle)
