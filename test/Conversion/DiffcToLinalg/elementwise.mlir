// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg | FileCheck %s

// Broadcasting is in the indexing map: the [4, 1, 1] operand aligns on the
// right of [?, 4, 8, 8] and reads index 0 in its size-1 dimensions. The
// dynamic batch comes from the operand that has it.
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func.func @broadcast_add
//  CHECK-SAME:   (%[[A:.*]]: tensor<?x4x8x8xf32>, %[[B:.*]]: tensor<4x1x1xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x4x8x8xf32>
//       CHECK:   %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4x8x8xf32>
//       CHECK:   linalg.generic {indexing_maps = [#[[ID4]], #[[BC]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
//  CHECK-SAME:     ins(%[[A]], %[[B]] : tensor<?x4x8x8xf32>, tensor<4x1x1xf32>) outs(%[[E]] : tensor<?x4x8x8xf32>)
//       CHECK:     %[[S:.*]] = arith.addf
//       CHECK:     linalg.yield %[[S]] : f32
//   CHECK-NOT:   diffc.add
func.func @broadcast_add(%a: tensor<?x4x8x8xf32>, %b: tensor<4x1x1xf32>) -> tensor<?x4x8x8xf32> {
  %0 = diffc.add %a, %b : (tensor<?x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}

// -----

// The tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// CHECK-LABEL: func.func @gelu_tanh
//   CHECK-DAG:   %[[C:.*]] = arith.constant 0.797884583 : f32
//   CHECK-DAG:   %[[K:.*]] = arith.constant 4.471500e-02 : f32
//       CHECK:   ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
//       CHECK:     %[[X2:.*]] = arith.mulf %[[X]], %[[X]]
//       CHECK:     %[[X3:.*]] = arith.mulf %[[X]], %[[X2]]
//       CHECK:     %[[KX3:.*]] = arith.mulf %[[X3]], %[[K]]
//       CHECK:     %[[P:.*]] = arith.addf %[[X]], %[[KX3]]
//       CHECK:     %[[Q:.*]] = arith.mulf %[[P]], %[[C]]
//       CHECK:     math.tanh %[[Q]]
func.func @gelu_tanh(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = diffc.gelu tanh %a : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Exact GELU goes through erf; SiLU is x * sigmoid(x).
// CHECK-LABEL: func.func @gelu_none_silu
//       CHECK:   math.erf
//       CHECK:   linalg.generic
//       CHECK:     %[[NEG:.*]] = arith.negf %[[X:.*]] : f32
//       CHECK:     %[[E:.*]] = math.exp %[[NEG]]
//       CHECK:     %[[D:.*]] = arith.addf %[[E]]
//       CHECK:     %[[SIG:.*]] = arith.divf %{{.*}}, %[[D]]
//       CHECK:     arith.mulf %[[X]], %[[SIG]]
func.func @gelu_none_silu(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = diffc.gelu none %a : tensor<3xf32>
  %1 = diffc.silu %0 : tensor<3xf32>
  return %1 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @clamp_f64
//   CHECK-DAG:   %[[HI:.*]] = arith.constant 2.000000e+00 : f64
//   CHECK-DAG:   %[[LO:.*]] = arith.constant -1.000000e+00 : f64
//       CHECK:     %[[M:.*]] = arith.maximumf %{{.*}}, %[[LO]] : f64
//       CHECK:     arith.minimumf %[[M]], %[[HI]] : f64
func.func @clamp_f64(%a: tensor<3xf64>) -> tensor<3xf64> {
  %0 = diffc.clamp %a {min = -1.0 : f64, max = 2.0 : f64} : tensor<3xf64>
  return %0 : tensor<3xf64>
}

// -----

// One generic per op before fusion; ops this pass does not lower (a
// parameter becomes a global in diffc-parameters-to-globals) stay.
// CHECK-LABEL: func.func @each_op_and_unlowered
//       CHECK:   diffc.parameter "w"
//       CHECK:   arith.subf
//       CHECK:   arith.mulf
//       CHECK:   arith.divf
//       CHECK:   arith.maximumf
//       CHECK:   arith.minimumf
//       CHECK:   math.powf
//       CHECK:   math.exp
//       CHECK:   math.log
//       CHECK:   math.sqrt
//       CHECK:   math.rsqrt
//       CHECK:   arith.negf
//       CHECK:   math.absf
//       CHECK:   math.tanh
func.func @each_op_and_unlowered(%a: tensor<4xf32>, %b: tensor<4xf32>, %d: f32) -> tensor<4xf32> {
  %w = diffc.parameter "w" : tensor<4xf32>
  %0 = diffc.sub %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = diffc.mul %0, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = diffc.div %1, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = diffc.maximum %2, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = diffc.minimum %3, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %5 = diffc.pow %4, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %6 = diffc.exp %5 : tensor<4xf32>
  %7 = diffc.log %6 : tensor<4xf32>
  %8 = diffc.sqrt %7 : tensor<4xf32>
  %9 = diffc.rsqrt %8 : tensor<4xf32>
  %10 = diffc.neg %9 : tensor<4xf32>
  %11 = diffc.abs %10 : tensor<4xf32>
  %12 = diffc.tanh %11 : tensor<4xf32>
  %13 = diffc.add %12, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %13 : tensor<4xf32>
}
