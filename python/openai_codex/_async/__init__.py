"""The asyncio API, written by hand: the one source of every public client method.

``openai_codex._sync`` holds the blocking twins, generated from these modules by
``tools/async_to_sync.py`` (``--check`` runs in ``scripts/test.sh``). Where the two really
differ, the source says so with ``if ASYNC: ... else: ...``: the async modules run the first
branch, and the generated sync modules keep only the second.
"""

ASYNC = True
