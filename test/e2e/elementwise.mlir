// Elementwise ops compiled for x86-64 and run through diffc-run, against
// float64 NumPy (harness.py, cases.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case bias_silu_residual --case unary_chain --case binary_broadcast --case shared_result | FileCheck %s
// CHECK-COUNT-22: ok
// CHECK-NOT: FAIL

func.func @bias_silu_residual(%x: tensor<?x4x5x5xf32>, %b: tensor<4x1x1xf32>, %r: tensor<?x4x5x5xf32>) -> tensor<?x4x5x5xf32> {
  %0 = diffc.add %x, %b : (tensor<?x4x5x5xf32>, tensor<4x1x1xf32>) -> tensor<?x4x5x5xf32>
  %1 = diffc.silu %0 : tensor<?x4x5x5xf32>
  %2 = diffc.add %1, %r : (tensor<?x4x5x5xf32>, tensor<?x4x5x5xf32>) -> tensor<?x4x5x5xf32>
  return %2 : tensor<?x4x5x5xf32>
}

func.func @unary_chain(%x: tensor<2x33xf32>) -> (tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>) {
  %half = arith.constant dense<0.5> : tensor<f32>
  %tenth = arith.constant dense<0.1> : tensor<f32>
  %g1 = diffc.gelu tanh %x : tensor<2x33xf32>
  %g0 = diffc.gelu none %x : tensor<2x33xf32>
  %th = diffc.tanh %x : tensor<2x33xf32>
  %re = diffc.relu %x : tensor<2x33xf32>
  %ex = diffc.exp %x : tensor<2x33xf32>
  %ab = diffc.abs %x : tensor<2x33xf32>
  %ab5 = diffc.add %ab, %half : (tensor<2x33xf32>, tensor<f32>) -> tensor<2x33xf32>
  %lg = diffc.log %ab5 : tensor<2x33xf32>
  %sq = diffc.sqrt %ab : tensor<2x33xf32>
  %ab1 = diffc.add %ab, %tenth : (tensor<2x33xf32>, tensor<f32>) -> tensor<2x33xf32>
  %rs = diffc.rsqrt %ab1 : tensor<2x33xf32>
  %ng = diffc.neg %x : tensor<2x33xf32>
  %sg = diffc.sigmoid %x : tensor<2x33xf32>
  %cl = diffc.clamp %x {min = -0.5 : f64, max = 0.25 : f64} : tensor<2x33xf32>
  return %g1, %g0, %th, %re, %ex, %lg, %sq, %rs, %ng, %ab, %sg, %cl : tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>, tensor<2x33xf32>
}

func.func @binary_broadcast(%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %s = diffc.sub %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %m = diffc.mul %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %d = diffc.div %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %mx = diffc.maximum %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %mn = diffc.minimum %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %aa = diffc.abs %a : tensor<2x3x4xf32>
  %p = diffc.pow %aa, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %s, %m, %d, %mx, %mn, %p : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

func.func @shared_result(%x: tensor<64x33xf32>) -> (tensor<64x33xf32>, tensor<64x33xf32>, tensor<64x33xf32>) {
  %e = diffc.exp %x : tensor<64x33xf32>
  return %e, %e, %e : tensor<64x33xf32>, tensor<64x33xf32>, tensor<64x33xf32>
}
