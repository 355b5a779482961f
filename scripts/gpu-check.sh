#!/usr/bin/env bash
#===- scripts/gpu-check.sh - GPU checks and benchmarks on a GPU machine ---===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
#
# Two halves, because the GPU machine has the driver, the CUDA toolkit and
# PyTorch but no MLIR and no network (docs/gpu.md):
#
#   bash scripts/gpu-check.sh prepare [BUILD_DIR]   (here, where diffc builds)
#       compiles the check artifacts with BUILD_DIR/bin/diffc for every GPU
#       target plus x86_64 and copies them, diffc-run, diffc-runtime-tests,
#       the e2e harness and this script's inputs into out/gpu-check/ (ignored
#       by git; a few MiB).
#
#   bash scripts/gpu-check.sh [run]                  (on the GPU machine)
#       runs only what out/gpu-check/ holds: lists the devices, runs the CUDA
#       device unit tests (PTX JIT, launch, events, OOM, JIT error log),
#       loads each artifact's code for the GPU found, compares GPU with CPU
#       where supported, times PyTorch eager and torch.compile on the same
#       work, and prints a short table last. Parts not implemented yet print
#       a "not yet supported" line instead of failing. Exit 1 only if a check
#       that is supported fails. Budget: well under 8 minutes.
#
# With the device tool, out/gpu-check travels as a carried path:
#   run(command="bash scripts/gpu-check.sh", carry=["out/gpu-check"])
#
#===-----------------------------------------------------------------------===#

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PACK=$ROOT/out/gpu-check
TARGETS=sm_80,sm_86,sm_89,sm_90,sm_100,sm_120,x86_64

