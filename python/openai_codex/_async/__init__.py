"""The asyncio API, written by hand: the one source of every public client method.

``openai_codex._sync`` holds the blocking twins, generated from these modules by
``tools/async_to_sync.py`` (``--check`` runs in ``scripts/test.sh``). Where the two really
differ, the source says so with ``if ASYNC: ... else: ...``: the async modules run the first
branch, and the generated sync modules keep only the second. Docstrings are written once too,
with ``[async: ...]`` / ``[sync: ...]`` around what only one side says
(``openai_codex._twin_docs``); each module here resolves its own side when imported.
"""

ASYNC = True
