"""GPU vs CPU vs PyTorch for generated kernels (scripts/gpu-check.sh).

Until the runtime runs entry points on the GPU (docs/gpu.md, next steps),
this script launches the artifact's cubin for `bias_silu_residual` itself:
it picks the code object for the device like diffc's runtime does, loads it
with the CUDA driver (ctypes on libcuda.so.1, inside PyTorch's context),
passes each buffer as MLIR's expanded descriptor (allocated, aligned,
offset, sizes..., strides...) in the order and from the sources of the
artifact's kernel table, launches its grid, and compares:

  * GPU kernel vs a float64 reference, and vs the artifact's x86-64 code
    run through diffc-run (the same seeded inputs, as .npy files);
  * times (CUDA events, median of 200 after warm-up) of the kernel, PyTorch
    eager and torch.compile on the same tensors, and the bandwidth floor.

The same is done for `matmul` (1024x512 by 512x256): its two kernels (the
zero fill and diffc-gpu-map-reductions' thread-per-output product) are
launched in the kernel table's order, compared with float64 and the CPU
code, and timed against torch.matmul (cuBLAS, TF32 off): the measurement
that decides between generated GEMM kernels and cuBLASLt (docs/gpu.md).

Prints "RESULT|name|status|detail" lines for the summary table.
"""

import argparse
import ctypes
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

SHAPE = (64, 4, 64, 64)


def result(name, status, detail):
    print(f"RESULT|{name}|{status}|{detail}", flush=True)


def code_objects(diffc_run, artifact):
    info = json.loads(subprocess.run([diffc_run, artifact, "inspect"], check=True,
                                     capture_output=True, text=True).stdout)
    with open(artifact, "rb") as f:
        blob = f.read()
    n = struct.unpack("<I", blob[:4])[0]
    data = (4 + n + 63) // 64 * 64
    return info, blob, data


