#!/usr/bin/env python3
"""Checks diffc's compiled classifier training step against PyTorch.

`diffc compile --train=classifier` adds train_loss_grad(params, x, labels) ->
(loss, grads) and train_step (docs/training.md, docs/evaluation.md) around
the zoo classifier. This script builds the PyTorch twin
(classifier_torch.py) with seeded random weights and compares, in float64:

  1. classifier: the logits and the penultimate features;
  2. train_loss_grad: F.cross_entropy and every parameter's gradient
     (torch.autograd);
  3. train_step at step 3: the new parameters, both Adam moments, the EMA
     and the loss (torch.optim formulas of test/e2e/reference.py).

Errors are norm-wise relative per tensor (max |got - want| / max |want|);
prints one line per check and exits non-zero when one exceeds --rtol.

usage: classifier_train_step_check.py --diffc-run diffc-run --artifact
           clf.diffc [classifier options as for classifier_torch.py]
           [--batch 4] [--seed 0]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "e2e"))
import classifier_torch as twin  # noqa: E402
import reference as ref  # noqa: E402
from train_step_check import call, check_step, rel, step_state  # noqa: E402
from unet2d_torch import write_safetensors  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--diffc-run", required=True)
    p.add_argument("--artifact", required=True)
    twin.add_config_args(p)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rtol", type=float, default=1e-4)
    a = p.parse_args()
    cfg = twin.config_from_args(a)

    info = json.loads(subprocess.run([a.diffc_run, a.artifact, "inspect"],
                                     capture_output=True, text=True,
                                     check=True).stdout)
    meta = info["metadata"]
    names = json.loads(meta["train.parameters"])
    tconf = json.loads(meta["train.config"])
    assert meta["train.kind"] == "classifier", meta.get("train.kind")

    torch.manual_seed(a.seed)
    model = twin.Classifier(cfg).double()
    gen = torch.Generator().manual_seed(a.seed)
    with torch.no_grad():
        for prm in model.parameters():
            if prm.dim() == 1:
                prm.add_(0.1 * torch.randn(prm.shape, generator=gen,
                                           dtype=prm.dtype))
            prm.copy_(prm.float().double())
    state = dict(model.named_parameters())
    if names != list(state):
        sys.exit(f"parameter order differs: diffc {names[:4]}..., twin "
                 f"{list(state)[:4]}...")
    params = [state[n].detach().float().numpy() for n in names]

    rng = np.random.default_rng(a.seed)
    shape = (a.batch, cfg.in_channels, cfg.sample_size, cfg.sample_size)
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    labels = rng.integers(0, cfg.num_classes, a.batch).astype(np.int64)

    def loss_and_grads():
        model.zero_grad()
        logits, _ = model(torch.tensor(x, dtype=torch.float64))
        loss = F.cross_entropy(logits, torch.tensor(labels))
        loss.backward()
        return loss.item(), [state[n].grad.numpy().copy() for n in names]

    ok = True
    with tempfile.TemporaryDirectory() as work:
        weights = os.path.join(work, "weights.safetensors")
        write_safetensors(weights, {n: state[n] for n in names})

        # 1. The forward pass.
        got = call(a.diffc_run, a.artifact, "classifier", [x], 2, work, weights)
        with torch.no_grad():
            want = [t.numpy() for t in model(torch.tensor(x, dtype=torch.float64))]
        for what, g, w in zip(("logits", "features"), got, want):
            e = rel(g, w)
            good = e <= a.rtol
            ok &= good
            print(f"{'ok' if good else 'FAIL'} classifier {what}: rel error {e:.1e}")

        # 2. Gradients of the cross-entropy.
        got = call(a.diffc_run, a.artifact, "train_loss_grad",
                   params + [x, labels], 1 + len(names), work, weights)
        want_loss, want_grads = loss_and_grads()
        errs = [rel(g, w) for g, w in zip(got[1:], want_grads)]
        worst = int(np.argmax(errs))
        e_loss = rel(got[0], want_loss)
        good = e_loss <= a.rtol and max(errs) <= a.rtol
        ok &= good
        print(f"{'ok' if good else 'FAIL'} train_loss_grad: loss "
              f"{float(got[0]):.6f} (rel error {e_loss:.1e}), {len(names)} "
              f"gradients, worst rel error {errs[worst]:.1e} ({names[worst]})")

        # 3. One whole step at step 3 (bias correction).
        step, lr, decay, seed = 3, 1e-3, 0.99, 7
        m, v, ema = step_state(rng, params)
        out = call(a.diffc_run, a.artifact, "train_step",
                   params + m + v + ema + [x, labels, ("i64", step),
                                           ("f32", lr), ("f32", decay),
                                           ("i64", seed)],
                   4 * len(names) + 1, work, weights)
        ok &= check_step(out, params, want_grads, m, v, ema,
                         (step, lr, decay), tconf, want_loss, a.rtol)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
