#!/usr/bin/env bash
#===- scripts/main.sh - set up diffc and run its main job -----------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# The main job at this stage of the project: compile the example program (a
# class-conditional denoiser and its classifier-free-guidance DDIM sampler,
# written in the diffc dialect) through the current pipeline (parse, verify,
# canonicalize, cse) and print what it became: a summary of parameters and
# FLOPs per function, then the IR.
#
#   scripts/main.sh [MODEL.mlir]
#===-----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/examples/cfg_ddim_sampler.mlir}"

"$root/scripts/setup.sh"
echo
echo "== diffc-opt $model --canonicalize --cse --diffc-model-summary =="
"${DIFFC_BUILD_DIR:-$root/build}/bin/diffc-opt" "$model" \
  --canonicalize --cse --diffc-model-summary
