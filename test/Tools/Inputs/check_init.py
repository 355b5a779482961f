"""Checks initial weights against torch.nn's default rules, with an
independent safetensors reader: every parameter of the model is present with
its shape, conv/linear tensors lie within +-1/sqrt(fan_in) and fill at least
90% of that range, norm scales are 1 and shifts 0."""
import json
import re
import struct
import sys

import numpy as np

data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
params = dict(re.findall(r'diffc.parameter "([^"]+)" : tensor<([0-9x]+)xf32>',
                         open(sys.argv[2]).read()))
tensors = {}
for name, e in header.items():
    if name == "__metadata__":
        continue
    a, b = e["data_offsets"]
    tensors[name] = np.frombuffer(data[8 + n + a:8 + n + b], np.float32).reshape(e["shape"])
assert set(tensors) == set(params), set(tensors) ^ set(params)
fans = {k[:-len(".weight")]: int(np.prod(t.shape[1:])) for k, t in tensors.items()
        if k.endswith(".weight") and t.ndim >= 2}
for name, t in tensors.items():
    assert "x".join(map(str, t.shape)) == params[name], name
    if "norm" in name and t.ndim == 1:
        want = 1.0 if name.endswith(".weight") else 0.0
        assert np.all(t == want), name
        continue
    fan = fans[name[:-len(".bias")]] if name.endswith(".bias") else int(np.prod(t.shape[1:]))
    bound = 1 / np.sqrt(fan)
    assert np.abs(t).max() <= bound * (1 + 1e-6), (name, np.abs(t).max(), bound)
    if t.size >= 64:
        assert np.abs(t).max() >= 0.9 * bound, (name, np.abs(t).max(), bound)
print(f"checked {len(tensors)} tensors: all within bounds")
