"""The blocking API, generated from ``openai_codex._async`` by ``tools/async_to_sync.py``.

Do not edit the modules here: change their async source and run the tool.
"""
