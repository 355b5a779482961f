#!/usr/bin/env bash
#===- bench/train_cpu.sh - U-Net training step on CPU: diffc vs PyTorch ---===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# One command: one full DDPM training step (t and noise, q(x_t|x_0),
# forward, L_simple, backward, AdamW, EMA) of the zoo U-Net at batch 32 and
# 64 on 2 threads, with
#   diffc     diffc-zoo --init-weights -> diffc compile --train -> diffc-bench
#             calling train_step with its 4P + 5 arguments (initial weights,
#             zero moments, EMA = weights, a Fashion-MNIST batch in [-1, 1])
#   PyTorch   Debian's python3-torch on the twin (frontends/python/
#             unet2d_torch.py) with the same weights and batch:
#             torch.optim.AdamW (foreach) and a _foreach EMA update; also
#             with Debian's OpenBLAS first on LD_LIBRARY_PATH when
#             bench/unet_cpu.sh has extracted it into bench/.cache/openblas
# each (peer, batch) in its own process, then one markdown table with the
# median step time, images/s and peak RSS (getrusage) of each, and the load.
#
#   bash bench/train_cpu.sh                 # the shipped U-Net (1.6 M parameters)
#   BENCH_MODEL=fmnist_small bash bench/train_cpu.sh   # BENCH.md's 6.47 M one
#
# The compiled artifact is cached in bench/.cache/train/<model>-<key>.diffc,
# key = hash of the model's MLIR, the compile flags, the scheduler config and
# the diffc binary, so a rerun skips the multi-minute compile.
#
# Environment: DIFFC_BUILD_DIR (default build/), BENCH_MODEL (shipped |
# fmnist_small), BENCH_BATCHES (default 32,64), BENCH_THREADS (default 2),
# BENCH_WARMUP / BENCH_REPS (default 2 / 7), BENCH_WAIT_IDLE (seconds to wait
# for other processes to leave the CPUs below 10%; default 600),
# BENCH_QUICK=1 (0 warm-up + 1 timed step, batch 32 only, no waiting:
# checks the plumbing only).
#===-----------------------------------------------------------------------===#
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${DIFFC_BUILD_DIR:-$root/build}"
bin="$build/bin"
threads="${BENCH_THREADS:-2}"
model="${BENCH_MODEL:-shipped}"
batches="${BENCH_BATCHES:-32,64}"
warmup="${BENCH_WARMUP:-2}"
reps="${BENCH_REPS:-7}"
wait_idle="${BENCH_WAIT_IDLE:-600}"
if [ -n "${BENCH_QUICK:-}" ]; then
  warmup=0 reps=1 batches="${BENCH_BATCHES:-32}" wait_idle=0
fi
cache="$here/.cache"
tcache="$cache/train"
work="$tcache/work"
py=/usr/bin/python3
driver="$here/train_cpu.py"

say() { printf '== %s\n' "$*" >&2; }
started=$(date +%s)

case "$model" in
  shipped) zoo_args=(--preset=fmnist_small --base-channels=32 --channel-mult=1,2,2
                     --layers-per-block=2 --attention-resolutions=7 --norm-groups=8) ;;
  fmnist_small) zoo_args=(--preset=fmnist_small) ;;
  *) echo "train_cpu.sh: BENCH_MODEL must be shipped or fmnist_small" >&2; exit 2 ;;
esac
# Relative to the repository root (the compile runs there), so the key does
# not depend on where the checkout is.
compile_args=(--train --scheduler-config=examples/scheduler_config.json)

mkdir -p "$tcache"
# bench/.cache holds downloads and work files, never sources.
[ -f "$cache/.gitignore" ] || echo '*' >"$cache/.gitignore"
rm -rf "$work"
mkdir -p "$work"

# -- 0. tools -----------------------------------------------------------------
for tool in diffc diffc-zoo diffc-run; do
  [ -x "$bin/$tool" ] || {
    echo "train_cpu.sh: $bin/$tool is missing: run scripts/setup.sh first" >&2
    exit 1
  }
done
say "building diffc-bench ($build)"
cmake --build "$build" --target diffc-bench -j2 >"$work/build.log" 2>&1 || {
  tail -20 "$work/build.log" >&2
  echo "train_cpu.sh: building diffc-bench failed" >&2
  exit 1
}
"$py" -c 'import torch, numpy' 2>/dev/null || {
  echo "train_cpu.sh: $py lacks torch/numpy (Debian python3-torch python3-numpy)" >&2
  exit 1
}

# -- 1. the model and its training step (cached) ---------------------------------
say "diffc-zoo unet2d ${zoo_args[*]} --init-weights (seed 0)"
"$bin/diffc-zoo" unet2d "${zoo_args[@]}" --init-weights="$work/init.safetensors" \
  --seed=0 -o "$work/unet.mlir"
key=$( { sha256sum <"$work/unet.mlir"; echo "${compile_args[*]}";
         sha256sum <"$root/examples/scheduler_config.json"; sha256sum <"$bin/diffc"; } |
       sha256sum | cut -c1-16)
artifact="$tcache/$model-$key.diffc"
if [ -f "$artifact" ]; then
  say "cached: $artifact"
