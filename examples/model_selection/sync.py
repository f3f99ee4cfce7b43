"""Choose a model: list what the runtime offers, pick one and a reasoning effort, check usage.

Run it:  python examples/model_selection/sync.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex
from openai_codex.types import ReasoningEffort


def main() -> None:
    with example_config() as config, Codex(config) as codex:
        models = codex.models().data
        print("available models:")
        for model in models:
            names = ", ".join(option.reasoning_effort.value for option in model.supported_reasoning_efforts)
            marker = " (default)" if model.is_default else ""
            print(f"  {model.model:<16} {model.display_name}{marker}; efforts: {names}")

        # The runtime's default model, and the least effort it supports: the quickest answer.
        chosen = next((m for m in models if m.is_default), models[0])
        efforts = [option.reasoning_effort for option in chosen.supported_reasoning_efforts]
        # ReasoningEffort lists its members from least to most effort.
        rank = list(ReasoningEffort)
        effort = min(efforts, key=lambda e: rank.index(e), default=chosen.default_reasoning_effort)
        print(f"chosen: {chosen.model} with effort {effort.value}")

        thread = codex.thread_start(model=chosen.model)
        result = thread.run("Give me one tip for naming variables.", effort=effort)
        print(f"codex: {result.final_response}")
        if result.usage is not None:
            used = result.usage.last
            print(
                f"usage: {used.input_tokens} input ({used.cached_input_tokens} cached), "
                f"{used.output_tokens} output ({used.reasoning_output_tokens} reasoning), "
                f"{used.total_tokens} total"
            )


if __name__ == "__main__":
    main()
