// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg --diffc-verify-lowered --verify-diagnostics

// Test: every op left gets its own located error. (Every op lowers now;
// parameters are left to diffc-parameters-to-globals, which this RUN line
// does not run.)
func.func @unlowered(%a: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = diffc.silu %a : tensor<2x4xf32>
  // expected-error @+1 {{'diffc.parameter' has no lowering for x86_64 yet}}
  %w = diffc.parameter "w" : tensor<2x4xf32>
  // expected-error @+1 {{'diffc.parameter' has no lowering for x86_64 yet}}
  %b = diffc.parameter "b" : tensor<4xf32>
  %1 = diffc.mul %0, %w : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = diffc.add %1, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}
