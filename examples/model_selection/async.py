"""Choose a model with AsyncCodex: list models, pick one and an effort, check usage.

Run it:  python examples/model_selection/async.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import AsyncCodex
from openai_codex.types import ReasoningEffort


async def main() -> None:
    with example_config() as config:
        async with AsyncCodex(config) as codex:
            models = (await codex.models()).data
            print(f"available models: {', '.join(m.model for m in models)}")

            chosen = next((m for m in models if m.is_default), models[0])
            efforts = [option.reasoning_effort for option in chosen.supported_reasoning_efforts]
            # ReasoningEffort lists its members from least to most effort.
            rank = list(ReasoningEffort)
            effort = min(efforts, key=lambda e: rank.index(e), default=chosen.default_reasoning_effort)
            print(f"chosen: {chosen.model} with effort {effort.value}")

            thread = await codex.thread_start(model=chosen.model)
            result = await thread.run("Give me one tip for naming variables.", effort=effort)
            print(f"codex: {result.final_response}")
            if result.usage is not None:
                print(f"usage: {result.usage.last.total_tokens} tokens")


if __name__ == "__main__":
    asyncio.run(main())
