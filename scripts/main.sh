#!/usr/bin/env bash
#===- scripts/main.sh - set up diffc and run its main job -----------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# The main job: build the zoo's Fashion-MNIST DDPM U-Net in the shipped
# configuration (1.6 M parameters), compile it ahead of time with a DDIM
# sampler for x86-64, and sample a 4x4 grid with 50 DDIM steps from the
# weights diffc trained itself (models/fmnist-ddpm/, trained by
# models/fmnist-ddpm/train.sh) into out/grid.png.
#
#   scripts/main.sh            # everything into out/
#===-----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${DIFFC_BUILD_DIR:-$root/build}/bin"
out="$root/out"
weights="$root/models/fmnist-ddpm/ema.safetensors"

"$root/scripts/setup.sh"
mkdir -p "$out"

# The architecture of the shipped weights: keep in sync with
# models/fmnist-ddpm/train.sh.
zoo_args=(--preset=fmnist_small --base-channels=32 --channel-mult=1,2,2
          --layers-per-block=2 --attention-resolutions=7 --norm-groups=8)

echo
echo "== 1. the model: diffc-zoo unet2d ${zoo_args[*]}"
"$bin/diffc-zoo" unet2d "${zoo_args[@]}" -o "$out/unet.mlir"
"$bin/diffc-opt" "$out/unet.mlir" --diffc-model-summary -o /dev/null | head -3

echo
echo "== 2. compile: U-Net + DDIM sampler -> $out/fmnist.diffc"
start=$(date +%s)
"$bin/diffc" compile "$out/unet.mlir" --sampler=ddim \
  --scheduler-config="$root/examples/scheduler_config.json" \
  --stats -o "$out/fmnist.diffc"
echo "  compiled in $(( $(date +%s) - start )) s"

echo
echo "== 3. sample: 16 images, 50 DDIM steps, eta 0, seed 0 (CPU), weights $weights"
start=$(date +%s%N)
"$bin/diffc-run" "$out/fmnist.diffc" sample --sampler=ddim --steps=50 \
  --eta=0 --seed=0 --batch=16 --weights="$weights" \
  --scheduler-config="$root/examples/scheduler_config.json" \
  --upscale=4 --out="$out/grid.png" --out="$out/samples.npy"
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf '  wrote %s and %s in %d.%03d s\n' "$out/grid.png" "$out/samples.npy" \
  $((ms / 1000)) $((ms % 1000))
