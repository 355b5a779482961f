"""Decodes a PNG written by diffc-run (8-bit grey or RGB, no interlace) with
the standard library's zlib and prints its size and pixel statistics."""
import struct
import sys
import zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "bad signature"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
    assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind}"
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, color = ihdr[:4]
channels = {0: 1, 2: 3}[color]
raw = zlib.decompress(idat)
assert len(raw) == h * (w * channels + 1), "bad image data size"
pixels = bytes(b for r in range(h) for b in raw[r * (w * channels + 1) + 1:(r + 1) * (w * channels + 1)])
print(f"png {w}x{h} channels={channels} depth={depth} distinct={len(set(pixels))}")
