#!/usr/bin/python3
#===- conv_backward.py - conv2d gradients: diffc vs PyTorch ---------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""Times diffc's conv2d gradients against PyTorch in one run.

Every distinct convolution of the fmnist_small U-Net (`diffc-zoo unet2d
--preset=fmnist_small`: input and weight type, stride, padding, dilation,
groups) at --batch becomes two functions of one module,
`diffc.conv2d_backward_input` and `diffc.conv2d_backward_weight`, compiled
once with `diffc compile` and timed through the runtime
(diffc-ukernel-bench call: a Session calling the entry point, the first call
a warm-up). PyTorch times torch.nn.grad.conv2d_input / conv2d_weight (which
call aten::convolution_backward, what autograd runs) on the same inputs, with
torch.set_num_threads(--threads). Every number is the median of --reps;
GFLOP counts 2 x multiply-adds of the forward convolution (each gradient
does as many). The table ends with the sum over the model's convolutions
(count x median), i.e. the time of one backward pass's convolution
gradients.

usage: /usr/bin/python3 bench/conv_backward.py --build BUILD [--batch 64]
       [--reps 5] [--threads 2] [--isa avx2] [--check]
"""

import argparse
import collections
import os
import re
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cpu_kernels import Diffc, run, timed, gflops  # noqa: E402

CONV = re.compile(r"diffc\.conv2d %\w+, %\w+(?:, %\w+)?\s*(\{[^}]*\})?\s*:\s*"
                  r"\((tensor<[^>]*>), (tensor<[^>]*>)")


def attr(attrs, name, default):
    m = re.search(name + r" = array<i64: (\d+), (\d+)>", attrs or "")
    return (int(m.group(1)), int(m.group(2))) if m else default


def dims(tensor):
    return [int(d) if d != "?" else -1
            for d in tensor[len("tensor<"):-1].split("x")[:-1]]


def unet_convolutions(diffc):
    """{(input shape, weight shape, stride, padding, dilation, groups): count}"""
    path = os.path.join(diffc.work, "unet.mlir")
    run([diffc.tool("diffc-zoo"), "unet2d", "--preset=fmnist_small", "-o", path])
    found = collections.Counter()
    with open(path) as f:
        for line in f:
            m = CONV.search(line)
            if not m:
                continue
            attrs, x, w = m.groups()
            g = re.search(r"groups = (\d+)", attrs or "")
            found[(tuple(dims(x)[1:]), tuple(dims(w)), attr(attrs, "stride", (1, 1)),
                   attr(attrs, "padding", (0, 0)), attr(attrs, "dilation", (1, 1)),
                   int(g.group(1)) if g else 1)] += 1
    return found


def out_extent(h, k, s, p, d):
    return (h + 2 * p - d * (k - 1) - 1) // s + 1


def module_for(convs, batch):
    funcs = []
    for i, (x, w, s, p, d, g) in enumerate(convs):
        c, h, wd = x
        o, _, kh, kw = w
        y = (o, out_extent(h, kh, s[0], p[0], d[0]), out_extent(wd, kw, s[1], p[1], d[1]))
        tx = f"tensor<{batch}x{c}x{h}x{wd}xf32>"
        tw = f"tensor<{o}x{w[1]}x{kh}x{kw}xf32>"
        ty = f"tensor<{batch}x{y[0]}x{y[1]}x{y[2]}xf32>"
        attrs = (f"{{stride = array<i64: {s[0]}, {s[1]}>, padding = array<i64: {p[0]}, {p[1]}>, "
                 f"dilation = array<i64: {d[0]}, {d[1]}>, groups = {g} : i64}}")
        funcs.append(
            f"func.func @dx{i}(%dy: {ty}, %w: {tw}) -> {tx} {{\n"
            f"  %0 = diffc.conv2d_backward_input %dy, %w {attrs} : ({ty}, {tw}) -> {tx}\n"
            f"  return %0 : {tx}\n}}\n"
            f"func.func @dw{i}(%x: {tx}, %dy: {ty}) -> {tw} {{\n"
            f"  %0 = diffc.conv2d_backward_weight %x, %dy {attrs} : ({tx}, {ty}) -> {tw}\n"
            f"  return %0 : {tw}\n}}\n")
    return "\n".join(funcs)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True, help="CMake build directory")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--isa", choices=["scalar", "avx2", "avx512"])
    p.add_argument("--check", action="store_true",
                   help="also compare diffc's results with PyTorch's")
    a = p.parse_args()

    import torch
    torch.set_num_threads(a.threads)
    rows = []  # (label, count, GFLOP, diffc ms, diffc CPU ms, torch ms)
    with tempfile.TemporaryDirectory() as work:
        d = Diffc(a.build, a.threads, work, a.isa)
        found = unet_convolutions(d)
        convs = sorted(found, key=lambda k: (-k[0][1], k[0][0], k[1][0], k[2]))
        model = d.compile(module_for(convs, a.batch), "conv_backward")
        rng = np.random.default_rng(0)
        for i, conv in enumerate(convs):
            (c, h, wd), wshape, s, pad, dil, g = conv
            o, _, kh, kw = wshape
            X = rng.standard_normal((a.batch, c, h, wd), dtype=np.float32)
            W = rng.standard_normal(wshape, dtype=np.float32)
            oh = out_extent(h, kh, s[0], pad[0], dil[0])
            ow = out_extent(wd, kw, s[1], pad[1], dil[1])
            DY = rng.standard_normal((a.batch, o, oh, ow), dtype=np.float32)
            flop = 2.0 * a.batch * o * oh * ow * wshape[1] * kh * kw
            tx, tw, tdy = map(torch.from_numpy, (X, W, DY))
            kw_args = dict(stride=s, padding=pad, dilation=dil, groups=g)
            label = (f"{c}->{o} {kh}x{kw} s{s[0]} {h}x{wd}"
                     + (f" g{g}" if g > 1 else ""))
            xs, ws, dys = d.save("x", X), d.save("w", W), d.save("dy", DY)
            for kind in ("dx", "dw"):
                args = (["--arg", dys, "--arg", ws] if kind == "dx"
                        else ["--arg", xs, "--arg", dys])
                ms = d.bench(["call", model, f"{kind}{i}"] + args, a.reps)
                cpu = d.last_cpu_ms
                with torch.no_grad():
                    if kind == "dx":
                        fn = lambda: torch.nn.grad.conv2d_input(tx.shape, tw, tdy, **kw_args)
                    else:
                        fn = lambda: torch.nn.grad.conv2d_weight(tx, tw.shape, tdy, **kw_args)
                    torch_ms = timed(fn, a.reps)
                    if a.check:
                        out = os.path.join(work, "out.npy")
                        run([d.tool("diffc-run"), model, "call", f"{kind}{i}"] + args
                            + ["--out", out], env=d.env)
                        got, want = np.load(out), fn().numpy()
                        err = np.max(np.abs(got - want)) / np.max(np.abs(want))
                        print(f"{kind} {label}: max rel difference {err:.1e}",
                              file=sys.stderr)
                rows.append((f"{kind} {label}", found[conv], flop / 1e9, ms, cpu, torch_ms))

    print(f"batch {a.batch}, threads {a.threads}, diffc micro-kernel {d.isa}, "
          f"median of {a.reps}, torch {torch.__version__}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"| {'gradient':34s} | n | GFLOP | {'diffc':>17s} | {'diffc GF/CPU-s':>14s} "
          f"| {'PyTorch':>17s} | speed-up |")
    print("|---|---|---|---|---|---|---|")
    totals = collections.defaultdict(float)
    for label, n, gf, ms, cpu, tms in rows:
        kind = label.split()[0]
        totals[kind, "diffc"] += n * ms
        totals[kind, "torch"] += n * tms
        totals[kind, "gf"] += n * gf
        print(f"| {label:34s} | {n} | {gf:5.2f} | {ms:7.1f} ms {gflops(gf * 1e9, ms):3.0f} GF/s "
              f"| {gflops(gf * 1e9, cpu):14.0f} | {tms:7.1f} ms {gflops(gf * 1e9, tms):3.0f} GF/s "
              f"| {tms / ms:6.2f}x |")
    for kind in ("dx", "dw"):
        dms, tms, gf = totals[kind, "diffc"], totals[kind, "torch"], totals[kind, "gf"]
        print(f"| {'all ' + kind + ' of the U-Net (n x median)':34s} |   | {gf:5.1f} | "
              f"{dms:7.0f} ms {gflops(gf * 1e9, dms):3.0f} GF/s | {'':>14s} | "
              f"{tms:7.0f} ms {gflops(gf * 1e9, tms):3.0f} GF/s | {tms / dms:6.2f}x |")


if __name__ == "__main__":
    main()
