#!/usr/bin/env bash
#===- scripts/ddim-table.sh - the DDIM paper's Table 1 on the shipped model -===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# Draws samples from the shipped Fashion-MNIST DDPM (models/fmnist-ddpm) for
# every cell of the DDIM paper's Table 1 -- S = 10, 20, 50, 100, 1000 steps x
# eta = 0, 0.2, 0.5, 1.0 with DDIM, plus the sigma-hat row (DDPM with the
# larger variance beta_t, diffusers' variance_type "fixed_large", on the same
# skipped schedule) -- and then scores every cell with the shipped classifier's
# FID (docs/evaluation.md) and renders docs/ddim-table.md's table and grids.
#
#   scripts/ddim-table.sh [--samples-per-chunk N] [--chunks C] [--workers W]
#                         [--steps "10 20 50 100 1000"] [--out DIR]
#                         [--only-render]
#
# Work is cut into jobs of N samples (chunk k of a cell uses seed k, so the
# chunks of a cell are exactly batches 0..C-1 of one `--seed 0 --batch N`
# run). All cells' chunk 0 come before any chunk 1, so an interrupted run
# still leaves a complete table at N samples per cell; rerunning skips the
# finished jobs. --steps limits a run to some columns (e.g. more chunks for
# the cheap columns only): the renderer scores all cells at the sample count
# every cell has, and the columns that have more also at that larger count. W single-threaded workers run side by side (on 2 cores two
# workers draw 25% more images per second than one two-threaded process,
# because part of the generated code is single-threaded).
#===-----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${DIFFC_BUILD_DIR:-$root/build}/bin"
python=/usr/bin/python3
per_chunk=100
chunks=2
workers=2
out="$root/out/ddim-table"
only_render=0
step_list="10 20 50 100 1000"

usage() { sed -n '/^#   scripts/,/^#$/p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --samples-per-chunk) per_chunk="$2"; shift 2 ;;
    --chunks) chunks="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --steps) step_list="$2"; shift 2 ;;
    --only-render) only_render=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "ddim-table.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

weights="$root/models/fmnist-ddpm/ema.safetensors"
clf_weights="$root/models/fmnist-classifier/classifier.safetensors"
mkdir -p "$out/cells"

# The artifacts: the shipped architecture (as scripts/main.sh), a DDIM
# sampler with the project's scheduler config, a DDPM sampler with the same
# config but variance_type fixed_large (the sigma-hat row), both again with
# steps_offset 0 (for S = 1000, below), the classifier. Only missing ones
# are built, so a resumed run keeps drawing with the same code.
compile_missing() { # ARTIFACT SAMPLER CONFIG
  [[ -f "$out/$1" ]] && return 0
  "$bin/diffc" compile "$out/unet.mlir" --sampler="$2" \
    --scheduler-config="$out/$3" -o "$out/$1"
}
if [[ ! -f "$out/unet.mlir" ]]; then
  "$root/scripts/setup.sh"
  "$bin/diffc-zoo" unet2d --preset=fmnist_small --base-channels=32 \
    --channel-mult=1,2,2 --layers-per-block=2 --attention-resolutions=7 \
    --norm-groups=8 -o "$out/unet.mlir"
fi
[[ -f "$out/ddim.json" ]] || cp "$root/examples/scheduler_config.json" "$out/ddim.json"
"$python" - "$out" <<'EOF'
import json, os, sys
out = sys.argv[1]
ddim = json.load(open(os.path.join(out, "ddim.json")))
large = dict(ddim, _class_name="DDPMScheduler", variance_type="fixed_large")
configs = {"ddpm_fixed_large.json": large,
           # steps_offset 0 for step counts whose last "leading" timestep
           # would pass T - 1 with the offset (S = T: timesteps 999..0, as
           # the DDIM paper's code uses for every S).
           "ddim_offset0.json": dict(ddim, steps_offset=0),
           "ddpm_fixed_large_offset0.json": dict(large, steps_offset=0)}
for name, config in configs.items():
    if not os.path.exists(os.path.join(out, name)):
        json.dump(config, open(os.path.join(out, name), "w"), indent=2)
EOF
compile_missing model.diffc ddim ddim.json
compile_missing model_large.diffc ddpm ddpm_fixed_large.json
compile_missing model_offset0.diffc ddim ddim_offset0.json
compile_missing model_large_offset0.diffc ddpm ddpm_fixed_large_offset0.json
if [[ ! -f "$out/classifier.diffc" ]]; then
  "$bin/diffc-zoo" classifier --preset=fmnist -o "$out/classifier.mlir"
  "$bin/diffc" compile "$out/classifier.mlir" -o "$out/classifier.diffc"
fi

# One job: "<chunk> <steps> <row>", row = eta value or "sigmahat".
run_job() {
  local chunk="$1" steps="$2" row="$3"
  local name="S${steps}_${row}_c${chunk}"
  [[ -f "$out/cells/$name.npy" ]] && return 0
  # Step counts whose last "leading" timestep the offset pushes to T or past
  # (checkSamplingSteps in diffc-run refuses them, diffusers raises) use the
  # steps_offset 0 artifacts.
  local suffix=""
  if (( (steps - 1) * (train_steps / steps) + steps_offset >= train_steps ));
  then suffix=_offset0; fi
  local sampler=(--generate "$out/model$suffix.diffc" --sampler ddim
                 --eta "$row" --scheduler-config "$out/ddim$suffix.json")
  if [[ "$row" == sigmahat ]]; then
    sampler=(--generate "$out/model_large$suffix.diffc" --sampler ddpm
             --scheduler-config "$out/ddpm_fixed_large$suffix.json")
  fi
  local start=$SECONDS
  DIFFC_NUM_THREADS=1 "$bin/diffc-run" "$out/classifier.diffc" eval \
    --weights "$clf_weights" "${sampler[@]}" \
    --generate-weights "$weights" --steps "$steps" \
    --num-samples "$per_chunk" --batch "$per_chunk" --seed "$chunk" \
    --save-samples "$out/cells/$name.tmp.npy" --json \
    > "$out/cells/$name.json.tmp" 2> "$out/cells/$name.log" || {
    echo "ddim-table.sh: $name failed, see $out/cells/$name.log" >&2
    rm -f "$out/cells/$name.json.tmp" "$out/cells/$name.tmp.npy"
    return 1
  }
  mv "$out/cells/$name.json.tmp" "$out/cells/$name.json"
  mv "$out/cells/$name.tmp.npy" "$out/cells/$name.npy"
  echo "$(date +%H:%M:%S) done $name in $((SECONDS - start)) s"
}
read -r train_steps steps_offset < <("$python" -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(c.get("num_train_timesteps", 1000), c.get("steps_offset", 0))' "$out/ddim.json")
export -f run_job
export out bin weights clf_weights per_chunk train_steps steps_offset

if [[ $only_render == 0 ]]; then
  for ((chunk = 0; chunk < chunks; ++chunk)); do
    for steps in $step_list; do
      for row in 0 0.2 0.5 1.0 sigmahat; do
        echo "$chunk $steps $row"
      done
    done
  done | xargs -P "$workers" -L 1 bash -c 'run_job "$@"' _
fi

"$python" "$root/scripts/ddim_table.py" --out "$out" --bin "$bin" \
  --classifier-weights "$clf_weights"
