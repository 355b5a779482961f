"""Writes N random 8-bit PNG images (grey or RGB) into a folder, with the
standard library's zlib: make_pngs.py DIR N WIDTH HEIGHT CHANNELS [PREFIX]."""
import os
import struct
import sys
import zlib

import numpy as np

folder, n, width, height, channels = sys.argv[1:6]
prefix = sys.argv[6] if len(sys.argv) > 6 else "img"
n, width, height, channels = int(n), int(width), int(height), int(channels)
os.makedirs(folder, exist_ok=True)
rng = np.random.default_rng(n * 1000 + width)


def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body +
            struct.pack(">I", zlib.crc32(kind + body)))


for i in range(n):
    pixels = rng.integers(0, 256, (height, width * channels), dtype=np.uint8)
    raw = b"".join(b"\x00" + row.tobytes() for row in pixels)
    ihdr = struct.pack(">IIBBBBB", width, height, 8,
                       0 if channels == 1 else 2, 0, 0, 0)
    with open(os.path.join(folder, f"{prefix}{i:03d}.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
