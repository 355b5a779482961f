// The gradients of conv2d (conv2d_backward_input, conv2d_backward_weight)
// compiled for x86-64 and run through diffc-run, against float64 NumPy
// adjoints of reference.conv_nd (harness.py, cases_conv_backward.py): float32
// through the runtime's gradient kernels (diffc-cpu-microkernels) and again
// through generated loops (--cpu-kernels=false), float64 through the linalg
// lowering alone; and the vector-Jacobian identity
// <conv(x, w), dy> = <x, dx> = <w, dw> computed by one compiled program.
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case grad_input_same --case grad_weight_same --case grad_input_stride2_odd --case grad_weight_stride2_odd --case grad_input_stride2_even --case grad_weight_stride2_even --case grad_input_pointwise --case grad_weight_pointwise --case grad_input_dilation2 --case grad_weight_dilation2 --case grad_input_groups2 --case grad_weight_groups2 --case grad_input_unet --case grad_weight_unet --case grad_vjp_identity | FileCheck %s --check-prefix=F32
// F32-COUNT-17: ok
// F32-NOT: FAIL
// RUN: diffc compile %s --cpu-kernels=false -o %t.loops.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.loops.diffc --case grad_input_same --case grad_weight_same --case grad_input_stride2_odd --case grad_weight_stride2_odd --case grad_input_stride2_even --case grad_weight_stride2_even --case grad_input_pointwise --case grad_weight_pointwise --case grad_input_dilation2 --case grad_weight_dilation2 --case grad_input_groups2 --case grad_weight_groups2 --case grad_input_unet --case grad_weight_unet --case grad_vjp_identity | FileCheck %s --check-prefix=LOOPS
// LOOPS-COUNT-17: ok
// LOOPS-NOT: FAIL
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case grad_input_f64 --case grad_weight_f64 | FileCheck %s --check-prefix=F64
// F64-COUNT-2: ok
// F64-NOT: FAIL
//
// Every f32 gradient is a kernel call, with the padded and the spread
// copies folded away (no memref.copy is left in the functions that have
// no other data movement); f64 stays generated loops.
// RUN: diffc compile %s --emit=mlir --stage=bufferized | FileCheck %s --check-prefix=CALLS
// CALLS-LABEL: func.func @grad_input_same
//   CALLS-NOT:   memref.copy
//       CALLS:   call @diffc_ukernel_conv_backward_input
//   CALLS-NOT:   linalg.generic
// CALLS-LABEL: func.func @grad_weight_same
//   CALLS-NOT:   memref.copy
//       CALLS:   call @diffc_ukernel_conv_backward_weight
//   CALLS-NOT:   linalg.generic
// CALLS-LABEL: func.func @grad_input_stride2_odd
//   CALLS-NOT:   memref.copy
//       CALLS:   call @diffc_ukernel_conv_backward_input
//   CALLS-NOT:   linalg.generic
// CALLS-LABEL: func.func @grad_weight_stride2_odd
//   CALLS-NOT:   memref.copy
//       CALLS:   call @diffc_ukernel_conv_backward_weight
// CALLS-LABEL: func.func @grad_input_f64
//   CALLS-NOT:   call
//       CALLS:   linalg.generic
// CALLS-LABEL: func.func @grad_weight_f64
//   CALLS-NOT:   call
//       CALLS:   linalg.generic

// -- 3x3, stride 1, padding 1, dynamic batch

func.func @grad_input_same(%dy: tensor<?x4x7x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x3x7x5xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w {padding = array<i64: 1, 1>} : (tensor<?x4x7x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x7x5xf32>
  return %0 : tensor<?x3x7x5xf32>
}

func.func @grad_weight_same(%x: tensor<?x3x7x5xf32>, %dy: tensor<?x4x7x5xf32>) -> tensor<4x3x3x3xf32> {
  %0 = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>} : (tensor<?x3x7x5xf32>, tensor<?x4x7x5xf32>) -> tensor<4x3x3x3xf32>
  return %0 : tensor<4x3x3x3xf32>
}

// -- the U-Net downsample: 3x3, stride 2, padding 1; 9 rows (odd), 8 columns

func.func @grad_input_stride2_odd(%dy: tensor<2x6x5x4xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<2x4x9x8xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<2x6x5x4xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x9x8xf32>
  return %0 : tensor<2x4x9x8xf32>
}

func.func @grad_weight_stride2_odd(%x: tensor<2x4x9x8xf32>, %dy: tensor<2x6x5x4xf32>) -> tensor<6x4x3x3xf32> {
  %0 = diffc.conv2d_backward_weight %x, %dy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<2x4x9x8xf32>, tensor<2x6x5x4xf32>) -> tensor<6x4x3x3xf32>
  return %0 : tensor<6x4x3x3xf32>
}

// -- stride 2, padding 1, even extents, dynamic batch

func.func @grad_input_stride2_even(%dy: tensor<?x5x4x4xf32>, %w: tensor<5x3x3x3xf32>) -> tensor<?x3x8x8xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x5x4x4xf32>, tensor<5x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return %0 : tensor<?x3x8x8xf32>
}

func.func @grad_weight_stride2_even(%x: tensor<?x3x8x8xf32>, %dy: tensor<?x5x4x4xf32>) -> tensor<5x3x3x3xf32> {
  %0 = diffc.conv2d_backward_weight %x, %dy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x8x8xf32>, tensor<?x5x4x4xf32>) -> tensor<5x3x3x3xf32>
  return %0 : tensor<5x3x3x3xf32>
}

// -- 1x1

func.func @grad_input_pointwise(%dy: tensor<2x3x5x7xf32>, %w: tensor<3x8x1x1xf32>) -> tensor<2x8x5x7xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w : (tensor<2x3x5x7xf32>, tensor<3x8x1x1xf32>) -> tensor<2x8x5x7xf32>
  return %0 : tensor<2x8x5x7xf32>
}