else
  say "diffc compile ${compile_args[*]} (several minutes) -> $artifact"
  t0=$(date +%s)
  (cd "$root" && "$bin/diffc" compile "$work/unet.mlir" "${compile_args[@]}" \
     -o "$artifact.tmp")
  mv "$artifact.tmp" "$artifact"
  say "compiled in $(( $(date +%s) - t0 )) s"
fi
say "train_step arguments: weights, zero moments, Fashion-MNIST batches $batches"
"$py" "$driver" prepare --work "$work" --artifact "$artifact" \
  --diffc-run "$bin/diffc-run" --weights "$work/init.safetensors" --batches "$batches"

# -- 2. wait for a quiet machine (bench/quiet.sh) ---------------------------------
. "$here/quiet.sh"
wait_for_quiet "$wait_idle"
start_accounting
# Load average sampled every 5 s while measuring.
(while :; do cut -d' ' -f1 /proc/loadavg; sleep 5; done) >"$work/loadavg.txt" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT

# -- 3. measurements: each (peer, batch) in its own process ------------------------
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" DIFFC_NUM_THREADS="$threads"
openblas_dir="$cache/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp"
unset LD_LIBRARY_PATH
for b in ${batches//,/ }; do
  say "diffc train_step b$b: $warmup warm-up + $reps timed ($threads threads)"
  mapfile -t args <"$work/args_$b.txt"
  argv=()
  for x in "${args[@]}"; do argv+=(--arg "$x"); done
  # --weights: the artifact's other entry point (unet) reads the weights as
  # parameter globals; the session binds them, as `diffc-run train` does.
  (cd "$work" && "$bin/diffc-bench" "$artifact" train_step --weights init.safetensors "${argv[@]}" \
     --warmup "$warmup" --reps "$reps" --threads "$threads" --json \
     >"result-diffc-$b.json" 2>"diffc-$b.log") || {
    tail -5 "$work/diffc-$b.log" >&2
    echo "train_cpu.sh: diffc-bench failed (see $work/diffc-$b.log)" >&2
    exit 1
  }
  grep -E 'rep|warm-up' "$work/diffc-$b.log" | sed 's/^/  /' >&2 || true
  say "PyTorch training step b$b: $warmup warm-up + $reps timed ($threads threads)"
  "$py" "$driver" torch --work "$work" --weights "$work/init.safetensors" \
    --zoo-args="${zoo_args[*]}" --batch "$b" --warmup "$warmup" --reps "$reps" \
    --threads "$threads" >"$work/result-torch-$b.json" 2>"$work/torch-$b.log" || {
    tail -5 "$work/torch-$b.log" >&2
    echo "train_cpu.sh: the PyTorch step failed (see $work/torch-$b.log)" >&2
    exit 1
  }
  sed 's/^/  /' "$work/torch-$b.log" >&2
  # PyTorch with OpenBLAS, when bench/unet_cpu.sh has extracted it.
  if [ -f "$openblas_dir/libblas.so.3" ]; then
    say "PyTorch + OpenBLAS training step b$b"
    LD_LIBRARY_PATH="$openblas_dir" "$py" "$driver" torch --label torch-openblas \
      --work "$work" --weights "$work/init.safetensors" \
      --zoo-args="${zoo_args[*]}" --batch "$b" --warmup "$warmup" --reps "$reps" \
      --threads "$threads" >"$work/result-torch-openblas-$b.json" \
      2>"$work/torch-openblas-$b.log" || {
      echo "  PyTorch + OpenBLAS failed (see $work/torch-openblas-$b.log); left out" >&2
      rm -f "$work/result-torch-openblas-$b.json"
    }
    sed 's/^/  /' "$work/torch-openblas-$b.log" >&2
  fi
done
kill "$sampler" 2>/dev/null || true

# -- 4. the table -------------------------------------------------------------------
stop_accounting
load_range=$(sort -n "$work/loadavg.txt" | sed -n '1p;$p' | paste -sd- -)
echo
echo "## U-Net training step on CPU ($model: ${zoo_args[*]}), $threads threads"
echo
status=0
"$py" "$driver" table --work "$work" --batches "$batches" || status=$?
echo
echo "Warm-up + timed steps per peer and batch: $warmup + $reps. $(sed -n 's/.*"version": "\([^"]*\)".*/\1/p' "$work/result-torch-${batches%%,*}.json"); diffc-bench $(sed -n 's/.*"isa": "\([^"]*\)".*/\1/p' "$work/result-diffc-${batches%%,*}.json") kernels."
echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $threads threads;" \
  "1-minute load average before $load_before, during ${load_range} (every 5 s), after $(cut -d' ' -f1-3 /proc/loadavg);" \
  "other processes used ${others_pct}% of the CPUs during the ${elapsed} s of measurements" \
  "(hypervisor steal ${steal_pct}%);" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); total $(($(date +%s) - started)) s."
if [ "$others_pct" -gt 5 ]; then
  echo "WARNING: the machine was shared during the measurements; PyTorch (OpenMP)" \
    "suffers most from that. Rerun on a quiet machine for numbers to keep."
fi
exit "$status"
