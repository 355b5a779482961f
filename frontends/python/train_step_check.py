#!/usr/bin/env python3
"""Checks diffc's compiled training step of the zoo U-Net against PyTorch.

`diffc compile --train` adds train_loss_grad(params, x0, t, eps) -> (loss,
grads) and train_step (docs/training.md). This script builds the PyTorch twin
(unet2d_torch.py) with seeded random weights, evaluates L_simple and its
gradients in float64 with torch.autograd for the same batch, timesteps and
noise, and compares:

  1. train_loss_grad: the loss and every parameter's gradient;
  2. train_step: t and eps drawn inside from Philox (the independent numpy
     Philox of test/unit/runtime/philox_reference.py gives them here), then
     AdamW with bias correction and EMA: the new parameters, both moments,
     the EMA and the loss.

Errors are norm-wise relative per tensor (max |got - want| / max |want|,
with max |want| floored at 1e-3 of the largest gradient for gradients that
vanish in exact arithmetic);
prints one line per group and exits non-zero when one exceeds --rtol.

usage: train_step_check.py --diffc-run diffc-run --artifact model.diffc
           [U-Net options as for unet2d_torch.py] [--batch 2] [--seed 0]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "e2e"))
import reference as ref  # noqa: E402
import unet2d_torch as twin  # noqa: E402

SEED_T_OFFSET = 0x9E3779B97F4A7C15  # TrainingBuilder.h: t's Philox key


def call(diffc_run, artifact, entry, args, nout, work, weights):
    # The artifact's other entries (the model itself) read the parameters
    # from storage that must be bound, even though train_* take them as
    # arguments.
    argv = [diffc_run, artifact, "call", entry, "--weights", weights]
    for i, a in enumerate(args):
        if isinstance(a, tuple):
            argv += ["--arg", f"{a[0]}:{a[1]!r}" if a[0] == "f32" else f"{a[0]}:{a[1]}"]
        else:
            path = os.path.join(work, f"{entry}.in{i}.npy")
            np.save(path, a)
            argv += ["--arg", path]
    outs = [os.path.join(work, f"{entry}.out{i}.npy") for i in range(nout)]
    for o in outs:
        argv += ["--out", o]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"diffc-run {entry} failed: {proc.stderr.strip()}")
    return [np.load(o) for o in outs]


def rel(got, want):
    want = np.asarray(want, np.float64)
    return float(np.max(np.abs(np.asarray(got, np.float64) - want)) /
                 max(np.max(np.abs(want)), 1e-30))


def step_state(rng, params):
    """Adam moments and EMA weights for a whole-step check: random, small,
    never zero, so bias correction and the EMA both show."""
    m = [(1e-3 * rng.standard_normal(q.shape)).astype(np.float32) for q in params]
    v = [(1e-6 * rng.standard_normal(q.shape) ** 2).astype(np.float32) for q in params]
    ema = [(q + 0.01 * rng.standard_normal(q.shape)).astype(np.float32) for q in params]
    return m, v, ema


def check_step(out, params, grads, m, v, ema, hyper, tconf, want_loss, rtol,
               loss_note=""):
    """Compares train_step's outputs (4P states, loss) with the AdamW and EMA
    formulas of reference.py applied to `grads`; prints one line per group
    and returns whether all are within tolerance. hyper = (step, lr, decay)."""
    step, lr, decay = hyper
    P = len(params)
    groups = {"params": [], "exp_avg": [], "exp_avg_sq": [], "ema": []}
    for i in range(P):
        pw, mw, vw = ref.adam(params[i], grads[i], m[i], v[i], step, lr,
                              tconf["beta1"], tconf["beta2"], tconf["epsilon"],
                              tconf["weight_decay"],
                              decoupled=tconf["optimizer"] == "adamw")
        ew = ref.ema(ema[i], pw, decay)
        # Parameters move by about lr per step: compare the update.
        groups["params"].append(rel(out[i] - params[i], pw - params[i]))
        groups["exp_avg"].append(rel(out[P + i], mw))
        groups["exp_avg_sq"].append(rel(out[2 * P + i], vw))
        groups["ema"].append(rel(out[3 * P + i] - ema[i], ew - ema[i]))
    e_loss = rel(out[4 * P], want_loss)
    ok = e_loss <= rtol
    print(f"{'ok' if ok else 'FAIL'} train_step loss {float(out[4 * P]):.6f} "
          f"(rel error {e_loss:.1e}{loss_note})")
    for g, errs in groups.items():
        # Adam divides by sqrt(v): elements with tiny v amplify float32
        # rounding of the gradient, so the update gets a 10x looser bound.
        tol = rtol * (10 if g in ("params", "ema") else 1)
        good = max(errs) <= tol
        ok &= good
        print(f"{'ok' if good else 'FAIL'} train_step {g}: worst rel error "
              f"{max(errs):.1e} (tolerance {tol:.0e})")
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--diffc-run", required=True)
    p.add_argument("--artifact", required=True)
    p.add_argument("--preset", choices=sorted(twin.PRESETS), default="fmnist_small")
    for key in ("sample_size", "in_channels", "out_channels", "base_channels",
                "layers_per_block", "norm_groups", "time_embed_dim",
                "attention_head_dim", "num_classes"):
        p.add_argument("--" + key.replace("_", "-"), type=int)
    p.add_argument("--channel-mult")
    p.add_argument("--attention-resolutions")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rtol", type=float, default=1e-4)
    a = p.parse_args()
    cfg = twin.config_from_args(a)

    info = json.loads(subprocess.run([a.diffc_run, a.artifact, "inspect"],
                                     capture_output=True, text=True,
                                     check=True).stdout)
    names = json.loads(info["metadata"]["train.parameters"])
    tconf = json.loads(info["metadata"]["train.config"])
    T = tconf["num_train_timesteps"]

    torch.manual_seed(a.seed)
    model = twin.UNet2D(cfg).double()
    gen = torch.Generator().manual_seed(a.seed)
    with torch.no_grad():
        for prm in model.parameters():
            if prm.dim() == 1:
                prm.add_(0.1 * torch.randn(prm.shape, generator=gen, dtype=prm.dtype))
    state = dict(model.named_parameters())
    missing = [n for n in names if n not in state]
    if missing or len(names) != len(state):
        sys.exit(f"parameter mismatch: diffc has {len(names)}, twin {len(state)}; "
                 f"missing in twin: {missing[:5]}")
    # float32 values everywhere, so both sides start from the same numbers.
    with torch.no_grad():
        for prm in model.parameters():
            prm.copy_(prm.float().double())
    params = [state[n].detach().float().numpy() for n in names]

    rng = np.random.default_rng(a.seed)
    shape = (a.batch, cfg.in_channels, cfg.sample_size, cfg.sample_size)
    x0 = rng.uniform(-1, 1, shape).astype(np.float32)
    t = rng.integers(0, T, a.batch).astype(np.int64)
    eps = rng.standard_normal(shape).astype(np.float32)
    abar = torch.tensor(ref.linear_alphas_cumprod(T))

    def loss_and_grads(x0, t, eps):
        model.zero_grad()
        ab = abar[torch.tensor(t)].reshape(-1, 1, 1, 1)
        xt = ab.sqrt() * torch.tensor(x0, dtype=torch.float64) + \
            (1 - ab).sqrt() * torch.tensor(eps, dtype=torch.float64)
        pred = model(xt, torch.tensor(t))
        loss = torch.mean((pred - torch.tensor(eps, dtype=torch.float64)) ** 2)
        loss.backward()
        return loss.item(), [state[n].grad.numpy().copy() for n in names]

    ok = True
    with tempfile.TemporaryDirectory() as work:
        weights = os.path.join(work, "weights.safetensors")
        twin.write_safetensors(weights, {n: state[n] for n in names})
        # 1. Gradients.
        got = call(a.diffc_run, a.artifact, "train_loss_grad",
                   params + [x0, t, eps], 1 + len(names), work, weights)
        want_loss, want_grads = loss_and_grads(x0, t, eps)
        # A few gradients are zero in exact arithmetic (the keys' bias of
        # attention: softmax ignores a shift shared by all keys), so each
        # tensor's error is relative to its largest element or, if larger,
        # to 1e-3 of the largest gradient of the model.
        floor = 1e-3 * max(float(np.max(np.abs(w))) for w in want_grads)
        errs = [float(np.max(np.abs(g.astype(np.float64) - w)) /
                      max(float(np.max(np.abs(w))), floor))
                for g, w in zip(got[1:], want_grads)]
        worst = int(np.argmax(errs))
        e_loss = rel(got[0], want_loss)
        good = e_loss <= a.rtol and max(errs) <= a.rtol
        ok &= good
        print(f"{'ok' if good else 'FAIL'} train_loss_grad: loss {float(got[0]):.6f} "
              f"(rel error {e_loss:.1e}), {len(names)} gradients, worst rel error "
              f"{errs[worst]:.1e} ({names[worst]}), median {np.median(errs):.1e}")

        # 2. One whole step at step 3 (bias correction), t and eps from Philox.
        step, lr, decay, seed = 3, 1e-3, 0.99, 7
        m, v, ema = step_state(rng, params)
        out = call(a.diffc_run, a.artifact, "train_step",
                   params + m + v + ema + [x0, ("i64", step), ("f32", lr),
                                           ("f32", decay), ("i64", seed)],
                   4 * len(names) + 1, work, weights)
        offset = step << 32
        t2 = ref.philox_integers((seed + SEED_T_OFFSET) % 2**64, offset,
                                 (a.batch,), 0, T)
        eps2 = ref.philox_normals(seed, offset, shape).astype(np.float32)
        want_loss, grads = loss_and_grads(x0, t2, eps2)
        ok &= check_step(out, params, grads, m, v, ema, (step, lr, decay),
                         tconf, want_loss, a.rtol, f", t = {t2.tolist()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