func.func @grad_weight_pointwise(%x: tensor<2x8x5x7xf32>, %dy: tensor<2x3x5x7xf32>) -> tensor<3x8x1x1xf32> {
  %0 = diffc.conv2d_backward_weight %x, %dy : (tensor<2x8x5x7xf32>, tensor<2x3x5x7xf32>) -> tensor<3x8x1x1xf32>
  return %0 : tensor<3x8x1x1xf32>
}

// -- dilation 2, no padding

func.func @grad_input_dilation2(%dy: tensor<1x5x7x6xf32>, %w: tensor<5x3x3x3xf32>) -> tensor<1x3x11x10xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w {dilation = array<i64: 2, 2>} : (tensor<1x5x7x6xf32>, tensor<5x3x3x3xf32>) -> tensor<1x3x11x10xf32>
  return %0 : tensor<1x3x11x10xf32>
}

func.func @grad_weight_dilation2(%x: tensor<1x3x11x10xf32>, %dy: tensor<1x5x7x6xf32>) -> tensor<5x3x3x3xf32> {
  %0 = diffc.conv2d_backward_weight %x, %dy {dilation = array<i64: 2, 2>} : (tensor<1x3x11x10xf32>, tensor<1x5x7x6xf32>) -> tensor<5x3x3x3xf32>
  return %0 : tensor<5x3x3x3xf32>
}

// -- groups 2, padding 1

func.func @grad_input_groups2(%dy: tensor<2x6x7x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x4x7x5xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w {padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x6x7x5xf32>, tensor<6x2x3x3xf32>) -> tensor<2x4x7x5xf32>
  return %0 : tensor<2x4x7x5xf32>
}

func.func @grad_weight_groups2(%x: tensor<2x4x7x5xf32>, %dy: tensor<2x6x7x5xf32>) -> tensor<6x2x3x3xf32> {
  %0 = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x4x7x5xf32>, tensor<2x6x7x5xf32>) -> tensor<6x2x3x3xf32>
  return %0 : tensor<6x2x3x3xf32>
}

// -- a U-Net block: 64 channels in (576 taps), 16 out, 14x14, batch 3
//    (K = 588 output positions: three K blocks, split over threads)

func.func @grad_input_unet(%dy: tensor<?x16x14x14xf32>, %w: tensor<16x64x3x3xf32>) -> tensor<?x64x14x14xf32> {
  %0 = diffc.conv2d_backward_input %dy, %w {padding = array<i64: 1, 1>} : (tensor<?x16x14x14xf32>, tensor<16x64x3x3xf32>) -> tensor<?x64x14x14xf32>
  return %0 : tensor<?x64x14x14xf32>
}

func.func @grad_weight_unet(%x: tensor<?x64x14x14xf32>, %dy: tensor<?x16x14x14xf32>) -> tensor<16x64x3x3xf32> {
  %0 = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>} : (tensor<?x64x14x14xf32>, tensor<?x16x14x14xf32>) -> tensor<16x64x3x3xf32>
  return %0 : tensor<16x64x3x3xf32>
}

// -- <conv(x, w), dy> = <x, dx> = <w, dw> for the stride-2 downsample

func.func @grad_vjp_identity(%x: tensor<2x4x9x8xf32>, %w: tensor<6x4x3x3xf32>, %dy: tensor<2x6x5x4xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %y = diffc.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<2x4x9x8xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x5x4xf32>
  %ydy = diffc.mul %y, %dy : (tensor<2x6x5x4xf32>, tensor<2x6x5x4xf32>) -> tensor<2x6x5x4xf32>
  %a = diffc.reduce sum %ydy {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x6x5x4xf32>) -> tensor<f32>
  %dx = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<2x6x5x4xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x9x8xf32>
  %xdx = diffc.mul %x, %dx : (tensor<2x4x9x8xf32>, tensor<2x4x9x8xf32>) -> tensor<2x4x9x8xf32>
  %b = diffc.reduce sum %xdx {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x4x9x8xf32>) -> tensor<f32>
  %dw = diffc.conv2d_backward_weight %x, %dy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<2x4x9x8xf32>, tensor<2x6x5x4xf32>) -> tensor<6x4x3x3xf32>
  %wdw = diffc.mul %w, %dw : (tensor<6x4x3x3xf32>, tensor<6x4x3x3xf32>) -> tensor<6x4x3x3xf32>
  %c = diffc.reduce sum %wdw {dims = array<i64: 0, 1, 2, 3>} : (tensor<6x4x3x3xf32>) -> tensor<f32>
  return %a, %b, %c : tensor<f32>, tensor<f32>, tensor<f32>
}

// -- float64 (generated loops): stride 2, padding 1, dilation (1, 2),
//    groups 2, dynamic batch

func.func @grad_input_f64(%dy: tensor<?x6x5x3xf64>, %w: tensor<6x2x3x3xf64>) -> tensor<?x4x9x7xf64> {
  %0 = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 2>, groups = 2 : i64} : (tensor<?x6x5x3xf64>, tensor<6x2x3x3xf64>) -> tensor<?x4x9x7xf64>
  return %0 : tensor<?x4x9x7xf64>
}

func.func @grad_weight_f64(%x: tensor<?x4x9x7xf64>, %dy: tensor<?x6x5x3xf64>) -> tensor<6x2x3x3xf64> {
  %0 = diffc.conv2d_backward_weight %x, %dy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 2>, groups = 2 : i64} : (tensor<?x4x9x7xf64>, tensor<?x6x5x3xf64>) -> tensor<6x2x3x3xf64>
  return %0 : tensor<6x2x3x3xf64>
}
