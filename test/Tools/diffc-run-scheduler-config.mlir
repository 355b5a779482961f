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

// The number of steps must stay inside the noise schedule, as diffusers'
// set_timesteps and step() need: at most num_train_timesteps, and with
// "leading" spacing the steps_offset must not push the last timestep to T
// (S = 1000 with steps_offset 1 would read alphas_cumprod[1000]).
// RUN: diffc compile %S/Inputs/toy_model.mlir --sampler=ddim,ddpm --scheduler-config %diffc_src_root/examples/scheduler_config.json -o %t/offset1.diffc
// RUN: not diffc-run %t/toy.diffc sample --steps 1001 --weights %t/w.safetensors --out %t/no5.npy 2>&1 | FileCheck %s --check-prefix=TOOMANY
// TOOMANY: diffc-run: error: --steps 1001 exceeds num_train_timesteps 1000 of {{.*}}toy.diffc's scheduler config
// RUN: not diffc-run %t/offset1.diffc sample --steps 1000 --weights %t/w.safetensors --out %t/no6.npy 2>&1 | FileCheck %s --check-prefix=OFFSET
// RUN: not diffc-run %t/offset1.diffc sample --sampler ddpm --steps 1000 --weights %t/w.safetensors --out %t/no7.npy 2>&1 | FileCheck %s --check-prefix=OFFSET
// OFFSET: diffc-run: error: --steps 1000 with {{.*}}offset1.diffc's timestep_spacing "leading" and steps_offset 1 reaches timestep 1000, outside the 1000 training timesteps (diffusers fails there too); use fewer steps, or compile with steps_offset 0 or timestep_spacing "trailing"
// RUN: diffc-run %t/offset1.diffc sample --steps 999 --batch 1 --weights %t/w.safetensors --out %t/ok999.npy
// RUN: diffc-run %t/toy.diffc sample --steps 1000 --batch 1 --weights %t/w.safetensors --out %t/ok1000.npy

// RUN: not ls %t/no1.npy %t/no2.npy %t/no3.npy %t/no4.npy %t/no5.npy %t/no6.npy %t/no7.npy
