#!/usr/bin/env python3
"""Accuracy of the compiled f32 exp (diffc-approximate-math's polynomial)
against float64 NumPy.

usage: exp_accuracy.py make X.npy        random and special inputs
       exp_accuracy.py check X.npy Y.npy  prints the errors and 'ok' lines
"""
import sys

import numpy as np

SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 88.73, 200.0, -104.0, -200.0]
F32 = np.finfo(np.float32)


def make(path):
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-87.0, 88.7, 200000),
                        rng.uniform(-1.0, 1.0, 100000),
                        rng.normal(0.0, 4.0, 100000), SPECIALS])
    np.save(path, x.astype(np.float32))


def check(xpath, ypath):
    x = np.load(xpath)
    y = np.load(ypath).astype(np.float64)
    want = np.exp(x.astype(np.float64))
    n = len(SPECIALS)
    normal = (want > F32.tiny) & (want < F32.max)
    normal[-n:] = False
    rel = np.abs(y[normal] - want[normal]) / want[normal]
    print(f"normal range: {normal.sum()} inputs, max relative error "
          f"{rel.max():.3g}, median {np.median(rel):.3g}")
    print("normal range ok" if rel.max() <= 5e-7 else "normal range FAILED")
    got = y[-n:]
    expect = [1.0, 1.0, np.inf, 0.0, np.nan, np.inf, np.inf, 0.0, 0.0]
    bad = [(float(a), float(b), e) for a, b, e in zip(x[-n:], got, expect)
           if not (np.isnan(e) and np.isnan(b)) and b != e]
    print("specials ok" if not bad else f"specials FAILED: {bad}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