prepare() {
  local build=${1:-$ROOT/build}
  local diffc=$build/bin/diffc
  [ -x "$diffc" ] || { echo "gpu-check: no $diffc: build first" >&2; exit 1; }
  rm -rf "$PACK" && mkdir -p "$PACK/bin" "$PACK/e2e"
  cp "$build/bin/diffc-run" "$build/test/unit/diffc-runtime-tests" "$PACK/bin/"
  cp "$ROOT"/test/e2e/*.py "$ROOT/bench/gpu/gpu_check_kernels.py" "$PACK/e2e/"
  # Static-shape programs whose kernels the checks launch directly
  # (elementwise, a sampler step, a matmul through the reduction mapping),
  # with x86_64 code beside them for the CPU side of the comparison.
  "$diffc" compile "$ROOT/bench/gpu/kernels.mlir" --target=$TARGETS \
    -o "$PACK/kernels.diffc" || exit 1
  "$diffc" compile "$ROOT/test/e2e/elementwise.mlir" --target=$TARGETS \
    -o "$PACK/elementwise.diffc" || exit 1
  ls -l "$PACK" "$PACK/bin"
  du -sh "$PACK"
}

# Results for the table: "name|status|detail" lines.
RESULTS=()
FAILED=0
record() { RESULTS+=("$1|$2|$3"); [ "$2" = FAIL ] && FAILED=1; return 0; }

run_checks() {
  [ -d "$PACK/bin" ] || {
    echo "gpu-check: no $PACK: run 'bash scripts/gpu-check.sh prepare' where diffc builds, and carry out/gpu-check" >&2
    exit 1
  }
  local RUN=$PACK/bin/diffc-run
  local PY=${PYTHON:-python3}
  echo "== machine"
  nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader 2>&1 | head -4
  echo "== diffc-run devices"
  local devices
  devices=$("$RUN" devices 2>&1); echo "$devices"
  if echo "$devices" | grep -q '^cuda:0:'; then
    record "devices" ok "$(echo "$devices" | grep '^cuda:0:' | cut -c1-70)"
  else
    record "devices" FAIL "$(echo "$devices" | grep '^cuda' | head -1)"
  fi

  echo "== CUDA device unit tests (JIT, launch, events, OOM, JIT log)"
  local log=$PACK/unit.log
  if timeout 120 "$PACK/bin/diffc-runtime-tests" --gtest_filter='Cuda*' >"$log" 2>&1; then
    if grep -q SKIPPED "$log"; then
      record "cuda unit tests" FAIL "skipped: $(grep -m1 'no GPU' "$log")"
    else
      record "cuda unit tests" ok "$(grep -m1 -o '[0-9]* tests\? from [0-9]* test suites\? ran' "$log")"
    fi
  else
    record "cuda unit tests" FAIL "see $log"
  fi
  tail -15 "$log"

  echo "== loading each artifact's GPU code on the device"
  for art in kernels elementwise; do
    local out
    out=$("$RUN" "$PACK/$art.diffc" call f --device=cuda 2>&1)
    echo "$out"
    if echo "$out" | grep -q "loaded the sm_"; then
      record "load $art.diffc" ok "$(echo "$out" | grep -o 'loaded the sm_[0-9]* [a-z]*[^,]*kernel(s)')"
    else
      record "load $art.diffc" FAIL "$(echo "$out" | cut -c1-100)"
    fi
  done

  echo "== CPU side of the comparison (x86_64 code of the same artifacts)"
  if $PY -c "import numpy" 2>/dev/null; then
    local cpu
    cpu=$($PY "$PACK/e2e/harness.py" --diffc-run "$RUN" --artifact "$PACK/elementwise.diffc" \
            --case bias_silu_residual --case unary_chain --case binary_broadcast --case shared_result 2>&1)
    echo "$cpu"
    if echo "$cpu" | grep -q FAIL; then record "cpu vs float64" FAIL "elementwise"
    else record "cpu vs float64" ok "$(echo "$cpu" | grep -c '^ok') outputs within tolerance"; fi
  else
    record "cpu vs float64" skip "no numpy"
  fi

  echo "== a generated kernel on the GPU vs the CPU code, f64 and PyTorch"
  if $PY -c "import torch, numpy" 2>/dev/null; then
    local kout
    kout=$(timeout 300 $PY "$PACK/e2e/gpu_check_kernels.py" --diffc-run "$RUN" \
             --artifact "$PACK/kernels.diffc" 2>&1)
    echo "$kout"
    if echo "$kout" | grep -q '^RESULT|'; then
      while IFS='|' read -r tag name status detail; do
        record "$name" "$status" "$detail"
      done <<<"$(echo "$kout" | grep '^RESULT|')"
    else
      record "gpu kernel" FAIL "$(echo "$kout" | tail -1 | cut -c1-100)"
    fi
  else
    record "gpu kernel" skip "no torch/numpy in $PY"
  fi
  record "gpu entry points" "not yet supported" "diffc-run --device=cuda needs the GPU execution plan (docs/gpu.md)"

  echo "== PyTorch on the same work (the numbers diffc's GPU path must beat)"
  local bench
  bench=$(timeout 300 $PY - <<'EOF' 2>&1
import time
try:
    import torch
except Exception as e:
    print(f"BENCH|skip|no torch: {e}"); raise SystemExit
if not torch.cuda.is_available():
    print("BENCH|skip|torch sees no GPU"); raise SystemExit
dev = torch.device("cuda")
def ddim(eps, x, a_t, a_p, z, sigma):
    x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t ** 0.5
    return a_p ** 0.5 * x0 + (1 - a_p - sigma ** 2) ** 0.5 * eps + sigma * z
def bias_silu_res(x, b, r):
    return torch.nn.functional.silu(x + b) + r
def timeit(fn, args, reps=200):
    for _ in range(10): fn(*args)
    torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(reps):
        s.record(); fn(*args); e.record(); e.synchronize()
        times.append(s.elapsed_time(e))
    times.sort(); return times[len(times) // 2]
g = torch.Generator(device=dev).manual_seed(0)
shape = (64, 4, 64, 64)   # an SD-like latent batch: 4 MiB per tensor
eps, x, z = (torch.randn(shape, device=dev, generator=g) for _ in range(3))
ddim_args = (eps, x, 0.5, 0.6, z, 0.1)
xb = torch.randn(shape, device=dev, generator=g); bb = torch.randn(4, 1, 1, device=dev, generator=g)
rb = torch.randn(shape, device=dev, generator=g)
for name, fn, args, nbytes in [("ddim step", ddim, ddim_args, 4 * eps.numel() * 4),
                                ("bias+silu+res", bias_silu_res, (xb, bb, rb), 3 * xb.numel() * 4)]:
    eager = timeit(fn, args)
    try:
        comp = torch.compile(fn)
        compiled = timeit(comp, args)
        ctext = f"{compiled*1e3:.1f} us"
    except Exception as ex:
        ctext = f"compile failed: {type(ex).__name__}"
        compiled = None
    floor = nbytes / 3.0e12 * 1e6
    print(f"BENCH|ok|{name} {shape}: eager {eager*1e3:.1f} us, torch.compile {ctext}, "
          f"bandwidth floor ~{floor:.1f} us (3 TB/s)")
EOF
)
  echo "$bench"
  while IFS='|' read -r tag status detail; do
    [ "$tag" = BENCH ] && record "pytorch" "$status" "$detail"
  done <<<"$(echo "$bench" | grep '^BENCH|')"
  echo "$bench" | grep -q '^BENCH|' || record "pytorch" FAIL "$(echo "$bench" | tail -1 | cut -c1-100)"
  record "ddim loop timings" "not yet supported" "needs the GPU execution plan and CUDA graphs (docs/gpu.md)"

  echo
  echo "== gpu-check summary"
  printf '%-22s %-18s %s\n' check status detail
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r name status detail <<<"$r"
    printf '%-22s %-18s %s\n' "$name" "$status" "$detail"
  done
  exit $FAILED
}

case "${1:-run}" in
  prepare) shift; prepare "$@" ;;
  run) run_checks ;;
  *) echo "usage: bash scripts/gpu-check.sh [prepare [BUILD_DIR] | run]" >&2; exit 2 ;;
esac
