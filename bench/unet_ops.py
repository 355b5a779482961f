#!/usr/bin/python3
#===- unet_ops.py - Where the fmnist_small U-Net's time goes, op by op ----===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""Per-op microbenchmarks of a zoo U-Net, for docs/benchmarks-cpu.md.

Every distinct op of the model (op name, attributes and operand types) becomes
one public function of a single module, its parameters turned into function
arguments; a `diffc.silu` of a `diffc.group_norm` result stays with it (the
compiler fuses the two in the model). The module is compiled once with
`diffc compile`, each function is timed with diffc-bench at the given batch
on random inputs, and the table sums count x median per op kind, beside the
measured whole forward pass.

The sum is an estimate: in the model, fusion and buffer reuse differ from
the standalone functions (e.g. a transpose that feeds a matrix product is
folded into its strides there but is a copy here).

usage: /usr/bin/python3 bench/unet_ops.py --build build --work DIR
           [--batch 64] [--threads 2] [--reps 5] [--model DIR/unet.mlir]
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys

import numpy as np

LINE = re.compile(r"^\s*(%\w+) = diffc\.(\w+) (.*)$")
ARGS = re.compile(r"(%\w+): (tensor<[^>]*>)")


def parse_model(path):
    """[(key, op, text_with_renamed_operands, [operand types], result type)]"""
    types, users, ops = {}, collections.Counter(), []
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        if "func.func" in line:
            for name, ty in ARGS.findall(line):
                types[name] = ty
    for line in lines:
        m = LINE.match(line)
        if not m:
            continue
        result, op, rest = m.groups()
        if op == "parameter":
            types[result] = rest.rsplit(" : ", 1)[1].strip()
            continue
        if "{" in rest:
            head = rest[:rest.index("{")]
        else:
            head = rest.split(" : ", 1)[0]
        operands = re.findall(r"%\w+", head)
        for o in operands:
            users[o] += 1
        after = rest.rsplit(" -> ", 1)
        rtype = after[1].strip() if len(after) == 2 else rest.rsplit(" : ", 1)[1].strip()
        types[result] = rtype
        ops.append((result, op, rest, operands))
    # Return uses count too.
    for line in lines:
        if line.strip().startswith("return"):
            for o in re.findall(r"%\w+", line):
                users[o] += 1

    funcs = collections.OrderedDict()  # key -> [count, kind, body, arg types, rtype]
    i = 0
    while i < len(ops):
        result, op, rest, operands = ops[i]
        group = [(result, op, rest, operands)]
        if (op == "group_norm" and i + 1 < len(ops) and ops[i + 1][1] == "silu"
                and ops[i + 1][3] == [result] and users[result] == 1):
            group.append(ops[i + 1])
            i += 1
        i += 1
        # Rename: external operands -> %a0.., internal results -> %r0..
        names, arg_types, body = {}, [], []
        for j, (res, gop, grest, gops) in enumerate(group):
            text = grest
            for o in gops:
                if o not in names:
                    names[o] = f"%a{len(arg_types)}"
                    arg_types.append(types[o])
            text = re.sub(r"%\w+", lambda m: names.get(m.group(0), m.group(0)), text)
            names[res] = f"%r{j}"
            body.append(f"    %r{j} = diffc.{gop} {text}")
        kind = "+".join(g[1] for g in group)
        rtype = types[group[-1][0]]
        key = (kind, tuple(arg_types), tuple(b.split("=", 1)[1] for b in body))
        if key not in funcs:
            funcs[key] = [0, kind, body, arg_types, rtype, f"%r{len(group) - 1}"]
        funcs[key][0] += 1
    return list(funcs.values())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--model", help="default: WORK/unet.mlir")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--whole-ms", type=float,
                   help="the measured whole forward at this batch, for the last row")
    a = p.parse_args()
    bin_dir = os.path.join(a.build, "bin")
    model = a.model or os.path.join(a.work, "unet.mlir")
    out = os.path.join(a.work, "ops")
    os.makedirs(out, exist_ok=True)

    funcs = parse_model(model)
    text = ["module {"]
    for i, (count, kind, body, arg_types, rtype, last) in enumerate(funcs):
        args = ", ".join(f"%a{j}: {t}" for j, t in enumerate(arg_types))
        text.append(f"  func.func @op{i}({args}) -> {rtype} {{")
        text += body
        text.append(f"    return {last} : {rtype}")
        text.append("  }")
    text.append("}")
    src = os.path.join(out, "ops.mlir")
    with open(src, "w") as f:
        f.write("\n".join(text) + "\n")
    art = os.path.join(out, "ops.diffc")
    subprocess.run([os.path.join(bin_dir, "diffc"), "compile", src, "-o", art],
                   check=True)

    rng = np.random.default_rng(0)
    rows = collections.defaultdict(lambda: [0, 0.0])  # kind -> [count, ms]
    detail = []
    for i, (count, kind, body, arg_types, rtype, last) in enumerate(funcs):
        args = []
        for j, t in enumerate(arg_types):
            m = re.match(r"tensor<(.*)x(\w+)>$", t)
            dims = [a.batch if d == "?" else int(d) for d in m.group(1).split("x")]
            path = os.path.join(out, f"op{i}_a{j}.npy")
            if m.group(2) == "i64":
                np.save(path, rng.integers(0, 1000, dims).astype(np.int64))
            else:
                np.save(path, rng.standard_normal(dims).astype(np.float32))
            args += ["--arg", path]
        r = subprocess.run([os.path.join(bin_dir, "diffc-bench"), art, f"op{i}"] + args +
                           ["--threads", str(a.threads), "--warmup", "1",
                            "--reps", str(a.reps), "--json"],
                           check=True, capture_output=True, text=True)
        ms = json.loads(r.stdout.strip().splitlines()[-1])["median_ms"]
        rows[kind][0] += count
        rows[kind][1] += count * ms
        detail.append((count * ms, count, ms, kind, arg_types[0]))
        print(f"  op{i} {kind} {arg_types[0]} x{count}: {ms:.3f} ms", file=sys.stderr)

    total = sum(ms for _, ms in rows.values())
    print(f"| op (batch {a.batch}, {a.threads} threads) | count | sum of medians, ms | share |")
    print("|---|---:|---:|---:|")
    for kind, (count, ms) in sorted(rows.items(), key=lambda kv: -kv[1][1]):
        print(f"| {kind} | {count} | {ms:.1f} | {100 * ms / total:.1f}% |")
    print(f"| sum | {sum(c for c, _ in rows.values())} | {total:.1f} | 100% |")
    if a.whole_ms:
        print(f"| whole forward, measured | | {a.whole_ms:.1f} | |")
    print()
    print("Largest single entries (count x median):")
    for tot, count, ms, kind, t in sorted(detail, reverse=True)[:12]:
        print(f"- {kind} on {t}: {count} x {ms:.2f} ms = {tot:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
