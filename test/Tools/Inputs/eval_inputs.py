"""Inputs and checks for the diffc-run eval tests.

  eval_inputs.py digits OUT.npy [--shift S] [--count N] [--first K]
      sklearn's digits as float32 [N, 1, 8, 8] in [-1, 1] (2 v / 16 - 1, as
      diffc-run's data loader maps them), in file order, optionally shifted
      by S (then clipped to [-1, 1])
  eval_inputs.py array OUT.npy SHAPE DTYPE [--value V]
      an array of SHAPE (e.g. 3x1x8x8) filled with V (nan allowed)
  eval_inputs.py json FILE KEY.PATH OP VALUE
      checks a value of `eval --json` output: OP is <, >, ==, approx
  eval_inputs.py same OUT.npy A.npy [B.npy ...]
      checks that OUT equals the concatenation of A, B, ... along axis 0
  eval_inputs.py reference EVAL.json SAMPLE_LOGITS SAMPLE_FEATURES REF_FEATURES
      recomputes eval's figures from the classifier's outputs (diffc-run
      call classifier) with pytorch-fid's float64 formula (numpy.cov,
      scipy.linalg.sqrtm) and compares: FID to 1e-6 relative, the confident
      count exactly
"""
import argparse
import gzip
import json
import sys

import numpy as np

DIGITS = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"


def main():
    mode = sys.argv[1]
    if mode == "digits":
        p = argparse.ArgumentParser()
        p.add_argument("out")
        p.add_argument("--shift", type=float, default=0.0)
        p.add_argument("--count", type=int)
        p.add_argument("--first", type=int, default=0)
        a = p.parse_args(sys.argv[2:])
        rows = np.loadtxt(gzip.open(DIGITS, "rt"), delimiter=",")
        x = (2 * rows[:, :64] / 16 - 1).astype(np.float32).reshape(-1, 1, 8, 8)
        x = x[a.first:a.first + a.count if a.count else None]
        if a.shift:
            x = np.clip(x + np.float32(a.shift), -1, 1)
        np.save(a.out, x)
    elif mode == "array":
        out, shape, dtype = sys.argv[2:5]
        value = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
        np.save(out, np.full([int(d) for d in shape.split("x")], value, dtype))
    elif mode == "json":
        path, key, op, want = sys.argv[2:6]
        v = json.load(open(path))
        for k in key.split("."):
            v = v[k]
        want = float(want)
        ok = {"<": v < want, ">": v > want, "==": v == want,
              "approx": abs(v - want) <= 1e-9 * max(1.0, abs(want))}[op]
        print(f"{'ok' if ok else 'FAIL'}: {key} = {v!r} {op} {want!r}")
        sys.exit(0 if ok else 1)
    elif mode == "same":
        out = np.load(sys.argv[2])
        parts = np.concatenate([np.load(f) for f in sys.argv[3:]], 0)
        ok = out.shape == parts.shape and np.array_equal(out, parts)
        print(f"{'ok' if ok else 'FAIL'}: {sys.argv[2]} {out.shape} vs "
              f"{parts.shape}")
        sys.exit(0 if ok else 1)
    elif mode == "reference":
        import scipy.linalg
        report = json.load(open(sys.argv[2]))
        logits = np.load(sys.argv[3]).astype(np.float64)
        f1 = np.load(sys.argv[4]).astype(np.float64)
        f2 = np.load(sys.argv[5]).astype(np.float64)
        mu1, mu2 = f1.mean(0), f2.mean(0)
        s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
        covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
        fid = ((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) \
            - 2 * np.trace(covmean).real
        p = np.exp(logits - logits.max(1, keepdims=True))
        pmax = (p / p.sum(1, keepdims=True)).max(1)
        confident = int((pmax > report["confidence_threshold"]).sum())
        counts = np.bincount(logits.argmax(1), minlength=logits.shape[1])
        e = abs(report["fid"] - fid) / max(fid, 1e-12)
        ok = e <= 1e-6 and confident == report["confident"] and \
            counts.tolist() == report["class_counts"]
        print(f"{'ok' if ok else 'FAIL'}: FID {report['fid']:.10g} vs numpy/scipy "
              f"{fid:.10g} (rel {e:.1e}); confident {report['confident']} vs "
              f"{confident}; classes {report['class_counts']} vs {counts.tolist()}")
        sys.exit(0 if ok else 1)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
