// RUN: diffc-opt %s --split-input-file --diffc-cpu-microkernels | FileCheck %s

// A zero-initialized matmul: 3-D views with a unit batch dimension, the fill
// folded into mode 0 (overwrite), the unused bias read from a constant, and
// C-interface declarations for the runtime's kernels.
// CHECK-DAG: func.func private @diffc_ukernel_sgemm(memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, i32) attributes {llvm.emit_c_interface}
// CHECK-DAG: memref.global "private" constant @__diffc_ukernel_no_bias : memref<1xf32> = dense<0.000000e+00>
// CHECK-LABEL: func.func @matmul_zero_init
//  CHECK-SAME:   (%[[A:.*]]: memref<8x4xf32>, %[[B:.*]]: memref<4x16xf32>)
//       CHECK:   %[[C:.*]] = memref.alloc() : memref<8x16xf32>
//   CHECK-NOT:   linalg.fill
//       CHECK:   %[[A3:.*]] = memref.expand_shape %[[A]] {{\[}}[0, 1], [2]] output_shape [1, 8, 4]
//       CHECK:   %[[B3:.*]] = memref.expand_shape %[[B]] {{\[}}[0, 1], [2]] output_shape [1, 4, 16]
//       CHECK:   %[[C3:.*]] = memref.expand_shape %[[C]] {{\[}}[0, 1], [2]] output_shape [1, 8, 16]
//       CHECK:   %[[NB:.*]] = memref.get_global @__diffc_ukernel_no_bias
//       CHECK:   %[[NBC:.*]] = memref.cast %[[NB]]
//       CHECK:   %[[MODE:.*]] = arith.constant 0 : i32
//       CHECK:   %[[AC:.*]] = memref.cast %[[A3]] : memref<1x8x4xf32> to memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
//       CHECK:   %[[BC:.*]] = memref.cast %[[B3]]
//       CHECK:   %[[CC:.*]] = memref.cast %[[C3]]
//       CHECK:   call @diffc_ukernel_sgemm(%[[AC]], %[[BC]], %[[CC]], %[[NBC]], %[[MODE]])
//   CHECK-NOT:   linalg.matmul
func.func @matmul_zero_init(%a: memref<8x4xf32>, %b: memref<4x16xf32>) -> memref<8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<8x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<8x16xf32>)
  linalg.matmul ins(%a, %b : memref<8x4xf32>, memref<4x16xf32>) outs(%c : memref<8x16xf32>)
  return %c : memref<8x16xf32>
}

// -----

// A linear layer: the [out, in] weight passed as a transposed view (no
// copy), the bias broadcast folded into mode 2 with the bias itself.
// CHECK-LABEL: func.func @linear_bias
//  CHECK-SAME:   (%[[X:.*]]: memref<?x5xf32>, %[[W:.*]]: memref<9x5xf32>, %[[BIAS:.*]]: memref<9xf32>, %[[Y:.*]]: memref<?x9xf32>)
//   CHECK-NOT:   linalg.generic
//       CHECK:   %[[WT:.*]] = memref.transpose %[[W]] (d0, d1) -> (d1, d0) : memref<9x5xf32> to memref<5x9xf32, strided<[1, 5]>>
//       CHECK:   memref.expand_shape %[[WT]] {{\[}}[0, 1], [2]] output_shape [1, 5, 9] : memref<5x9xf32, strided<[1, 5]>> into memref<1x5x9xf32, strided<[5, 1, 5]>>
//       CHECK:   %[[BC:.*]] = memref.cast %[[BIAS]] : memref<9xf32> to memref<?xf32, strided<[?], offset: ?>>
//       CHECK:   %[[MODE:.*]] = arith.constant 2 : i32
//       CHECK:   call @diffc_ukernel_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %[[BC]], %[[MODE]])
func.func @linear_bias(%x: memref<?x5xf32>, %w: memref<9x5xf32>, %bias: memref<9xf32>, %y: memref<?x9xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%bias : memref<9xf32>) outs(%y : memref<?x9xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : memref<?x5xf32>, memref<9x5xf32>) outs(%y : memref<?x9xf32>)
  return
}

// -----

