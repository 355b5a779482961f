#!/usr/bin/python3
#===- unet_cpu.py - fmnist_small U-Net on CPU: PyTorch side and the table -===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""The Python half of bench/unet_cpu.sh (run that, not this).

Subcommands, all with --work DIR (bench/.cache/work):

  prepare --weights W.safetensors --scheduler-config F
      Loads the zoo's random initial weights (the same file diffc runs with)
      into the PyTorch twin (frontends/python/unet2d_torch.py), exports it to
      ONNX (opset 17, dynamic batch axis), writes the inputs of every case
      (x{B}.npy / t{B}.npy for B in 1, 16, 64 and the DDIM start noise
      xT16.npy, plus raw .bin copies for Node) and the DDIM schedule
      (ddim.json: timesteps, alphabar_t, alphabar_prev; diffusers'
      DDIMScheduler formulas for the given scheduler_config.json).
  torch --label NAME --threads T
      Times the twin's forward at every batch and a 50-step DDIM loop at batch
      16 (the same formulas as diffc's sample_ddim, eta 0) in this process;
      writes result-NAME.json and the outputs (out{B}-NAME.npy, ddim-NAME.npy).
  table
      Reads every result-*.json, checks the outputs against PyTorch's and
      prints the markdown table.

Repetitions (warm-up + timed) are in CASES, shared by every peer.
"""

import argparse
import json
import math
import os
import platform
import resource
import statistics
import struct
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# case name -> (batch, warm-up calls, timed calls); the sampler separately.
FORWARD = [("forward b1", 1, 2, 10), ("forward b16", 16, 1, 7),
           ("forward b64", 64, 1, 5)]
DDIM = ("DDIM 50 steps b16", 16, 0, 3)
DDIM_STEPS = 50
if os.environ.get("BENCH_QUICK"):  # plumbing check only: one call each
    FORWARD = [(c, b, 0, 1) for c, b, _, _ in FORWARD]
    DDIM = (DDIM[0], DDIM[1], 0, 1)
PEERS = [("torch", "PyTorch (as installed)"),
         ("torch-openblas", "PyTorch + OpenBLAS"),
         ("ort", "ONNX Runtime")]
GFLOP_PER_SAMPLE = 2.21  # BENCH.md, fmnist_small forward


def read_safetensors(path):
    """{name: np.ndarray} of a float32 safetensors file (no package needed)."""
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    base = 8 + size
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            sys.exit(f"{path}: {name} is {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(data, np.float32, (end - begin) // 4,
                                  base + begin).reshape(info["shape"])
    return out


def load_twin(weights):
    import torch
    sys.path.insert(0, os.path.join(ROOT, "frontends", "python"))
    import unet2d_torch as twin
    model = twin.UNet2D(twin.fmnist_small()).eval()
    state = {k: torch.from_numpy(v.copy()) for k, v in read_safetensors(weights).items()}
    model.load_state_dict(state, strict=True)
    return model


def ddim_schedule(config_path, steps):
    """diffusers' DDIMScheduler.set_timesteps + the alphas step() uses."""
    cfg = {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02,
           "beta_schedule": "linear", "prediction_type": "epsilon",
           "timestep_spacing": "leading", "steps_offset": 0,
           "set_alpha_to_one": True, "clip_sample": True,
           "clip_sample_range": 1.0, "thresholding": False}
    if config_path:
        with open(config_path) as f:
            cfg.update({k: v for k, v in json.load(f).items() if v is not None})
    supported = {"beta_schedule": "linear", "prediction_type": "epsilon",
                 "timestep_spacing": "leading", "thresholding": False}
    for key, want in supported.items():
        if cfg[key] != want:
            sys.exit(f"unet_cpu.py: the PyTorch DDIM loop supports {key}={want!r} "
                     f"only, the config has {cfg[key]!r}")
    T = cfg["num_train_timesteps"]
    betas = np.linspace(cfg["beta_start"], cfg["beta_end"], T, dtype=np.float64)
    abar = np.cumprod(1.0 - betas)
    final = 1.0 if cfg["set_alpha_to_one"] else abar[0]
    ratio = T // steps
    timesteps = (np.arange(0, steps) * ratio).round()[::-1].astype(np.int64)
    timesteps += cfg["steps_offset"]
    prev = timesteps - ratio
    return {"timesteps": timesteps.tolist(),
            "alphabar_t": [float(abar[t]) for t in timesteps],
            "alphabar_prev": [float(abar[p]) if p >= 0 else float(final) for p in prev],
            "clip_sample": bool(cfg["clip_sample"]),
            "clip_sample_range": float(cfg["clip_sample_range"])}


def cmd_prepare(a):
    import torch
    model = load_twin(a.weights)
    rng = np.random.default_rng(2026)
    for _, b, _, _ in FORWARD:
        x = rng.standard_normal((b, 1, 28, 28), dtype=np.float32)
        t = rng.integers(0, 1000, b).astype(np.int64)
        np.save(os.path.join(a.work, f"x{b}.npy"), x)
        np.save(os.path.join(a.work, f"t{b}.npy"), t)
        x.tofile(os.path.join(a.work, f"x{b}.bin"))
        t.tofile(os.path.join(a.work, f"t{b}.bin"))
    xT = rng.standard_normal((DDIM[1], 1, 28, 28), dtype=np.float32)
    np.save(os.path.join(a.work, f"xT{DDIM[1]}.npy"), xT)
    xT.tofile(os.path.join(a.work, f"xT{DDIM[1]}.bin"))
    with open(os.path.join(a.work, "ddim.json"), "w") as f:
        json.dump(ddim_schedule(a.scheduler_config, DDIM_STEPS), f)
    with open(os.path.join(a.work, "cases.json"), "w") as f:
        json.dump({"forward": [{"case": c, "batch": b, "warmup": w, "reps": r}
                               for c, b, w, r in FORWARD],
                   "ddim": {"case": DDIM[0], "batch": DDIM[1], "warmup": DDIM[2],
                            "reps": DDIM[3]}}, f)

    import warnings
    warnings.filterwarnings("ignore")
    onnx_path = os.path.join(a.work, "unet.onnx")
    x = torch.from_numpy(np.load(os.path.join(a.work, "x16.npy"))[:2].copy())
    t = torch.tensor([1, 500])
    torch.onnx.export(model, (x, t), onnx_path, opset_version=17,
                      input_names=["sample", "timestep"], output_names=["eps"],
                      dynamic_axes={"sample": {0: "batch"}, "timestep": {0: "batch"},
                                    "eps": {0: "batch"}})
    print(f"  wrote inputs, ddim.json and {onnx_path} "
          f"({os.path.getsize(onnx_path) / 2**20:.1f} MiB)", file=sys.stderr)


def blas_in_use():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower()}
    return ", ".join(sorted(os.path.basename(p) for p in libs)) or "?"


