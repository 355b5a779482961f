// RUN: diffc-opt %s --diffc-convert-to-linalg | FileCheck %s

// The gradients of conv2d, one module so that the indexing maps are shared:
// each is one linalg.generic over views with the group split out of the
// channels (G = 1 included), accumulating into a fresh zero-filled buffer
// made right before it.

// Weight gradient, loops (g, o, c, i, j | n, ho, wo): the padded input read
// at (ho s + i d, wo s + j d); stride 2, padding 1.
// CHECK-DAG: #[[WX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 * 2 + d3, d7 * 2 + d4)>
// CHECK-DAG: #[[WDY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// Input gradient, loops (n, g, c, h, w | o, i, j): the spread output
// gradient read at (h - i d + c0, w - j d + c0) with c0 = max(d (k - 1), p).
// CHECK-DAG: #[[IDY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 - d6 + 2, d4 - d7 + 2)>
// CHECK-DAG: #[[IW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, d6, d7)>
// 1x1 unpadded: dy is read as it is (c0 = 0, no spreading).
// CHECK-DAG: #[[PWDY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 - d6, d4 - d7)>
// Dilation 2, padding 2: c0 = 4.
// CHECK-DAG: #[[DDY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 - d6 * 2 + 4, d4 - d7 * 2 + 4)>

// CHECK-LABEL: func.func @weight_grad_stride2
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x4x9x8xf32>, %[[DY:.*]]: tensor<?x6x5x4xf32>)
//       CHECK:   %[[XG:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.*}}, 1, 4, 9, 8]
//       CHECK:   %[[XP:.*]] = tensor.pad %[[XG]] low[0, 0, 0, 1, 1] high[0, 0, 0, 1, 1]
//       CHECK:   } : tensor<?x1x4x9x8xf32> to tensor<?x1x4x11x10xf32>
//       CHECK:   %[[DYG:.*]] = tensor.expand_shape %[[DY]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.*}}, 1, 6, 5, 4]
//       CHECK:   %[[E:.*]] = bufferization.alloc_tensor() : tensor<6x4x3x3xf32>
//       CHECK:   %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<6x4x3x3xf32>)
//       CHECK:   %[[ACC:.*]] = tensor.expand_shape %[[Z]] {{\[}}[0, 1], [2], [3], [4]] output_shape [1, 6, 4, 3, 3]
//       CHECK:   %[[G:.*]] = linalg.generic {indexing_maps = [#[[WX]], #[[WDY]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XP]], %[[DYG]] : tensor<?x1x4x11x10xf32>, tensor<?x1x6x5x4xf32>) outs(%[[ACC]] : tensor<1x6x4x3x3xf32>)
//       CHECK:     arith.mulf
//       CHECK:     arith.addf
//       CHECK:   tensor.collapse_shape %[[G]] {{\[}}[0, 1], [2], [3], [4]] : tensor<1x6x4x3x3xf32> into tensor<6x4x3x3xf32>
func.func @weight_grad_stride2(%x: tensor<?x4x9x8xf32>, %dy: tensor<?x6x5x4xf32>) -> tensor<6x4x3x3xf32> {
  %0 = diffc.conv2d_backward_weight %x, %dy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x4x9x8xf32>, tensor<?x6x5x4xf32>) -> tensor<6x4x3x3xf32>
  return %0 : tensor<6x4x3x3xf32>
}

// dy [?, 6, 5, 4] spread at stride 2 into zeros [?, 1, 6, 11, 10] at
// offset c0 - p = 1: rows 2 (c0) + 9 (H) = 11, columns 2 + 8 = 10.
// CHECK-LABEL: func.func @input_grad_stride2
//  CHECK-SAME:   (%[[DY:.*]]: tensor<?x6x5x4xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>)
//       CHECK:   %[[DYG:.*]] = tensor.expand_shape %[[DY]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.*}}, 1, 6, 5, 4]
//       CHECK:   %[[E:.*]] = bufferization.alloc_tensor(%{{.*}}) : tensor<?x1x6x11x10xf32>
//       CHECK:   %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x1x6x11x10xf32>)
//       CHECK:   %[[S:.*]] = tensor.insert_slice %[[DYG]] into %[[Z]][0, 0, 0, 1, 1] [%{{.*}}, 1, 6, 5, 4] [1, 1, 1, 2, 2]
//       CHECK:   %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [1, 6, 4, 3, 3]
//       CHECK:   %[[A:.*]] = bufferization.alloc_tensor(%{{.*}}) : tensor<?x4x9x8xf32>
//       CHECK:   %[[AZ:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[A]] : tensor<?x4x9x8xf32>)
//       CHECK:   %[[ACC:.*]] = tensor.expand_shape %[[AZ]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.*}}, 1, 4, 9, 8]
//       CHECK:   %[[G:.*]] = linalg.generic {indexing_maps = [#[[IDY]], #[[IW]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[S]], %[[WG]] : tensor<?x1x6x11x10xf32>, tensor<1x6x4x3x3xf32>) outs(%[[ACC]] : tensor<?x1x4x9x8xf32>)
//       CHECK:   tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2], [3], [4]] : tensor<?x1x4x9x8xf32> into tensor<?x4x9x8xf32>
func.func @input_grad_stride2(%dy: tensor<?x6x5x4xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<?x4x9x8xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x6x5x4xf32>, tensor<6x4x3x3xf32>) -> tensor<?x4x9x8xf32>
  return %0 : tensor<?x4x9x8xf32>
}