// Nothing initializes C right before: mode 1 (accumulate), as linalg says.
// CHECK-LABEL: func.func @batch_matmul_accumulate
//       CHECK:   %[[MODE:.*]] = arith.constant 1 : i32
//       CHECK:   call @diffc_ukernel_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[MODE]])
func.func @batch_matmul_accumulate(%a: memref<?x7x5xf32>, %b: memref<?x5x4xf32>, %c: memref<?x7x4xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<?x7x5xf32>, memref<?x5x4xf32>) outs(%c : memref<?x7x4xf32>)
  return
}

// -----

// Attention's scores: batch dimensions (b, h) not adjacent in Q and K.
// Operands are transposed into (b, h, row, col) order, and an scf.for over
// b calls the kernel on rank-reduced subviews batched over h.
// CHECK-LABEL: func.func @two_batch_dims
//  CHECK-SAME:   (%[[Q:.*]]: memref<2x7x3x4xf32>, %[[K:.*]]: memref<2x5x3x4xf32>, %[[S:.*]]: memref<2x3x7x5xf32>)
//       CHECK:   %[[QT:.*]] = memref.transpose %[[Q]] (d0, d1, d2, d3) -> (d0, d2, d1, d3) : memref<2x7x3x4xf32> to memref<2x3x7x4xf32, strided<[84, 4, 12, 1]>>
//       CHECK:   %[[KT:.*]] = memref.transpose %[[K]] (d0, d1, d2, d3) -> (d0, d2, d3, d1) : memref<2x5x3x4xf32> to memref<2x3x4x5xf32, strided<[60, 4, 1, 12]>>
//       CHECK:   %[[MODE:.*]] = arith.constant 0 : i32
//       CHECK:   scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
//       CHECK:     %[[QI:.*]] = memref.subview %[[QT]][%[[I]], 0, 0, 0] [1, 3, 7, 4] [1, 1, 1, 1] : {{.*}} to memref<3x7x4xf32, strided<[4, 12, 1], offset: ?>>
//       CHECK:     %[[KI:.*]] = memref.subview %[[KT]][%[[I]], 0, 0, 0] [1, 3, 4, 5] [1, 1, 1, 1] : {{.*}} to memref<3x4x5xf32, strided<[4, 1, 12], offset: ?>>
//       CHECK:     %[[SI:.*]] = memref.subview %[[S]][%[[I]], 0, 0, 0] [1, 3, 7, 5] [1, 1, 1, 1]
//       CHECK:     func.call @diffc_ukernel_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[MODE]])
//   CHECK-NOT:   linalg.fill
//   CHECK-NOT:   linalg.generic
func.func @two_batch_dims(%q: memref<2x7x3x4xf32>, %k: memref<2x5x3x4xf32>, %s: memref<2x3x7x5xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%s : memref<2x3x7x5xf32>)
  linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, i, h, e)>, affine_map<(b, h, i, j, e) -> (b, j, h, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : memref<2x7x3x4xf32>, memref<2x5x3x4xf32>) outs(%s : memref<2x3x7x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A dynamic batch and 2 heads: the loop runs over the heads (2 iterations)
// and the kernel's batch is the dynamic one, which it spreads over threads.
// CHECK-LABEL: func.func @loop_over_smaller_batch
//       CHECK:   %[[QT:.*]] = memref.transpose %{{.*}} (d0, d1, d2, d3) -> (d2, d0, d1, d3) : memref<?x7x2x4xf32> to memref<2x?x7x4xf32, strided<[4, 56, 8, 1]>>
//       CHECK:   %[[ST:.*]] = memref.transpose %{{.*}} (d0, d1, d2, d3) -> (d1, d0, d2, d3) : memref<?x2x7x5xf32> to memref<2x?x7x5xf32, strided<[35, 70, 5, 1]>>
//       CHECK:   %[[HEADS:.*]] = memref.dim %[[ST]], %{{.*}} : memref<2x?x7x5xf32
//       CHECK:   scf.for %[[H:.*]] = %{{.*}} to %[[HEADS]]
//       CHECK:     memref.subview %[[QT]][%[[H]], 0, 0, 0] [1, %{{.*}}, 7, 4] [1, 1, 1, 1] : {{.*}} to memref<?x7x4xf32, strided<[56, 8, 1], offset: ?>>
func.func @loop_over_smaller_batch(%q: memref<?x7x2x4xf32>, %k: memref<?x5x2x4xf32>, %s: memref<?x2x7x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, i, h, e)>, affine_map<(b, h, i, j, e) -> (b, j, h, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : memref<?x7x2x4xf32>, memref<?x5x2x4xf32>) outs(%s : memref<?x2x7x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A convolution reading a bufferized tensor.pad: the kernel reads the real
// input with the padding as arguments, and the padded copy (allocation,
// zero fill, subview, copy) disappears. 6-D views: [N, 1, C, 1, H, W] and
// [1, O, C, 1, kH, kW]; stride (1, 2, 2), padding (0, 1, 1), dilation
// (1, 1, 2); the bias broadcast (linalg.broadcast) becomes mode 2.
// CHECK-DAG: func.func private @diffc_ukernel_conv(memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @conv2d_padded
//  CHECK-SAME:   (%[[X:.*]]: memref<?x4x9x8xf32>, %[[W:.*]]: memref<6x4x3x3xf32>, %[[BIAS:.*]]: memref<6xf32>)
//   CHECK-NOT:   linalg.map
//   CHECK-NOT:   memref.copy
//   CHECK-NOT:   linalg.broadcast
//       CHECK:   %[[Y:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x6x5x3xf32>
//   CHECK-NOT:   memref.alloc
//       CHECK:   %[[X6:.*]] = memref.expand_shape %[[X]] {{\[}}[0], [1, 2], [3, 4], [5]] output_shape [%{{.*}}, 1, 4, 1, 9, 8]
//       CHECK:   %[[W6:.*]] = memref.expand_shape %[[W]] {{\[}}[0, 1], [2], [3, 4], [5]] output_shape [1, 6, 4, 1, 3, 3]
//       CHECK:   %[[Y6:.*]] = memref.expand_shape %[[Y]] {{\[}}[0], [1, 2], [3, 4], [5]] output_shape [%{{.*}}, 1, 6, 1, 5, 3]
//       CHECK:   %[[XC:.*]] = memref.cast %[[X6]]
//       CHECK:   %[[WC:.*]] = memref.cast %[[W6]]
//       CHECK:   %[[YC:.*]] = memref.cast %[[Y6]]
//       CHECK:   %[[BC:.*]] = memref.cast %[[BIAS]]
//   CHECK-DAG:   %[[C0:.*]] = arith.constant 0 : i64
//   CHECK-DAG:   %[[C1:.*]] = arith.constant 1 : i64
//   CHECK-DAG:   %[[C2:.*]] = arith.constant 2 : i64
//   CHECK-DAG:   %[[MODE:.*]] = arith.constant 2 : i32
//       CHECK:   call @diffc_ukernel_conv(%[[XC]], %[[WC]], %[[YC]], %[[BC]], %[[C1]], %[[C2]], %{{.*}}, %[[C0]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[MODE]])
//   CHECK-NOT:   linalg.conv_2d_nchw_fchw
func.func @conv2d_padded(%x: memref<?x4x9x8xf32>, %w: memref<6x4x3x3xf32>, %bias: memref<6xf32>) -> memref<?x6x5x3xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x4x9x8xf32>
  %p = memref.alloc(%n) {alignment = 64 : i64} : memref<?x4x11x10xf32>
  linalg.map outs(%p : memref<?x4x11x10xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %p[0, 0, 1, 1] [%n, 4, 9, 8] [1, 1, 1, 1] : memref<?x4x11x10xf32> to memref<?x4x9x8xf32, strided<[440, 110, 10, 1], offset: 11>>
  memref.copy %x, %interior : memref<?x4x9x8xf32> to memref<?x4x9x8xf32, strided<[440, 110, 10, 1], offset: 11>>
  %y = memref.alloc(%n) {alignment = 64 : i64} : memref<?x6x5x3xf32>
  linalg.broadcast ins(%bias : memref<6xf32>) outs(%y : memref<?x6x5x3xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %w : memref<?x4x11x10xf32>, memref<6x4x3x3xf32>) outs(%y : memref<?x6x5x3xf32>)
  return %y : memref<?x6x5x3xf32>
}

// -----

// The source is written between the padded copy and the convolution, so the
// copy's value is not the source's any more: the padding stays, and the
// kernel reads the padded buffer.
// CHECK-LABEL: func.func @conv2d_source_changed
//       CHECK:   %[[P:.*]] = memref.alloc() : memref<1x2x7x7xf32>
//       CHECK:   linalg.fill
//       CHECK:   memref.copy
//       CHECK:   linalg.fill
//       CHECK:   memref.expand_shape %[[P]]
//       CHECK:   call @diffc_ukernel_conv
func.func @conv2d_source_changed(%x: memref<1x2x5x5xf32>, %w: memref<3x2x3x3xf32>, %y: memref<1x3x5x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %p = memref.alloc() : memref<1x2x7x7xf32>
  linalg.fill ins(%zero : f32) outs(%p : memref<1x2x7x7xf32>)
  %interior = memref.subview %p[0, 0, 1, 1] [1, 2, 5, 5] [1, 1, 1, 1] : memref<1x2x7x7xf32> to memref<1x2x5x5xf32, strided<[98, 49, 7, 1], offset: 8>>
  memref.copy %x, %interior : memref<1x2x5x5xf32> to memref<1x2x5x5xf32, strided<[98, 49, 7, 1], offset: 8>>
  linalg.fill ins(%one : f32) outs(%x : memref<1x2x5x5xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : memref<1x2x7x7xf32>, memref<3x2x3x3xf32>) outs(%y : memref<1x3x5x5xf32>)
  return
}

// -----

// Grouped: [N, G, C, H, W] -> [N, G, C, 1, H, W], [G, O, C, kH, kW] ->
// [G, O, C, 1, kH, kW].
// CHECK-LABEL: func.func @conv2d_groups
//       CHECK:   memref.expand_shape %{{.*}} {{\[}}[0], [1], [2], [3, 4], [5]] output_shape [2, 2, 2, 1, 7, 5]
//       CHECK:   memref.expand_shape %{{.*}} {{\[}}[0], [1], [2], [3, 4], [5]] output_shape [2, 3, 2, 1, 3, 3]
//       CHECK:   memref.expand_shape %{{.*}} {{\[}}[0], [1], [2], [3, 4], [5]] output_shape [2, 2, 3, 1, 5, 3]
//       CHECK:   call @diffc_ukernel_conv
func.func @conv2d_groups(%x: memref<2x2x2x7x5xf32>, %w: memref<2x3x2x3x3xf32>, %y: memref<2x2x3x5x3xf32>) {
  linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<2x2x2x7x5xf32>, memref<2x3x2x3x3xf32>) outs(%y : memref<2x2x3x5x3xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @conv3d
//       CHECK:   memref.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4], [5]] output_shape [1, 1, 3, 5, 6, 7]
//       CHECK:   memref.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4], [5]] output_shape [1, 4, 3, 3, 1, 1]
//       CHECK:   call @diffc_ukernel_conv
func.func @conv3d(%x: memref<1x3x5x6x7xf32>, %w: memref<4x3x3x1x1xf32>, %y: memref<1x4x3x6x7xf32>) {
  linalg.conv_3d_ncdhw_fcdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>} ins(%x, %w : memref<1x3x5x6x7xf32>, memref<4x3x3x1x1xf32>) outs(%y : memref<1x4x3x6x7xf32>)
  return
}

// -----

// The weight gradient of a stride-2, padding-1 convolution (the generic of
// diffc-convert-to-linalg, bufferized): the kernel reads the input itself
// with padding (0, 1, 1) and stride (1, 2, 2), the padded copy and the zero
// fill of the result disappear (mode 0). 6-D views with a unit frame
// dimension in front of the rows.
// CHECK-DAG: func.func private @diffc_ukernel_conv_backward_weight(memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @conv_weight_grad
//  CHECK-SAME:   (%[[X:.*]]: memref<2x1x4x9x8xf32>, %[[DY:.*]]: memref<2x1x6x5x4xf32>)
//   CHECK-NOT:   linalg.map
//   CHECK-NOT:   memref.copy
//       CHECK:   %[[DW:.*]] = memref.alloc() : memref<1x6x4x3x3xf32>
//   CHECK-NOT:   linalg.fill
//       CHECK:   %[[X6:.*]] = memref.expand_shape %[[X]] {{\[}}[0], [1], [2], [3, 4], [5]] output_shape [2, 1, 4, 1, 9, 8]
//       CHECK:   %[[XC:.*]] = memref.cast %[[X6]]
//       CHECK:   %[[DY6:.*]] = memref.expand_shape %[[DY]] {{\[}}[0], [1], [2], [3, 4], [5]] output_shape [2, 1, 6, 1, 5, 4]
//       CHECK:   %[[DYC:.*]] = memref.cast %[[DY6]]
//       CHECK:   %[[DW6:.*]] = memref.expand_shape %[[DW]] {{\[}}[0], [1], [2], [3, 4], [5]] output_shape [1, 6, 4, 1, 3, 3]
//       CHECK:   %[[DWC:.*]] = memref.cast %[[DW6]]
//       CHECK:   call @diffc_ukernel_conv_backward_weight(%[[XC]], %[[DYC]], %[[DWC]], %c1_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i32)
//   CHECK-NOT:   linalg.generic
func.func @conv_weight_grad(%x: memref<2x1x4x9x8xf32>, %dy: memref<2x1x6x5x4xf32>) -> memref<1x6x4x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %p = memref.alloc() : memref<2x1x4x11x10xf32>
  linalg.map outs(%p : memref<2x1x4x11x10xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %p[0, 0, 0, 1, 1] [2, 1, 4, 9, 8] [1, 1, 1, 1, 1] : memref<2x1x4x11x10xf32> to memref<2x1x4x9x8xf32, strided<[440, 440, 110, 10, 1], offset: 11>>
  memref.copy %x, %interior : memref<2x1x4x9x8xf32> to memref<2x1x4x9x8xf32, strided<[440, 440, 110, 10, 1], offset: 11>>
  %dw = memref.alloc() : memref<1x6x4x3x3xf32>
  linalg.fill ins(%zero : f32) outs(%dw : memref<1x6x4x3x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 * 2 + d3, d7 * 2 + d4)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%p, %dy : memref<2x1x4x11x10xf32>, memref<2x1x6x5x4xf32>) outs(%dw : memref<1x6x4x3x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return %dw : memref<1x6x4x3x3xf32>
}

// -----

// The input gradient of the same convolution: dy was spread at stride 2
// into zeros at offset 1 and is read with c0 = 2, so the kernel gets dy
// itself, stride (1, 2, 2) and padding c0 - 1 = (0, 1, 1). No fill before
// the generic: mode 1 (accumulate into dx).
// CHECK-DAG: func.func private @diffc_ukernel_conv_backward_input(memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @conv_input_grad_spread
//  CHECK-SAME:   (%[[DY:.*]]: memref<?x1x6x5x4xf32>, %[[W:.*]]: memref<1x6x4x3x3xf32>, %[[DX:.*]]: memref<?x1x4x9x8xf32>)
//   CHECK-NOT:   memref.alloc
//   CHECK-NOT:   memref.copy
//       CHECK:   %[[DY6:.*]] = memref.expand_shape %[[DY]] {{\[}}[0], [1], [2], [3, 4], [5]] output_shape [%{{.*}}, 1, 6, 1, 5, 4]
//       CHECK:   %[[DYC:.*]] = memref.cast %[[DY6]]
//       CHECK:   memref.expand_shape %[[W]]
//       CHECK:   memref.expand_shape %[[DX]]
//       CHECK:   call @diffc_ukernel_conv_backward_input(%[[DYC]], %{{.*}}, %{{.*}}, %c1_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i32)
func.func @conv_input_grad_spread(%dy: memref<?x1x6x5x4xf32>, %w: memref<1x6x4x3x3xf32>, %dx: memref<?x1x4x9x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = memref.dim %dy, %c0 : memref<?x1x6x5x4xf32>
  %s = memref.alloc(%n) : memref<?x1x6x11x10xf32>
  linalg.fill ins(%zero : f32) outs(%s : memref<?x1x6x11x10xf32>)
  %slots = memref.subview %s[0, 0, 0, 1, 1] [%n, 1, 6, 5, 4] [1, 1, 1, 2, 2] : memref<?x1x6x11x10xf32> to memref<?x1x6x5x4xf32, strided<[660, 660, 110, 20, 2], offset: 11>>
  memref.copy %dy, %slots : memref<?x1x6x5x4xf32> to memref<?x1x6x5x4xf32, strided<[660, 660, 110, 20, 2], offset: 11>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 - d6 + 2, d4 - d7 + 2)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, d6, d7)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%s, %w : memref<?x1x6x11x10xf32>, memref<1x6x4x3x3xf32>) outs(%dx : memref<?x1x4x9x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in_0, %in : f32
    %1 = arith.addf %0, %out : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// dy is written between its spreading copy and the generic: the kernel
// reads the spread buffer, which is the same function at stride 1 with
// padding c0 = (0, 2, 2); the copy stays.
// CHECK-LABEL: func.func @conv_input_grad_source_changed
//       CHECK:   %[[S:.*]] = memref.alloc() : memref<1x1x2x11x10xf32>
//       CHECK:   memref.copy
//       CHECK:   linalg.fill
//       CHECK:   memref.expand_shape %[[S]]
//       CHECK:   call @diffc_ukernel_conv_backward_input(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{.*}})
func.func @conv_input_grad_source_changed(%dy: memref<1x1x2x5x4xf32>, %w: memref<1x2x3x3x3xf32>, %dx: memref<1x1x3x9x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %s = memref.alloc() : memref<1x1x2x11x10xf32>
  linalg.fill ins(%zero : f32) outs(%s : memref<1x1x2x11x10xf32>)
  %slots = memref.subview %s[0, 0, 0, 1, 1] [1, 1, 2, 5, 4] [1, 1, 1, 2, 2] : memref<1x1x2x11x10xf32> to memref<1x1x2x5x4xf32, strided<[220, 220, 110, 20, 2], offset: 11>>
  memref.copy %dy, %slots : memref<1x1x2x5x4xf32> to memref<1x1x2x5x4xf32, strided<[220, 220, 110, 20, 2], offset: 11>>
  linalg.fill ins(%one : f32) outs(%dy : memref<1x1x2x5x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 - d6 + 2, d4 - d7 + 2)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, d6, d7)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%s, %w : memref<1x1x2x11x10xf32>, memref<1x2x3x3x3xf32>) outs(%dx : memref<1x1x3x9x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Not a gradient call: f64 (the kernels are f32), a body that is not
// `out + a * b`, and window coefficients of the wrong sign for a weight
// gradient.
// CHECK-LABEL: func.func @conv_grad_not_rewritten
//   CHECK-NOT:   call
//       CHECK:   linalg.generic
//       CHECK:   linalg.generic
//       CHECK:   linalg.generic
//   CHECK-NOT:   call
func.func @conv_grad_not_rewritten(%x64: memref<1x1x2x7x7xf64>, %dy64: memref<1x1x3x5x5xf64>, %dw64: memref<1x3x2x3x3xf64>,
                                   %x: memref<1x1x2x7x7xf32>, %dy: memref<1x1x3x5x5xf32>, %dw: memref<1x3x2x3x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 + d3, d7 + d4)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x64, %dy64 : memref<1x1x2x7x7xf64>, memref<1x1x3x5x5xf64>) outs(%dw64 : memref<1x3x2x3x3xf64>) {
  ^bb0(%in: f64, %in_0: f64, %out: f64):
    %0 = arith.mulf %in, %in_0 : f64
    %1 = arith.addf %out, %0 : f64
    linalg.yield %1 : f64
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 + d3, d7 + d4)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<1x1x2x7x7xf32>, memref<1x1x3x5x5xf32>) outs(%dw : memref<1x3x2x3x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.subf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 - d3 + 2, d7 + d4)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<1x1x2x7x7xf32>, memref<1x1x3x5x5xf32>) outs(%dw : memref<1x3x2x3x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Left for generated loops: f64 (the kernels are f32), a contraction that
// broadcasts a batch dimension (a constant in its map), tensors.
// CHECK-LABEL: func.func @not_rewritten
//   CHECK-NOT:   call
//       CHECK:   linalg.matmul
//       CHECK:   linalg.generic
//       CHECK:   linalg.matmul
//   CHECK-NOT:   call
func.func @not_rewritten(%a: memref<3x4xf64>, %b: memref<4x5xf64>, %c: memref<3x5xf64>,
                         %x: memref<2x1x4x5xf32>, %y: memref<3x5x6xf32>, %z: memref<2x3x4x6xf32>,
                         %ta: tensor<3x4xf32>, %tb: tensor<4x5xf32>, %tc: tensor<3x5xf32>) -> tensor<3x5xf32> {
  linalg.matmul ins(%a, %b : memref<3x4xf64>, memref<4x5xf64>) outs(%c : memref<3x5xf64>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x, %y : memref<2x1x4x5xf32>, memref<3x5x6xf32>) outs(%z : memref<2x3x4x6xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  %r = linalg.matmul ins(%ta, %tb : tensor<3x4xf32>, tensor<4x5xf32>) outs(%tc : tensor<3x5xf32>) -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}
