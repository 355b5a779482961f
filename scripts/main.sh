#!/usr/bin/env bash
#===- scripts/main.sh - set up diffc and run its main job -----------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# The main job: build the zoo's Fashion-MNIST-sized DDPM U-Net (BENCH.md's
# fmnist_small, 6.5 M parameters) with initial weights, compile it ahead of
# time with a DDIM sampler for x86-64, and sample a 4x4 grid with 50 DDIM
# steps into out/grid.png. Trained weights replace the initial ones with
# --weights once a trained checkpoint exists (the training issue).
#
#   scripts/main.sh            # everything into out/
#===-----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${DIFFC_BUILD_DIR:-$root/build}/bin"
out="$root/out"

"$root/scripts/setup.sh"
mkdir -p "$out"

echo
echo "== 1. the model: diffc-zoo unet2d --preset=fmnist_small"
"$bin/diffc-zoo" unet2d --preset=fmnist_small \
  --init-weights="$out/init.safetensors" --seed=0 -o "$out/unet.mlir"
"$bin/diffc-opt" "$out/unet.mlir" --diffc-model-summary -o /dev/null | head -3

echo
echo "== 2. compile: U-Net + DDIM sampler -> $out/fmnist_small.diffc"
"$bin/diffc" compile "$out/unet.mlir" --sampler=ddim,ddpm \
  --scheduler-config="$root/examples/scheduler_config.json" \
  --stats -o "$out/fmnist_small.diffc"
"$bin/diffc-run" "$out/fmnist_small.diffc" inspect |
  grep -E '"name": "(unet|sample_ddim|sample_ddpm)"' | sed 's/^ */  entry point: /'

echo
echo "== 3. sample: 16 images, 50 DDIM steps, eta 0, seed 0 (CPU)"
start=$(date +%s%N)
"$bin/diffc-run" "$out/fmnist_small.diffc" sample --sampler=ddim --steps=50 \
  --eta=0 --seed=0 --batch=16 --weights="$out/init.safetensors" \
  --scheduler-config="$root/examples/scheduler_config.json" \
  --out="$out/grid.png" --out="$out/samples.npy"
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf '  wrote %s and %s in %d.%03d s\n' "$out/grid.png" "$out/samples.npy" \
  $((ms / 1000)) $((ms % 1000))
