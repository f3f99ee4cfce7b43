# GENERATED from python/openai_codex/_async/login.py by tools/async_to_sync.py: do not edit.
# Change the async source and run `python tools/async_to_sync.py`.
"""Signing in to Codex: handles for the ChatGPT browser and device-code flows.

A completion that arrives before ``wait()`` is called is kept by the core and handed to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .._wire import model_for

if TYPE_CHECKING:
    from ..types import AccountLoginCompletedNotification, CancelLoginAccountResponse
    from .codex import Codex

__all__ = ["ChatgptLoginHandle", "DeviceCodeLoginHandle"]


class _LoginHandle:
    """What both sign-in flows share: waiting for the outcome and cancelling."""

    __slots__ = ("_codex", "login_id")

    def __init__(self, _codex: Codex, login_id: str) -> None:
        self._codex = _codex
        self.login_id = login_id

    def wait(self) -> AccountLoginCompletedNotification:
        """Waits until this sign-in finishes; returns its ``AccountLoginCompletedNotification``."""
        client = self._codex._ensure_client()
        event = client.login_stream(self.login_id).next()
        return cast("AccountLoginCompletedNotification", event.payload)

    def cancel(self) -> CancelLoginAccountResponse:
        """Cancels this sign-in attempt."""
        result = self._codex._request("account/login/cancel", {"loginId": self.login_id})
        return cast("CancelLoginAccountResponse", model_for("CancelLoginAccountResponse", result))


class ChatgptLoginHandle(_LoginHandle):
    """A browser sign-in in progress: open ``auth_url``, then :meth:`wait` for the outcome.

    The runtime listens for the browser's callback on a local port; :meth:`cancel` stops it.
    """

    __slots__ = ("auth_url",)

    def __init__(self, _codex: Codex, login_id: str, auth_url: str) -> None:
        super().__init__(_codex, login_id)
        self.auth_url = auth_url

    def __repr__(self) -> str:
        return f"ChatgptLoginHandle(login_id={self.login_id!r}, auth_url={self.auth_url!r})"


class DeviceCodeLoginHandle(_LoginHandle):
    """A device-code sign-in in progress: visit ``verification_url``, enter ``user_code``, then
    :meth:`wait` for the outcome."""

    __slots__ = ("user_code", "verification_url")

    def __init__(self, _codex: Codex, login_id: str, verification_url: str, user_code: str) -> None:
        super().__init__(_codex, login_id)
        self.verification_url = verification_url
        self.user_code = user_code

    def __repr__(self) -> str:
        return (
            f"DeviceCodeLoginHandle(login_id={self.login_id!r}, "
            f"verification_url={self.verification_url!r}, user_code={self.user_code!r})"
        )
