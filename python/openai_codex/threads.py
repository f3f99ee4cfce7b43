"""Threads: a conversation with the agent, made of turns that share context.

:class:`AsyncThread` is written in ``_async/threads.py``; :class:`Thread` is generated from it.
"""

from ._async.threads import AsyncThread
from ._public import public
from ._sync.threads import Thread

__all__ = ["AsyncThread", "Thread"]

public(__name__, AsyncThread, Thread)
