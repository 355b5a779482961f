"""End-to-end numerics checks: compile with `diffc`, run with `diffc-run`,
compare against an independent float64 NumPy reference.

A check names an entry point of the compiled artifact, the inputs to feed it
(random, seeded, never all zeros) and a reference function computing the
expected outputs in float64 from the same inputs. Inputs cross the boundary
as .npy files exactly as a user would pass them.

usage (from a lit RUN line):
  harness.py --diffc-run PATH --artifact FILE --case NAME [--case NAME ...]
Cases are registered in cases_<topic>.py (see cases.py).
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np


def run_entry(diffc_run, artifact, entry, args, nout, workdir, device=None):
    """Calls `entry` with `args` (np.ndarray or ('i64'|'f32'|'index', v))."""
    argv = [diffc_run, artifact, "call", entry]
    if device:
        argv += ["--device", device]
    for i, a in enumerate(args):
        if isinstance(a, tuple):
            kind, v = a
            argv += ["--arg", f"{kind}:{v!r}" if kind == "f32" else f"{kind}:{v}"]
        else:
            path = os.path.join(workdir, f"in{i}.npy")
            np.save(path, a)
            argv += ["--arg", path]
    outs = [os.path.join(workdir, f"out{i}.npy") for i in range(nout)]
    for o in outs:
        argv += ["--out", o]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"diffc-run failed ({proc.returncode}): {proc.stderr.strip()}")
    return [np.load(o) for o in outs]


def compare(name, got, want, rtol):
    """Norm-wise relative error: max |got - want| / max |want|."""
    if got.shape != want.shape:
        print(f"FAIL {name}: shape {got.shape} vs expected {want.shape}")
        return False
    scale = max(np.max(np.abs(want)), 1e-30)
    err = float(np.max(np.abs(got.astype(np.float64) - want)) / scale)
    ok = np.all(np.isfinite(got)) and err <= rtol
    print(f"{'ok  ' if ok else 'FAIL'} {name}: max rel error {err:.2e} (tolerance {rtol:.0e})")
    return ok


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import cases

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--diffc-run", required=True)
    p.add_argument("--artifact", required=True)
    p.add_argument("--case", action="append", required=True)
    p.add_argument("--device", default=None,
                   help="diffc-run --device (cpu, cuda); default: diffc-run's")
    a = p.parse_args()
    registry = cases.load_all()
    ok = True
    with tempfile.TemporaryDirectory() as work:
        for name in a.case:
            case = registry[name]
            args, want, rtol = case()
            outs = run_entry(a.diffc_run, a.artifact, case.entry, args, len(want), work,
                             a.device)
            for i, (g, w) in enumerate(zip(outs, want)):
                ok &= compare(f"{name}[{i}]", g, np.asarray(w, dtype=np.float64), rtol)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
