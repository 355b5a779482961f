// RUN: diffc-opt %s --split-input-file --diffc-cpu-pipeline=stop-after=bufferized | FileCheck %s

// The whole CPU pipeline up to bufferization: diffc-convert-to-linalg's
// convolution (tensor.pad + conv_2d_nchw_fchw over the bias accumulator)
// becomes one kernel call reading the unpadded input, with no padded copy
// left and nothing to deallocate but what the function returns.
// CHECK-LABEL: func.func @conv2d_bias_padding
//  CHECK-SAME:   (%[[X:.*]]: memref<?x3x7x5xf32>, %[[W:.*]]: memref<4x3x3x3xf32>, %[[B:.*]]: memref<4xf32>)
//   CHECK-NOT:   memref.copy
//   CHECK-NOT:   linalg.
//       CHECK:   %[[Y:.*]] = memref.alloc
//       CHECK:   memref.expand_shape %[[X]]
//       CHECK:   call @diffc_ukernel_conv(
//   CHECK-NOT:   memref.dealloc
//       CHECK:   return %[[Y]]
func.func @conv2d_bias_padding(%x: tensor<?x3x7x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x7x5xf32> {
  %0 = diffc.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x3x7x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x7x5xf32>
  return %0 : tensor<?x4x7x5xf32>
}

// -----

// A linear layer followed by SiLU: the matmul with its bias is one call, the
// activation stays a generated loop over the call's result.
// CHECK-LABEL: func.func @linear_silu
//       CHECK:   %[[MODE:.*]] = arith.constant 2 : i32
//       CHECK:   memref.transpose
//       CHECK:   call @diffc_ukernel_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[MODE]])
//       CHECK:   linalg.generic
//       CHECK:     math.exp
func.func @linear_silu(%x: tensor<?x64xf32>, %w: tensor<256x64xf32>, %b: tensor<256xf32>) -> tensor<?x256xf32> {
  %0 = diffc.linear %x, %w, %b : (tensor<?x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<?x256xf32>
  %1 = diffc.silu %0 : tensor<?x256xf32>
  return %1 : tensor<?x256xf32>
}
