#!/usr/bin/env python3
# ===- diffc_run_test.py - End-to-end tests of the diffc-run CLI ----------=== #
#
# Part of the diffc project, under the Apache License v2.0.
# SPDX-License-Identifier: Apache-2.0
#
# ===---------------------------------------------------------------------=== #
#
# Drives diffc-run on the artifact of the hand-written test kernels (written
# by diffc-make-test-artifact) and checks results against float64 NumPy
# references, exit codes, the one-line error format, and that failed calls
# create no output files.
#
#   diffc_run_test.py --diffc-run BIN --make-artifact BIN --case NAME
#
# ===---------------------------------------------------------------------=== #

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np


def run(cmd, expect_rc):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != expect_rc:
        sys.exit(f"FAIL: {' '.join(cmd)}: exit {proc.returncode}, expected "
                 f"{expect_rc}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def check_one_line_error(proc, fragment):
    lines = proc.stderr.splitlines()
    if len(lines) != 1 or not lines[0].startswith("diffc-run: error: "):
        sys.exit(f"FAIL: expected one 'diffc-run: error:' line, got "
                 f"{proc.stderr!r}")
    if fragment not in lines[0]:
        sys.exit(f"FAIL: error {lines[0]!r} lacks {fragment!r}")


def random_nonzero(rng, shape):
    x = rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return x.astype(np.float32)


def close_to_float64(got, want, ulps):
    # Within `ulps` float32 roundings of the float64 reference.
    tol = ulps * np.abs(want) * 2.0**-24
    return got.dtype == np.float32 and got.shape == want.shape and bool(
        np.all(np.abs(got.astype(np.float64) - want) <= tol))


def case_call_add(t):
    rng = np.random.default_rng(7)
    a, b = random_nonzero(rng, (1000,)), random_nonzero(rng, (1000,))
    np.save(t.path("a.npy"), a)
    np.save(t.path("b.npy"), b)
    run([t.diffc_run, t.model, "call", "add_f32", "--arg", t.path("a.npy"),
         "--arg", t.path("b.npy"), "--out", t.path("c.npy")], 0)
    c = np.load(t.path("c.npy"))
    ref = a.astype(np.float64) + b.astype(np.float64)
    if not close_to_float64(c, ref, 1):
        sys.exit(f"FAIL: add_f32 result differs from the float64 reference: "
                 f"max error {np.max(np.abs(c - ref))}")


def case_call_wrong_shape(t):
    rng = np.random.default_rng(8)
    np.save(t.path("a.npy"), random_nonzero(rng, (6,)))
    np.save(t.path("b.npy"), random_nonzero(rng, (3, 2)))
    proc = run([t.diffc_run, t.model, "call", "add_f32", "--arg",
                t.path("a.npy"), "--arg", t.path("b.npy"), "--out",
                t.path("c.npy")], 1)
    check_one_line_error(
        proc, 'entry point "add_f32": input 1 ("y"): expected tensor<?xf32>, '
        'got tensor<3x2xf32>')
    if os.path.exists(t.path("c.npy")):
        sys.exit("FAIL: c.npy was created by a failed call")
    leftovers = sorted(os.listdir(t.dir))
    if leftovers != ["a.npy", "b.npy", "model.diffc"]:
        sys.exit(f"FAIL: unexpected files after a failed call: {leftovers}")


def case_call_scalars(t):
    rng = np.random.default_rng(9)
    x = random_nonzero(rng, (4, 5))
    np.save(t.path("x.npy"), x)
    run([t.diffc_run, t.model, "call", "scale", "--arg", t.path("x.npy"),
         "--arg=f32:-0.75", "--out=" + t.path("y.npy")], 0)
    y = np.load(t.path("y.npy"))
    if not close_to_float64(y, x.astype(np.float64) * -0.75, 1):
        sys.exit("FAIL: scale result differs from the float64 reference")

    v = random_nonzero(rng, (9,))
    np.save(t.path("v.npy"), v)
    outs = [t.path(n) for n in ("sum.npy", "scaled.npy", "count.npy")]
    run([t.diffc_run, t.model, "call", "sum_and_scale", "--arg",
         t.path("v.npy"), "--arg", "i64:3"] +
        [a for o in outs for a in ("--out", o)], 0)
    s, scaled, count = (np.load(o) for o in outs)
    if s.shape != () or s.dtype != np.float32:
        sys.exit(f"FAIL: scalar f32 result saved as {s.dtype}{s.shape}")
    bound = 9 * np.sum(np.abs(v.astype(np.float64))) * 2.0**-24
    if abs(float(s) - np.sum(v.astype(np.float64))) > bound:
        sys.exit("FAIL: sum differs from the float64 reference")
    if not close_to_float64(scaled, v.astype(np.float64) * 3, 1):
        sys.exit("FAIL: scaled differs from the float64 reference")
    if count.dtype != np.int64 or int(count) != 9:
        sys.exit(f"FAIL: count is {count!r}")

    # Without --out the results are printed.
    proc = run([t.diffc_run, t.model, "call", "sum_and_scale", "--arg",
                t.path("v.npy"), "--arg", "i64:3"], 0)
    lines = proc.stdout.splitlines()
    if (len(lines) != 3 or not lines[0].startswith("result 0: f32 = ") or
            not lines[1].startswith("result 1: tensor<9xf32> = [") or
            "(first 8 of 9)" not in lines[1] or
            lines[2] != "result 2: index = 9"):
        sys.exit(f"FAIL: printed results: {proc.stdout!r}")


def case_call_errors(t):
    rng = np.random.default_rng(10)
    np.save(t.path("a.npy"), random_nonzero(rng, (3,)))
    base = [t.diffc_run, t.model, "call"]
    a = t.path("a.npy")
    # More --out files than results.
    proc = run(base + ["add_f32", "--arg", a, "--arg", a, "--out",
                       t.path("o1.npy"), "--out", t.path("o2.npy")], 1)
    check_one_line_error(proc, 'has 1 result(s), but 2 --out file(s)')
    # Wrong scalar kind.
    proc = run(base + ["sum_and_scale", "--arg", a, "--arg", "index:3"], 1)
    check_one_line_error(proc, 'input 1 ("k"): expected i64, got index')
    # Unknown entry point.
    proc = run(base + ["nope"], 1)
    check_one_line_error(proc, 'no entry point "nope"; the artifact has: '
                         'add_f32, scale')
    # A missing input file.
    proc = run(base + ["add_f32", "--arg", a, "--arg", t.path("none.npy")], 1)
    check_one_line_error(proc, "none.npy: cannot open")
    # A damaged artifact.
    with open(t.model, "rb") as f:
        data = bytearray(f.read())
    data[8:12] = b"XXXX"
    bad = t.path("bad.diffc")
    with open(bad, "wb") as f:
        f.write(data)
    proc = run([t.diffc_run, bad, "inspect"], 1)
    check_one_line_error(proc, "bad.diffc: not a diffc artifact")
    if any(n.startswith("o") for n in os.listdir(t.dir)):
        sys.exit(f"FAIL: output files after failed calls: {os.listdir(t.dir)}")


def write_safetensors(path, tensors, metadata=None):
    # The published format, independently of diffc: u64 header length, JSON
    # header (tensors sorted by itemsize then name, as the reference lays
    # them out), space padding to 8, then the data.
    dtypes = {np.dtype('<f4'): 'F32', np.dtype('<f8'): 'F64',
              np.dtype('<i8'): 'I64', np.dtype('<i4'): 'I32'}
    header = {'__metadata__': metadata or {'format': 'pt'}}
    data = b''
    for name in sorted(tensors, key=lambda n: (-tensors[n].dtype.itemsize, n)):
        # (Not np.ascontiguousarray: it turns 0-d arrays into 1-d ones.)
        a = np.asarray(tensors[name])
        raw = a.tobytes(order='C')
        header[name] = {'dtype': dtypes[a.dtype], 'shape': list(a.shape),
                        'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + data)


# The values diffc-make-test-artifact embeds (TestArtifacts.cpp).
EMBEDDED_WEIGHT = np.array([[1.5, -2.0, 3.25], [0.5, 8.0, -1.0]], np.float32)
EMBEDDED_STEPS = 7


def case_weights(t):
    rng = np.random.default_rng(11)
    x = random_nonzero(rng, (2, 3))
    np.save(t.path("x.npy"), x)
    call = [t.diffc_run, t.model, "call", "scale_by_param", "--arg",
            t.path("x.npy")]
    outs = ["--out", t.path("y.npy"), "--out", t.path("steps.npy")]

    def check(weight, steps):
        y, s = np.load(t.path("y.npy")), np.load(t.path("steps.npy"))
        if not close_to_float64(y, x.astype(np.float64) * weight, 1):
            sys.exit(f"FAIL: scale_by_param gave {y}, expected x * {weight}")
        if s.dtype != np.int64 or int(s) != steps:
            sys.exit(f"FAIL: steps is {s!r}, expected {steps}")

    # The artifact's own weights.
    run(call + outs, 0)
    check(EMBEDDED_WEIGHT.astype(np.float64), EMBEDDED_STEPS)

    # A weights file overrides them; unused tensors are only counted.
    w = random_nonzero(rng, (2, 3))
    write_safetensors(t.path("w.safetensors"), {
        "layer.weight": w, "layer.steps": np.array(42, np.int64),
        "decoder.conv_out.bias": np.zeros(3, np.float32)})
    proc = run(call + outs + ["--weights", t.path("w.safetensors"),
                              "--verbose"], 0)
    check(w.astype(np.float64), 42)
    want = (f"diffc-run: 2 parameter(s) bound: 2 from "
            f"{t.path('w.safetensors')}; 1 tensor(s) of the weight files "
            f"unused")
    if proc.stderr.strip() != want:
        sys.exit(f"FAIL: --verbose said {proc.stderr!r}, expected {want!r}")

    # Per parameter: layer.weight from the file, layer.steps embedded; the
    # option may come first.
    write_safetensors(t.path("only_w.safetensors"), {"layer.weight": w})
    run([t.diffc_run, "--weights=" + t.path("only_w.safetensors")] + call[1:]
        + outs, 0)
    check(w.astype(np.float64), EMBEDDED_STEPS)

    # Sharded: two files, one parameter each, into an artifact without
    # embedded values.
    bare = t.path("bare.diffc")
    run([t.make_artifact, "--no-weights", bare], 0)
    write_safetensors(t.path("steps.safetensors"),
                      {"layer.steps": np.array(-5, np.int64)})
    run([t.diffc_run, bare, "call", "scale_by_param", "--arg", t.path("x.npy"),
         "--weights", t.path("only_w.safetensors"), "--weights",
         t.path("steps.safetensors")] + outs, 0)
    check(w.astype(np.float64), -5)

    # Errors: one line, exit 1, no output files.
    for name in ("y.npy", "steps.npy"):
        os.unlink(t.path(name))
    bare_call = [t.diffc_run, bare, "call", "scale_by_param", "--arg",
                 t.path("x.npy")] + outs
    proc = run(bare_call, 1)
    check_one_line_error(
        proc, "bare.diffc: no weight 'layer.weight' (tensor<2x3xf32>): not "
        "in the artifact and no weight files were given")
    proc = run(bare_call + ["--weights", t.path("only_w.safetensors")], 1)
    check_one_line_error(
        proc, "bare.diffc: no weight 'layer.steps' (tensor<i64>): not in the "
        f"artifact and not in {t.path('only_w.safetensors')}")
    write_safetensors(t.path("wrong.safetensors"),
                      {"layer.weight": w.T.copy()})
    proc = run(call + outs + ["--weights", t.path("wrong.safetensors")], 1)
    check_one_line_error(
        proc, "weight 'layer.weight' is tensor<3x2xf32> in "
        f"{t.path('wrong.safetensors')}, the model expects tensor<2x3xf32>")
    write_safetensors(t.path("f64.safetensors"),
                      {"layer.weight": w.astype(np.float64)})
    proc = run(call + outs + ["--weights", t.path("f64.safetensors")], 1)
    check_one_line_error(proc, "is tensor<2x3xf64> in")
    proc = run(call + outs + ["--weights", t.path("none.safetensors")], 1)
    check_one_line_error(proc, "none.safetensors: cannot open")
    with open(t.path("bad.safetensors"), "wb") as f:
        f.write(struct.pack('<Q', 1 << 40) + b'{}')
    proc = run(call + outs + ["--weights", t.path("bad.safetensors")], 1)
    check_one_line_error(proc, "bad.safetensors: truncated: the header "
                         "length is 1099511627776 bytes")
    for name in ("y.npy", "steps.npy"):
        if os.path.exists(t.path(name)):
            sys.exit(f"FAIL: {name} was written by a failed call")


def case_usage(t):
    for args in ([], [t.model], [t.model, "frobnicate"], [t.model, "call"],
                 [t.model, "call", "add_f32", "--arg"],
                 [t.model, "call", "add_f32", "--bogus"],
                 [t.model, "call", "add_f32", "--arg", "i64:x"],
                 [t.model, "call", "add_f32", "--out", "o.npy", "--out",
                  "o.npy"],
                 [t.model, "inspect", "extra"],
                 [t.model, "inspect", "--weights", "w.safetensors"],
                 [t.model, "call", "add_f32", "--weights"]):
        proc = run([t.diffc_run] + args, 2)
        lines = proc.stderr.splitlines()
        if len(lines) != 1 or not lines[0].startswith("diffc-run: error: "):
            sys.exit(f"FAIL: usage error for {args}: {proc.stderr!r}")
    proc = run([t.diffc_run, "--help"], 0)
    for word in ("USAGE", "inspect", "call", "--arg", "--out", "i64:N",
                 "--weights", "--verbose", "safetensors", "EXAMPLES"):
        if word not in proc.stdout:
            sys.exit(f"FAIL: --help lacks {word!r}")
    run([t.diffc_run, "--version"], 0)


def case_inspect(t):
    proc = run([t.diffc_run, t.model, "inspect"], 0)
    doc = json.loads(proc.stdout)
    if doc["schema_version"] != 1 or doc["producer"] != "diffc runtime tests":
        sys.exit(f"FAIL: header fields: {doc}")
    entries = {e["name"]: e for e in doc["entry_points"]}
    add = entries["add_f32"]
    if (add["symbol"] != "add_f32" or
            add["inputs"][1] != {"name": "y", "kind": "tensor",
                                 "element_type": "f32", "shape": [-1],
                                 "type": "tensor<?xf32>"}):
        sys.exit(f"FAIL: add_f32 signature: {add}")
    kinds = [o["kind"] for o in entries["sum_and_scale"]["outputs"]]
    if kinds != ["f32", "tensor", "index"]:
        sys.exit(f"FAIL: sum_and_scale outputs: {kinds}")
    code = doc["code_objects"]
    if (len(code) != 1 or code[0]["target"] != "x86_64" or
            code[0]["format"] != "elf_shared_object" or code[0]["size"] <= 0
            or code[0]["offset"] % 64):
        sys.exit(f"FAIL: code objects: {code}")
    weights = {w["name"]: w for w in doc["weights"]}
    w = weights["layer.weight"]
    if w["element_type"] != "f32" or w["shape"] != [2, 3] or w["size"] != 24:
        sys.exit(f"FAIL: weights: {weights}")
    want = [{"name": "layer.weight", "symbol": "diffc_param_0",
             "element_type": "f32", "shape": [2, 3],
             "type": "tensor<2x3xf32>", "embedded": True},
            {"name": "layer.steps", "symbol": "diffc_param_1",
             "element_type": "i64", "shape": [], "type": "tensor<i64>",
             "embedded": True}]
    if doc["parameters"] != want:
        sys.exit(f"FAIL: parameters: {doc['parameters']}")
    bare = t.path("bare.diffc")
    run([t.make_artifact, "--no-weights", bare], 0)
    doc = json.loads(run([t.diffc_run, bare, "inspect"], 0).stdout)
    if doc["weights"] or [p["embedded"] for p in doc["parameters"]] != [
            False, False]:
        sys.exit(f"FAIL: bare artifact: {doc}")


# The "scheduler_config" metadata as the compiler records it: every option,
# numbers with 17 significant digits.
COMPILED_CONFIG = (
    '{"num_train_timesteps": 1000, "beta_start": 0.00085000000000000006, '
    '"beta_end": 0.012, "beta_schedule": "scaled_linear", '
    '"rescale_betas_zero_snr": false, "timestep_spacing": "leading", '
    '"steps_offset": 1, "prediction_type": "epsilon", "clip_sample": false, '
    '"clip_sample_range": 1, "thresholding": false, '
    '"dynamic_thresholding_ratio": 0.995, "sample_max_value": 1, '
    '"set_alpha_to_one": false, "variance_type": "fixed_small"}')


def case_scheduler_config(t):
    # Without a compiler there are no sampler entries: a config that passes
    # the check reaches the "no ddim sampler" error, one that fails it stops
    # at the check.
    model = t.path("sampler.diffc")
    run([t.make_artifact, "--metadata", "scheduler_config=" + COMPILED_CONFIG,
         "--metadata", "samplers=ddim", model], 0)
    doc = json.loads(run([t.diffc_run, model, "inspect"], 0).stdout)
    if doc["metadata"] != {"scheduler_config": COMPILED_CONFIG,
                           "samplers": "ddim"}:
        sys.exit(f"FAIL: inspect metadata: {doc['metadata']}")
    if json.loads(run([t.diffc_run, t.model, "inspect"], 0).stdout)[
            "metadata"] != {}:
        sys.exit("FAIL: an artifact without metadata shows some")

    def write_config(name, config):
        with open(t.path(name), "w") as f:
            json.dump(config, f, indent=2)
        return t.path(name)

    # Stable Diffusion 1.5's scheduler_config.json, as diffusers writes it.
    sd15 = {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0",
            "beta_end": 0.012, "beta_schedule": "scaled_linear",
            "beta_start": 0.00085, "num_train_timesteps": 1000,
            "set_alpha_to_one": False, "skip_prk_steps": True,
            "steps_offset": 1, "trained_betas": None, "clip_sample": False}
    good = write_config("good.json", sd15)
    out = t.path("grid.png")
    proc = run([t.diffc_run, model, "sample", "--scheduler-config", good,
                "--out", out], 1)
    check_one_line_error(proc, "has no ddim sampler (entry 'sample_ddim')")

    vpred = write_config("vpred.json", dict(sd15,
                                            prediction_type="v_prediction"))
    proc = run([t.diffc_run, model, "sample", "--scheduler-config=" + vpred,
                "--out", out], 1)
    check_one_line_error(
        proc, f'diffc-run: error: {vpred}: prediction_type is "v_prediction" '
        f'but {model} was compiled with "epsilon"; recompile with: diffc '
        f'compile ... --scheduler-config {vpred}')

    unknown = write_config("unknown.json", dict(sd15, warp_speed=True))
    proc = run([t.diffc_run, model, "sample", "--scheduler-config", unknown,
                "--out", out], 1)
    check_one_line_error(
        proc, f"{unknown}: unknown scheduler option 'warp_speed'")

    proc = run([t.diffc_run, t.model, "sample", "--scheduler-config", good,
                "--out", out], 1)
    check_one_line_error(proc, f"{t.model} has no sampler config to check "
                         f"{good} against")

    proc = run([t.diffc_run, model, "sample", "--scheduler-config",
                t.path("missing.json"), "--out", out], 1)
    check_one_line_error(proc, "missing.json: cannot open")
    with open(t.path("broken.json"), "w") as f:
        f.write('{"beta_end": 0.012,}')
    proc = run([t.diffc_run, model, "sample", "--scheduler-config",
                t.path("broken.json"), "--out", out], 1)
    check_one_line_error(proc, "broken.json: not valid JSON at byte 19: "
                         "expected a string key")
    if os.path.exists(out):
        sys.exit("FAIL: a failed sample left an output file")

    # Usage errors.
    proc = run([t.diffc_run, model, "sample", "--scheduler-config="], 2)
    check_one_line_error(proc, "--scheduler-config needs a file name")
    proc = run([t.diffc_run, model, "sample", "--scheduler-config"], 2)
    check_one_line_error(proc, "--scheduler-config needs a value")
    proc = run([t.diffc_run, model, "call", "add_f32", "--scheduler-config",
                good], 2)
    check_one_line_error(proc, "sampling options belong to the sample command")
    if "--scheduler-config" not in run([t.diffc_run, "--help"], 0).stdout:
        sys.exit("FAIL: --help lacks --scheduler-config")


CASES = {
    "call-add": case_call_add,
    "call-wrong-shape": case_call_wrong_shape,
    "call-scalars": case_call_scalars,
    "call-errors": case_call_errors,
    "usage": case_usage,
    "weights": case_weights,
    "inspect": case_inspect,
    "scheduler-config": case_scheduler_config,
}


class TestDir:
    def __init__(self, dir, diffc_run, make_artifact):
        self.dir = dir
        self.diffc_run = diffc_run
        self.make_artifact = make_artifact
        self.model = os.path.join(dir, "model.diffc")

    def path(self, name):
        return os.path.join(self.dir, name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--diffc-run", required=True)
    parser.add_argument("--make-artifact", required=True)
    parser.add_argument("--case", required=True, choices=sorted(CASES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="diffc-run-test-") as d:
        t = TestDir(d, args.diffc_run, args.make_artifact)
        run([args.make_artifact, t.model], 0)
        CASES[args.case](t)
    print(f"PASS: {args.case}")


if __name__ == "__main__":
    main()
