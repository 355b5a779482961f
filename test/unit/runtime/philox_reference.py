#!/usr/bin/env python3
# ===- philox_reference.py - float64 reference for diffc's normal stream -=== #
#
# Part of the diffc project, under the Apache License v2.0.
# SPDX-License-Identifier: Apache-2.0
#
# ===---------------------------------------------------------------------=== #
"""Independent float64 reference for diffc's Philox4x32-10 normal stream.

Implements, with numpy uint64 arithmetic and float64 math only, the stream
mapping documented in runtime/include/diffc/philox.h:

    g = offset + i, block = g // 4, lane = g % 4
    key = (seed & 0xffffffff, seed >> 32)
    counter = (block & 0xffffffff, block >> 32, 0, 0)
    w = philox4x32_10(counter, key)
    u(x) = ((x >> 8) + 1) / 2**24
    lanes 0, 1 = sqrt(-2 ln u(w0)) * (cos, sin)(2 pi u(w1))
    lanes 2, 3 = sqrt(-2 ln u(w2)) * (cos, sin)(2 pi u(w3))

Usage:
    philox_reference.py --seed S --offset O --n N
        print the first N normals of (S, O), one "<i> <normal>" per line.
    philox_reference.py --seed S --offset O --n N --check DUMP_EXE
        run DUMP_EXE (diffc-philox-dump) and compare: Philox words must be
        identical, normals must agree within --tol; exit status 1 otherwise.

Before doing either it checks itself against Random123's known answers.
"""

import argparse
import subprocess
import sys

import numpy as np

MASK32 = np.uint64(0xFFFFFFFF)
M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)

# Random123 tests/kat_vectors, philox4x32 10 (DEShawResearch/random123 at
# 9545ff6413f258be2f04c1d319d99aaef7521150).
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2,
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def philox4x32_10(ctr, key):
    """Philox4x32-10 on uint64 arrays holding 32-bit values.

    ctr: four arrays (words 0..3), key: two scalars. Every product of two
    32-bit values fits in uint64, so hi/lo are exact.
    """
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in ctr)
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    for r in range(10):
        if r > 0:  # the key is bumped before every round but the first
            k0, k1 = (k0 + W0) & MASK32, (k1 + W1) & MASK32
        p0, p1 = M0 * c0, M1 * c2
        hi0, lo0 = p0 >> np.uint64(32), p0 & MASK32
        hi1, lo1 = p1 >> np.uint64(32), p1 & MASK32
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return c0, c1, c2, c3


def reference(seed, offset, n):
    """Return (words, normals): the (n, 4) Philox words of each element's block
    and the (n,) float64 normals of the noise tensor (seed, offset)."""
    g = (np.uint64(offset) + np.arange(n, dtype=np.uint64))  # wraps mod 2**64
    block, lane = g // np.uint64(4), (g % np.uint64(4)).astype(np.int64)
    key = (seed & 0xFFFFFFFF, seed >> 32)
    zeros = np.zeros(n, dtype=np.uint64)
    w = np.stack(philox4x32_10(
        (block & MASK32, block >> np.uint64(32), zeros, zeros), key), axis=1)
    u = ((w >> np.uint64(8)) + np.uint64(1)).astype(np.float64) / 2.0**24
    pair = lane & 2
    rows = np.arange(n)
    radius = np.sqrt(-2.0 * np.log(u[rows, pair]))
    theta = 2.0 * np.pi * u[rows, pair + 1]
    normals = np.where(lane & 1, radius * np.sin(theta), radius * np.cos(theta))
    return w, normals


def self_test():
    for ctr, key, expected in KNOWN_ANSWERS:
        got = tuple(int(np.asarray(x)[0]) for x in
                    philox4x32_10([[c] for c in ctr], key))
        if got != expected:
            sys.exit("reference Philox fails Random123 KAT %s: got %s"
                     % ([hex(c) for c in ctr], [hex(x) for x in got]))


def check(exe, seed, offset, n, tol):
    words, normals = reference(seed, offset, n)
    out = subprocess.run([exe, hex(seed), str(offset), str(n)], check=True,
                         capture_output=True, text=True).stdout.split("\n")
    lines = [line.split() for line in out if line.strip()]
    if len(lines) != n:
        print("expected %d lines from %s, got %d" % (n, exe, len(lines)))
        return 1
    failures, max_err = 0, 0.0
    for i, fields in enumerate(lines):
        got_words = [int(x, 16) for x in fields[1:5]]
        got = float(fields[5])
        err = abs(got - normals[i])
        max_err = max(max_err, err)
        if int(fields[0]) != i or got_words != [int(x) for x in words[i]] \
                or not err <= tol:
            failures += 1
            print("mismatch at %d: diffc %s %r, reference %s %r"
                  % (i, [hex(x) for x in got_words], got,
                     [hex(int(x)) for x in words[i]], normals[i]))
    print("seed=%#x offset=%d n=%d: %d mismatches, max |diffc - reference| "
          "= %.3g (tol %g)" % (seed, offset, n, failures, max_err, tol))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=lambda s: int(s, 0), required=True)
    parser.add_argument("--offset", type=lambda s: int(s, 0), default=0)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--check", metavar="DUMP_EXE",
                        help="compare against diffc-philox-dump output")
    parser.add_argument("--tol", type=float, default=1e-5)
    args = parser.parse_args()
    if not (0 <= args.seed < 2**64 and 0 <= args.offset < 2**64
            and args.n >= 0):
        parser.error("seed and offset must be uint64, n non-negative")

    self_test()
    if args.check:
        return check(args.check, args.seed, args.offset, args.n, args.tol)
    for i, value in enumerate(reference(args.seed, args.offset, args.n)[1]):
        print("%d %.17g" % (i, value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
