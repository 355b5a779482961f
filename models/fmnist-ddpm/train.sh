#!/usr/bin/env bash
#===- models/fmnist-ddpm/train.sh - how the shipped DDPM was trained -------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# Reproduces models/fmnist-ddpm/ema.safetensors with diffc alone: the zoo
# U-Net (1,623,169 parameters), its compiled training step, and
# `diffc-run train` on Fashion-MNIST. Work files go to $WORK (default
# /tmp/fmnist-ddpm); the EMA weights are copied next to this script at the
# end. Resumable: rerun with RESUME=1 after an interruption.
#
#   bash models/fmnist-ddpm/train.sh          # about 85-120 min on 2 cores
#===-----------------------------------------------------------------------===#
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${DIFFC_BUILD_DIR:-$root/build}/bin"
work="${WORK:-/tmp/fmnist-ddpm}"
steps="${STEPS:-4000}"
mkdir -p "$work"

# The architecture: keep in sync with scripts/main.sh.
zoo_args=(--preset=fmnist_small --base-channels=32 --channel-mult=1,2,2
          --layers-per-block=2 --attention-resolutions=7 --norm-groups=8)

"$bin/diffc-zoo" unet2d "${zoo_args[@]}" --init-weights="$work/init.safetensors" \
  --seed=0 -o "$work/unet.mlir"
[ -f "$work/train.diffc" ] ||
  "$bin/diffc" compile "$work/unet.mlir" --train --sampler=ddim,ddpm \
    --scheduler-config="$root/examples/scheduler_config.json" -o "$work/train.diffc"

resume=()
if [ "${RESUME:-0}" = 1 ] && [ -f "$work/ckpt/latest.safetensors" ]; then
  resume=(--resume "$work/ckpt/latest.safetensors")
fi
"$bin/diffc-run" "$work/train.diffc" train --data fashion-mnist \
  --steps "$steps" --batch 32 --lr 5e-4 --warmup 100 --seed 0 \
  --ema-decay 0.999 --flip --weights "$work/init.safetensors" \
  --checkpoint-dir "$work/ckpt" --checkpoint-every 100 \
  --out-ema "$work/ema.safetensors" --log "$work/loss.csv" "${resume[@]}"
cp "$work/ema.safetensors" "$here/ema.safetensors"
echo "train.sh: wrote $here/ema.safetensors"
