#!/usr/bin/python3
#===- unet_gpu.py - CIFAR-10 DDPM U-Net on a GPU: diffc vs PyTorch -------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""The GPU benchmark of issue 4 (docs/gpu.md, "Benchmark"), in two halves
because the GPU machine has PyTorch and the driver but no MLIR:

  prepare --work DIR --bin BUILD/bin [--targets sm_90]   (here)
      Writes the CIFAR-10 DDPM U-Net of Ho et al. (diffc-zoo unet2d
      --preset=cifar10_ddpm: 3x32x32, channels 128, multipliers 1,2,2,2, 2
      blocks, attention at 16x16; 35.7 M parameters) and compiles it with
      its DDIM sampler for the GPU targets, without weights (143 MB would
      not travel to the GPU machine: the weights are made there), and
      writes the inputs: x{B}.npy / t{B}.npy for the forward pass and
      xT{B}.npy for DDIM, B = 1 and 128, and the DDIM schedule for
      PyTorch's loop (the same diffusers formulas as bench/unet_cpu.py).
      About 14 MB for one target (two variants).

  measure --work DIR --diffc-bench BIN [--budget-s S]   (on the GPU machine)
      Makes random weights with the PyTorch twin (seed 1) and writes them
      for diffc, then times, on the same GPU, same weights, same inputs:
      diffc (diffc-bench --device=cuda: each call includes copying inputs
      in and results out; as compiled and with --gpu-coarsen=4, 4 output
      channels per thread in the convolutions: "diffc c4"),
      PyTorch eager in float32 (TF32 off), eager with TF32, eager bf16
      (autocast), torch.compile float32 and bf16: the forward pass at batch
      1 and 128 and a whole 50-step DDIM run (eta 0) at batch 1 and 128.
      Checks diffc's forward outputs against PyTorch float32. Cases run in
      order of importance and stop when the budget (seconds) is spent; what
      did not run says so. Prints a markdown table last.

diffc runs float32 only (no bf16 kernels yet); its TF32 use is none (no
tensor-core kernels yet).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import unet_cpu  # noqa: E402  (read_safetensors, ddim_schedule)

BATCHES = (1, 128)
STEPS = 50


def cmd_prepare(a):
    os.makedirs(a.work, exist_ok=True)
    unet = os.path.join(a.work, "unet.mlir")
    subprocess.run([os.path.join(a.bin, "diffc-zoo"), "unet2d",
                    "--preset=cifar10_ddpm", "-o", unet], check=True)
    config = os.path.join(ROOT, "examples", "scheduler_config.json")
    # Two variants for the measurement to decide between: one output per
    # thread in the convolutions, and 4 output channels per thread.
    for name, coarsen in (("cifar.diffc", 1), ("cifar-c4.diffc", 4)):
        start = time.time()
        subprocess.run([os.path.join(a.bin, "diffc"), "compile", unet,
                        "--sampler=ddim", f"--scheduler-config={config}",
                        f"--target={a.targets}", f"--gpu-coarsen={coarsen}",
                        "-o", os.path.join(a.work, name)], check=True)
        print(f"  compiled {name} for {a.targets} in {time.time() - start:.0f} s",
              file=sys.stderr)
    rng = np.random.default_rng(2026)
    for b in BATCHES:
        np.save(os.path.join(a.work, f"x{b}.npy"),
                rng.standard_normal((b, 3, 32, 32), dtype=np.float32))
        np.save(os.path.join(a.work, f"t{b}.npy"),
                rng.integers(0, 1000, b).astype(np.int64))
        np.save(os.path.join(a.work, f"xT{b}.npy"),
                rng.standard_normal((b, 3, 32, 32), dtype=np.float32))
    with open(os.path.join(a.work, f"ddim{STEPS}.json"), "w") as f:
        json.dump(unet_cpu.ddim_schedule(config, STEPS), f)


class Budget:
    def __init__(self, seconds):
        self.end = time.time() + seconds

    def left(self):
        return self.end - time.time()


