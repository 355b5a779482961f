// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg | FileCheck %s

// Each input is copied (linalg.copy, which becomes loops) into its slice of
// the destination; the offsets run along the concatenated dimension.
// CHECK-LABEL: func.func @concat
//  CHECK-SAME:   (%[[A:.*]]: tensor<?x3x5xf32>, %[[B:.*]]: tensor<?x4x5xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[A]], %c0
//       CHECK:   %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x7x5xf32>
//       CHECK:   %[[S0:.*]] = tensor.extract_slice %[[E]][0, 0, 0] [%[[N]], 3, 5] [1, 1, 1]
//       CHECK:   %[[C0:.*]] = linalg.copy ins(%[[A]] : tensor<?x3x5xf32>) outs(%[[S0]] : tensor<?x3x5xf32>)
//       CHECK:   %[[I0:.*]] = tensor.insert_slice %[[C0]] into %[[E]][0, 0, 0] [%[[N]], 3, 5] [1, 1, 1]
//       CHECK:   %[[S1:.*]] = tensor.extract_slice %[[I0]][0, 3, 0] [%[[N]], 4, 5] [1, 1, 1]
//       CHECK:   %[[C1:.*]] = linalg.copy ins(%[[B]] : tensor<?x4x5xf32>) outs(%[[S1]] : tensor<?x4x5xf32>)
//       CHECK:   %[[I1:.*]] = tensor.insert_slice %[[C1]] into %[[I0]][0, 3, 0] [%[[N]], 4, 5] [1, 1, 1]
//       CHECK:   return %[[I1]]
func.func @concat(%a: tensor<?x3x5xf32>, %b: tensor<?x4x5xf32>) -> tensor<?x7x5xf32> {
  %0 = diffc.concat %a, %b {dim = 1 : i64} : (tensor<?x3x5xf32>, tensor<?x4x5xf32>) -> tensor<?x7x5xf32>
  return %0 : tensor<?x7x5xf32>
}

// -----

// Size -1 on the dynamic batch takes the rest: N - offset.
// CHECK-LABEL: func.func @slice
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x6x7xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[X]], %c0
//       CHECK:   %[[REST:.*]] = arith.subi %[[N]], %c1
//       CHECK:   %[[S:.*]] = tensor.extract_slice %[[X]][1, 1, 0] [%[[REST]], 3, 4] [1, 2, 2] : tensor<?x6x7xf32> to tensor<?x3x4xf32>
//       CHECK:   %[[E:.*]] = tensor.empty(%[[REST]]) : tensor<?x3x4xf32>
//       CHECK:   %[[C:.*]] = linalg.copy ins(%[[S]] : tensor<?x3x4xf32>) outs(%[[E]] : tensor<?x3x4xf32>)
//       CHECK:   return %[[C]]
func.func @slice(%x: tensor<?x6x7xf32>) -> tensor<?x3x4xf32> {
  %0 = diffc.slice %x {offsets = array<i64: 1, 1, 0>, sizes = array<i64: -1, 3, 4>, strides = array<i64: 1, 2, 2>} : (tensor<?x6x7xf32>) -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
}

// -----