def time_calls(fn, warmup, reps, what):
    for i in range(warmup):
        fn()
    times = []
    for i in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
        print(f"    {what} {i + 1}/{reps}: {times[-1]:.1f} ms", file=sys.stderr)
    return times


def cmd_torch(a):
    import torch
    torch.set_num_threads(a.threads)
    model = load_twin(a.weights)
    results = {"peer": a.label, "threads": torch.get_num_threads(),
               "version": f"torch {torch.__version__}", "cases": {}}
    with torch.no_grad():
        for case, b, warmup, reps in FORWARD:
            x = torch.from_numpy(np.load(os.path.join(a.work, f"x{b}.npy")))
            t = torch.from_numpy(np.load(os.path.join(a.work, f"t{b}.npy")))
            out = {}

            def fwd():
                out["y"] = model(x, t)
            times = time_calls(fwd, warmup, reps, f"{a.label} {case}")
            np.save(os.path.join(a.work, f"out{b}-{a.label}.npy"), out["y"].numpy())
            results["cases"][case] = {"times_ms": times}

        case, b, warmup, reps = DDIM
        with open(os.path.join(a.work, "ddim.json")) as f:
            sched = json.load(f)
        xT = torch.from_numpy(np.load(os.path.join(a.work, f"xT{b}.npy")))
        lo = -sched["clip_sample_range"]
        hi = sched["clip_sample_range"]
        out = {}

        def sample():
            x = xT.clone()
            for t, at, ap in zip(sched["timesteps"], sched["alphabar_t"],
                                 sched["alphabar_prev"]):
                eps = model(x, torch.full((b,), t, dtype=torch.int64))
                x0 = (x - math.sqrt(1.0 - at) * eps) / math.sqrt(at)
                if sched["clip_sample"]:
                    x0 = x0.clamp(lo, hi)
                # eta = 0: no noise, sigma_t = 0.
                x = math.sqrt(ap) * x0 + math.sqrt(1.0 - ap) * eps
            out["x"] = x
        times = time_calls(sample, warmup, reps, f"{a.label} {case}")
        np.save(os.path.join(a.work, f"ddim-{a.label}.npy"), out["x"].numpy())
        results["cases"][case] = {"times_ms": times}
    results["blas"] = blas_in_use()
    results["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(os.path.join(a.work, f"result-{a.label}.json"), "w") as f:
        json.dump(results, f)


def rel_err(got, want):
    """Norm-wise: max |got - want| / max |want| (unet2d_torch.py --compare)."""
    got, want = got.astype(np.float64), want.astype(np.float64)
    return float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-30))


