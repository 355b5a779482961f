// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg | FileCheck %s

// linear: the input flattened to rows, one matmul whose maps read the
// PyTorch [out, in] weight transposed, accumulating into the broadcast bias.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHST:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear_bias
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x7x5xf32>, %[[W:.*]]: tensor<9x5xf32>, %[[B:.*]]: tensor<9xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x7x5xf32>
//       CHECK:   %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<?x7x5xf32> into tensor<?x5xf32>
//       CHECK:   %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x9xf32>
//       CHECK:   %[[ACC:.*]] = linalg.broadcast ins(%[[B]] : tensor<9xf32>) outs(%[[E]] : tensor<?x9xf32>) dimensions = [0]
//       CHECK:   %[[MM:.*]] = linalg.matmul indexing_maps = [#[[LHS]], #[[RHST]], #[[OUT]]] ins(%[[ROWS]], %[[W]] : tensor<?x5xf32>, tensor<9x5xf32>) outs(%[[ACC]] : tensor<?x9xf32>)
//       CHECK:   %[[Y:.*]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [%[[N]], 7, 9]
//       CHECK:   return %[[Y]]
func.func @linear_bias(%x: tensor<?x7x5xf32>, %w: tensor<9x5xf32>, %b: tensor<9xf32>) -> tensor<?x7x9xf32> {
  %0 = diffc.linear %x, %w, %b : (tensor<?x7x5xf32>, tensor<9x5xf32>, tensor<9xf32>) -> tensor<?x7x9xf32>
  return %0 : tensor<?x7x9xf32>
}

// -----

