// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg --diffc-verify-lowered --verify-diagnostics

// Test: every op without a lowering gets its own located error.
func.func @unlowered(%a: tensor<2x4xf32>, %g: tensor<2x4xf32>, %m: tensor<2x4xf32>, %v: tensor<2x4xf32>, %step: i64, %lr: f32) -> tensor<2x4xf32> {
  %0 = diffc.silu %a : tensor<2x4xf32>
  // expected-error @+1 {{'diffc.adam_update' has no lowering for x86_64 yet}}
  %p1, %m1, %v1 = diffc.adam_update adamw %0, %g, %m, %v, %step, %lr : tensor<2x4xf32>, i64, f32
  // expected-error @+1 {{'diffc.ema_update' has no lowering for x86_64 yet}}
  %1 = diffc.ema_update %p1, %a, %lr : tensor<2x4xf32>, f32
  return %1 : tensor<2x4xf32>
}
