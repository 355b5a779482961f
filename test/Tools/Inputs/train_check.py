"""Checks a `diffc-run train --log` CSV.

  train_check.py decreasing LOG   the mean loss of the last fifth of the
                                  steps is below 90% of the first fifth's
  train_check.py steps LOG N      the log has steps 1..N, each once, in order
"""
import csv
import sys

mode, path = sys.argv[1:3]
rows = list(csv.DictReader(open(path)))
steps = [int(r["step"]) for r in rows]
losses = [float(r["loss"]) for r in rows]
if mode == "decreasing":
    k = max(1, len(losses) // 5)
    first, last = sum(losses[:k]) / k, sum(losses[-k:]) / k
    ok = last < 0.9 * first
    print(f"{'ok' if ok else 'FAIL'}: mean loss of the first {k} steps "
          f"{first:.4f}, of the last {k} steps {last:.4f}")
    sys.exit(0 if ok else 1)
if mode == "steps":
    n = int(sys.argv[3])
    ok = steps == list(range(1, n + 1))
    print(f"{'ok' if ok else 'FAIL'}: steps {steps[:3]}...{steps[-3:]} "
          f"({len(steps)} lines), expected 1..{n}")
    sys.exit(0 if ok else 1)
sys.exit(f"unknown mode {mode}")