// CHECK-LABEL: func.func @input_grad_pointwise
//   CHECK-NOT:   tensor.insert_slice
//       CHECK:   linalg.generic {indexing_maps = [#[[PWDY]], #[[IW]], #[[OUT]]]
func.func @input_grad_pointwise(%dy: tensor<2x3x5x7xf32>, %w: tensor<3x8x1x1xf32>) -> tensor<2x8x5x7xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w : (tensor<2x3x5x7xf32>, tensor<3x8x1x1xf32>) -> tensor<2x8x5x7xf32>
  return %0 : tensor<2x8x5x7xf32>
}

// f16, groups 2: the group split out of dy [2, 8, ...] and the weight
// [8, 2, ...]; products widened to f32 and accumulated in an f32 buffer,
// narrowed once at the end.
// CHECK-LABEL: func.func @input_grad_f16_groups
//       CHECK:   tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 4, 16, 16] : tensor<2x8x16x16xf16> into tensor<2x2x4x16x16xf16>
//       CHECK:   %[[S:.*]] = tensor.insert_slice %{{.*}}[0, 0, 0, 2, 2] [2, 2, 4, 16, 16] [1, 1, 1, 1, 1] : tensor<2x2x4x16x16xf16> into tensor<2x2x4x20x20xf16>
//       CHECK:   tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 4, 2, 3, 3] : tensor<8x2x3x3xf16> into tensor<2x4x2x3x3xf16>
//       CHECK:   bufferization.alloc_tensor() : tensor<2x4x16x16xf32>
//       CHECK:   %[[G:.*]] = linalg.generic {indexing_maps = [#[[DDY]], #[[IW]], #[[OUT]]], {{.*}} ins(%[[S]], %{{.*}} : tensor<2x2x4x20x20xf16>, tensor<2x4x2x3x3xf16>) outs(%{{.*}} : tensor<2x2x2x16x16xf32>)
//  CHECK-NEXT:   ^bb0(%[[A:.*]]: f16, %[[B:.*]]: f16, %[[C:.*]]: f32):
//  CHECK-NEXT:     %[[AW:.*]] = arith.extf %[[A]] : f16 to f32
//  CHECK-NEXT:     %[[BW:.*]] = arith.extf %[[B]] : f16 to f32
//  CHECK-NEXT:     %[[P:.*]] = arith.mulf %[[AW]], %[[BW]] : f32
//  CHECK-NEXT:     arith.addf %[[C]], %[[P]] : f32
//       CHECK:   %[[F:.*]] = tensor.collapse_shape %[[G]]
//       CHECK:   linalg.generic {{.*}} ins(%[[F]] : tensor<2x4x16x16xf32>) outs(%{{.*}} : tensor<2x4x16x16xf16>)
//       CHECK:     arith.truncf %{{.*}} : f32 to f16
func.func @input_grad_f16_groups(%dy: tensor<2x8x16x16xf16>, %w: tensor<8x2x3x3xf16>) -> tensor<2x4x16x16xf16> {
  %0 = diffc.conv2d_backward_input %dy, %w {padding = array<i64: 2, 2>, dilation = array<i64: 2, 2>, groups = 2 : i64} : (tensor<2x8x16x16xf16>, tensor<8x2x3x3xf16>) -> tensor<2x4x16x16xf16>
  return %0 : tensor<2x4x16x16xf16>
}

// bf16 weight gradient: the same widening, and no padding op without
// padding.
// CHECK-LABEL: func.func @weight_grad_bf16
//   CHECK-NOT:   tensor.pad
//       CHECK:   bufferization.alloc_tensor() : tensor<4x3x1x1xf32>
//       CHECK:   arith.extf %{{.*}} : bf16 to f32
//       CHECK:   arith.truncf %{{.*}} : f32 to bf16
func.func @weight_grad_bf16(%x: tensor<2x3x5x5xbf16>, %dy: tensor<2x4x5x5xbf16>) -> tensor<4x3x1x1xbf16> {
  %0 = diffc.conv2d_backward_weight %x, %dy : (tensor<2x3x5x5xbf16>, tensor<2x4x5x5xbf16>) -> tensor<4x3x1x1xbf16>
  return %0 : tensor<4x3x1x1xbf16>
}
