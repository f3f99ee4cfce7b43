"""Turns: one request to the agent and everything it did in response.

:class:`AsyncTurnHandle` is written in ``_async/turns.py``; :class:`TurnHandle` is generated
from it. :class:`TurnResult` is what ``run()`` returns on both.
"""

from ._async.turns import AsyncTurnHandle
from ._public import public
from ._sync.turns import TurnHandle
from ._turn_result import TurnResult

__all__ = ["AsyncTurnHandle", "TurnHandle", "TurnResult"]

public(__name__, AsyncTurnHandle, TurnHandle, TurnResult)
