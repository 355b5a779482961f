"""Checks reference.adam, the float64 formula the training e2e cases compare
against, with torch.optim.Adam and AdamW themselves (float64 tensors, five
steps, weight decay, non-default betas). Prints "<optimizer>: ok" or the
error and exits 1."""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402


def check(name, decoupled):
    rng = np.random.default_rng(11)
    p0 = rng.standard_normal((4, 5))
    grads = [rng.standard_normal((4, 5)) for _ in range(5)]
    opts = dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
    param = torch.nn.Parameter(torch.tensor(p0, dtype=torch.float64))
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opt = cls([param], **opts)
    p, m, v = p0, np.zeros_like(p0), np.zeros_like(p0)
    err = 0.0
    for step, g in enumerate(grads, start=1):
        param.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        p, m, v = ref.adam(p, g, m, v, step, 0.05, beta1=0.8, beta2=0.99,
                           eps=1e-6, weight_decay=0.1, decoupled=decoupled)
        state = opt.state[param]
        for got, want in ((param.detach().numpy(), p),
                          (state["exp_avg"].numpy(), m),
                          (state["exp_avg_sq"].numpy(), v)):
            err = max(err, float(np.max(np.abs(got - want))))
    ok = err <= 1e-12
    print(f"{name}: {'ok' if ok else 'FAIL'} (max error {err:.2e})")
    return ok


if __name__ == "__main__":
    ok = check("adam", False) & check("adamw", True)
    sys.exit(0 if ok else 1)
