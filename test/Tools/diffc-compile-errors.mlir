// diffc compile refuses bad input with a located or one-line error, exit 1,
// and no artifact.
// RUN: rm -rf %t && mkdir -p %t

// RUN: not diffc compile %S/Inputs/toy_model.mlir --sampler=ddim --scheduler-config %S/Inputs/bad_option.json -o %t/a.diffc 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: diffc: error: {{.*}}bad_option.json: unknown scheduler option 'warp_speed'
// RUN: not diffc compile %S/Inputs/toy_model.mlir --sampler=ddim --scheduler-config %S/Inputs/bad_enum.json -o %t/b.diffc 2>&1 | FileCheck %s --check-prefix=ENUM
// ENUM: diffc: error: {{.*}}bad_enum.json: unknown prediction_type "noise"
// RUN: not diffc compile %S/Inputs/toy_model.mlir --sampler=euler -o %t/c.diffc 2>&1 | FileCheck %s --check-prefix=SAMPLER
// SAMPLER: diffc: error: unknown --sampler 'euler' (expected ddim or ddpm)
// RUN: not diffc compile %S/Inputs/toy_model.mlir --target=sm_70 -o %t/d.diffc 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: diffc: error: unknown or unsupported target 'sm_70' (supported: x86_64, sm_80, sm_86, sm_89, sm_90, sm_100, sm_120)
// RUN: not diffc compile %S/Inputs/toy_model.mlir 2>&1 | FileCheck %s --check-prefix=NOOUT
// NOOUT: diffc: error: no output file: pass -o FILE
// RUN: %python %S/Inputs/make_weights.py %t/wrong.safetensors scale.weight 3 1.0
// RUN: not diffc compile %S/Inputs/toy_model.mlir --weights %t/wrong.safetensors -o %t/e.diffc 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// WEIGHTS: diffc: error: {{.*}}wrong.safetensors: tensor 'scale.weight' is tensor<3xf32>, the model expects tensor<1x1x1xf32>
// RUN: not diffc compile %s -o %t/f.diffc 2>&1 | FileCheck %s --check-prefix=UNLOWERED
// UNLOWERED: diffc-compile-errors.mlir:[[@LINE+4]]:8: error: 'diffc.attention' has no lowering for x86_64 yet
// RUN: not ls %t/a.diffc %t/b.diffc %t/c.diffc %t/d.diffc %t/e.diffc %t/f.diffc
// (Attention's default scale 1/sqrt(d) needs a static feature size d.)
func.func @unlowered(%q: tensor<2x16x?xf32>) -> tensor<2x16x?xf32> {
  %0 = diffc.attention %q, %q, %q : (tensor<2x16x?xf32>, tensor<2x16x?xf32>, tensor<2x16x?xf32>) -> tensor<2x16x?xf32>
  return %0 : tensor<2x16x?xf32>
}

// Malformed input points at its location.
// RUN: not diffc compile %S/Inputs/malformed.mlir -o %t/g.diffc 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: malformed.mlir:2:{{[0-9]+}}: error:
// RUN: not ls %t/g.diffc
