#!/usr/bin/python3
#===- unet_perf.py - CPU time of a diffc U-Net forward by thread and kind -===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""Samples diffc-bench's forward of the fmnist_small U-Net with `perf record
-e cpu-clock --call-graph dwarf` (software clock: works in VMs without
hardware counters) and
splits the samples by thread and by what ran:

  kernels     the runtime's GEMM / convolution micro-kernels (diffc::ukernels:
              packing, micro-kernel, thread pool), with the libc and Linux
              kernel work they call (memcpy, page faults)
  generated   the artifact's generated code (the memfd-loaded object) and the
              libm functions it calls (expf of SiLU and softmax)
  copies      memrefCopy and libc memmove/memset called from generated code
              (concatenation, result copies)
  kernel-os   the Linux kernel outside the kernels (page faults of fresh
              buffers touched by generated code, scheduling)
  other       anything else (loader, libstdc++)

It needs the work directory of bench/unet_cpu.sh (the artifact, weights and
inputs). Prints a markdown table, and per call the estimated wall-time split:
generated code runs on the calling thread alone, the kernels on all threads.

usage: /usr/bin/python3 bench/unet_perf.py --build build --work bench/.cache/work
           [--batch 64] [--reps 3] [--threads 2] [--freq 499]
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def classify(frames):
    """frames: [(symbol, dso)] leaf first."""
    sym, dso = frames[0]
    in_ukernels = any("ukernels" in s or "parallelFor" in s for s, _ in frames)
    if in_ukernels:
        return "kernels"
    if "[kernel" in dso:
        return "kernel-os"
    if "memfd" in dso or "libm" in dso:
        return "generated"
    if "memrefCopy" in sym or "memmove" in sym or "memcpy" in sym or "memset" in sym:
        return "copies"
    return "other"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--freq", type=int, default=499)
    a = p.parse_args()
    w = a.work
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        cmd = ["perf", "record", "-q", "-e", "cpu-clock", "-F", str(a.freq),
               "--call-graph", "dwarf,8192",
               "-o", data, "--",
               os.path.join(a.build, "bin", "diffc-bench"),
               os.path.join(w, "fmnist_small.diffc"), "unet",
               "--weights", os.path.join(w, "init.safetensors"),
               "--arg", os.path.join(w, f"x{a.batch}.npy"),
               "--arg", os.path.join(w, f"t{a.batch}.npy"),
               "--threads", str(a.threads), "--warmup", "0",
               "--reps", str(a.reps), "--json"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"perf record failed: {r.stderr.strip()[-500:]}")
        bench = json.loads(r.stdout.strip().splitlines()[-1])
        script = subprocess.run(["perf", "script", "-i", data, "-F", "tid,ip,sym,dso"],
                                capture_output=True, text=True).stdout
    samples = collections.Counter()  # (tid, kind)
    tid, frames = None, []

    def flush():
        if tid is None or not frames:
            return
        text = " ".join(s for s, _ in frames)
        # Loading, weight binding and input reading before the first call
        # (the unwinder stops inside generated code, which has no unwind
        # tables, so a sample during a call rarely reaches main()).
        if ("Session::call" not in text and
                ("__libc_start" in text or "_dl_" in text or "_start" in text)):
            samples[("setup", "")] += 1
            return
        samples[(tid, classify(frames))] += 1

    for line in script.splitlines():
        if not line.strip():
            flush()
            tid, frames = None, []
            continue
        if not line.startswith("\t"):  # " 8976 ": a sample's thread id
            flush()
            tid, frames = int(line.split()[0]), []
            continue
        # "<ip> <symbol> (<dso>)"; symbols and dsos may hold parentheses
        # ("(/memfd:diffc-code (deleted))"), so split at the dso's "(/" or
        # "([".
        rest = line.strip().split(None, 1)[1] if len(line.split()) > 1 else ""
        cut = max(rest.rfind(" (/"), rest.rfind(" (["))
        sym, dso = (rest[:cut], rest[cut:]) if cut >= 0 else (rest, "")
        frames.append((sym, dso))
    flush()

    setup = samples.pop(("setup", ""), 0)
    tids = sorted({t for t, _ in samples}, key=lambda t: -sum(
        v for (tt, _), v in samples.items() if tt == t))
    main_tid = min(tids)  # the process's first thread calls the entry
    kinds = ["kernels", "generated", "copies", "kernel-os", "other"]
    calls = bench["reps"]
    per_ms = 1000.0 / a.freq / calls  # ms of CPU per sample per call
    print(f"perf cpu-clock at {a.freq} Hz, batch {a.batch}, {a.threads} threads, "
          f"{calls} calls (no warm-up: includes first-call page faults), "
          f"median {bench['median_ms']:.1f} ms per call")
    print()
    print("| thread | " + " | ".join(kinds) + " | total |")
    print("|---|" + "---:|" * (len(kinds) + 1))
    for t in tids:
        name = "calling thread" if t == main_tid else "pool worker"
        cells = [samples[(t, k)] * per_ms for k in kinds]
        print(f"| {name} | " + " | ".join(f"{c:.1f}" for c in cells) +
              f" | {sum(cells):.1f} |")
    print()
    print(f"(CPU ms per call; {setup} samples of loading and input reading left out.)")
    serial = sum(samples[(main_tid, k)] for k in kinds if k != "kernels") * per_ms
    mean_ms = sum(bench["times_ms"]) / len(bench["times_ms"])
    print(f"Mean wall time per call {mean_ms:.1f} ms; work outside the kernels on the "
          f"calling thread (serial: the pool waits) {serial:.1f} ms = "
          f"{100 * serial / mean_ms:.0f}% of it; kernels (both threads) "
          f"{mean_ms - serial:.1f} ms.")


if __name__ == "__main__":
    sys.exit(main())
