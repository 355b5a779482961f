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
      (ddim{S}.json for S = 50 and 5 steps: timesteps, alphabar_t,
      alphabar_prev; diffusers' DDIMScheduler formulas for the given
      scheduler_config.json).
  measure --diffc-bench BIN --openblas DIR --node-modules DIR --threads T
      Starts one long-lived process per peer (diffc-bench --serve; this file's
      `worker` for PyTorch as installed and with OpenBLAS first on
      LD_LIBRARY_PATH; unet_ort.js for ONNX Runtime), then runs the cases
      interleaved call by call across the peers, so that anything else on the
      machine disturbs all of them alike. Writes result-<peer>.json and each
      peer's outputs of its last call (out{B}-<peer>.npy/.bin,
      ddim{S}-<peer>.*), plus an untimed 5-step DDIM run for the check.
      A peer with a skipped-<peer>.txt in DIR is not started; one that fails
      is dropped and reported.
  worker --label NAME --threads T
      The PyTorch peer (request protocol in cmd_worker).
  table
      Checks the outputs against PyTorch's and prints the markdown tables.

Cases, warm-up and timed calls are in FORWARD and DDIM below.
"""

import argparse
import json
import math
import os
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
# The DDIM outputs are compared after CHECK_STEPS steps (an extra, untimed
# call per peer): with the untrained random weights the 50-step trajectory
# is chaotic (float32 vs float64 PyTorch differ by O(1) after 50 steps; the
# difference roughly doubles per step), so only a short run can be compared.
CHECK_STEPS = 5
if os.environ.get("BENCH_QUICK"):  # plumbing check only: one call each
    FORWARD = [(c, b, 0, 1) for c, b, _, _ in FORWARD]
    DDIM_STEPS = 5
    DDIM = (f"DDIM {DDIM_STEPS} steps b16", DDIM[1], 0, 1)
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
    for steps in {DDIM_STEPS, CHECK_STEPS}:
        with open(os.path.join(a.work, f"ddim{steps}.json"), "w") as f:
            json.dump(ddim_schedule(a.scheduler_config, steps), f)
    import warnings
    warnings.filterwarnings("ignore")
    onnx_path = os.path.join(a.work, "unet.onnx")
    x = torch.from_numpy(np.load(os.path.join(a.work, "x16.npy"))[:2].copy())
    t = torch.tensor([1, 500])
    torch.onnx.export(model, (x, t), onnx_path, opset_version=17,
                      input_names=["sample", "timestep"], output_names=["eps"],
                      dynamic_axes={"sample": {0: "batch"}, "timestep": {0: "batch"},
                                    "eps": {0: "batch"}})
    print(f"  wrote inputs, ddim{DDIM_STEPS}.json, ddim{CHECK_STEPS}.json and {onnx_path} "
          f"({os.path.getsize(onnx_path) / 2**20:.1f} MiB)", file=sys.stderr)


def blas_in_use():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower()}
    return ", ".join(sorted(os.path.basename(p) for p in libs)) or "?"


def cmd_worker(a):
    """A PyTorch peer for `measure`: one request per stdin line.

    "run KEY [save]" runs case KEY once ("f{B}": forward at batch B,
    "ddim{B}s{S}": the DDIM loop of S steps) and answers "ok <ms>" (saving
    the output to out{B}-LABEL.npy / ddim{S}-LABEL.npy after the timing when
    asked); "rss"
    answers "ok <peak RSS MiB>"; "quit" or end of input ends it.
    """
    import torch
    torch.set_num_threads(a.threads)
    model = load_twin(a.weights)
    schedules = {}
    inputs = {}

    def forward(b):
        if b not in inputs:
            inputs[b] = (torch.from_numpy(np.load(os.path.join(a.work, f"x{b}.npy"))),
                         torch.from_numpy(np.load(os.path.join(a.work, f"t{b}.npy"))))
        return model(*inputs[b])

    def sample(b, steps):
        if steps not in schedules:
            with open(os.path.join(a.work, f"ddim{steps}.json")) as f:
                schedules[steps] = json.load(f)
        sched = schedules[steps]
        x = torch.from_numpy(np.load(os.path.join(a.work, f"xT{b}.npy")))
        r = sched["clip_sample_range"]
        for t, at, ap in zip(sched["timesteps"], sched["alphabar_t"],
                             sched["alphabar_prev"]):
            eps = model(x, torch.full((b,), t, dtype=torch.int64))
            x0 = (x - math.sqrt(1.0 - at) * eps) / math.sqrt(at)
            if sched["clip_sample"]:
                x0 = x0.clamp(-r, r)
            # eta = 0: sigma_t = 0, no noise.
            x = math.sqrt(ap) * x0 + math.sqrt(1.0 - ap) * eps
        return x

    info = {"version": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
            "blas": blas_in_use()}
    print("ready " + json.dumps(info), flush=True)
    with torch.no_grad():
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] == "rss":
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"ok {rss:.1f}", flush=True)
                continue
            key = words[1]
            ddim = key.startswith("ddim")
            if ddim:
                b, steps = (int(v) for v in key[4:].split("s"))
            else:
                b = int(key[1:])
            start = time.perf_counter()
            y = sample(b, steps) if ddim else forward(b)
            ms = (time.perf_counter() - start) * 1e3
            if "save" in words[2:]:
                stem = f"ddim{steps}" if ddim else f"out{b}"
                np.save(os.path.join(a.work, f"{stem}-{a.label}.npy"), y.numpy())
            print(f"ok {ms:.4f}", flush=True)


class Peer:
    """A running peer process that speaks the worker protocol: a request per
    line on its stdin, "ok <number>" or an error per line on its stdout."""

    def __init__(self, label, cmd, env, request, work):
        self.label, self.request, self.error = label, request, None
        self.info = {}
        self.log = open(os.path.join(work, f"{label}.log"), "w")
        try:
            self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self.log,
                                         text=True, bufsize=1)
        except OSError as e:
            self.proc, self.error = None, f"could not start: {e}"

    def _line(self, line):
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            return self.proc.stdout.readline()
        except OSError:
            return ""

    def start(self):
        """Waits for the worker's "ready {json}"."""
        if self.error:
            return
        answer = self.proc.stdout.readline()
        if not answer.startswith("ready"):
            self.fail(f"did not start (exit {self.proc.poll()}); see {self.log.name}")
        else:
            self.info.update(json.loads(answer[5:].strip() or "{}"))

    def ask(self, line):
        """The number of an "ok" answer, or None (and the peer is dropped)."""
        if self.error:
            return None
        answer = self._line(line)
        if not answer:
            self.fail(f"the process ended (exit {self.proc.poll()}); see {self.log.name}")
            return None
        if not answer.startswith("ok "):
            self.fail(answer.strip())
            return None
        return float(answer.split()[1])

    def run(self, case, save=False):
        return self.ask(self.request(case, save))

    def fail(self, why):
        self.error = why
        print(f"  {self.label}: {why}", file=sys.stderr)
        if self.proc and self.proc.poll() is None:
            self.proc.kill()

    def close(self):
        if self.proc and not self.error:
            self.info["peak_rss_mib"] = self.ask("rss")
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
            except OSError:
                pass
            self.proc.wait(timeout=60)
        self.log.close()