def diffc_case(a, entry, args, warmup, reps, out=None, artifact="cifar.diffc"):
    cmd = [a.diffc_bench, os.path.join(a.work, artifact), entry,
           "--weights", os.path.join(a.work, "weights.safetensors"),
           "--device", "cuda", "--warmup", str(warmup), "--reps", str(reps),
           "--json"]
    for arg in args:
        cmd += ["--arg", arg]
    if out:
        cmd += ["--out", out]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1])
    return json.loads(proc.stdout)["median_ms"]


def torch_peer(a):
    import torch
    sys.path.insert(0, os.path.join(ROOT, "frontends", "python"))
    import unet2d_torch as twin
    torch.manual_seed(1)
    model = twin.UNet2D(twin.cifar10_ddpm()).eval()
    # Random weights (PyTorch's default initialization), the same for diffc.
    twin.write_safetensors(os.path.join(a.work, "weights.safetensors"),
                           model.state_dict())
    params = sum(p.numel() for p in model.parameters())
    print(f"  twin: {params / 1e6:.2f} M parameters", file=sys.stderr)
    return torch, model.cuda()


def cuda_median(torch, fn, warmup, reps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        s = torch.cuda.Event(enable_timing=True)
        e = torch.cuda.Event(enable_timing=True)
        s.record()
        fn()
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e))
    return statistics.median(times)


