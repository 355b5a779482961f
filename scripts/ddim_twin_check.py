#!/usr/bin/env python3
# ===- scripts/ddim_twin_check.py - diffc's DDIM loop vs a float64 twin ---===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# Runs DDIM (eta = 0) with the shipped weights in float64 PyTorch on the
# U-Net's twin (frontends/python/unet2d_torch.py, shipped configuration),
# using diffusers' DDIMScheduler formulas for examples/scheduler_config.json
# (bench/unet_cpu.py's ddim_schedule), from the x_T diffc started from, and
# compares with diffc's result. Used to tell sampler bugs from model
# behaviour in docs/ddim-table.md.
#
#   diffc-run MODEL.diffc sample --sampler ddim --steps S --eta 0 \
#       --init xT.npy --weights models/fmnist-ddpm/ema.safetensors \
#       --scheduler-config examples/scheduler_config.json --out got.npy
#   scripts/ddim_twin_check.py S xT.npy got.npy [scheduler_config.json]
# ===----------------------------------------------------------------------===#
import math
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "frontends", "python"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import unet2d_torch as twin  # noqa: E402
from unet_cpu import ddim_schedule, read_safetensors  # noqa: E402


def main():
    steps, xt_path, got_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    cfg = twin.fmnist_small()  # + models/fmnist-ddpm/train.sh's zoo flags
    cfg.base_channels, cfg.channel_mult = 32, [1, 2, 2]
    cfg.layers_per_block, cfg.attention_resolutions = 2, [7]
    cfg.norm_groups = 8
    model = twin.UNet2D(cfg).eval()
    weights = os.path.join(ROOT, "models", "fmnist-ddpm", "ema.safetensors")
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in
                           read_safetensors(weights).items()}, strict=True)
    model = model.double()
    config = sys.argv[4] if len(sys.argv) > 4 else os.path.join(
        ROOT, "examples", "scheduler_config.json")
    sched = ddim_schedule(config, steps)
    x = torch.from_numpy(np.load(xt_path).astype(np.float64))
    r = sched["clip_sample_range"]
    with torch.no_grad():
        for t, at, ap in zip(sched["timesteps"], sched["alphabar_t"],
                             sched["alphabar_prev"]):
            eps = model(x, torch.full((x.shape[0],), t, dtype=torch.int64))
            x0 = (x - math.sqrt(1.0 - at) * eps) / math.sqrt(at)
            if sched["clip_sample"]:
                x0 = x0.clamp(-r, r)
            x = math.sqrt(ap) * x0 + math.sqrt(1.0 - ap) * eps
    want = x.numpy()
    got = np.load(got_path).astype(np.float64)
    err = np.abs(got - want).max() / np.abs(want).max()
    print(f"DDIM eta 0, {steps} steps, {x.shape[0]} samples: max |diffc - "
          f"float64 twin| / max |twin| = {err:.2e}")
    return 0 if err < 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
