// diffc-run sample --scheduler-config: the diffusers scheduler_config.json
// given at run time must match the scheduler options the artifact's sampler
// was compiled with (its "scheduler_config" metadata). A match samples as
// without the option; a difference, an unknown option or an artifact without
// a recorded config is one error line, exit 1 and no output file.
// RUN: rm -rf %t && mkdir -p %t
// RUN: diffc compile %S/Inputs/toy_model.mlir --sampler=ddim --scheduler-config %S/Inputs/scheduler_config.json -o %t/toy.diffc
// RUN: diffc compile %S/Inputs/toy_model.mlir -o %t/nosampler.diffc
// RUN: %python %S/Inputs/make_weights.py %t/w.safetensors scale.weight 1x1x1 2.0

// The compiler records every option, defaults included, and the samplers.
// RUN: diffc-run %t/toy.diffc inspect | FileCheck %s --check-prefix=META
// META:      "metadata": {
// META-NEXT:   "scheduler_config": "{\"num_train_timesteps\": 1000, \"beta_start\": 0.0001, \"beta_end\": 0.02, \"beta_schedule\": \"linear\", {{.*}}\"prediction_type\": \"epsilon\", {{.*}}\"variance_type\": \"fixed_small\"}",
// META-NEXT:   "samplers": "ddim"
// META-NEXT: }

// The file it was compiled with matches, and so does one that spells the
// same options differently (defaults left out, 1e-4, 1000.0); both sample
// exactly what sampling without the option gives.
// RUN: diffc-run %t/toy.diffc sample --steps 3 --batch 2 --seed 5 --weights %t/w.safetensors --out %t/plain.npy
// RUN: diffc-run %t/toy.diffc sample --steps 3 --batch 2 --seed 5 --weights %t/w.safetensors --scheduler-config %S/Inputs/scheduler_config.json --out %t/same.npy
// RUN: cmp %t/plain.npy %t/same.npy
// RUN: diffc-run %t/toy.diffc sample --steps 3 --batch 2 --seed 5 --weights %t/w.safetensors --scheduler-config=%S/Inputs/scheduler_config_defaults.json --out %t/defaults.npy
// RUN: cmp %t/plain.npy %t/defaults.npy

// A different prediction type: the first differing option, both values and
// the fix.
// RUN: not diffc-run %t/toy.diffc sample --weights %t/w.safetensors --scheduler-config %S/Inputs/scheduler_config_vpred.json --out %t/no1.npy 2>&1 | FileCheck %s --check-prefix=VPRED
// VPRED: diffc-run: error: [[CFG:.*scheduler_config_vpred.json]]: prediction_type is "v_prediction" but {{.*}}toy.diffc was compiled with "epsilon"; recompile with: diffc compile ... --scheduler-config [[CFG]]
// RUN: not diffc-run %t/toy.diffc sample --weights %t/w.safetensors --scheduler-config %S/Inputs/scheduler_config_vpred.json --out %t/no1.npy 2>&1 | count 1

// An unknown option, with the compiler's wording.
// RUN: not diffc-run %t/toy.diffc sample --weights %t/w.safetensors --scheduler-config %S/Inputs/bad_option.json --out %t/no2.npy 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: diffc-run: error: {{.*}}bad_option.json: unknown scheduler option 'warp_speed'
// RUN: not diffc-run %t/toy.diffc sample --weights %t/w.safetensors --scheduler-config %S/Inputs/bad_enum.json --out %t/no3.npy 2>&1 | FileCheck %s --check-prefix=ENUM
// ENUM: diffc-run: error: {{.*}}bad_enum.json: unknown prediction_type "noise"

// An artifact compiled without samplers has no config to check against.
// RUN: not diffc-run %t/nosampler.diffc sample --weights %t/w.safetensors --scheduler-config %S/Inputs/scheduler_config.json --out %t/no4.npy 2>&1 | FileCheck %s --check-prefix=NOCONFIG
// NOCONFIG: diffc-run: error: {{.*}}nosampler.diffc has no sampler config to check {{.*}}scheduler_config.json against (no "scheduler_config" metadata: it was compiled without --sampler, or by an older diffc); recompile with: diffc compile ... --scheduler-config {{.*}}scheduler_config.json

// RUN: not ls %t/no1.npy %t/no2.npy %t/no3.npy %t/no4.npy
