// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg | FileCheck %s

// Statistics over the [N, G, C / G x H x W] view (one contiguous, reassociable
// reduction per group): sum, then the sum of
// squared deviations from sum / 70 (two passes), then mean and 1 / sqrt(var
// + eps) as one two-result generic. The normalization itself runs over the
// input's own shape and finds the group with `c floordiv 2`.
// CHECK-DAG: #[[X3G:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[G3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[GROUP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 floordiv 2)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @group_norm
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x6x5x7xf32>, %[[G:.*]]: tensor<6xf32>, %[[B:.*]]: tensor<6xf32>)
//   CHECK-DAG:   %[[EPS:.*]] = arith.constant 9.99999997E-7 : f32
//   CHECK-DAG:   %[[COUNT:.*]] = arith.constant 7.000000e+01 : f32
//       CHECK:   %[[E:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.*}}, 3, 2, 5, 7] : tensor<?x6x5x7xf32> into tensor<?x3x2x5x7xf32>
//       CHECK:   %[[F:.*]] = tensor.collapse_shape %[[E]] {{\[}}[0], [1], [2, 3, 4]] : tensor<?x3x2x5x7xf32> into tensor<?x3x70xf32>
//       CHECK:   %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[X3G]], #[[G3]]], iterator_types = ["parallel", "parallel", "reduction"]}
//  CHECK-SAME:     ins(%[[F]] : tensor<?x3x70xf32>) outs(%{{.*}} : tensor<?x3xf32>)
//       CHECK:     arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
//       CHECK:   %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[X3G]], #[[G3]], #[[G3]]], iterator_types = ["parallel", "parallel", "reduction"]}
//  CHECK-SAME:     ins(%[[F]], %[[SUM]] : tensor<?x3x70xf32>, tensor<?x3xf32>)
//       CHECK:     %[[M:.*]] = arith.divf %{{.*}}, %[[COUNT]]
//       CHECK:     %[[D:.*]] = arith.subf %{{.*}}, %[[M]]
//       CHECK:     arith.mulf %[[D]], %[[D]]
//       CHECK:   %[[STATS:.*]]:2 = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:     ins(%[[SUM]], %[[SQ]] : tensor<?x3xf32>, tensor<?x3xf32>)
//       CHECK:     arith.divf %{{.*}}, %[[COUNT]]
//       CHECK:     %[[VAR:.*]] = arith.divf %{{.*}}, %[[COUNT]]
//       CHECK:     %[[VE:.*]] = arith.addf %[[VAR]], %[[EPS]]
//       CHECK:     math.rsqrt %[[VE]]
//       CHECK:   linalg.generic {indexing_maps = [#[[ID4]], #[[GROUP]], #[[GROUP]], #[[CH]], #[[CH]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
//  CHECK-SAME:     ins(%[[X]], %[[STATS]]#0, %[[STATS]]#1, %[[G]], %[[B]] : tensor<?x6x5x7xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<6xf32>, tensor<6xf32>)
//       CHECK:   ^bb0(%[[XV:.*]]: f32, %[[MV:.*]]: f32, %[[RV:.*]]: f32, %[[GV:.*]]: f32, %[[BV:.*]]: f32, %{{.*}}: f32):
//       CHECK:     %[[C:.*]] = arith.subf %[[XV]], %[[MV]]
//       CHECK:     %[[S:.*]] = arith.mulf %[[RV]], %[[GV]]
//       CHECK:     %[[Y:.*]] = arith.mulf %[[C]], %[[S]]
//       CHECK:     arith.addf %[[Y]], %[[BV]]
//   CHECK-NOT:   diffc.group_norm
func.func @group_norm(%x: tensor<?x6x5x7xf32>, %g: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<?x6x5x7xf32> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 3 : i64, epsilon = 1.0e-06 : f64} : (tensor<?x6x5x7xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x5x7xf32>
  return %0 : tensor<?x6x5x7xf32>
}

// -----

// A dynamic channel count: C / G is computed at run time, the group size is
// counted from the expanded view, and the normalization runs over that view
// with gamma and beta expanded to [G, C / G], then collapses back.
// CHECK-DAG: #[[PARAM:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-LABEL: func.func @group_norm_dynamic_channels
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x?x5xf32>, %[[G:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<?xf32>)
//       CHECK:   %[[C:.*]] = tensor.dim %[[X]], %c1
//       CHECK:   %[[CG:.*]] = arith.divui %[[C]], %c2
//       CHECK:   %[[E:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3]] output_shape [2, 2, %[[CG]], 5] : tensor<2x?x5xf32> into tensor<2x2x?x5xf32>
//       CHECK:   %[[N:.*]] = arith.sitofp %{{.*}} : i64 to f32
//       CHECK:   %[[COUNT:.*]] = arith.mulf %[[N]], %{{.*}} : f32
//       CHECK:   linalg.generic
//       CHECK:   linalg.generic
//       CHECK:     arith.divf %{{.*}}, %[[COUNT]]
//       CHECK:   %[[EG:.*]] = tensor.expand_shape %[[G]] {{\[}}[0, 1]] output_shape [2, %[[CG]]] : tensor<?xf32> into tensor<2x?xf32>
//       CHECK:   %[[EB:.*]] = tensor.expand_shape %[[B]] {{\[}}[0, 1]] output_shape [2, %[[CG]]]
//       CHECK:   %[[Y:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}, #[[PARAM]], #[[PARAM]], #{{.*}}]
//  CHECK-SAME:     ins(%[[E]], %{{.*}}#0, %{{.*}}#1, %[[EG]], %[[EB]] :
//       CHECK:   %[[R:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2], [3]] : tensor<2x2x?x5xf32> into tensor<2x?x5xf32>
//       CHECK:   return %[[R]]
func.func @group_norm_dynamic_channels(%x: tensor<2x?x5xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<2x?x5xf32> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 2 : i64} : (tensor<2x?x5xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<2x?x5xf32>
  return %0 : tensor<2x?x5xf32>
}

// -----

// f16 storage, f32 statistics: inputs widened in the bodies, the result
// narrowed once. Statistics over the last dimension only.
// CHECK-DAG: #[[X3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[FEAT:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layer_norm_f16
//       CHECK:   %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[X3]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]}
//  CHECK-SAME:     outs(%{{.*}} : tensor<?x7xf32>)
//       CHECK:     arith.extf %{{.*}} : f16 to f32
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
//       CHECK:   linalg.generic {indexing_maps = [#[[X3]], #[[ROW]], #[[ROW]], #[[FEAT]], #[[FEAT]], #[[X3]]], iterator_types = ["parallel", "parallel", "parallel"]}
//  CHECK-SAME:     outs(%{{.*}} : tensor<?x7x33xf16>)
//       CHECK:     %[[Y:.*]] = arith.addf
//       CHECK:     %[[H:.*]] = arith.truncf %[[Y]] : f32 to f16
//       CHECK:     linalg.yield %[[H]] : f16
func.func @layer_norm_f16(%x: tensor<?x7x33xf16>, %g: tensor<33xf16>, %b: tensor<33xf16>) -> tensor<?x7x33xf16> {
  %0 = diffc.layer_norm %x, %g, %b : (tensor<?x7x33xf16>, tensor<33xf16>, tensor<33xf16>) -> tensor<?x7x33xf16>
  return %0 : tensor<?x7x33xf16>
}