def median(xs):
    return statistics.median(xs) if xs else None


def cmd_table(a):
    def load(label):
        path = os.path.join(a.work, f"result-{label}.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    diffc = load("diffc")
    peers = {label: load(label) for label, _ in PEERS}
    skipped = {}
    for label, _ in PEERS:
        path = os.path.join(a.work, f"skipped-{label}.txt")
        if os.path.exists(path):
            with open(path) as f:
                skipped[label] = f.read().strip()
            peers[label] = None

    cases = [c for c, _, _, _ in FORWARD] + [DDIM[0]]
    print()
    print("## Correctness (max |got - want| / max |want|, want = PyTorch as installed, fp32)")
    ok = True
    for case, b, _, _ in FORWARD:
        want_path = os.path.join(a.work, f"out{b}-torch.npy")
        if not os.path.exists(want_path):
            continue
        want = np.load(want_path)
        line = []
        for label, path in [("diffc", f"out{b}-diffc.npy"),
                            ("PyTorch+OpenBLAS", f"out{b}-torch-openblas.npy")]:
            p = os.path.join(a.work, path)
            if os.path.exists(p):
                e = rel_err(np.load(p), want)
                if label == "diffc":
                    ok &= e <= 1e-4
                line.append(f"{label} {e:.1e}")
        p = os.path.join(a.work, f"out{b}-ort.bin")
        if os.path.exists(p):
            got = np.fromfile(p, np.float32).reshape(want.shape)
            line.append(f"ONNX Runtime {rel_err(got, want):.1e}")
        print(f"- forward b{b}: " + ", ".join(line))
    want_path = os.path.join(a.work, "ddim-torch.npy")
    if os.path.exists(want_path):
        want = np.load(want_path)
        line = []
        for label, path in [("diffc sample_ddim", "ddim-diffc.npy"),
                            ("PyTorch+OpenBLAS", "ddim-torch-openblas.npy")]:
            p = os.path.join(a.work, path)
            if os.path.exists(p):
                line.append(f"{label} {rel_err(np.load(p), want):.1e}")
        p = os.path.join(a.work, "ddim-ort.bin")
        if os.path.exists(p):
            got = np.fromfile(p, np.float32).reshape(want.shape)
            line.append(f"ONNX Runtime {rel_err(got, want):.1e}")
        print(f"- DDIM 50 steps b16 (x_0 after 50 steps): " + ", ".join(line))
    print(f"- diffc forward within 1e-4 of PyTorch: {'PASS' if ok else 'FAIL'}")

    print()
    print("## fmnist_small U-Net on CPU, median ms (2 threads everywhere)")
    print()
    head = ["case", "diffc"] + [name for _, name in PEERS] + ["diffc / fastest peer"]
    print("| " + " | ".join(head) + " |")
    print("|---|" + "---:|" * (len(head) - 1))
    for case in cases:
        row = [case]
        d = median(diffc["cases"][case]["times_ms"]) if diffc and case in diffc["cases"] else None
        row.append(f"{d:.1f}" if d is not None else "-")
        best = None
        for label, name in PEERS:
            r = peers[label]
            if label in skipped:
                row.append("skipped")
                continue
            m = median(r["cases"][case]["times_ms"]) if r and case in r["cases"] else None
            row.append(f"{m:.1f}" if m is not None else "-")
            if m is not None and (best is None or m < best[0]):
                best = (m, name)
        row.append(f"{d / best[0]:.2f}x (vs {best[1]})" if d and best else "-")
        print("| " + " | ".join(row) + " |")

    print()
    reps = ", ".join(f"{c}: {w} warm-up + {r} timed" for c, _, w, r in FORWARD + [DDIM])
    print(f"Repetitions per peer: {reps}.")
    if diffc:
        for case, b, _, _ in FORWARD:
            d = median(diffc["cases"][case]["times_ms"])
            print(f"- diffc {case}: {GFLOP_PER_SAMPLE * b / (d * 1e-3):.0f} GFLOP/s "
                  f"(min {min(diffc['cases'][case]['times_ms']):.1f} ms)")
    for label, name in PEERS:
        if label in skipped:
            print(f"- {name}: skipped: {skipped[label]}")
        elif peers[label]:
            r = peers[label]
            extra = f", BLAS {r['blas']}" if "blas" in r else ""
            print(f"- {name}: {r['version']}, {r['threads']} threads{extra}, "
                  f"peak RSS {r['peak_rss_mib']:.0f} MiB")
        else:
            print(f"- {name}: no result (see the log above)")
    if diffc:
        print(f"- diffc: {diffc['version']}, peak RSS "
              f"{max(c['peak_rss_mib'] for c in diffc['cases'].values()):.0f} MiB "
              f"(largest of the per-case processes)")
    return 0 if ok else 1


def cmd_collect_diffc(a):
    """Merges diffc-bench's --json lines (diffc-*.jsonl) into result-diffc.json."""
    results = {"peer": "diffc", "cases": {}}
    isa = threads = None
    for case, b, _, _ in FORWARD + [DDIM]:
        key = case.replace(" ", "_")
        path = os.path.join(a.work, f"diffc-{key}.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            r = json.loads(f.read().strip().splitlines()[-1])
        results["cases"][case] = r
        isa, threads = r["isa"], r["threads"]
    results["version"] = f"diffc-bench, {threads} threads, {isa} micro-kernels"
    with open(os.path.join(a.work, "result-diffc.json"), "w") as f:
        json.dump(results, f)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["prepare", "torch", "table", "collect-diffc",
                                       "cases"])
    p.add_argument("--work", required=True)
    p.add_argument("--weights")
    p.add_argument("--scheduler-config")
    p.add_argument("--label", default="torch")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    if a.command == "prepare":
        return cmd_prepare(a)
    if a.command == "torch":
        return cmd_torch(a)
    if a.command == "collect-diffc":
        return cmd_collect_diffc(a)
    if a.command == "cases":
        # For the shell: "key batch warmup reps" per line.
        for case, b, w, r in FORWARD + [DDIM]:
            print(case.replace(" ", "_"), b, w, r, "ddim" if case == DDIM[0] else "forward")
        return 0
    return cmd_table(a)


if __name__ == "__main__":
    sys.exit(main())