def cmd_measure(a):
    """Starts every peer, then interleaves them call by call: for each case,
    the warm-up calls of every peer, then rep 1 of every peer, rep 2 of every
    peer (rotating which goes first), ..., so that a disturbance of the
    machine falls on all of them alike. Writes result-<peer>.json."""
    w = a.work

    check = (f"DDIM {CHECK_STEPS} steps b{DDIM[1]}", DDIM[1], 0, 1)

    def steps_of(case):
        return DDIM_STEPS if case[0] == DDIM[0] else CHECK_STEPS

    def key(case):
        if case[0] in (DDIM[0], check[0]):
            return f"ddim{case[1]}s{steps_of(case)}"
        return f"f{case[1]}"

    def diffc_request(case, save):
        b = case[1]
        if case[0] in (DDIM[0], check[0]):
            steps = steps_of(case)
            req = f"call sample_ddim {w}/xT{b}.npy i64:{steps} f32:0 i64:0"
            out = f"{w}/ddim{steps}-diffc.npy"
        else:
            req = f"call unet {w}/x{b}.npy {w}/t{b}.npy"
            out = f"{w}/out{b}-diffc.npy"
        return req + (f" --out {out}" if save else "")

    def worker_request(case, save):
        return f"run {key(case)}" + (" save" if save else "")

    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads),
               OPENBLAS_NUM_THREADS=str(a.threads), DIFFC_NUM_THREADS=str(a.threads))
    env.pop("LD_LIBRARY_PATH", None)
    skipped = {}
    for label, _ in PEERS:
        path = os.path.join(w, f"skipped-{label}.txt")
        if os.path.exists(path):
            with open(path) as f:
                skipped[label] = f.read().strip()
    torch_cmd = [sys.executable, os.path.abspath(__file__), "worker", "--work", w,
                 "--weights", os.path.join(w, "init.safetensors"),
                 "--threads", str(a.threads)]
    peers = [Peer("diffc", [a.diffc_bench, os.path.join(w, "fmnist_small.diffc"),
                            "--serve", "--weights", os.path.join(w, "init.safetensors"),
                            "--threads", str(a.threads)], env, diffc_request, w)]
    if "torch" not in skipped:
        peers.append(Peer("torch", torch_cmd + ["--label", "torch"], env,
                          worker_request, w))
    if "torch-openblas" not in skipped:
        peers.append(Peer("torch-openblas", torch_cmd + ["--label", "torch-openblas"],
                          dict(env, LD_LIBRARY_PATH=a.openblas), worker_request, w))
    if "ort" not in skipped:
        peers.append(Peer("ort", ["node", os.path.join(HERE, "unet_ort.js"), w,
                                  a.node_modules, str(a.threads)], env,
                          worker_request, w))
    for p in peers:
        p.start()
        if p.label == "torch-openblas" and not p.error and \
                "openblas" not in p.info.get("blas", ""):
            p.fail(f"PyTorch did not load OpenBLAS from {a.openblas} "
                   f"(BLAS: {p.info.get('blas')})")
        if not p.error:
            print(f"  {p.label} ready {json.dumps(p.info)}", file=sys.stderr)

    times = {p.label: {} for p in peers}
    for case in FORWARD + [DDIM]:
        name, b, warmup, reps = case
        for p in peers:
            for i in range(warmup):
                p.run(case)
        for rep in range(reps):
            order = peers[rep % len(peers):] + peers[:rep % len(peers)]
            line = []
            for p in order:
                ms = p.run(case, save=rep == reps - 1)
                if ms is not None:
                    times[p.label].setdefault(name, []).append(ms)
                    line.append(f"{p.label} {ms:.1f}")
            print(f"  {name} {rep + 1}/{reps}: " + ", ".join(line), file=sys.stderr)
    # The outputs to compare: a short DDIM run, untimed.
    for p in peers:
        p.run(check, save=True)

    for p in peers:
        p.close()
        if p.error and not times[p.label]:
            with open(os.path.join(w, f"skipped-{p.label}.txt"), "w") as f:
                f.write(p.error)
            continue
        result = {"peer": p.label,
                  "cases": {c: {"times_ms": t} for c, t in times[p.label].items()}}
        result.update(p.info)
        if p.error:
            result["error"] = p.error
        with open(os.path.join(w, f"result-{p.label}.json"), "w") as f:
            json.dump(result, f)


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
    names = {"diffc": "diffc", "torch": "PyTorch (as installed)", "torch-openblas": "PyTorch+OpenBLAS",
             "ort": "ONNX Runtime"}

    def output(label, stem, shape=None):
        """A peer's output (out{B} or ddim), or None."""
        npy = os.path.join(a.work, f"{stem}-{label}.npy")
        raw = os.path.join(a.work, f"{stem}-{label}.bin")
        if os.path.exists(npy):
            return np.load(npy)
        if os.path.exists(raw) and shape is not None:
            return np.fromfile(raw, np.float32).reshape(shape)
        return None

    ref = next((l for l in ("torch", "torch-openblas")
                if output(l, f"out{FORWARD[0][1]}") is not None), None)
    print()
    print(f"## Correctness (max |got - want| / max |want|, want = "
          f"{names.get(ref, 'PyTorch')} float32 output)")
    ok = ref is not None
    checked = 0
    for stem, what in [(f"out{b}", f"forward b{b}") for _, b, _, _ in FORWARD] + \
                      [(f"ddim{CHECK_STEPS}", f"DDIM {CHECK_STEPS} steps b{DDIM[1]} (x_0, untimed run)")]:
        want = output(ref, stem) if ref else None
        if want is None:
            print(f"- {what}: no PyTorch output to compare with")
            continue
        line = []
        for label in ("diffc", "torch", "torch-openblas", "ort"):
            if label == ref:
                continue
            got = output(label, stem, want.shape)
            if got is None:
                continue
            e = rel_err(got, want)
            if label == "diffc" and stem.startswith("out"):
                ok &= e <= 1e-4 and bool(np.all(np.isfinite(got)))
                checked += 1
            line.append(f"{names[label]} {e:.1e}")
        print(f"- {what}: " + ", ".join(line))
    ok &= checked == len(FORWARD)
    want = output(ref, f"ddim{DDIM_STEPS}") if ref else None
    if want is not None and DDIM_STEPS != CHECK_STEPS:
        line = []
        for label in ("diffc", "torch", "torch-openblas", "ort"):
            got = output(label, f"ddim{DDIM_STEPS}", want.shape) if label != ref else None
            if got is not None:
                line.append(f"{names[label]} {rel_err(got, want):.1e}")
        print(f"- {DDIM[0]} (x_0 of the timed runs): " + ", ".join(line) +
              f"; not a check: with untrained random weights the trajectory is "
              f"chaotic (float32 vs float64 PyTorch differ by O(1) after 50 steps)")
    print(f"- diffc forward within 1e-4 of PyTorch at every batch: {'PASS' if ok else 'FAIL'}")

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
    print("Minimum ms of the same runs:")
    print()
    print("| case | diffc | " + " | ".join(name for _, name in PEERS) + " |")
    print("|---|" + "---:|" * (1 + len(PEERS)))
    for case in cases:
        row = [case]
        for r in [diffc] + [peers[label] for label, _ in PEERS]:
            t = r["cases"].get(case, {}).get("times_ms") if r else None
            row.append(f"{min(t):.1f}" if t else "-")
        print("| " + " | ".join(row) + " |")
    print()
    reps = ", ".join(f"{c}: {w} warm-up + {r} timed" for c, _, w, r in FORWARD + [DDIM])
    print(f"Calls per peer, interleaved call by call across the peers: {reps}.")
    if diffc:
        rates = []
        for case, b, _, _ in FORWARD:
            d = median(diffc["cases"][case]["times_ms"])
            rates.append(f"b{b} {GFLOP_PER_SAMPLE * b / (d * 1e-3):.0f}")
        print(f"- diffc: {diffc.get('version')}, {diffc.get('threads')} threads, "
              f"{diffc.get('isa')} micro-kernels, peak RSS "
              f"{diffc.get('peak_rss_mib') or 0:.0f} MiB; GFLOP/s (2.21 GFLOP per sample) "
              + ", ".join(rates))
    for label, name in PEERS:
        r = peers[label]
        if label in skipped:
            print(f"- {name}: skipped: {skipped[label]}")
        elif r:
            extra = f", BLAS {r['blas']}" if "blas" in r else ""
            extra += f", session creation {r['session_create_ms']:.0f} ms" \
                if "session_create_ms" in r else ""
            print(f"- {name}: {r.get('version')}, {r.get('threads')} threads{extra}, "
                  f"peak RSS {r.get('peak_rss_mib') or 0:.0f} MiB"
                  + (f"; stopped: {r['error']}" if "error" in r else ""))
        else:
            print(f"- {name}: no result (see the log above)")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["prepare", "measure", "worker", "table"])
    p.add_argument("--work", required=True)
    p.add_argument("--weights")
    p.add_argument("--scheduler-config")
    p.add_argument("--label", default="torch")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--diffc-bench", help="measure: the diffc-bench binary")
    p.add_argument("--openblas", help="measure: the extracted OpenBLAS directory")
    p.add_argument("--node-modules", help="measure: node_modules with onnxruntime-node")
    a = p.parse_args()
    return {"prepare": cmd_prepare, "measure": cmd_measure, "worker": cmd_worker,
            "table": cmd_table}[a.command](a)


if __name__ == "__main__":
    sys.exit(main())