// A vector input is one row; without a bias the accumulator is zeros.
// CHECK-LABEL: func.func @linear_vector
//       CHECK:   %[[ROW:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [1, 5] : tensor<5xf32> into tensor<1x5xf32>
//       CHECK:   %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4xf32>)
//       CHECK:   %[[MM:.*]] = linalg.matmul indexing_maps = {{.*}} ins(%[[ROW]], %{{.*}} : tensor<1x5xf32>, tensor<4x5xf32>) outs(%[[Z]] : tensor<1x4xf32>)
//       CHECK:   tensor.collapse_shape %[[MM]] {{\[}}[0, 1]] : tensor<1x4xf32> into tensor<4xf32>
func.func @linear_vector(%x: tensor<5xf32>, %w: tensor<4x5xf32>) -> tensor<4xf32> {
  %0 = diffc.linear %x, %w : (tensor<5xf32>, tensor<4x5xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_2d
//       CHECK:   %[[Z:.*]] = linalg.fill
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<7x5xf32>, tensor<5x6xf32>) outs(%[[Z]] : tensor<7x6xf32>)
func.func @matmul_2d(%a: tensor<7x5xf32>, %b: tensor<5x6xf32>) -> tensor<7x6xf32> {
  %0 = diffc.matmul %a, %b : (tensor<7x5xf32>, tensor<5x6xf32>) -> tensor<7x6xf32>
  return %0 : tensor<7x6xf32>
}

// -----

// The same batch shape on both sides: the batch dimensions collapse into
// one batch_matmul dimension (the dynamic extent comes from the operands).
// CHECK-LABEL: func.func @matmul_batched
//  CHECK-SAME:   (%[[A:.*]]: tensor<?x3x7x5xf32>, %[[B:.*]]: tensor<?x3x5x4xf32>)
//       CHECK:   %[[A3:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2], [3]] : tensor<?x3x7x5xf32> into tensor<?x7x5xf32>
//       CHECK:   %[[B3:.*]] = tensor.collapse_shape %[[B]] {{\[}}[0, 1], [2], [3]] : tensor<?x3x5x4xf32> into tensor<?x5x4xf32>
//       CHECK:   %[[Z:.*]] = linalg.fill
//       CHECK:   %[[MM:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<?x7x5xf32>, tensor<?x5x4xf32>) outs(%[[Z]] : tensor<?x7x4xf32>)
//       CHECK:   tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2], [3]] output_shape [%{{.*}}, 3, 7, 4]
func.func @matmul_batched(%a: tensor<?x3x7x5xf32>, %b: tensor<?x3x5x4xf32>) -> tensor<?x3x7x4xf32> {
  %0 = diffc.matmul %a, %b : (tensor<?x3x7x5xf32>, tensor<?x3x5x4xf32>) -> tensor<?x3x7x4xf32>
  return %0 : tensor<?x3x7x4xf32>
}

// -----

// A rank-2 right-hand side: the batch folds into the rows of one matmul.
// CHECK-LABEL: func.func @matmul_rhs_2d
//       CHECK:   %[[ROWS:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2], [3]] : tensor<2x3x7x5xf32> into tensor<42x5xf32>
//       CHECK:   %[[MM:.*]] = linalg.matmul ins(%[[ROWS]], %{{.*}} : tensor<42x5xf32>, tensor<5x6xf32>)
//       CHECK:   tensor.expand_shape %[[MM]] {{\[}}[0, 1, 2], [3]] output_shape [2, 3, 7, 6]
func.func @matmul_rhs_2d(%a: tensor<2x3x7x5xf32>, %b: tensor<5x6xf32>) -> tensor<2x3x7x6xf32> {
  %0 = diffc.matmul %a, %b : (tensor<2x3x7x5xf32>, tensor<5x6xf32>) -> tensor<2x3x7x6xf32>
  return %0 : tensor<2x3x7x6xf32>
}

// -----

// Broadcasting batch dimensions: a generic contraction whose maps right-align
// the batch dimensions and read index 0 where an operand has extent 1.
// CHECK-DAG: #[[L:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[R:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_broadcast
//       CHECK:   linalg.generic {indexing_maps = [#[[L]], #[[R]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
//       CHECK:     %[[P:.*]] = arith.mulf
//       CHECK:     %[[S:.*]] = arith.addf %{{.*}}, %[[P]]
//       CHECK:     linalg.yield %[[S]]
func.func @matmul_broadcast(%a: tensor<2x1x4x5xf32>, %b: tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32> {
  %0 = diffc.matmul %a, %b : (tensor<2x1x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32>
  return %0 : tensor<2x3x4x6xf32>
}

// -----

// conv2d: symmetric padding as tensor.pad, stride and dilation as the named
// op's attributes, the bias as the accumulator (the op right before the
// convolution) in a buffer of its own (alloc_tensor, which CSE does not merge
// with other empty tensors).
// CHECK-LABEL: func.func @conv2d
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x4x9x8xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>, %[[B:.*]]: tensor<6xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[X]]
//       CHECK:   %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
//       CHECK:   } : tensor<?x4x9x8xf32> to tensor<?x4x11x10xf32>
//       CHECK:   %[[E:.*]] = bufferization.alloc_tensor(%[[N]]) : tensor<?x6x5x3xf32>
//       CHECK:   %[[ACC:.*]] = linalg.broadcast ins(%[[B]] : tensor<6xf32>) outs(%[[E]] : tensor<?x6x5x3xf32>) dimensions = [0, 2, 3]
//       CHECK:   linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<?x4x11x10xf32>, tensor<6x4x3x3xf32>) outs(%[[ACC]] : tensor<?x6x5x3xf32>)
func.func @conv2d(%x: tensor<?x4x9x8xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<6xf32>) -> tensor<?x6x5x3xf32> {
  %0 = diffc.conv2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 2>} : (tensor<?x4x9x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<?x6x5x3xf32>
  return %0 : tensor<?x6x5x3xf32>
}

// -----

// groups > 1: the group split out of the channels by reshapes, padding after
// the split, conv_2d_ngchw_gfchw, and the groups merged back.
// CHECK-LABEL: func.func @conv2d_groups
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x4x7x5xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
//       CHECK:   %[[XG:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 7, 5]
//       CHECK:   %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
//       CHECK:   %[[P:.*]] = tensor.pad %[[XG]] low[0, 0, 0, 1, 1] high[0, 0, 0, 1, 1]
//       CHECK:   %[[E:.*]] = bufferization.alloc_tensor() : tensor<2x6x7x5xf32>
//       CHECK:   %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<2x6x7x5xf32>)
//       CHECK:   %[[ACC:.*]] = tensor.expand_shape %[[Z]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 3, 7, 5]
//       CHECK:   %[[Y:.*]] = linalg.conv_2d_ngchw_gfchw {{.*}} ins(%[[P]], %[[WG]] : tensor<2x2x2x9x7xf32>, tensor<2x3x2x3x3xf32>) outs(%[[ACC]] : tensor<2x2x3x7x5xf32>)
//       CHECK:   tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2], [3], [4]] : tensor<2x2x3x7x5xf32> into tensor<2x6x7x5xf32>
func.func @conv2d_groups(%x: tensor<2x4x7x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x7x5xf32> {
  %0 = diffc.conv2d %x, %w {padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x4x7x5xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x7x5xf32>
  return %0 : tensor<2x6x7x5xf32>
}

// -----

// CHECK-LABEL: func.func @conv3d
//       CHECK:   %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 0, 0] high[0, 0, 1, 0, 0]
//       CHECK:   %[[ACC:.*]] = linalg.broadcast ins(%{{.*}} : tensor<3xf32>) outs(%{{.*}} : tensor<?x3x5x6x7xf32>) dimensions = [0, 2, 3, 4]
//       CHECK:   linalg.conv_3d_ncdhw_fcdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>} ins(%[[P]], %{{.*}} : tensor<?x4x7x6x7xf32>, tensor<3x4x3x1x1xf32>) outs(%[[ACC]] : tensor<?x3x5x6x7xf32>)
func.func @conv3d(%x: tensor<?x4x5x6x7xf32>, %w: tensor<3x4x3x1x1xf32>, %b: tensor<3xf32>) -> tensor<?x3x5x6x7xf32> {
  %0 = diffc.conv3d %x, %w, %b {padding = array<i64: 1, 0, 0>} : (tensor<?x4x5x6x7xf32>, tensor<3x4x3x1x1xf32>, tensor<3xf32>) -> tensor<?x3x5x6x7xf32>
  return %0 : tensor<?x3x5x6x7xf32>
}

// -----

// Grouped 3-D convolutions have no named op: a generic over the group split,
// loops (n, g, o, od, oh, ow | c, kd, kh, kw) with stride and dilation in
// the input map.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d6, d3 + d7, d4 + d8, d5 * 2 + d9 * 2)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d1, d2, d6, d7, d8, d9)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func.func @conv3d_groups
//       CHECK:   linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
//  CHECK-SAME:     ins(%{{.*}}, %{{.*}} : tensor<1x2x2x7x5x6xf32>, tensor<2x3x2x2x3x2xf32>) outs(%{{.*}} : tensor<1x2x3x6x3x2xf32>)
//       CHECK:   tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4], [5]] : tensor<1x2x3x6x3x2xf32> into tensor<1x6x6x3x2xf32>
func.func @conv3d_groups(%x: tensor<1x4x7x5x6xf32>, %w: tensor<6x2x2x3x2xf32>) -> tensor<1x6x6x3x2xf32> {
  %0 = diffc.conv3d %x, %w {stride = array<i64: 1, 1, 2>, dilation = array<i64: 1, 1, 2>, groups = 2 : i64} : (tensor<1x4x7x5x6xf32>, tensor<6x2x2x3x2xf32>) -> tensor<1x6x6x3x2xf32>
  return %0 : tensor<1x6x6x3x2xf32>
}