// Reshapes are views: a collapse, an expansion, and, for a reshape that is
// neither, a collapse to the coarsest common grouping and an expansion. The
// dynamic extent of the result is the input's dynamic extent, wherever it
// moves ([6, N] -> [N, 6]).
// CHECK-LABEL: func.func @reshape
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x6x5x7xf32>, %[[Y:.*]]: tensor<?x6x4xf32>, %[[Z:.*]]: tensor<6x?xf32>)
//       CHECK:   %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<?x6x5x7xf32> into tensor<?x6x35xf32>
//       CHECK:   %[[E:.*]] = tensor.expand_shape %[[C]] {{\[}}[0], [1, 2], [3]] output_shape [%{{.*}}, 2, 3, 35] : tensor<?x6x35xf32> into tensor<?x2x3x35xf32>
//       CHECK:   %[[YN:.*]] = tensor.dim %[[Y]], %c0
//       CHECK:   %[[YC:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2]] : tensor<?x6x4xf32> into tensor<?x24xf32>
//       CHECK:   %[[YE:.*]] = tensor.expand_shape %[[YC]] {{\[}}[0], [1, 2]] output_shape [%[[YN]], 4, 6] : tensor<?x24xf32> into tensor<?x4x6xf32>
//       CHECK:   %[[ZN:.*]] = tensor.dim %[[Z]], %c1
//       CHECK:   %[[ZC:.*]] = tensor.collapse_shape %[[Z]] {{\[}}[0, 1]] : tensor<6x?xf32> into tensor<?xf32>
//       CHECK:   %[[ZE:.*]] = tensor.expand_shape %[[ZC]] {{\[}}[0, 1]] output_shape [%[[ZN]], 6] : tensor<?xf32> into tensor<?x6xf32>
//       CHECK:   return %[[C]], %[[E]], %[[YE]], %[[ZE]]
func.func @reshape(%x: tensor<?x6x5x7xf32>, %y: tensor<?x6x4xf32>, %z: tensor<6x?xf32>) -> (tensor<?x6x35xf32>, tensor<?x2x3x35xf32>, tensor<?x4x6xf32>, tensor<?x6xf32>) {
  %0 = diffc.reshape %x : (tensor<?x6x5x7xf32>) -> tensor<?x6x35xf32>
  %1 = diffc.reshape %0 : (tensor<?x6x35xf32>) -> tensor<?x2x3x35xf32>
  %2 = diffc.reshape %y : (tensor<?x6x4xf32>) -> tensor<?x4x6xf32>
  %3 = diffc.reshape %z : (tensor<6x?xf32>) -> tensor<?x6xf32>
  return %0, %1, %2, %3 : tensor<?x6x35xf32>, tensor<?x2x3x35xf32>, tensor<?x4x6xf32>, tensor<?x6xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
//       CHECK:   %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x7x5xf32>
//       CHECK:   linalg.transpose ins(%{{.*}} : tensor<?x5x7xf32>) outs(%[[E]] : tensor<?x7x5xf32>) permutation = [0, 2, 1]
func.func @transpose(%x: tensor<?x5x7xf32>) -> tensor<?x7x5xf32> {
  %0 = diffc.transpose %x {permutation = array<i64: 0, 2, 1>} : (tensor<?x5x7xf32>) -> tensor<?x7x5xf32>
  return %0 : tensor<?x7x5xf32>
}

// -----

// Nearest upsampling reads x[n, c, h floordiv sH, w floordiv sW].
// CHECK-DAG: #[[NEAREST:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 2, d3)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @upsample
//       CHECK:   linalg.generic {indexing_maps = [#[[NEAREST]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
//  CHECK-SAME:     ins(%{{.*}} : tensor<?x3x5x7xf32>) outs(%{{.*}} : tensor<?x3x10x7xf32>)
func.func @upsample(%x: tensor<?x3x5x7xf32>) -> tensor<?x3x10x7xf32> {
  %0 = diffc.upsample_nearest %x {scale = array<i64: 2, 1>} : (tensor<?x3x5x7xf32>) -> tensor<?x3x10x7xf32>
  return %0 : tensor<?x3x10x7xf32>
}

// -----

// Zero padding by a copy into the interior of a filled tensor, a sum pool,
// then a division by the kernel size (count_include_pad=True).
// CHECK-LABEL: func.func @avg_pool
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x3x7x9xf32>)
//   CHECK-DAG:   %[[AREA:.*]] = arith.constant 9.000000e+00 : f32
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//       CHECK:   %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x3x9x11xf32>)
//       CHECK:   %[[IN:.*]] = tensor.extract_slice %[[Z]][0, 0, 1, 1] [%{{.*}}, 3, 7, 9] [1, 1, 1, 1]
//       CHECK:   %[[CP:.*]] = linalg.copy ins(%[[X]] : tensor<?x3x7x9xf32>) outs(%[[IN]] : tensor<?x3x7x9xf32>)
//       CHECK:   %[[P:.*]] = tensor.insert_slice %[[CP]] into %[[Z]][0, 0, 1, 1]
//       CHECK:   %[[W:.*]] = tensor.empty() : tensor<3x3xf32>
//       CHECK:   %[[S:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<?x3x9x11xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<?x3x4x5xf32>)
//       CHECK:   linalg.generic {{.*}} ins(%[[S]] : tensor<?x3x4x5xf32>)
//       CHECK:     arith.divf %{{.*}}, %[[AREA]] : f32
func.func @avg_pool(%x: tensor<?x3x7x9xf32>) -> tensor<?x3x4x5xf32> {
  %0 = diffc.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x7x9xf32>) -> tensor<?x3x4x5xf32>
  return %0 : tensor<?x3x4x5xf32>
}
