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
        """Waits until this sign-in attempt ends, and returns how it ended.

        An outcome that arrived before this call is kept for it, so calling it late is fine.
        Call it once per sign-in: the outcome is handed out a single time.
        It waits without a time limit; the wait releases the GIL and Ctrl-C raises
        ``KeyboardInterrupt`` in it. A :meth:`cancel` (from another thread) ends the wait with
        ``success`` false.

        Returns:
            An :class:`~openai_codex.types.AccountLoginCompletedNotification`: ``success``
            (bool), ``error`` (the runtime's message, or ``None``) and ``login_id``.

        Raises:
            TransportClosedError: The runtime exited, or the client was closed, before the
                sign-in ended.
        """
        client = self._codex._ensure_client()
        event = client.login_stream(self.login_id).next()
        return cast("AccountLoginCompletedNotification", event.payload)

    def cancel(self) -> CancelLoginAccountResponse:
        """Cancels this sign-in attempt.

        The runtime stops waiting for the browser or the device code; a pending
        :meth:`wait` then returns with ``success`` false.

        Returns:
            A :class:`~openai_codex.types.CancelLoginAccountResponse` whose ``status`` is
            ``CancelLoginAccountStatus.canceled``, or ``CancelLoginAccountStatus.not_found``
            when the attempt had already ended.

        Raises:
            JsonRpcError: The runtime refused the request.
            TransportClosedError: The runtime has exited or the client was closed.
        """
        result = self._codex._request("account/login/cancel", {"loginId": self.login_id})
        return cast("CancelLoginAccountResponse", model_for("CancelLoginAccountResponse", result))


class ChatgptLoginHandle(_LoginHandle):
    """A ChatGPT sign-in in a web browser, in progress.

    Returned by :meth:`Codex.login_chatgpt`; do not build it yourself. Open ``auth_url``
    in a browser on the machine running the runtime, which listens for the browser's callback
    on a local port; then :meth:`wait` for the outcome, or :meth:`cancel` to give up.

    Args:
        login_id: The runtime's id of this sign-in attempt.
        auth_url: The address to open in the browser.

    Attributes:
        login_id: The runtime's id of this sign-in attempt.
        auth_url: The address to open in the browser.

    Example::

        handle = codex.login_chatgpt()
        webbrowser.open(handle.auth_url)
        outcome = handle.wait()
    """

    __slots__ = ("auth_url",)

    def __init__(self, _codex: Codex, login_id: str, auth_url: str) -> None:
        """Wraps a browser sign-in the runtime has started; made by ``login_chatgpt()``.

        Args:
            login_id: The runtime's id of this sign-in attempt.
            auth_url: The address to open in the browser.
        """
        super().__init__(_codex, login_id)
        self.auth_url = auth_url

    def __repr__(self) -> str:
        return f"ChatgptLoginHandle(login_id={self.login_id!r}, auth_url={self.auth_url!r})"


class DeviceCodeLoginHandle(_LoginHandle):
    """A ChatGPT sign-in by device code, in progress.

    Returned by :meth:`Codex.login_chatgpt_device_code`; do not build it yourself. The
    user visits ``verification_url`` on any device and enters ``user_code``; :meth:`wait`
    returns the outcome, and :meth:`cancel` gives up.

    Args:
        login_id: The runtime's id of this sign-in attempt.
        verification_url: The page where the user enters the code.
        user_code: The code to enter there.

    Attributes:
        login_id: The runtime's id of this sign-in attempt.
        verification_url: The page where the user enters the code.
        user_code: The code to enter there.

    Example::

        handle = codex.login_chatgpt_device_code()
        print(f"Go to {handle.verification_url} and enter {handle.user_code}")
        outcome = handle.wait()
    """

    __slots__ = ("user_code", "verification_url")

    def __init__(self, _codex: Codex, login_id: str, verification_url: str, user_code: str) -> None:
        """Wraps a device-code sign-in the runtime has started; made by ``login_chatgpt_device_code()``.

        Args:
            login_id: The runtime's id of this sign-in attempt.
            verification_url: The page where the user enters the code.
            user_code: The code to enter there.
        """
        super().__init__(_codex, login_id)
        self.verification_url = verification_url
        self.user_code = user_code

    def __repr__(self) -> str:
        return (
            f"DeviceCodeLoginHandle(login_id={self.login_id!r}, "
            f"verification_url={self.verification_url!r}, user_code={self.user_code!r})"
        )
