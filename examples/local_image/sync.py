"""Send a local image file with LocalImageInput.

The runtime reads the file itself (it must be on the machine the runtime runs on) and sends it to
the model inline. This example draws a small PNG with the standard library to have one.

Run it:  python examples/local_image/sync.py [PATH_TO_IMAGE]
"""

from __future__ import annotations

import struct
import sys
import tempfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config
from openai_codex import Codex, LocalImageInput, TextInput

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RED, WHITE = b"\xd0\x20\x20", b"\xff\xff\xff"


def write_png(path: Path, size: int = 32) -> None:
    """A size x size RGB picture: a red square on white, encoded by hand as a PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        # Each PNG chunk: length, type, data, then a CRC of type + data.
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    def inside(i: int) -> bool:
        return size // 4 <= i < 3 * size // 4

    rows: list[bytes] = []
    for y in range(size):
        pixels = b"".join(RED if inside(x) and inside(y) else WHITE for x in range(size))
        rows.append(b"\x00" + pixels)  # filter byte 0: the row is stored as is
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    pixels_data = zlib.compress(b"".join(rows))
    path.write_bytes(PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", pixels_data) + chunk(b"IEND", b""))


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch, example_config() as config, Codex(config) as codex:
        if len(sys.argv) > 1:
            image = Path(sys.argv[1])
        else:
            image = Path(scratch) / "red-square.png"
            write_png(image)
        print(f"image: {image} ({image.stat().st_size} bytes)")
        thread = codex.thread_start()
        question = TextInput("What shape and colour do you see?")
        result = thread.run([question, LocalImageInput(str(image))])
        print(f"codex: {result.final_response}")


if __name__ == "__main__":
    main()
