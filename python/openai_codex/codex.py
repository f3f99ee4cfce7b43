"""The entry points: :class:`Codex` (blocking) and :class:`AsyncCodex` (asyncio).

Both are written once, in ``_async/codex.py``; ``Codex`` is generated from it
(``tools/async_to_sync.py``).
"""

from ._async.codex import AsyncCodex
from ._public import public
from ._sync.codex import Codex

__all__ = ["AsyncCodex", "Codex"]

public(__name__, AsyncCodex, Codex)
