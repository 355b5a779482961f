// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg | FileCheck %s

// Heads split from the features by reshapes, scores as a contraction over
// (b, h, i, j | e), a stable softmax (row max, exp of the shifted scores,
// row sum), the second product straight into [B, Lq, h, Ev/h], the division
// by the row sum, and the heads merged by a reshape. An i1 mask selects -inf
// and broadcasts over heads and its size-1 batch dimension.
// CHECK-DAG: #[[Q:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d4)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[MASK:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d2, d3)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[V:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d2, d3)>
// CHECK-DAG: #[[ZT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1)>
// CHECK-LABEL: func.func @attention
//  CHECK-SAME:   (%[[QA:.*]]: tensor<?x7x8xf32>, %[[KA:.*]]: tensor<?x5x8xf32>, %[[VA:.*]]: tensor<?x5x6xf32>, %[[M:.*]]: tensor<1x7x5xi1>)
//   CHECK-DAG:   %[[SCALE:.*]] = arith.constant 5.000000e-01 : f32
//   CHECK-DAG:   %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
//       CHECK:   %[[QH:.*]] = tensor.expand_shape %[[QA]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.*}}, 7, 2, 4]
//       CHECK:   %[[KH:.*]] = tensor.expand_shape %[[KA]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.*}}, 5, 2, 4]
//       CHECK:   %[[VH:.*]] = tensor.expand_shape %[[VA]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.*}}, 5, 2, 3]
//       CHECK:   %[[SC:.*]] = linalg.generic {indexing_maps = [#[[Q]], #[[K]], #[[S]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[QH]], %[[KH]] : {{.*}}) outs(%{{.*}} : tensor<?x2x7x5xf32>)
//       CHECK:   %[[MAX0:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<?x2x7xf32>)
//       CHECK:   %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[MASK]], #[[ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[SC]], %[[M]] : tensor<?x2x7x5xf32>, tensor<1x7x5xi1>) outs(%[[MAX0]] : tensor<?x2x7xf32>)
//       CHECK:     %[[X:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : f32
//       CHECK:     %[[XM:.*]] = arith.select %{{.*}}, %[[X]], %[[NEGINF]] : f32
//       CHECK:     arith.maximumf %{{.*}}, %[[XM]] : f32
//       CHECK:   %[[P:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[MASK]], #[[ROW]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[SC]], %[[M]], %[[MAX]] : {{.*}})
//       CHECK:     %[[SH:.*]] = arith.subf %{{.*}}, %{{.*}} : f32
//       CHECK:     math.exp %[[SH]] : f32
//       CHECK:   %[[Z:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[P]] : tensor<?x2x7x5xf32>)
//       CHECK:   %[[O:.*]] = linalg.generic {indexing_maps = [#[[Q]], #[[V]], #[[S]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[P]], %[[VH]] : tensor<?x2x7x5xf32>, tensor<?x5x2x3xf32>) outs(%{{.*}} : tensor<?x7x2x3xf32>)
//       CHECK:   %[[N:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ZT]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[O]], %[[Z]] : tensor<?x7x2x3xf32>, tensor<?x2x7xf32>)
//       CHECK:     arith.divf
//       CHECK:   %[[R:.*]] = tensor.collapse_shape %[[N]] {{\[}}[0], [1], [2, 3]] : tensor<?x7x2x3xf32> into tensor<?x7x6xf32>
//       CHECK:   return %[[R]]
func.func @attention(%q: tensor<?x7x8xf32>, %k: tensor<?x5x8xf32>, %v: tensor<?x5x6xf32>, %m: tensor<1x7x5xi1>) -> tensor<?x7x6xf32> {
  %0 = diffc.attention %q, %k, %v, %m {num_heads = 2 : i64} : (tensor<?x7x8xf32>, tensor<?x5x8xf32>, tensor<?x5x6xf32>, tensor<1x7x5xi1>) -> tensor<?x7x6xf32>
  return %0 : tensor<?x7x6xf32>
}

// -----

// An explicit scale; a float mask is added to the scaled scores (broadcast
// over its size-1 query dimension).
// CHECK-DAG: #[[FMASK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d3)>
// CHECK-LABEL: func.func @attention_float_mask
//       CHECK:   %[[SCALE:.*]] = arith.constant 2.500000e-01 : f32
//       CHECK:   linalg.generic {indexing_maps = [#{{.*}}, #[[FMASK]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
//       CHECK:     %[[X:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : f32
//       CHECK:     %[[XM:.*]] = arith.addf %[[X]], %{{.*}} : f32
//       CHECK:     arith.maximumf %{{.*}}, %[[XM]] : f32
//   CHECK-NOT:   arith.select
func.func @attention_float_mask(%q: tensor<2x7x4xf32>, %k: tensor<2x5x4xf32>, %v: tensor<2x5x4xf32>, %m: tensor<2x1x5xf32>) -> tensor<2x7x4xf32> {
  %0 = diffc.attention %q, %k, %v, %m {scale = 0.25 : f64} : (tensor<2x7x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x1x5xf32>) -> tensor<2x7x4xf32>
  return %0 : tensor<2x7x4xf32>
}
