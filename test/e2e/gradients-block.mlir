// The gradient of a small U-Net block in float32, every rule composed:
// GroupNorm -> SiLU -> conv2d -> residual add -> self-attention over the
// spatial positions (linear q/k/v projections, 2 heads, output projection)
// -> residual add, with a dynamic batch. `diffc compile` adds @block_grad
// (diffc-autodiff), compiled like any float32 program (the runtime's GEMM
// and convolution kernels); the harness checks the loss and the gradients
// of the input and of all ten weights against central finite differences
// of the float64 NumPy reference (cases_gradients_block.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case grad_block | FileCheck %s
// CHECK-COUNT-11: ok
// CHECK-NOT: FAIL

func.func @block(%x: tensor<?x4x4x4xf32>, %gamma: tensor<4xf32>, %beta: tensor<4xf32>, %w1: tensor<4x4x3x3xf32>, %b1: tensor<4xf32>, %wq: tensor<4x4xf32>, %wk: tensor<4x4xf32>, %wv: tensor<4x4xf32>, %wo: tensor<4x4xf32>, %bo: tensor<4xf32>, %r: tensor<?x4x4x4xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9>}} {
  %n = diffc.group_norm %x, %gamma, %beta {num_groups = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  %a = diffc.silu %n : tensor<?x4x4x4xf32>
  %c = diffc.conv2d %a, %w1, %b1 {padding = array<i64: 1, 1>} : (tensor<?x4x4x4xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  %h = diffc.add %c, %x : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %hs = diffc.reshape %h : (tensor<?x4x4x4xf32>) -> tensor<?x4x16xf32>
  %t = diffc.transpose %hs {permutation = array<i64: 0, 2, 1>} : (tensor<?x4x16xf32>) -> tensor<?x16x4xf32>
  %q = diffc.linear %t, %wq : (tensor<?x16x4xf32>, tensor<4x4xf32>) -> tensor<?x16x4xf32>
  %k = diffc.linear %t, %wk : (tensor<?x16x4xf32>, tensor<4x4xf32>) -> tensor<?x16x4xf32>
  %v = diffc.linear %t, %wv : (tensor<?x16x4xf32>, tensor<4x4xf32>) -> tensor<?x16x4xf32>
  %att = diffc.attention %q, %k, %v {num_heads = 2 : i64} : (tensor<?x16x4xf32>, tensor<?x16x4xf32>, tensor<?x16x4xf32>) -> tensor<?x16x4xf32>
  %o = diffc.linear %att, %wo, %bo : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  %ot = diffc.transpose %o {permutation = array<i64: 0, 2, 1>} : (tensor<?x16x4xf32>) -> tensor<?x4x16xf32>
  %o4 = diffc.reshape %ot : (tensor<?x4x16xf32>) -> tensor<?x4x4x4xf32>
  %y = diffc.add %o4, %h : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %m = diffc.mul %y, %r : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<?x4x4x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
