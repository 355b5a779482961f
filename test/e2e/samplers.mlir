// Whole sampling programs built by `diffc compile --sampler=ddim,ddpm`
// around a model, with scheduler options from diffusers scheduler_config.json
// files, against float64 references of diffusers' loops.
// RUN: diffc compile %s --sampler=ddim,ddpm --scheduler-config %S/Inputs/ddim_leading.json -o %t.a.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.a.diffc --case sampler_ddim_leading --case sampler_ddpm_leading | FileCheck %s
// RUN: diffc compile %s --sampler=ddim,ddpm --scheduler-config %S/Inputs/ddpm_v_trailing.json -o %t.b.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.b.diffc --case sampler_ddim_v_trailing --case sampler_ddpm_v_trailing | FileCheck %s
// CHECK-COUNT-2: ok
// CHECK-NOT: FAIL

// The toy model: prediction = tanh(x).
func.func @toy(%x: tensor<?x1x4x4xf32>, %t: tensor<?xi64>) -> tensor<?x1x4x4xf32> {
  %0 = diffc.tanh %x : tensor<?x1x4x4xf32>
  return %0 : tensor<?x1x4x4xf32>
}
