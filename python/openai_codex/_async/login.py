"""Signing in to Codex: handles for the ChatGPT browser and device-code flows.

A completion that arrives before ``wait()`` is called is kept by the core and handed to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .._wire import model_for

if TYPE_CHECKING:
    from ..types import AccountLoginCompletedNotification, CancelLoginAccountResponse
    from .codex import AsyncCodex

__all__ = ["AsyncChatgptLoginHandle", "AsyncDeviceCodeLoginHandle"]


class _AsyncLoginHandle:
    """What both sign-in flows share: waiting for the outcome and cancelling."""

    __slots__ = ("_codex", "login_id")

    def __init__(self, _codex: AsyncCodex, login_id: str) -> None:
        self._codex = _codex
        self.login_id = login_id

    async def wait(self) -> AccountLoginCompletedNotification:
        """Waits until this sign-in finishes; returns its ``AccountLoginCompletedNotification``."""
        client = await self._codex._ensure_client()
        event = await client.login_stream(self.login_id).next_async()
        return cast("AccountLoginCompletedNotification", event.payload)

    async def cancel(self) -> CancelLoginAccountResponse:
        """Cancels this sign-in attempt."""
        result = await self._codex._request("account/login/cancel", {"loginId": self.login_id})
        return cast("CancelLoginAccountResponse", model_for("CancelLoginAccountResponse", result))


class AsyncChatgptLoginHandle(_AsyncLoginHandle):
    """A browser sign-in in progress: open ``auth_url``, then :meth:`wait` for the outcome.

    The runtime listens for the browser's callback on a local port; :meth:`cancel` stops it.
    """

    __slots__ = ("auth_url",)

    def __init__(self, _codex: AsyncCodex, login_id: str, auth_url: str) -> None:
        super().__init__(_codex, login_id)
        self.auth_url = auth_url

    def __repr__(self) -> str:
        return f"AsyncChatgptLoginHandle(login_id={self.login_id!r}, auth_url={self.auth_url!r})"


class AsyncDeviceCodeLoginHandle(_AsyncLoginHandle):
    """A device-code sign-in in progress: visit ``verification_url``, enter ``user_code``, then
    :meth:`wait` for the outcome."""

    __slots__ = ("user_code", "verification_url")

    def __init__(self, _codex: AsyncCodex, login_id: str, verification_url: str, user_code: str) -> None:
        super().__init__(_codex, login_id)
        self.verification_url = verification_url
        self.user_code = user_code

    def __repr__(self) -> str:
        return (
            f"AsyncDeviceCodeLoginHandle(login_id={self.login_id!r}, "
            f"verification_url={self.verification_url!r}, user_code={self.user_code!r})"
        )