def cmd_measure(a):
    budget = Budget(a.budget_s)
    rows = {}      # case -> {peer: ms or text}
    notes = []

    def put(case, peer, value):
        rows.setdefault(case, {})[peer] = value

    torch, model = torch_peer(a)
    dev = torch.device("cuda")
    name = torch.cuda.get_device_name(0)
    with open(os.path.join(a.work, f"ddim{STEPS}.json")) as f:
        sched = json.load(f)
    inputs = {b: (torch.from_numpy(np.load(os.path.join(a.work, f"x{b}.npy"))).to(dev),
                  torch.from_numpy(np.load(os.path.join(a.work, f"t{b}.npy"))).to(dev),
                  torch.from_numpy(np.load(os.path.join(a.work, f"xT{b}.npy"))).to(dev))
              for b in BATCHES}

    def ddim(net, b):
        x = inputs[b][2]
        r = sched["clip_sample_range"]
        for t, at, ap in zip(sched["timesteps"], sched["alphabar_t"],
                             sched["alphabar_prev"]):
            eps = net(x, torch.full((b,), t, dtype=torch.int64, device=dev)).float()
            x0 = (x - math.sqrt(1.0 - at) * eps) / math.sqrt(at)
            if sched["clip_sample"]:
                x0 = x0.clamp(-r, r)
            x = math.sqrt(ap) * x0 + math.sqrt(1.0 - ap) * eps
        return x

    peers = {}
    compiled = None
    try:
        compiled = torch.compile(model)
    except Exception as e:  # noqa: BLE001
        notes.append(f"torch.compile unavailable: {type(e).__name__}: {e}")

    def mode(tf32, bf16, net):
        def run(fn):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
            with torch.no_grad(), torch.autocast("cuda", torch.bfloat16, enabled=bf16):
                return fn()
        return run, net

    peers["eager fp32"] = mode(False, False, model)
    peers["eager tf32"] = mode(True, False, model)
    peers["eager bf16"] = mode(False, True, model)
    if compiled is not None:
        peers["compile fp32"] = mode(False, False, compiled)
        peers["compile bf16"] = mode(False, True, compiled)

    # Forward passes first (most important), then DDIM at batch 1, then 128.
    plan = [("forward", b) for b in BATCHES] + [("ddim", b) for b in BATCHES]
    for kind, b in plan:
        case = f"{kind} b{b}" if kind == "forward" else f"DDIM {STEPS} steps b{b}"
        heavy = kind == "ddim"
        # diffc records a call as a CUDA graph on its second run and
        # replays it from the third: two warm-up calls leave the timed ones
        # replays (one warm-up only for the slow DDIM b128 run).
        warmup, reps = ((2, 3) if heavy else (5, 20)) if b == 1 else \
                       ((1, 1) if heavy else (2, 10))
        if budget.left() < 20:
            put(case, "diffc", "skipped (budget)")
            continue
        try:
            if kind == "forward":
                out = os.path.join(a.work, f"diffc-out{b}.npy")
                ms = diffc_case(a, "unet", [os.path.join(a.work, f"x{b}.npy"),
                                            os.path.join(a.work, f"t{b}.npy")],
                                warmup, reps, out)
            else:
                ms = diffc_case(a, "sample_ddim",
                                [os.path.join(a.work, f"xT{b}.npy"),
                                 f"i64:{STEPS}", "f32:0", "i64:0"], warmup, reps)
            put(case, "diffc", ms)
        except Exception as e:  # noqa: BLE001
            put(case, "diffc", f"failed: {str(e)[:60]}")
        # The 4-channels-per-thread convolutions (--gpu-coarsen=4), except
        # for the slow DDIM b128 run.
        if budget.left() < 20 or (heavy and b != 1):
            put(case, "diffc c4", "skipped")
        else:
            try:
                if kind == "forward":
                    ms = diffc_case(a, "unet", [os.path.join(a.work, f"x{b}.npy"),
                                                os.path.join(a.work, f"t{b}.npy")],
                                    warmup, reps, artifact="cifar-c4.diffc")
                else:
                    ms = diffc_case(a, "sample_ddim",
                                    [os.path.join(a.work, f"xT{b}.npy"),
                                     f"i64:{STEPS}", "f32:0", "i64:0"], warmup,
                                    reps, artifact="cifar-c4.diffc")
                put(case, "diffc c4", ms)
            except Exception as e:  # noqa: BLE001
                put(case, "diffc c4", f"failed: {str(e)[:60]}")
        for peer, (run, net) in peers.items():
            if budget.left() < 20:
                put(case, peer, "skipped (budget)")
                continue
            try:
                if kind == "forward":
                    x, t, _ = inputs[b]
                    ms = cuda_median(torch, lambda: run(lambda: net(x, t)), warmup, reps)
                    if peer == "eager fp32":
                        ref = run(lambda: net(x, t)).float().cpu().numpy()
                        got_path = os.path.join(a.work, f"diffc-out{b}.npy")
                        if os.path.exists(got_path):
                            got = np.load(got_path).astype(np.float64)
                            rel = np.linalg.norm(got - ref) / np.linalg.norm(ref)
                            notes.append(f"forward b{b}: diffc (GPU) vs PyTorch fp32 "
                                         f"relative error {rel:.2e} (norm), max abs "
                                         f"{np.abs(got - ref).max():.2e}")
                else:
                    ms = cuda_median(torch, lambda: run(lambda: ddim(net, b)), warmup, reps)
                put(case, peer, ms)
            except Exception as e:  # noqa: BLE001
                put(case, peer, f"failed: {type(e).__name__}")

    cols = ["diffc", "diffc c4"] + list(peers)
    print(f"\n### CIFAR-10 DDPM U-Net on {name} (median ms; diffc float32, "
          f"no TF32)\n")
    print("| case | " + " | ".join(cols) + " | diffc / best torch.compile |")
    print("|---|" + "---:|" * (len(cols) + 1))
    for case, values in rows.items():
        cells = []
        for c in cols:
            v = values.get(c, "-")
            cells.append(f"{v:.2f}" if isinstance(v, float) else str(v))
        best = [values[c] for c in ("compile fp32", "compile bf16")
                if isinstance(values.get(c), float)]
        ours = [values[c] for c in ("diffc", "diffc c4")
                if isinstance(values.get(c), float)]
        d = min(ours) if ours else None
        ratio = f"{d / min(best):.2f}x" if best and isinstance(d, float) else "-"
        print(f"| {case} | " + " | ".join(cells) + f" | {ratio} |")
    for n in notes:
        print(f"- {n}")
    with open(os.path.join(a.work, "result.json"), "w") as f:
        json.dump({"device": name, "rows": rows, "notes": notes}, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("prepare")
    q.add_argument("--work", required=True)
    q.add_argument("--bin", required=True)
    q.add_argument("--targets", default="sm_90",
                   help="GPU targets (H100/H200: sm_90)")
    q = sub.add_parser("measure")
    q.add_argument("--work", required=True)
    q.add_argument("--diffc-bench", required=True)
    q.add_argument("--budget-s", type=float, default=240)
    a = p.parse_args()
    return {"prepare": cmd_prepare, "measure": cmd_measure}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
