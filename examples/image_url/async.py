"""Send an image by URL together with text, with AsyncCodex.

Run it:  python examples/image_url/async.py [IMAGE_URL]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import AsyncCodex, ImageInput, TextInput

DEFAULT_URL = "https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png"


async def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL
    with example_config() as config:
        async with AsyncCodex(config) as codex:
            thread = await codex.thread_start()
            result = await thread.run([TextInput("Describe this image in one sentence."), ImageInput(url)])
            print(f"image: {url}")
            print(f"codex: {result.final_response}")


if __name__ == "__main__":
    asyncio.run(main())
