"""Retrying operations that failed because the runtime was overloaded.

:func:`retry_on_overload` wraps a blocking call; which errors count as an overload is decided by
:func:`openai_codex.is_retryable_error`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from .errors import is_retryable_error

__all__ = ["retry_on_overload"]

T = TypeVar("T")


def retry_on_overload(
    op: Callable[[], T],
    *,
    max_attempts: int = 3,
    initial_delay_s: float = 0.25,
    max_delay_s: float = 2.0,
    jitter_ratio: float = 0.2,
) -> T:
    """Calls ``op`` and returns its result, retrying it while the runtime is overloaded.

    When ``op()`` raises an error for which :func:`~openai_codex.is_retryable_error` is true
    (a ``ServerBusyError``, say), this sleeps and calls it again, up to ``max_attempts`` calls
    in all. The first pause is ``initial_delay_s``; each next one doubles, up to
    ``max_delay_s``, and every pause varies randomly by up to ``jitter_ratio`` times the delay
    either way. Any other error, or the error of the last attempt, propagates unchanged.

    It is for blocking code (it sleeps with ``time.sleep``). With ``AsyncCodex``, write the
    same loop around ``await`` with ``asyncio.sleep``.

    Args:
        op: The operation, called with no arguments (wrap arguments in a ``lambda``).
        max_attempts: How many calls to make at most, the first included. Default 3.
        initial_delay_s: The pause before the second call, in seconds. Default 0.25.
        max_delay_s: The longest pause, in seconds. Default 2.0.
        jitter_ratio: How much each pause varies at random, as a fraction of it. Default 0.2
            (plus or minus 20%); 0 for exact pauses.

    Returns:
        What ``op()`` returned.

    Raises:
        ValueError: ``max_attempts`` is less than 1.
        Exception: Whatever ``op()`` raised, when it is not retryable or when the last
            attempt failed.

    Example::

        from openai_codex import retry_on_overload

        result = retry_on_overload(lambda: thread.run("Summarize the diff"), max_attempts=5)
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be >= 1")
    delay = initial_delay_s
    for attempt in range(1, max_attempts + 1):
        try:
            return op()
        except Exception as exc:
            if attempt == max_attempts or not is_retryable_error(exc):
                raise
        jitter = delay * jitter_ratio
        pause = min(max_delay_s, delay) + random.uniform(-jitter, jitter)
        if pause > 0:
            time.sleep(pause)
        delay = min(max_delay_s, delay * 2)
    raise AssertionError("unreachable")  # the loop always returns or raises
