"""Retrying operations that failed because the runtime was overloaded."""

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
    """Call ``op`` until it succeeds, retrying only overload errors, with capped backoff.

    Delays start at ``initial_delay_s``, double up to ``max_delay_s`` and vary by
    ``±jitter_ratio``. Any other error, or the last attempt's error, propagates unchanged.
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
