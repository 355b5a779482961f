// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg --diffc-verify-lowered --verify-diagnostics

// Test: every op without a lowering gets its own located error.
func.func @unlowered(%a: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = diffc.silu %a : tensor<2x4xf32>
  // expected-error @+1 {{'diffc.softmax' has no lowering for x86_64 yet}}
  %1 = diffc.softmax %0 {axis = 1 : i64} : tensor<2x4xf32>
  // expected-error @+1 {{'diffc.layer_norm' has no lowering for x86_64 yet}}
  %2 = diffc.layer_norm %1, %g, %b : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}
