#!/usr/bin/env bash
#===- bench/unet_cpu.sh - fmnist_small U-Net on CPU: diffc vs peers -------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# One command: the fmnist_small U-Net (shared/BENCH.md) forward at batch 1,
# 16 and 64 and a 50-step DDIM sampling run at batch 16, on 2 threads, with
#   diffc          diffc-zoo -> diffc compile --sampler=ddim -> diffc-bench
#   PyTorch        Debian's python3-torch as installed (reference BLAS)
#   PyTorch+OpenBLAS  the same with Debian's libopenblas0-openmp, extracted
#                  from its .deb into bench/.cache (nothing installed
#                  system-wide), first on LD_LIBRARY_PATH
#   ONNX Runtime   npm onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=skip) in
#                  bench/.cache/node, on the twin exported to ONNX (opset 17,
#                  dynamic batch)
# all with the same random weights (diffc-zoo --init-weights) and the same
# inputs, then one markdown table and a correctness check (diffc's forward
# against PyTorch's, 1e-4 relative). A peer that cannot be set up (no npm, no
# network, no apt) gets a "skipped: ..." line instead of failing the run.
#
#   bash bench/unet_cpu.sh    # 3-4 minutes of measurement on 2 quiet cores,
#                             # after waiting for other processes to go quiet
#
# Environment: DIFFC_BUILD_DIR (default build/), BENCH_THREADS (default 2),
# BENCH_WAIT_IDLE (seconds to wait for other processes to leave the CPUs
# below 10% before measuring; default 600),
# BENCH_QUICK=1 (one call per case and peer, 5 DDIM steps: checks the
# plumbing only).
# Work files, the extracted OpenBLAS and node_modules: bench/.cache/.
#===-----------------------------------------------------------------------===#
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${DIFFC_BUILD_DIR:-$root/build}"
bin="$build/bin"
threads="${BENCH_THREADS:-2}"
cache="$here/.cache"
work="$cache/work"
py=/usr/bin/python3
driver="$here/unet_cpu.py"

say() { printf '== %s\n' "$*" >&2; }
started=$(date +%s)

mkdir -p "$cache"
# bench/.cache holds downloads and work files, never sources.
[ -f "$cache/.gitignore" ] || echo '*' >"$cache/.gitignore"
rm -rf "$work"
mkdir -p "$work"

# -- 0. tools -----------------------------------------------------------------
for tool in diffc diffc-zoo; do
  [ -x "$bin/$tool" ] || {
    echo "unet_cpu.sh: $bin/$tool is missing: run scripts/setup.sh first" >&2
    exit 1
  }
done
say "building diffc-bench ($build)"
cmake --build "$build" --target diffc-bench -j2 >"$work/build.log" 2>&1 || {
  tail -20 "$work/build.log" >&2
  echo "unet_cpu.sh: building diffc-bench failed" >&2
  exit 1
}
"$py" -c 'import torch, numpy' 2>/dev/null || {
  echo "unet_cpu.sh: $py lacks torch/numpy (Debian python3-torch python3-numpy)" >&2
  exit 1
}

# -- 1. OpenBLAS from Debian's .deb, extracted into bench/.cache --------------
openblas_dir="$cache/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp"
if [ ! -f "$openblas_dir/libblas.so.3" ]; then
  say "OpenBLAS: apt-get download libopenblas0-openmp + dpkg-deb -x"
  rm -rf "$cache/openblas" "$cache/deb"
  mkdir -p "$cache/deb"
  if (cd "$cache/deb" && apt-get download libopenblas0-openmp) >"$work/openblas.log" 2>&1 &&
    dpkg-deb -x "$cache"/deb/libopenblas0-openmp_*.deb "$cache/openblas" 2>>"$work/openblas.log" &&
    [ -f "$openblas_dir/libblas.so.3" ]; then
    :
  else
    echo "apt-get download libopenblas0-openmp failed: $(tail -1 "$work/openblas.log")" \
      >"$work/skipped-torch-openblas.txt"
  fi
fi

# -- 2. onnxruntime-node into bench/.cache/node ---------------------------------
node_modules="$cache/node/node_modules"
if [ ! -f "$node_modules/onnxruntime-node/package.json" ]; then
  if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    echo "npm/node not found (Debian: apt-get install npm)" >"$work/skipped-ort.txt"
  else
    say "ONNX Runtime: npm install onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=skip)"
    mkdir -p "$cache/node"
    [ -f "$cache/node/package.json" ] || echo '{"private": true}' >"$cache/node/package.json"
    if ! (cd "$cache/node" && ONNXRUNTIME_NODE_INSTALL=skip \
      npm install --no-audit --no-fund onnxruntime-node) >"$work/npm.log" 2>&1; then
      echo "npm install onnxruntime-node failed: $(tail -1 "$work/npm.log")" \
        >"$work/skipped-ort.txt"
    fi
  fi
fi

# -- 3. the model: same weights everywhere --------------------------------------
say "diffc-zoo unet2d --preset=fmnist_small --init-weights (seed 0)"
"$bin/diffc-zoo" unet2d --preset=fmnist_small \
  --init-weights="$work/init.safetensors" --seed=0 -o "$work/unet.mlir"
say "diffc compile --sampler=ddim"
"$bin/diffc" compile "$work/unet.mlir" --sampler=ddim \
  --scheduler-config="$root/examples/scheduler_config.json" \
  -o "$work/fmnist_small.diffc"
say "PyTorch twin: load the weights, export ONNX, write inputs"
"$py" "$driver" prepare --work "$work" --weights "$work/init.safetensors" \
  --scheduler-config "$root/examples/scheduler_config.json"

# -- 4. wait for a quiet machine ---------------------------------------------------
. "$here/quiet.sh"
wait_for_quiet "${BENCH_WAIT_IDLE:-600}"
start_accounting

# -- 5. measurements, interleaved call by call across the peers -----------------
say "measuring ($threads threads): diffc, PyTorch, PyTorch + OpenBLAS, ONNX Runtime"
"$py" "$driver" measure --work "$work" --threads "$threads" \
  --diffc-bench "$bin/diffc-bench" --openblas "$openblas_dir" \
  --node-modules "$node_modules"

# -- 6. the table -----------------------------------------------------------------
# CPU time that other processes took from the two cores while we measured.
stop_accounting
status=0
"$py" "$driver" table --work "$work" || status=$?
echo
echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $threads threads;" \
  "load average before the measurements $load_before, after $(cut -d' ' -f1-3 /proc/loadavg);" \
  "other processes used ${others_pct}% of the CPUs during the ${elapsed} s of measurements" \
  "(hypervisor steal ${steal_pct}%);" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); total $(($(date +%s) - started)) s."
if [ "$others_pct" -gt 5 ]; then
  echo "WARNING: the machine was shared during the measurements; OpenMP peers" \
    "(PyTorch) suffer most from that. Rerun on a quiet machine for numbers to keep."
fi
exit "$status"
