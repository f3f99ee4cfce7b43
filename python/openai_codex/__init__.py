"""openai_codex"""
