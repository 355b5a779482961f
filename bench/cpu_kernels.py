#!/usr/bin/python3
#===- cpu_kernels.py - diffc CPU kernels vs PyTorch and NumPy -------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""Times diffc's CPU GEMM and convolution against PyTorch and NumPy in one run.

Cases (all float32):
  sgemm MxNxK        the runtime's SGEMM alone (diffc-ukernel-bench sgemm),
                     torch.matmul and numpy.matmul
  matmul MxNxK       the same product as a `diffc.matmul` program compiled by
                     `diffc compile` and called through the runtime ("diffc
                     program"), and compiled with --cpu-kernels=false, i.e.
                     generated loops only ("diffc loops")
  conv 64->64 3x3    `diffc.conv2d` 64->64 channels, 3x3, padding 1, bias, at
                     28x28, batch 64 (the fmnist_small U-Net's main layer),
                     compiled by diffc; torch.nn.functional.conv2d; NumPy as
                     im2col + matmul
  --unet             the fmnist_small U-Net forward at batch 64:
                     `diffc-zoo unet2d --preset=fmnist_small` compiled by
                     diffc vs the PyTorch twin (frontends/python/unet2d_torch.py)

Every number is the median of --reps timed repetitions after one warm-up,
with --threads threads on every side (DIFFC_NUM_THREADS,
torch.set_num_threads; Debian's NumPy uses the single-threaded reference
BLAS). GFLOP counts 2 x multiply-adds.

With --openblas LIB, the SGEMM rows also time cblas_sgemm of that OpenBLAS
(dlopen'ed; e.g. extracted from Debian's libopenblas0-pthread .deb with
`apt-get download` + `dpkg-deb -x`, nothing installed system-wide).

usage: /usr/bin/python3 bench/cpu_kernels.py --build BUILD [--reps 7]
       [--threads 2] [--sizes 256,512,1024] [--unet] [--no-numpy]
       [--no-loops] [--openblas LIB] [--isa avx2]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd, env=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def timed(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


class Diffc:
    def __init__(self, build, threads, work, isa=None):
        self.bin = os.path.join(build, "bin")
        self.env = dict(os.environ, DIFFC_NUM_THREADS=str(threads))
        if isa:
            self.env["DIFFC_UKERNEL_ISA"] = isa
        self.threads = threads
        self.work = work
        self.isa = "?"
        self.cpu_ms = {}  # (args key) -> median CPU milliseconds

    def tool(self, name):
        return os.path.join(self.bin, name)

    def compile(self, source, name, flags=()):
        mlir = os.path.join(self.work, name + ".mlir")
        with open(mlir, "w") as f:
            f.write(source)
        out = os.path.join(self.work, name + ".diffc")
        run([self.tool("diffc"), "compile", mlir, "-o", out] + list(flags))
        return out

    def bench(self, args, reps):
        out = run([self.tool("diffc-ukernel-bench")] + args + ["--reps", str(reps)],
                  env=self.env)
        result = json.loads(out.strip().splitlines()[-1])
        if args[0] != "openblas":
            self.isa = result["isa"]
        self.last_cpu_ms = result["median_cpu_ms"]
        return result["median_ms"]

    def bench_into(self, times, cpu, peer, args, reps):
        times[peer] = self.bench(args, reps)
        cpu[peer] = self.last_cpu_ms

    def save(self, name, array):
        path = os.path.join(self.work, name + ".npy")
        np.save(path, array)
        return path


def gflops(flop, ms):
    return flop / (ms * 1e-3) / 1e9


def conv_numpy(x, w, b):
    """im2col (sliding windows) + one float32 matmul, padding 1, stride 1."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wd, c * kh * kw)
    y = cols @ w.reshape(o, -1).T + b
    return y.reshape(n, h, wd, o).transpose(0, 3, 1, 2)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True, help="CMake build directory")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sizes", default="256,512,1024")
    p.add_argument("--unet", action="store_true", help="also the fmnist_small U-Net")
    p.add_argument("--no-numpy", action="store_true",
                   help="skip NumPy (reference BLAS: slow)")
    p.add_argument("--no-loops", action="store_true",
                   help="skip diffc --cpu-kernels=false (generated loops: slow)")
    p.add_argument("--openblas", help="an OpenBLAS shared library to time too")
    p.add_argument("--isa", choices=["scalar", "avx2", "avx512"],
                   help="the widest micro-kernel diffc may use (DIFFC_UKERNEL_ISA); "
                        "default: the widest the CPU has")
    a = p.parse_args()

    import torch
    torch.set_num_threads(a.threads)
    rows = []  # (case, GFLOP, {peer: ms}, {peer: CPU ms})

    with tempfile.TemporaryDirectory() as work:
        d = Diffc(a.build, a.threads, work, a.isa)
        rng = np.random.default_rng(0)

        # -- SGEMM: the kernel alone and through a compiled program --
        sizes = [int(s) for s in a.sizes.split(",")]
        source = "\n".join(
            f"func.func @mm{s}(%a: tensor<{s}x{s}xf32>, %b: tensor<{s}x{s}xf32>) -> tensor<{s}x{s}xf32> {{\n"
            f"  %0 = diffc.matmul %a, %b : (tensor<{s}x{s}xf32>, tensor<{s}x{s}xf32>) -> tensor<{s}x{s}xf32>\n"
            f"  return %0 : tensor<{s}x{s}xf32>\n}}\n" for s in sizes)
        mm = d.compile(source, "matmul")
        mm_loops = d.compile(source, "matmul_loops", ["--cpu-kernels=false"])
        slow_reps = max(1, min(a.reps, 3))
        for s in sizes:
            A = rng.standard_normal((s, s), dtype=np.float32)
            B = rng.standard_normal((s, s), dtype=np.float32)
            times, cpu = {}, {}
            ab = ["--arg", d.save("a", A), "--arg", d.save("b", B)]
            d.bench_into(times, cpu, "diffc kernel", ["sgemm", str(s), str(s), str(s)], a.reps)
            d.bench_into(times, cpu, "diffc program", ["call", mm, f"mm{s}"] + ab, a.reps)
            if not a.no_loops:
                d.bench_into(times, cpu, "diffc loops", ["call", mm_loops, f"mm{s}"] + ab,
                             slow_reps)
            if a.openblas:
                d.bench_into(times, cpu, "OpenBLAS", ["openblas", a.openblas, str(s), str(s),
                                                      str(s), "--threads", str(a.threads)],
                             a.reps)
            ta, tb = torch.from_numpy(A), torch.from_numpy(B)
            times["PyTorch"] = timed(lambda: torch.matmul(ta, tb), a.reps)
            if not a.no_numpy:
                times["NumPy"] = timed(lambda: A @ B, slow_reps)
            rows.append((f"sgemm {s}x{s}x{s}", 2.0 * s ** 3 / 1e9, times, cpu))

        # -- conv2d 64->64 3x3, 28x28, batch 64 --
        n, c, o, h = 64, 64, 64, 28
        conv_source = (
            "func.func @conv(%x: tensor<?x64x28x28xf32>, %w: tensor<64x64x3x3xf32>, "
            "%b: tensor<64xf32>) -> tensor<?x64x28x28xf32> {\n"
            "  %0 = diffc.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : "
            "(tensor<?x64x28x28xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) "
            "-> tensor<?x64x28x28xf32>\n"
            "  return %0 : tensor<?x64x28x28xf32>\n}\n")
        conv = d.compile(conv_source, "conv")
        conv_loops = d.compile(conv_source, "conv_loops", ["--cpu-kernels=false"])
        X = rng.standard_normal((n, c, h, h), dtype=np.float32)
        W = (rng.standard_normal((o, c, 3, 3)) / 24).astype(np.float32)
        Bv = rng.standard_normal(o, dtype=np.float32)
        conv_args = ["--arg", d.save("x", X), "--arg", d.save("w", W),
                     "--arg", d.save("bias", Bv)]
        times, cpu = {}, {}
        d.bench_into(times, cpu, "diffc program", ["call", conv, "conv"] + conv_args, a.reps)
        if not a.no_loops:
            d.bench_into(times, cpu, "diffc loops", ["call", conv_loops, "conv"] + conv_args,
                         slow_reps)
        tx, tw, tb = torch.from_numpy(X), torch.from_numpy(W), torch.from_numpy(Bv)
        with torch.no_grad():
            times["PyTorch"] = timed(
                lambda: torch.nn.functional.conv2d(tx, tw, tb, padding=1), a.reps)
        if not a.no_numpy:
            times["NumPy"] = timed(lambda: conv_numpy(X, W, Bv), slow_reps)
        rows.append(("conv2d 64->64 3x3 28x28 b64", 2.0 * n * o * h * h * c * 9 / 1e9,
                     times, cpu))

        # -- the fmnist_small U-Net forward at batch 64 --
        if a.unet:
            sys.path.insert(0, os.path.join(ROOT, "frontends", "python"))
            import unet2d_torch as twin
            torch.manual_seed(0)  # the same weights every run
            model = twin.UNet2D(twin.fmnist_small()).eval()
            weights = os.path.join(work, "unet.safetensors")
            twin.write_safetensors(weights, model.state_dict())
            unet_mlir = os.path.join(work, "unet.mlir")
            run([d.tool("diffc-zoo"), "unet2d", "--preset=fmnist_small", "-o", unet_mlir])
            unet = os.path.join(work, "unet.diffc")
            run([d.tool("diffc"), "compile", unet_mlir, "-o", unet])
            sample = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
            t = rng.integers(0, 1000, 64).astype(np.int64)
            times, cpu = {}, {}
            d.bench_into(times, cpu, "diffc program",
                         ["call", unet, "unet", "--weights", weights, "--arg",
                          d.save("sample", sample), "--arg", d.save("t", t)], a.reps)
            ts, tt = torch.from_numpy(sample), torch.from_numpy(t)
            with torch.no_grad():
                times["PyTorch"] = timed(lambda: model(ts, tt), a.reps)
            rows.append(("fmnist_small U-Net fwd b64", 2.21 * 64, times, cpu))

    peers = ["diffc kernel", "diffc program", "diffc loops", "OpenBLAS", "PyTorch",
             "NumPy"]
    peers = [p for p in peers if any(p in t for _, _, t, _ in rows)]
    print(f"threads {a.threads}, diffc micro-kernel {d.isa}, median of {a.reps} "
          f"(loops, NumPy: of at most 3), torch {torch.__version__}, "
          f"numpy {np.__version__}, load average {os.getloadavg()[0]:.2f}")
    header = f"| {'case':28s} | GFLOP | " + " | ".join(f"{p:>20s}" for p in peers) + " |"
    print(header)
    print("|" + "---|" * (2 + len(peers)))
    for case, gf, times, _ in rows:
        cells = []
        for peer in peers:
            ms = times.get(peer)
            cells.append(f"{ms:8.1f} ms {gflops(gf * 1e9, ms):5.0f} GF/s"
                         if ms is not None else f"{'-':>20s}")
        print(f"| {case:28s} | {gf:5.2f} | " + " | ".join(cells) + " |")
    # Work per CPU-second (all threads): steadier than wall time when the
    # machine runs other work; at full parallel efficiency it is the wall
    # GFLOP/s divided by the threads.
    cpu_peers = [p for p in peers if any(p in c for _, _, _, c in rows)]
    print()
    print("GFLOP per CPU-second (all threads together):")
    print(f"| {'case':28s} | " + " | ".join(f"{p:>13s}" for p in cpu_peers) + " |")
    print("|" + "---|" * (1 + len(cpu_peers)))
    for case, gf, _, cpu in rows:
        cells = [f"{gflops(gf * 1e9, cpu[p]):13.1f}" if p in cpu else f"{'-':>13s}"
                 for p in cpu_peers]
        print(f"| {case:28s} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main()
