#!/usr/bin/env python3
# ===- scripts/ddim_table.py - score and render the DDIM table ------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# Reads the sample chunks scripts/ddim-table.sh drew (OUT/cells/
# S<steps>_<row>_c<k>.npy), scores every cell with `diffc-run CLASSIFIER eval
# --samples` on the same number of samples per cell (the largest chunk count
# every cell has), and writes OUT/table.md (the Table 1 layout: FID, then
# the share of confident samples) and OUT/grids.png (the first samples of a
# few cells, one cell per row, same seed so the same x_T in every row).
# ===----------------------------------------------------------------------===#
import argparse
import json
import os
import struct
import subprocess
import sys
import zlib

import numpy as np

STEPS = [10, 20, 50, 100, 1000]
ROWS = ["0", "0.2", "0.5", "1.0", "sigmahat"]
ROW_NAMES = {"0": "eta = 0.0 (DDIM)", "0.2": "eta = 0.2", "0.5": "eta = 0.5",
             "1.0": "eta = 1.0", "sigmahat": "sigma-hat (DDPM, beta_t)"}
# The cells shown in the picture, top to bottom.
GRID_CELLS = [(10, "0"), (20, "0"), (50, "0"), (100, "0"), (1000, "0"),
              (10, "1.0"), (100, "1.0"), (1000, "1.0"),
              (10, "sigmahat"), (100, "sigmahat"), (1000, "sigmahat")]


def chunk_path(out, steps, row, chunk):
    return os.path.join(out, "cells", f"S{steps}_{row}_c{chunk}.npy")


def chunks_present(out, steps, row, limit):
    k = 0
    while k < limit and os.path.exists(chunk_path(out, steps, row, k)):
        k += 1
    return k


def score(args, steps, row, k):
    """FID and confidence of the first k chunks of one cell."""
    samples = np.concatenate(
        [np.load(chunk_path(args.out, steps, row, c)) for c in range(k)])
    joined = os.path.join(args.out, "cells", f"S{steps}_{row}_first{k}.npy")
    np.save(joined, samples.astype(np.float32))
    result = subprocess.run(
        [os.path.join(args.bin, "diffc-run"),
         os.path.join(args.out, "classifier.diffc"), "eval",
         "--weights", args.classifier_weights, "--samples", joined, "--json"],
        check=True, capture_output=True, text=True)
    report = json.loads(result.stdout)
    return report["fid"], report["confident_fraction"], samples


def write_png(path, image):
    """8-bit grey PNG, no library needed."""
    height, width = image.shape
    raw = b"".join(b"\x00" + image[y].tobytes() for y in range(height))

    def chunk(tag, data):
        body = tag + data
        return (struct.pack(">I", len(data)) + body +
                struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF))
    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    with open(path + ".tmp", "wb") as f:
        f.write(png)
    os.replace(path + ".tmp", path)


def grid_picture(cells, columns, scale=2, gap=2):
    rows = []
    for samples in cells:
        tiles = np.clip((samples[:columns, 0] + 1) * 127.5, 0, 255)
        tiles = tiles.round().astype(np.uint8)
        tiles = tiles.repeat(scale, 1).repeat(scale, 2)
        size = tiles.shape[1]
        row = np.full((size, columns * (size + gap) - gap), 128, np.uint8)
        for i, tile in enumerate(tiles):
            row[:, i * (size + gap):i * (size + gap) + size] = tile
        rows.append(row)
    width = rows[0].shape[1]
    sep = np.full((gap, width), 128, np.uint8)
    parts = []
    for row in rows:
        parts += [row, sep]
    return np.concatenate(parts[:-1])


def fid_table(steps, fid, n, caption):
    lines = [caption, "",
             "| | " + " | ".join(f"S = {s}" for s in steps) + " |",
             "|---|" + "---:|" * len(steps)]
    for r in ROWS:
        cells = []
        for s in steps:
            best = min(fid[s, q] for q in ROWS)
            text = f"{fid[s, r]:.1f}"
            cells.append(f"**{text}**" if fid[s, r] == best else text)
        lines.append(f"| {ROW_NAMES[r]} | " + " | ".join(cells) + " |")
    return lines


def confidence_table(steps, confident, n):
    lines = [f"Share of the {n} samples per cell the classifier labels with "
             "max p > 0.9 (real test images: 71.8%).", "",
             "| | " + " | ".join(f"S = {s}" for s in steps) + " |",
             "|---|" + "---:|" * len(steps)]
    for r in ROWS:
        lines.append(f"| {ROW_NAMES[r]} | " + " | ".join(
            f"{100 * confident[s, r]:.1f}%" for s in steps) + " |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--classifier-weights", required=True)
    parser.add_argument("--max-chunks", type=int, default=100)
    parser.add_argument("--columns", type=int, default=12)
    args = parser.parse_args()

    have = {(s, r): chunks_present(args.out, s, r, args.max_chunks)
            for s in STEPS for r in ROWS}
    k = min(have.values())
    if k == 0:
        missing = [f"S={s} {r}" for (s, r), c in have.items() if c == 0]
        print("ddim_table.py: no complete table yet; cells without samples: " +
              ", ".join(missing), file=sys.stderr)
        return 1
    per_chunk = np.load(chunk_path(args.out, STEPS[0], ROWS[0], 0)).shape[0]
    n = k * per_chunk

    fid, confident, samples = {}, {}, {}
    for s in STEPS:
        for r in ROWS:
            fid[s, r], confident[s, r], samples[s, r] = score(args, s, r, k)
    lines = fid_table(
        STEPS, fid, n,
        f"FID in the shipped classifier's features, {n} samples per cell "
        "against the 10,000 Fashion-MNIST test images (lower is better); "
        "best of each column in bold.")
    lines += [""] + confidence_table(STEPS, confident, n)
    result = {"samples_per_cell": n,
              "fid": {f"S{s}_{r}": fid[s, r] for s in STEPS for r in ROWS},
              "confident": {f"S{s}_{r}": confident[s, r]
                            for s in STEPS for r in ROWS}}

    # Columns with more chunks in every row: the same cells at that count.
    more = {s: min(have[s, r] for r in ROWS) for s in STEPS}
    k2 = min((c for c in more.values() if c > k), default=0)
    wide = [s for s in STEPS if more[s] >= k2] if k2 else []
    if wide:
        n2 = k2 * per_chunk
        fid2, conf2 = {}, {}
        for s in wide:
            for r in ROWS:
                fid2[s, r], conf2[s, r], _ = score(args, s, r, k2)
        lines += [""] + fid_table(
            wide, fid2, n2,
            f"The columns with more samples: {n2} per cell (same seeds; the "
            f"first {n} are the samples above).")
        lines += [""] + confidence_table(wide, conf2, n2)
        result["larger"] = {
            "samples_per_cell": n2,
            "fid": {f"S{s}_{r}": fid2[s, r] for s in wide for r in ROWS},
            "confident": {f"S{s}_{r}": conf2[s, r] for s in wide for r in ROWS}}

    table = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(table)
    with open(os.path.join(args.out, "table.json"), "w") as f:
        json.dump(result, f, indent=1)
    write_png(os.path.join(args.out, "grids.png"),
              grid_picture([samples[c] for c in GRID_CELLS], args.columns))
    print(table)
    print("grid rows, top to bottom: " + ", ".join(
        f"S={s} {ROW_NAMES[r]}" for s, r in GRID_CELLS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
