// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg | FileCheck %s

// Stable softmax over a middle axis: max from -inf, then the sum of
// exp(x - max), then exp(x - max) / sum elementwise.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @softmax
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x5x7xf32>)
//   CHECK-DAG:   %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//       CHECK:   %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<?x7xf32>)
//       CHECK:   %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]]], iterator_types = ["parallel", "reduction", "parallel"]}
//  CHECK-SAME:     ins(%[[X]] : tensor<?x5x7xf32>) outs(%[[MAXINIT]] : tensor<?x7xf32>)
//       CHECK:     arith.maximumf
//       CHECK:   %[[SUMINIT:.*]] = linalg.fill ins(%[[ZERO]] : f32)
//       CHECK:   %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[KEPT]]], iterator_types = ["parallel", "reduction", "parallel"]}
//  CHECK-SAME:     ins(%[[X]], %[[MAX]] : tensor<?x5x7xf32>, tensor<?x7xf32>) outs(%[[SUMINIT]] : tensor<?x7xf32>)
//       CHECK:     %[[S:.*]] = arith.subf
//       CHECK:     %[[E:.*]] = math.exp %[[S]]
//       CHECK:     arith.addf %{{.*}}, %[[E]]
//       CHECK:   linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[KEPT]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
//  CHECK-SAME:     ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<?x5x7xf32>, tensor<?x7xf32>, tensor<?x7xf32>)
//       CHECK:     %[[S2:.*]] = arith.subf
//       CHECK:     %[[E2:.*]] = math.exp %[[S2]]
//       CHECK:     arith.divf %[[E2]]
//   CHECK-NOT:   diffc.softmax
func.func @softmax(%x: tensor<?x5x7xf32>) -> tensor<?x5x7xf32> {
  %0 = diffc.softmax %x {axis = 1 : i64} : tensor<?x5x7xf32>
  return %0 : tensor<?x5x7xf32>
}

// -----

// mean: a sum, a division by the static count 5 * 7 in a small parallel
// generic, and the kept dimensions as an expand_shape view.
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @reduce_mean_keep
//   CHECK-DAG:   %[[COUNT:.*]] = arith.constant 3.500000e+01 : f32
//       CHECK:   %[[SUM:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
//       CHECK:     arith.addf
//       CHECK:   %[[MEAN:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[SUM]] : tensor<?x6xf32>)
//       CHECK:     arith.divf %{{.*}}, %[[COUNT]]
//       CHECK:   %[[R:.*]] = tensor.expand_shape %[[MEAN]] {{\[}}[0], [1, 2, 3]] output_shape [%{{.*}}, 6, 1, 1] : tensor<?x6xf32> into tensor<?x6x1x1xf32>
//       CHECK:   return %[[R]]
func.func @reduce_mean_keep(%x: tensor<?x6x5x7xf32>) -> tensor<?x6x1x1xf32> {
  %0 = diffc.reduce mean %x {dims = array<i64: 2, 3>, keep_dims = true} : (tensor<?x6x5x7xf32>) -> tensor<?x6x1x1xf32>
  return %0 : tensor<?x6x1x1xf32>
}

// -----

// f16 max over everything: an f32 rank-0 accumulator, narrowed at the end.
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @reduce_max_all
//       CHECK:   %[[M:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[ALL]]], iterator_types = ["reduction", "reduction"]} ins(%{{.*}} : tensor<?x3xf16>) outs(%{{.*}} : tensor<f32>)
//       CHECK:     %[[W:.*]] = arith.extf %{{.*}} : f16 to f32
//       CHECK:     arith.maximumf %[[W]]
//       CHECK:   linalg.generic {indexing_maps = [#[[SCALAR]], #[[SCALAR]]], iterator_types = []} ins(%[[M]] : tensor<f32>) outs(%{{.*}} : tensor<f16>)
//       CHECK:     arith.truncf %{{.*}} : f32 to f16
func.func @reduce_max_all(%x: tensor<?x3xf16>) -> tensor<f16> {
  %0 = diffc.reduce max %x {dims = array<i64: 0, 1>} : (tensor<?x3xf16>) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

// The per-element loss is computed inside the reduction's body (no
// per-element tensor), in the stable form max(x, 0) - x y + log1p(exp(-|x|));
// the mean divides by a count read from the dynamic batch.
// CHECK-LABEL: func.func @bce_mean
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x1x6x6xf32>, %[[Y:.*]]: tensor<?x1x6x6xf32>)
//       CHECK:   %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%[[X]], %[[Y]] : tensor<?x1x6x6xf32>, tensor<?x1x6x6xf32>) outs(%{{.*}} : tensor<f32>)
//       CHECK:   ^bb0(%[[XV:.*]]: f32, %[[YV:.*]]: f32, %[[ACC:.*]]: f32):
//       CHECK:     %[[RELU:.*]] = arith.maximumf %[[XV]]
//       CHECK:     %[[ABS:.*]] = math.absf %[[XV]]
//       CHECK:     %[[NEG:.*]] = arith.negf %[[ABS]]
//       CHECK:     %[[EXP:.*]] = math.exp %[[NEG]]
//       CHECK:     %[[SOFT:.*]] = math.log1p %[[EXP]]
//       CHECK:     %[[XY:.*]] = arith.mulf %[[XV]], %[[YV]]
//       CHECK:     %[[D:.*]] = arith.subf %[[RELU]], %[[XY]]
//       CHECK:     %[[L:.*]] = arith.addf %[[D]], %[[SOFT]]
//       CHECK:     arith.addf %[[L]], %[[ACC]]
//       CHECK:   %[[N:.*]] = tensor.dim %[[X]], %c0
//       CHECK:   %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
//       CHECK:   %[[NF:.*]] = arith.sitofp %[[NI]] : i64 to f32
//       CHECK:   %[[COUNT:.*]] = arith.mulf %[[NF]], %{{.*}} : f32
//       CHECK:   linalg.generic {{.*}}ins(%[[SUM]] : tensor<f32>)
//       CHECK:     arith.divf %{{.*}}, %[[COUNT]]
func.func @bce_mean(%x: tensor<?x1x6x6xf32>, %y: tensor<?x1x6x6xf32>) -> tensor<f32> {
  %0 = diffc.bce_with_logits_loss mean %x, %y : (tensor<?x1x6x6xf32>, tensor<?x1x6x6xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// `none` is one elementwise generic; `sum` needs no finishing generic.
// CHECK-LABEL: func.func @losses
//       CHECK:   %[[H:.*]] = linalg.generic {{.*}}iterator_types = ["parallel"]}
//       CHECK:     %[[P:.*]] = arith.addf %{{.*}}, %[[ONE:.*]] : f32
//       CHECK:     arith.maximumf %[[P]]
//       CHECK:   %[[MSE:.*]] = linalg.generic {{.*}}iterator_types = ["reduction"]}
//       CHECK:     %[[D:.*]] = arith.subf
//       CHECK:     arith.mulf %[[D]], %[[D]]
//       CHECK:   %[[KL:.*]] = linalg.generic {{.*}}iterator_types = ["reduction"]}
//       CHECK:     math.exp
//       CHECK:   return %[[H]], %[[MSE]], %[[KL]]
func.func @losses(%x: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<8xf32>, tensor<f32>, tensor<f32>) {
  %0 = diffc.hinge_loss fake none %x : (tensor<8xf32>) -> tensor<8xf32>
  %1 = diffc.mse_loss sum %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  %2 = diffc.gaussian_kl sum %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<8xf32>, tensor<f32>, tensor<f32>
}
