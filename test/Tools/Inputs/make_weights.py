"""Writes a safetensors file (the published format, by hand) with one F32
tensor: make_weights.py OUT NAME SHAPE VALUE, SHAPE like 1x1x1."""
import json
import struct
import sys

import numpy as np

out, name, shape, value = sys.argv[1:5]
shape = [int(d) for d in shape.split("x")]
data = np.full(shape, float(value), dtype=np.float32).tobytes()
header = json.dumps({name: {"dtype": "F32", "shape": shape,
                            "data_offsets": [0, len(data)]}}).encode()
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + data)