def pick(objects, major, minor):
    """The runtime's rule (diffc/cuda.h, selectGpuCode)."""
    dev = major * 10 + minor
    best = None
    for o in objects:
        t = o["target"]
        if not t.startswith("sm_") or not t[3:].isdigit():
            continue
        sm = int(t[3:])
        if o["format"] == "cubin" and sm // 10 == major and sm <= dev:
            if best is None or best[0] != "cubin" or sm > best[1]:
                best = ("cubin", sm, o)
    if best:
        return best[2]
    ptx = [o for o in objects if o["format"] == "ptx" and o["target"].startswith("sm_")
           and int(o["target"][3:]) <= dev]
    return max(ptx, key=lambda o: int(o["target"][3:])) if ptx else None


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--diffc-run", required=True)
    p.add_argument("--artifact", required=True)
    a = p.parse_args()

    import torch
    if not torch.cuda.is_available():
        result("gpu kernel", "skip", "torch sees no GPU")
        return 0
    dev = torch.device("cuda")
    torch.zeros(1, device=dev)  # the primary context, current on this thread
    major, minor = torch.cuda.get_device_capability()

    info, blob, data = code_objects(a.diffc_run, a.artifact)
    obj = pick(info["code_objects"], major, minor)
    if obj is None:
        result("gpu kernel", "FAIL", f"no code for sm_{major}{minor}")
        return 1
    image = blob[data + obj["offset"]: data + obj["offset"] + obj["size"]]
    if obj["format"] == "ptx":
        image += b"\0"
    kernel = next(k for k in info["gpu_kernels"] if k["function"] == "bias_silu_residual")

    cuda = ctypes.CDLL("libcuda.so.1")
    def check(rc, what):
        if rc != 0:
            name = ctypes.c_char_p()
            cuda.cuGetErrorName(rc, ctypes.byref(name))
            raise RuntimeError(f"{what}: {name.value.decode() if name.value else rc}")
    module, function = ctypes.c_void_p(), ctypes.c_void_p()
    check(cuda.cuModuleLoadData(ctypes.byref(module), ctypes.c_char_p(image)),
          f"cuModuleLoadData ({obj['target']} {obj['format']})")
    check(cuda.cuModuleGetFunction(ctypes.byref(function), module,
                                   kernel["name"].encode()), "cuModuleGetFunction")

    rng = np.random.default_rng(4)
    x = rng.standard_normal(SHAPE).astype(np.float32)
    b = rng.standard_normal((4, 1, 1)).astype(np.float32)
    r = rng.standard_normal(SHAPE).astype(np.float32)
    xd, bd, rd = (torch.from_numpy(v).to(dev) for v in (x, b, r))
    out = torch.full(SHAPE, float("nan"), device=dev)  # poisoned

    def descriptor(t):
        vals = [ctypes.c_void_p(t.data_ptr()), ctypes.c_void_p(t.data_ptr()),
                ctypes.c_int64(0)]
        vals += [ctypes.c_int64(s) for s in t.shape]
        vals += [ctypes.c_int64(s) for s in t.stride()]
        return vals
    # The parameter list comes from the artifact's kernel table
    # ("arg0:buffer<rank 4, f32>", "result0:...").
    buffers = {"arg0": xd, "arg1": bd, "arg2": rd, "result0": out}
    elements = int(np.prod(SHAPE))
    values = []
    for param in kernel["params"]:
        source = param.split(":")[0]
        if param == "elements:i64":
            values.append(ctypes.c_int64(elements))
            continue
        if source not in buffers or "buffer<" not in param:
            result("gpu kernel", "FAIL", f"unexpected kernel parameter {param}")
            return 1
        values += descriptor(buffers[source])
    params = (ctypes.c_void_p * len(values))(*[ctypes.addressof(v) for v in values])
    block = kernel["block"]
    grid = max(1, -(-elements // block[0]))
    stream = torch.cuda.current_stream().cuda_stream

    def launch():
        check(cuda.cuLaunchKernel(function, grid, 1, 1, block[0], block[1], block[2],
                                  kernel["shared_memory_bytes"], ctypes.c_void_p(stream),
                                  params, None), "cuLaunchKernel")
    launch()
    torch.cuda.synchronize()
    got = out.cpu().numpy()

    x64, b64, r64 = (v.astype(np.float64) for v in (x, b, r))
    s = x64 + b64
    want = s / (1 + np.exp(-s)) + r64
    scale = np.max(np.abs(want))
    gpu_err = float(np.max(np.abs(got - want)) / scale) if np.all(np.isfinite(got)) else float("inf")
    result("gpu kernel vs f64", "ok" if gpu_err <= 1e-5 else "FAIL",
           f"{kernel['name']} ({obj['target']} {obj['format']}): max rel error {gpu_err:.2e}")

    with tempfile.TemporaryDirectory() as work:
        paths = []
        for i, v in enumerate((x, b, r)):
            paths.append(os.path.join(work, f"in{i}.npy"))
            np.save(paths[-1], v)
        cpu_out = os.path.join(work, "out.npy")
        argv = [a.diffc_run, a.artifact, "call", "bias_silu_residual", "--device=cpu"]
        for path in paths:
            argv += ["--arg", path]
        subprocess.run(argv + ["--out", cpu_out], check=True, capture_output=True)
        cpu = np.load(cpu_out)
    cpu_err = float(np.max(np.abs(cpu.astype(np.float64) - want)) / scale)
    diff = float(np.max(np.abs(cpu - got)) / scale)
    result("gpu vs cpu", "ok" if diff <= 1e-5 else "FAIL",
           f"max rel difference {diff:.2e} (cpu vs f64 {cpu_err:.2e})")

    def timeit(fn, reps=200):
        for _ in range(10):
            fn()
        torch.cuda.synchronize()
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        times = []
        for _ in range(reps):
            start.record(); fn(); stop.record(); stop.synchronize()
            times.append(start.elapsed_time(stop) * 1e3)
        times.sort()
        return times[len(times) // 2]

    def eager():
        return torch.nn.functional.silu(xd + bd) + rd
    t_diffc = timeit(launch)
    t_eager = timeit(eager)
    try:
        compiled = torch.compile(eager)
        t_comp = f"{timeit(compiled):.1f} us"
    except Exception as ex:  # noqa: BLE001 - report, do not fail the check
        t_comp = f"failed ({type(ex).__name__})"
    floor = 3 * elements * 4 / 3.0e12 * 1e6
    result("bias+silu+res timing", "ok",
           f"diffc {t_diffc:.1f} us, eager {t_eager:.1f} us, torch.compile {t_comp}, "
           f"floor ~{floor:.1f} us (12 MiB at 3 TB/s)")
    ok_mm = check_matmul(a, info, cuda, check, module, dev, torch, timeit)
    return 0 if gpu_err <= 1e-5 and diff <= 1e-5 and ok_mm else 1


def launch_function(cuda, check, module, kernels, function, buffers, stream):
    """Launches every kernel of `function` in the kernel table's order; each
    buffer parameter is passed as MLIR's expanded descriptor from `buffers`
    (by source name: arg0, result0, ...), grid = ceil(elements / block)."""
    launches = []
    for kernel in (k for k in kernels if k["function"] == function):
        fn = ctypes.c_void_p()
        check(cuda.cuModuleGetFunction(ctypes.byref(fn), module,
                                       kernel["name"].encode()),
              f"cuModuleGetFunction {kernel['name']}")
        values = []
        for param in kernel["params"]:
            source = param.split(":")[0]
            if source not in buffers or "buffer<" not in param:
                raise RuntimeError(f"{kernel['name']}: unexpected parameter {param}")
            t = buffers[source]
            values += [ctypes.c_void_p(t.data_ptr()), ctypes.c_void_p(t.data_ptr()),
                       ctypes.c_int64(0)]
            values += [ctypes.c_int64(v) for v in t.shape]
            values += [ctypes.c_int64(v) for v in t.stride()]
        params = (ctypes.c_void_p * len(values))(*[ctypes.addressof(v) for v in values])
        block = kernel["block"]
        grid = max(1, -(-kernel["static_elements"] // block[0]))
        launches.append((fn, grid, block, kernel["shared_memory_bytes"], params, values))

    def run():
        for fn, grid, block, smem, params, _ in launches:
            check(cuda.cuLaunchKernel(fn, grid, 1, 1, block[0], block[1], block[2],
                                      smem, ctypes.c_void_p(stream), params, None),
                  "cuLaunchKernel")
    return run, len(launches)


def check_matmul(a, info, cuda, check, module, dev, torch, timeit):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1024, 512)).astype(np.float32)
    w = rng.standard_normal((512, 256)).astype(np.float32)
    xd, wd = torch.from_numpy(x).to(dev), torch.from_numpy(w).to(dev)
    out = torch.full((1024, 256), float("nan"), device=dev)
    try:
        run, count = launch_function(cuda, check, module, info["gpu_kernels"], "matmul",
                                     {"arg0": xd, "arg1": wd, "result0": out},
                                     torch.cuda.current_stream().cuda_stream)
        run()
        torch.cuda.synchronize()
    except RuntimeError as ex:
        result("gpu matmul", "FAIL", str(ex)[:100])
        return False
    got = out.cpu().numpy().astype(np.float64)
    want = x.astype(np.float64) @ w.astype(np.float64)
    scale = np.max(np.abs(want))
    err = float(np.max(np.abs(got - want)) / scale) if np.all(np.isfinite(got)) else float("inf")
    with tempfile.TemporaryDirectory() as work:
        np.save(os.path.join(work, "x.npy"), x)
        np.save(os.path.join(work, "w.npy"), w)
        subprocess.run([a.diffc_run, a.artifact, "call", "matmul", "--device=cpu",
                        "--arg", os.path.join(work, "x.npy"), "--arg",
                        os.path.join(work, "w.npy"), "--out",
                        os.path.join(work, "y.npy")], check=True, capture_output=True)
        cpu = np.load(os.path.join(work, "y.npy")).astype(np.float64)
    diff = float(np.max(np.abs(cpu - got)) / scale)
    ok = err <= 1e-5 and diff <= 1e-5
    result("gpu matmul vs f64/cpu", "ok" if ok else "FAIL",
           f"{count} kernels: max rel error {err:.2e}, vs cpu {diff:.2e}")
    torch.backends.cuda.matmul.allow_tf32 = False
    t_diffc = timeit(run, reps=50)
    t_cublas = timeit(lambda: torch.matmul(xd, wd), reps=50)
    gflop = 2 * 1024 * 512 * 256 / 1e9
    result("matmul timing", "ok",
           f"diffc naive {t_diffc:.1f} us ({gflop * 1e6 / t_diffc:.0f} GFLOP/s), "
           f"cuBLAS fp32 {t_cublas:.1f} us ({gflop * 1e6 / t_cublas:.0f} GFLOP/s)")
    return ok


if __name__ == "__main__":
    sys.exit(main())
