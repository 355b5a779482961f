#!/usr/bin/python3
#===- train_cpu.py - U-Net training step on CPU: PyTorch side, table ------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""The Python half of bench/train_cpu.sh (run that, not this).

Subcommands, all with --work DIR (bench/.cache/train/work):

  prepare --artifact A.diffc --diffc-run BIN --weights W --batches 32,64
      Reads `train.parameters` and `train.config` from the artifact
      (`diffc-run A inspect`), writes train_step's 4P + 5 arguments as files:
      p<i>.npy (the initial weights, used for the parameters and the EMA),
      z<i>.npy (zeros, both Adam moments: the work does not depend on their
      values), x0_<B>.npy (the first B images of a seeded permutation of
      Fashion-MNIST's training set, in [-1, 1]) and args_<B>.txt (one
      diffc-bench --arg per line, in signature order).
  torch --batch B --warmup N --reps M --threads T [--zoo-args ...]
      One process: the PyTorch twin with the same weights, then N + M full
      training steps (t and noise, q(x_t|x_0), forward, MSE, backward,
      AdamW step, EMA update); prints one JSON line with the times and the
      process's peak RSS (getrusage).
  table
      Reads result-<peer>-<B>.json and prints the markdown table.
"""

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from unet_cpu import blas_in_use, read_safetensors  # noqa: E402

FMNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def inspect(diffc_run, artifact):
    out = subprocess.run([diffc_run, artifact, "inspect"], check=True,
                         capture_output=True, text=True).stdout
    meta = json.loads(out)["metadata"]
    sched = json.loads(meta.get("train.scheduler_config")
                       or meta.get("scheduler_config") or "{}")
    return (json.loads(meta["train.parameters"]), json.loads(meta["train.config"]),
            sched)


def fashion_mnist(count, seed=0):
    """`count` Fashion-MNIST training images, 1x28x28 in [-1, 1] (float32)."""
    with gzip.open(FMNIST, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[4:8], "big")
    images = np.frombuffer(data, np.uint8, n * 784, 16).reshape(n, 1, 28, 28)
    pick = np.random.default_rng(seed).permutation(n)[:count]
    return (images[pick].astype(np.float32) * (2.0 / 255.0) - 1.0)


def cmd_prepare(a):
    names, config, sched = inspect(a.diffc_run, a.artifact)
    weights = read_safetensors(a.weights)
    missing = [n for n in names if n not in weights]
    if missing:
        sys.exit(f"train_cpu.py: {a.weights} lacks {missing[:3]}...")
    for i, n in enumerate(names):
        np.save(os.path.join(a.work, f"p{i}.npy"), weights[n])
        np.save(os.path.join(a.work, f"z{i}.npy"), np.zeros_like(weights[n]))
    batches = [int(b) for b in a.batches.split(",")]
    x = fashion_mnist(max(batches))
    P = len(names)
    for b in batches:
        np.save(os.path.join(a.work, f"x0_{b}.npy"), np.ascontiguousarray(x[:b]))
        args = ([f"p{i}.npy" for i in range(P)] + [f"z{i}.npy" for i in range(P)] * 2
                + [f"p{i}.npy" for i in range(P)]
                + [f"x0_{b}.npy", f"i64:{a.step}", f"f32:{a.lr}",
                   f"f32:{a.ema_decay}", "i64:0"])
        with open(os.path.join(a.work, f"args_{b}.txt"), "w") as f:
            f.write("\n".join(args) + "\n")
    with open(os.path.join(a.work, "train_config.json"), "w") as f:
        json.dump({"parameters": names, "config": config, "scheduler": sched}, f)
    count = sum(int(np.prod(weights[n].shape)) for n in names)
    print(f"  {P} parameter tensors, {count:,} values; train.config {json.dumps(config)}",
          file=sys.stderr)


def twin_config(zoo_args):
    sys.path.insert(0, os.path.join(ROOT, "frontends", "python"))
    import unet2d_torch as twin
    p = argparse.ArgumentParser()
    p.add_argument("--preset", default="fmnist_small")
    for key in ("sample_size", "in_channels", "out_channels", "base_channels",
                "layers_per_block", "norm_groups", "time_embed_dim",
                "attention_head_dim", "num_classes"):
        p.add_argument("--" + key.replace("_", "-"), type=int)
    p.add_argument("--channel-mult")
    p.add_argument("--attention-resolutions")
    return twin, twin.config_from_args(p.parse_args(zoo_args))


def cmd_torch(a):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(os.path.join(a.work, "train_config.json")) as f:
        tc = json.load(f)
    cfg = tc["config"]
    twin, ucfg = twin_config(a.zoo_args.split())
    model = twin.UNet2D(ucfg).train()
    state = {k: torch.from_numpy(v.copy()) for k, v in read_safetensors(a.weights).items()}
    model.load_state_dict(state, strict=True)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=a.lr, betas=(cfg["beta1"], cfg["beta2"]),
                            eps=cfg["epsilon"], weight_decay=cfg["weight_decay"],
                            foreach=True)
    ema = [p.detach().clone() for p in params]
    T = int(cfg["num_train_timesteps"])
    # The schedule the step was compiled with (train.scheduler_config).
    sched = tc["scheduler"]
    if sched.get("beta_schedule", "linear") != "linear":
        sys.exit("train_cpu.py: the PyTorch step implements linear betas only")
    betas = torch.linspace(sched.get("beta_start", 1e-4), sched.get("beta_end", 0.02), T,
                           dtype=torch.float64)
    abar = torch.cumprod(1.0 - betas, 0).float()
    x0 = torch.from_numpy(np.load(os.path.join(a.work, f"x0_{a.batch}.npy")))
    decay = a.ema_decay
    if cfg.get("prediction_type", "epsilon") != "epsilon":
        sys.exit("train_cpu.py: the PyTorch step implements epsilon prediction only")

    def step():
        b = x0.shape[0]
        t = torch.randint(0, T, (b,))
        eps = torch.randn_like(x0)
        ab = abar[t].view(b, 1, 1, 1)
        xt = ab.sqrt() * x0 + (1.0 - ab).sqrt() * eps
        loss = F.mse_loss(model(xt, t), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.get("grad_clip", 0):
            torch.nn.utils.clip_grad_norm_(params, cfg["grad_clip"])
        opt.step()
        with torch.no_grad():
            torch._foreach_mul_(ema, decay)
            torch._foreach_add_(ema, [p.detach() for p in params], alpha=1.0 - decay)
        return float(loss)

    times = []
    for r in range(a.warmup + a.reps):
        start = time.perf_counter()
        loss = step()
        ms = (time.perf_counter() - start) * 1e3
        if r >= a.warmup:
            times.append(ms)
        print(f"{a.label} b{a.batch} {'rep' if r >= a.warmup else 'warm-up'} "
              f"{r + 1}: {ms:.1f} ms (loss {loss:.4f})", file=sys.stderr, flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peer": a.label, "batch": a.batch, "blas": blas_in_use(), "times_ms": times,
                      "median_ms": statistics.median(times), "min_ms": min(times),
                      "peak_rss_mib": rss, "version": f"torch {torch.__version__}",
                      "threads": torch.get_num_threads(), "loss": loss}))


PEERS = [("diffc", "diffc"), ("torch", "PyTorch"), ("torch-openblas", "PyTorch+OpenBLAS")]


def cmd_table(a):
    rows = []
    for b in [int(v) for v in a.batches.split(",")]:
        r = {}
        for peer, _ in PEERS:
            path = os.path.join(a.work, f"result-{peer}-{b}.json")
            if os.path.exists(path) and os.path.getsize(path):
                with open(path) as f:
                    r[peer] = json.load(f)
        rows.append((b, r))
    peers = [(p, n) for p, n in PEERS if any(p in r for _, r in rows)]
    others = [(p, n) for p, n in peers if p != "diffc"]
    head = (["batch"] + [f"{n} median ms" for _, n in peers]
            + [f"diffc / {n}" for _, n in others]
            + [f"{n} images/s" for _, n in peers]
            + [f"{n} peak RSS MiB" for _, n in peers])
    print("| " + " | ".join(head) + " |")
    print("|" + "---:|" * len(head))
    ok = True
    for b, r in rows:
        med = {p: r[p]["median_ms"] for p, _ in peers if p in r}
        d = med.get("diffc")
        cells = [str(b)] + [f"{med[p]:.1f}" if p in med else "-" for p, _ in peers]
        cells += [f"**{d / med[p]:.2f}x**" if d and p in med else "-" for p, _ in others]
        cells += [f"{b / med[p] * 1e3:.1f}" if p in med else "-" for p, _ in peers]
        cells += [f"{r[p]['peak_rss_mib']:.0f}" if p in r else "-" for p, _ in peers]
        print("| " + " | ".join(cells) + " |")
        ok &= "diffc" in r and "torch" in r
    print()
    print("Minimum ms: " + "; ".join(
        f"b{b}: " + ", ".join(f"{n} {r[p]['min_ms']:.1f}" for p, n in peers if p in r)
        for b, r in rows))
    for b, r in rows:
        for p, n in peers:
            if p in r:
                ts = ", ".join(f"{v:.0f}" for v in r[p]["times_ms"])
                extra = f" (BLAS {r[p]['blas']}; loss of the last step {r[p]['loss']:.3f})" \
                    if "blas" in r[p] else ""
                print(f"- {n} b{b} timed steps (ms): {ts}{extra}")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["prepare", "torch", "table"])
    p.add_argument("--work", required=True)
    p.add_argument("--artifact")
    p.add_argument("--diffc-run")
    p.add_argument("--weights")
    p.add_argument("--batches", default="32,64")
    p.add_argument("--batch", type=int)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--zoo-args", default="")
    p.add_argument("--label", default="torch")
    p.add_argument("--step", type=int, default=10)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--ema-decay", type=float, default=0.999)
    a = p.parse_args()
    return {"prepare": cmd_prepare, "torch": cmd_torch, "table": cmd_table}[a.command](a)


if __name__ == "__main__":
    sys.exit(main())
