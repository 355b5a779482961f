#!/usr/bin/python3
#===- check_parameters.py - diffc parameters vs a PyTorch state dict ------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""Compare the diffc.parameter ops of an IR file with a state-dict listing.

  check_parameters.py MODEL.mlir STATE_DICT.txt

MODEL.mlir is diffc IR (e.g. `diffc-zoo unet2d` output); every
`diffc.parameter "name" : tensor<AxBxf32>` op is read. STATE_DICT.txt has one
`name AxB` line per tensor (`unet2d_torch.py --print-state-dict`). Prints
`parameters match: N tensors, P elements` and exits 0 when the two sets of
(name, shape) are equal, otherwise lists the differences and exits 1. A name
that the IR declares twice is reported too: a checkpoint maps each name to
one tensor.
"""

import collections
import re
import sys

PARAM = re.compile(r'diffc\.parameter\s+"([^"]+)"\s*:\s*tensor<([^>]*)>')


def read_ir(path):
    found = []
    with open(path) as f:
        for line in f:
            for name, ty in PARAM.findall(line):
                dims = ty.split("x")
                if dims[-1] != "f32":
                    raise SystemExit(f"{path}: {name}: element type {dims[-1]}"
                                     f" is not f32")
                found.append((name, tuple(int(d) for d in dims[:-1])))
    return found


def read_state_dict(path):
    found = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            shape = parts[1] if len(parts) > 1 else ""
            found.append((parts[0],
                          tuple(int(d) for d in shape.split("x") if d)))
    return found


def fmt(entry):
    name, shape = entry
    return f"{name} {'x'.join(map(str, shape))}"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    ir, sd = read_ir(argv[1]), read_state_dict(argv[2])
    ok = True
    for name, n in collections.Counter(n for n, _ in ir).items():
        if n > 1:
            print(f"duplicate in IR: {name} ({n} times)")
            ok = False
    ir_set, sd_set = set(ir), set(sd)
    for e in sorted(ir_set - sd_set):
        print("only in IR:", fmt(e))
        ok = False
    for e in sorted(sd_set - ir_set):
        print("only in state dict:", fmt(e))
        ok = False
    if not ir:
        print("no diffc.parameter ops found")
        ok = False
    if not ok:
        return 1
    elements = 0
    for _, shape in ir_set:
        n = 1
        for d in shape:
            n *= d
        elements += n
    print(f"parameters match: {len(ir_set)} tensors, {elements:,} elements")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
