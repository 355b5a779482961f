// RUN: diffc-opt %s --split-input-file | diffc-opt --split-input-file | FileCheck %s
// RUN: diffc-opt %s --split-input-file --mlir-print-op-generic | diffc-opt --split-input-file | FileCheck %s
//
// --emit-bytecode does not combine with --split-input-file (the chunks would
// be joined by textual split markers), so the bytecode round trip reads the
// printed file whole: its modules nest in one outer module.
// RUN: diffc-opt %s --split-input-file | diffc-opt --emit-bytecode | diffc-opt | FileCheck %s

// Round trip of every diffc op: each op is parsed, printed and parsed again in
// the custom form, through the generic form and through bytecode. The CHECK
// lines pin the printed op, its attributes (those equal to their defaults are
// elided) and its type signature. Every case of every enum attribute appears
// at least once.

// Parameters carry their PyTorch state-dict key and a static shape.
// CHECK-LABEL: func.func @parameter(
//  CHECK-SAME: ) -> (tensor<64x1x3x3xf32>, tensor<64xf32>, tensor<1280x320xbf16>)
//       CHECK:   %[[W:.*]] = diffc.parameter "conv_in.weight" : tensor<64x1x3x3xf32>
//  CHECK-NEXT:   %[[B:.*]] = diffc.parameter "down_blocks.0.resnets.0.norm1.bias" : tensor<64xf32>
//  CHECK-NEXT:   %[[P:.*]] = diffc.parameter "time_embedding.linear_1.weight" : tensor<1280x320xbf16>
//  CHECK-NEXT:   return %[[W]], %[[B]], %[[P]] : tensor<64x1x3x3xf32>, tensor<64xf32>, tensor<1280x320xbf16>
func.func @parameter() -> (tensor<64x1x3x3xf32>, tensor<64xf32>, tensor<1280x320xbf16>) {
  %w = diffc.parameter "conv_in.weight" : tensor<64x1x3x3xf32>
  %b = diffc.parameter "down_blocks.0.resnets.0.norm1.bias" : tensor<64xf32>
  %p = diffc.parameter "time_embedding.linear_1.weight" : tensor<1280x320xbf16>
  return %w, %b, %p : tensor<64x1x3x3xf32>, tensor<64xf32>, tensor<1280x320xbf16>
}

// -----

// Optional bias present; attributes equal to their defaults are not printed.
// CHECK-LABEL: func.func @conv2d(
//  CHECK-SAME: %[[X:.*]]: tensor<?x1x28x28xf32>, %[[W:.*]]: tensor<64x1x3x3xf32>, %[[B:.*]]: tensor<64xf32>) -> tensor<?x64x28x28xf32>
//       CHECK:   %[[Y:.*]] = diffc.conv2d %[[X]], %[[W]], %[[B]] {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x64x28x28xf32>
func.func @conv2d(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x3x3xf32>, %b: tensor<64xf32>) -> tensor<?x64x28x28xf32> {
  %y = diffc.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
  return %y : tensor<?x64x28x28xf32>
}

// -----

// No bias; strided, padded, grouped, in f16.
// CHECK-LABEL: func.func @conv2d_no_bias(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x28x28xf16>, %[[W:.*]]: tensor<128x32x3x3xf16>) -> tensor<?x128x14x14xf16>
//       CHECK:   %[[Y:.*]] = diffc.conv2d %[[X]], %[[W]] {groups = 2 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x64x28x28xf16>, tensor<128x32x3x3xf16>) -> tensor<?x128x14x14xf16>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x128x14x14xf16>
func.func @conv2d_no_bias(%x: tensor<?x64x28x28xf16>, %w: tensor<128x32x3x3xf16>) -> tensor<?x128x14x14xf16> {
  %y = diffc.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<?x64x28x28xf16>, tensor<128x32x3x3xf16>) -> tensor<?x128x14x14xf16>
  return %y : tensor<?x128x14x14xf16>
}

// -----

// Stride and groups spelled out at their defaults are elided on printing.
// CHECK-LABEL: func.func @conv2d_dilated(
//  CHECK-SAME: %[[X:.*]]: tensor<2x8x16x16xbf16>, %[[W:.*]]: tensor<8x8x3x3xbf16>, %[[B:.*]]: tensor<8xbf16>) -> tensor<2x8x16x16xbf16>
//       CHECK:   %[[Y:.*]] = diffc.conv2d %[[X]], %[[W]], %[[B]] {dilation = array<i64: 2, 2>, padding = array<i64: 2, 2>} : (tensor<2x8x16x16xbf16>, tensor<8x8x3x3xbf16>, tensor<8xbf16>) -> tensor<2x8x16x16xbf16>
//  CHECK-NEXT:   return %[[Y]] : tensor<2x8x16x16xbf16>
func.func @conv2d_dilated(%x: tensor<2x8x16x16xbf16>, %w: tensor<8x8x3x3xbf16>, %b: tensor<8xbf16>) -> tensor<2x8x16x16xbf16> {
  %y = diffc.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 2, 2>, dilation = array<i64: 2, 2>, groups = 1 : i64} : (tensor<2x8x16x16xbf16>, tensor<8x8x3x3xbf16>, tensor<8xbf16>) -> tensor<2x8x16x16xbf16>
  return %y : tensor<2x8x16x16xbf16>
}

// -----

// The gradients of the U-Net downsample (3x3, stride 2, padding 1) with a
// dynamic batch: the input gradient's result type gives H and W (28, where
// 27 would give the same 14x14 output), the weight gradient's the kernel.
// CHECK-LABEL: func.func @conv2d_backward(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x28x28xf32>, %[[W:.*]]: tensor<64x64x3x3xf32>, %[[DY:.*]]: tensor<?x64x14x14xf32>)
//       CHECK:   %[[DX:.*]] = diffc.conv2d_backward_input %[[DY]], %[[W]] {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
//       CHECK:   %[[DW:.*]] = diffc.conv2d_backward_weight %[[X]], %[[DY]] {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x64x28x28xf32>, tensor<?x64x14x14xf32>) -> tensor<64x64x3x3xf32>
//  CHECK-NEXT:   return %[[DX]], %[[DW]]
func.func @conv2d_backward(%x: tensor<?x64x28x28xf32>, %w: tensor<64x64x3x3xf32>, %dy: tensor<?x64x14x14xf32>) -> (tensor<?x64x28x28xf32>, tensor<64x64x3x3xf32>) {
  %dx = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
  %dw = diffc.conv2d_backward_weight %x, %dy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x64x28x28xf32>, tensor<?x64x14x14xf32>) -> tensor<64x64x3x3xf32>
  return %dx, %dw : tensor<?x64x28x28xf32>, tensor<64x64x3x3xf32>
}

// -----

// Grouped and dilated gradients in f16; defaults spelled out are elided.
// CHECK-LABEL: func.func @conv2d_backward_groups(
//       CHECK:   diffc.conv2d_backward_input %{{.*}}, %{{.*}} {dilation = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 2>} : (tensor<2x8x16x16xf16>, tensor<8x2x3x3xf16>) -> tensor<2x4x16x16xf16>
//       CHECK:   diffc.conv2d_backward_weight %{{.*}}, %{{.*}} {dilation = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 2>} : (tensor<2x4x16x16xf16>, tensor<2x8x16x16xf16>) -> tensor<8x2x3x3xf16>
func.func @conv2d_backward_groups(%x: tensor<2x4x16x16xf16>, %w: tensor<8x2x3x3xf16>, %dy: tensor<2x8x16x16xf16>) -> (tensor<2x4x16x16xf16>, tensor<8x2x3x3xf16>) {
  %dx = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 1, 1>, padding = array<i64: 2, 2>, dilation = array<i64: 2, 2>, groups = 2 : i64} : (tensor<2x8x16x16xf16>, tensor<8x2x3x3xf16>) -> tensor<2x4x16x16xf16>
  %dw = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 2, 2>, dilation = array<i64: 2, 2>, groups = 2 : i64} : (tensor<2x4x16x16xf16>, tensor<2x8x16x16xf16>) -> tensor<8x2x3x3xf16>
  return %dx, %dw : tensor<2x4x16x16xf16>, tensor<8x2x3x3xf16>
}

// -----

// Temporal convolution over frames (NCFHW).
// CHECK-LABEL: func.func @conv3d(
//  CHECK-SAME: %[[X:.*]]: tensor<1x64x8x16x16xf32>, %[[W:.*]]: tensor<64x64x3x1x1xf32>, %[[B:.*]]: tensor<64xf32>) -> tensor<1x64x8x16x16xf32>
//       CHECK:   %[[Y:.*]] = diffc.conv3d %[[X]], %[[W]], %[[B]] {padding = array<i64: 1, 0, 0>} : (tensor<1x64x8x16x16xf32>, tensor<64x64x3x1x1xf32>, tensor<64xf32>) -> tensor<1x64x8x16x16xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<1x64x8x16x16xf32>
func.func @conv3d(%x: tensor<1x64x8x16x16xf32>, %w: tensor<64x64x3x1x1xf32>, %b: tensor<64xf32>) -> tensor<1x64x8x16x16xf32> {
  %y = diffc.conv3d %x, %w, %b {padding = array<i64: 1, 0, 0>} : (tensor<1x64x8x16x16xf32>, tensor<64x64x3x1x1xf32>, tensor<64xf32>) -> tensor<1x64x8x16x16xf32>
  return %y : tensor<1x64x8x16x16xf32>
}

// -----

// CHECK-LABEL: func.func @conv3d_no_bias(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x8x16x16xf32>, %[[W:.*]]: tensor<32x64x1x3x3xf32>) -> tensor<?x32x8x8x8xf32>
//       CHECK:   %[[Y:.*]] = diffc.conv3d %[[X]], %[[W]] {padding = array<i64: 0, 1, 1>, stride = array<i64: 1, 2, 2>} : (tensor<?x64x8x16x16xf32>, tensor<32x64x1x3x3xf32>) -> tensor<?x32x8x8x8xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x32x8x8x8xf32>
func.func @conv3d_no_bias(%x: tensor<?x64x8x16x16xf32>, %w: tensor<32x64x1x3x3xf32>) -> tensor<?x32x8x8x8xf32> {
  %y = diffc.conv3d %x, %w {stride = array<i64: 1, 2, 2>, padding = array<i64: 0, 1, 1>} : (tensor<?x64x8x16x16xf32>, tensor<32x64x1x3x3xf32>) -> tensor<?x32x8x8x8xf32>
  return %y : tensor<?x32x8x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @linear(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64xf32>, %[[W:.*]]: tensor<256x64xf32>, %[[B:.*]]: tensor<256xf32>) -> tensor<?x256xf32>
//       CHECK:   %[[Y:.*]] = diffc.linear %[[X]], %[[W]], %[[B]] : (tensor<?x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<?x256xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x256xf32>
func.func @linear(%x: tensor<?x64xf32>, %w: tensor<256x64xf32>, %b: tensor<256xf32>) -> tensor<?x256xf32> {
  %y = diffc.linear %x, %w, %b : (tensor<?x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

// Rank-3 input (a token sequence), no bias, f16.
// CHECK-LABEL: func.func @linear_no_bias(
//  CHECK-SAME: %[[X:.*]]: tensor<2x77x128xf16>, %[[W:.*]]: tensor<320x128xf16>) -> tensor<2x77x320xf16>
//       CHECK:   %[[Y:.*]] = diffc.linear %[[X]], %[[W]] : (tensor<2x77x128xf16>, tensor<320x128xf16>) -> tensor<2x77x320xf16>
//  CHECK-NEXT:   return %[[Y]] : tensor<2x77x320xf16>
func.func @linear_no_bias(%x: tensor<2x77x128xf16>, %w: tensor<320x128xf16>) -> tensor<2x77x320xf16> {
  %y = diffc.linear %x, %w : (tensor<2x77x128xf16>, tensor<320x128xf16>) -> tensor<2x77x320xf16>
  return %y : tensor<2x77x320xf16>
}

// -----

// CHECK-LABEL: func.func @matmul(
//  CHECK-SAME: %[[Q:.*]]: tensor<8x49x64xf32>, %[[KT:.*]]: tensor<8x64x49xf32>) -> tensor<8x49x49xf32>
//       CHECK:   %[[S:.*]] = diffc.matmul %[[Q]], %[[KT]] : (tensor<8x49x64xf32>, tensor<8x64x49xf32>) -> tensor<8x49x49xf32>
//  CHECK-NEXT:   return %[[S]] : tensor<8x49x49xf32>
func.func @matmul(%q: tensor<8x49x64xf32>, %kt: tensor<8x64x49xf32>) -> tensor<8x49x49xf32> {
  %s = diffc.matmul %q, %kt : (tensor<8x49x64xf32>, tensor<8x64x49xf32>) -> tensor<8x49x49xf32>
  return %s : tensor<8x49x49xf32>
}

// -----

// A rank-2 right operand broadcasts over the left batch dimensions.
// CHECK-LABEL: func.func @matmul_broadcast(
//  CHECK-SAME: %[[A:.*]]: tensor<?x8x49x64xf32>, %[[B:.*]]: tensor<64x32xf32>) -> tensor<?x8x49x32xf32>
//       CHECK:   %[[C:.*]] = diffc.matmul %[[A]], %[[B]] : (tensor<?x8x49x64xf32>, tensor<64x32xf32>) -> tensor<?x8x49x32xf32>
//  CHECK-NEXT:   return %[[C]] : tensor<?x8x49x32xf32>
func.func @matmul_broadcast(%a: tensor<?x8x49x64xf32>, %b: tensor<64x32xf32>) -> tensor<?x8x49x32xf32> {
  %c = diffc.matmul %a, %b : (tensor<?x8x49x64xf32>, tensor<64x32xf32>) -> tensor<?x8x49x32xf32>
  return %c : tensor<?x8x49x32xf32>
}

// -----

// CHECK-LABEL: func.func @group_norm(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x28x28xf32>, %[[G:.*]]: tensor<64xf32>, %[[B:.*]]: tensor<64xf32>) -> tensor<?x64x28x28xf32>
//       CHECK:   %[[Y:.*]] = diffc.group_norm %[[X]], %[[G]], %[[B]] {epsilon = 9.9999999999999995E-7 : f64, num_groups = 32 : i64} : (tensor<?x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x64x28x28xf32>
func.func @group_norm(%x: tensor<?x64x28x28xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<?x64x28x28xf32> {
  %y = diffc.group_norm %x, %g, %b {num_groups = 32 : i64, epsilon = 1.0e-06 : f64} : (tensor<?x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
  return %y : tensor<?x64x28x28xf32>
}

// -----

// The default epsilon (1e-5) is elided.
// CHECK-LABEL: func.func @group_norm_default_epsilon(
//  CHECK-SAME: %[[X:.*]]: tensor<2x32x8x8xbf16>, %[[G:.*]]: tensor<32xbf16>, %[[B:.*]]: tensor<32xbf16>) -> tensor<2x32x8x8xbf16>
//       CHECK:   %[[Y:.*]] = diffc.group_norm %[[X]], %[[G]], %[[B]] {num_groups = 8 : i64} : (tensor<2x32x8x8xbf16>, tensor<32xbf16>, tensor<32xbf16>) -> tensor<2x32x8x8xbf16>
//  CHECK-NEXT:   return %[[Y]] : tensor<2x32x8x8xbf16>
func.func @group_norm_default_epsilon(%x: tensor<2x32x8x8xbf16>, %g: tensor<32xbf16>, %b: tensor<32xbf16>) -> tensor<2x32x8x8xbf16> {
  %y = diffc.group_norm %x, %g, %b {num_groups = 8 : i64} : (tensor<2x32x8x8xbf16>, tensor<32xbf16>, tensor<32xbf16>) -> tensor<2x32x8x8xbf16>
  return %y : tensor<2x32x8x8xbf16>
}

// -----

// CHECK-LABEL: func.func @layer_norm(
//  CHECK-SAME: %[[X:.*]]: tensor<2x77x128xf32>, %[[G:.*]]: tensor<128xf32>, %[[B:.*]]: tensor<128xf32>) -> tensor<2x77x128xf32>
//       CHECK:   %[[Y:.*]] = diffc.layer_norm %[[X]], %[[G]], %[[B]] {epsilon = 9.9999999999999995E-7 : f64} : (tensor<2x77x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<2x77x128xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<2x77x128xf32>
func.func @layer_norm(%x: tensor<2x77x128xf32>, %g: tensor<128xf32>, %b: tensor<128xf32>) -> tensor<2x77x128xf32> {
  %y = diffc.layer_norm %x, %g, %b {epsilon = 1.0e-06 : f64} : (tensor<2x77x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<2x77x128xf32>
  return %y : tensor<2x77x128xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm_default_epsilon(
//  CHECK-SAME: %[[X:.*]]: tensor<?x49x64xf32>, %[[G:.*]]: tensor<64xf32>, %[[B:.*]]: tensor<64xf32>) -> tensor<?x49x64xf32>
//       CHECK:   %[[Y:.*]] = diffc.layer_norm %[[X]], %[[G]], %[[B]] : (tensor<?x49x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x49x64xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x49x64xf32>
func.func @layer_norm_default_epsilon(%x: tensor<?x49x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<?x49x64xf32> {
  %y = diffc.layer_norm %x, %g, %b : (tensor<?x49x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x49x64xf32>
  return %y : tensor<?x49x64xf32>
}

// -----

// CHECK-LABEL: func.func @silu(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x28x28xf32>) -> tensor<?x64x28x28xf32>
//       CHECK:   %[[Y:.*]] = diffc.silu %[[X]] : tensor<?x64x28x28xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x64x28x28xf32>
func.func @silu(%x: tensor<?x64x28x28xf32>) -> tensor<?x64x28x28xf32> {
  %y = diffc.silu %x : tensor<?x64x28x28xf32>
  return %y : tensor<?x64x28x28xf32>
}

// -----

// CHECK-LABEL: func.func @sigmoid(
//  CHECK-SAME: %[[X:.*]]: tensor<4x8xf16>) -> tensor<4x8xf16>
//       CHECK:   %[[Y:.*]] = diffc.sigmoid %[[X]] : tensor<4x8xf16>
//  CHECK-NEXT:   return %[[Y]] : tensor<4x8xf16>
func.func @sigmoid(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %y = diffc.sigmoid %x : tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

// CHECK-LABEL: func.func @tanh(
//  CHECK-SAME: %[[X:.*]]: tensor<4x1x28x28xf32>) -> tensor<4x1x28x28xf32>
//       CHECK:   %[[Y:.*]] = diffc.tanh %[[X]] : tensor<4x1x28x28xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<4x1x28x28xf32>
func.func @tanh(%x: tensor<4x1x28x28xf32>) -> tensor<4x1x28x28xf32> {
  %y = diffc.tanh %x : tensor<4x1x28x28xf32>
  return %y : tensor<4x1x28x28xf32>
}

// -----

// CHECK-LABEL: func.func @relu(
//  CHECK-SAME: %[[X:.*]]: tensor<2x32xbf16>) -> tensor<2x32xbf16>
//       CHECK:   %[[Y:.*]] = diffc.relu %[[X]] : tensor<2x32xbf16>
//  CHECK-NEXT:   return %[[Y]] : tensor<2x32xbf16>
func.func @relu(%x: tensor<2x32xbf16>) -> tensor<2x32xbf16> {
  %y = diffc.relu %x : tensor<2x32xbf16>
  return %y : tensor<2x32xbf16>
}

// -----

// CHECK-LABEL: func.func @exp(
//  CHECK-SAME: %[[X:.*]]: tensor<8xf64>) -> tensor<8xf64>
//       CHECK:   %[[Y:.*]] = diffc.exp %[[X]] : tensor<8xf64>
//  CHECK-NEXT:   return %[[Y]] : tensor<8xf64>
func.func @exp(%x: tensor<8xf64>) -> tensor<8xf64> {
  %y = diffc.exp %x : tensor<8xf64>
  return %y : tensor<8xf64>
}

// -----

// CHECK-LABEL: func.func @log(
//  CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>) -> tensor<?x4xf32>
//       CHECK:   %[[Y:.*]] = diffc.log %[[X]] : tensor<?x4xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x4xf32>
func.func @log(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = diffc.log %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @sqrt(
//  CHECK-SAME: %[[X:.*]]: tensor<1000xf32>) -> tensor<1000xf32>
//       CHECK:   %[[Y:.*]] = diffc.sqrt %[[X]] : tensor<1000xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<1000xf32>
func.func @sqrt(%x: tensor<1000xf32>) -> tensor<1000xf32> {
  %y = diffc.sqrt %x : tensor<1000xf32>
  return %y : tensor<1000xf32>
}

// -----

// CHECK-LABEL: func.func @rsqrt(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x1x1xf32>) -> tensor<?x64x1x1xf32>
//       CHECK:   %[[Y:.*]] = diffc.rsqrt %[[X]] : tensor<?x64x1x1xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x64x1x1xf32>
func.func @rsqrt(%x: tensor<?x64x1x1xf32>) -> tensor<?x64x1x1xf32> {
  %y = diffc.rsqrt %x : tensor<?x64x1x1xf32>
  return %y : tensor<?x64x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @neg(
//  CHECK-SAME: %[[X:.*]]: tensor<f32>) -> tensor<f32>
//       CHECK:   %[[Y:.*]] = diffc.neg %[[X]] : tensor<f32>
//  CHECK-NEXT:   return %[[Y]] : tensor<f32>
func.func @neg(%x: tensor<f32>) -> tensor<f32> {
  %y = diffc.neg %x : tensor<f32>
  return %y : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @abs(
//  CHECK-SAME: %[[X:.*]]: tensor<8x1x6x6xf16>) -> tensor<8x1x6x6xf16>
//       CHECK:   %[[Y:.*]] = diffc.abs %[[X]] : tensor<8x1x6x6xf16>
//  CHECK-NEXT:   return %[[Y]] : tensor<8x1x6x6xf16>
func.func @abs(%x: tensor<8x1x6x6xf16>) -> tensor<8x1x6x6xf16> {
  %y = diffc.abs %x : tensor<8x1x6x6xf16>
  return %y : tensor<8x1x6x6xf16>
}

// -----

// Both GELU approximations.
// CHECK-LABEL: func.func @gelu(
//  CHECK-SAME: %[[X:.*]]: tensor<2x77x1280xf32>, %[[H:.*]]: tensor<?x256x640xf16>) -> (tensor<2x77x1280xf32>, tensor<?x256x640xf16>)
//       CHECK:   %[[EXACT:.*]] = diffc.gelu none %[[X]] : tensor<2x77x1280xf32>
//  CHECK-NEXT:   %[[APPROX:.*]] = diffc.gelu tanh %[[H]] : tensor<?x256x640xf16>
//  CHECK-NEXT:   return %[[EXACT]], %[[APPROX]] : tensor<2x77x1280xf32>, tensor<?x256x640xf16>
func.func @gelu(%x: tensor<2x77x1280xf32>, %h: tensor<?x256x640xf16>) -> (tensor<2x77x1280xf32>, tensor<?x256x640xf16>) {
  %exact = diffc.gelu none %x : tensor<2x77x1280xf32>
  %approx = diffc.gelu tanh %h : tensor<?x256x640xf16>
  return %exact, %approx : tensor<2x77x1280xf32>, tensor<?x256x640xf16>
}

// -----

// CHECK-LABEL: func.func @clamp(
//  CHECK-SAME: %[[X:.*]]: tensor<4x1x28x28xf32>) -> tensor<4x1x28x28xf32>
//       CHECK:   %[[Y:.*]] = diffc.clamp %[[X]] {max = 1.000000e+00 : f64, min = -1.000000e+00 : f64} : tensor<4x1x28x28xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<4x1x28x28xf32>
func.func @clamp(%x: tensor<4x1x28x28xf32>) -> tensor<4x1x28x28xf32> {
  %y = diffc.clamp %x {min = -1.0 : f64, max = 1.0 : f64} : tensor<4x1x28x28xf32>
  return %y : tensor<4x1x28x28xf32>
}

// -----

// Time-embedding broadcast over the spatial dimensions.
// CHECK-LABEL: func.func @add(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x28x28xf32>, %[[TEMB:.*]]: tensor<?x64x1x1xf32>) -> tensor<?x64x28x28xf32>
//       CHECK:   %[[Y:.*]] = diffc.add %[[X]], %[[TEMB]] : (tensor<?x64x28x28xf32>, tensor<?x64x1x1xf32>) -> tensor<?x64x28x28xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x64x28x28xf32>
func.func @add(%x: tensor<?x64x28x28xf32>, %temb: tensor<?x64x1x1xf32>) -> tensor<?x64x28x28xf32> {
  %y = diffc.add %x, %temb : (tensor<?x64x28x28xf32>, tensor<?x64x1x1xf32>) -> tensor<?x64x28x28xf32>
  return %y : tensor<?x64x28x28xf32>
}

// -----

// CHECK-LABEL: func.func @sub(
//  CHECK-SAME: %[[A:.*]]: tensor<4x64x7x7xf32>, %[[B:.*]]: tensor<64x1x1xf32>) -> tensor<4x64x7x7xf32>
//       CHECK:   %[[Y:.*]] = diffc.sub %[[A]], %[[B]] : (tensor<4x64x7x7xf32>, tensor<64x1x1xf32>) -> tensor<4x64x7x7xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<4x64x7x7xf32>
func.func @sub(%a: tensor<4x64x7x7xf32>, %b: tensor<64x1x1xf32>) -> tensor<4x64x7x7xf32> {
  %y = diffc.sub %a, %b : (tensor<4x64x7x7xf32>, tensor<64x1x1xf32>) -> tensor<4x64x7x7xf32>
  return %y : tensor<4x64x7x7xf32>
}

// -----

// A rank-0 operand broadcasts to everything.
// CHECK-LABEL: func.func @mul(
//  CHECK-SAME: %[[X:.*]]: tensor<?x1x28x28xf32>, %[[S:.*]]: tensor<f32>) -> tensor<?x1x28x28xf32>
//       CHECK:   %[[Y:.*]] = diffc.mul %[[X]], %[[S]] : (tensor<?x1x28x28xf32>, tensor<f32>) -> tensor<?x1x28x28xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x1x28x28xf32>
func.func @mul(%x: tensor<?x1x28x28xf32>, %s: tensor<f32>) -> tensor<?x1x28x28xf32> {
  %y = diffc.mul %x, %s : (tensor<?x1x28x28xf32>, tensor<f32>) -> tensor<?x1x28x28xf32>
  return %y : tensor<?x1x28x28xf32>
}

// -----

// CHECK-LABEL: func.func @div(
//  CHECK-SAME: %[[A:.*]]: tensor<2x4x32x32xf16>, %[[B:.*]]: tensor<2x4x32x32xf16>) -> tensor<2x4x32x32xf16>
//       CHECK:   %[[Y:.*]] = diffc.div %[[A]], %[[B]] : (tensor<2x4x32x32xf16>, tensor<2x4x32x32xf16>) -> tensor<2x4x32x32xf16>
//  CHECK-NEXT:   return %[[Y]] : tensor<2x4x32x32xf16>
func.func @div(%a: tensor<2x4x32x32xf16>, %b: tensor<2x4x32x32xf16>) -> tensor<2x4x32x32xf16> {
  %y = diffc.div %a, %b : (tensor<2x4x32x32xf16>, tensor<2x4x32x32xf16>) -> tensor<2x4x32x32xf16>
  return %y : tensor<2x4x32x32xf16>
}

// -----

// CHECK-LABEL: func.func @maximum(
//  CHECK-SAME: %[[A:.*]]: tensor<4x1xf32>, %[[B:.*]]: tensor<1x8xf32>) -> tensor<4x8xf32>
//       CHECK:   %[[Y:.*]] = diffc.maximum %[[A]], %[[B]] : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<4x8xf32>
func.func @maximum(%a: tensor<4x1xf32>, %b: tensor<1x8xf32>) -> tensor<4x8xf32> {
  %y = diffc.maximum %a, %b : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @minimum(
//  CHECK-SAME: %[[A:.*]]: tensor<?x16xf64>, %[[B:.*]]: tensor<16xf64>) -> tensor<?x16xf64>
//       CHECK:   %[[Y:.*]] = diffc.minimum %[[A]], %[[B]] : (tensor<?x16xf64>, tensor<16xf64>) -> tensor<?x16xf64>
//  CHECK-NEXT:   return %[[Y]] : tensor<?x16xf64>
func.func @minimum(%a: tensor<?x16xf64>, %b: tensor<16xf64>) -> tensor<?x16xf64> {
  %y = diffc.minimum %a, %b : (tensor<?x16xf64>, tensor<16xf64>) -> tensor<?x16xf64>
  return %y : tensor<?x16xf64>
}

// -----

// CHECK-LABEL: func.func @pow(
//  CHECK-SAME: %[[A:.*]]: tensor<1000xf32>, %[[E:.*]]: tensor<f32>) -> tensor<1000xf32>
//       CHECK:   %[[Y:.*]] = diffc.pow %[[A]], %[[E]] : (tensor<1000xf32>, tensor<f32>) -> tensor<1000xf32>
//  CHECK-NEXT:   return %[[Y]] : tensor<1000xf32>
func.func @pow(%a: tensor<1000xf32>, %e: tensor<f32>) -> tensor<1000xf32> {
  %y = diffc.pow %a, %e : (tensor<1000xf32>, tensor<f32>) -> tensor<1000xf32>
  return %y : tensor<1000xf32>
}

// -----

// CHECK-LABEL: func.func @softmax(
//  CHECK-SAME: %[[S:.*]]: tensor<8x49x49xf32>, %[[LOGITS:.*]]: tensor<?x10xf32>) -> (tensor<8x49x49xf32>, tensor<?x10xf32>)
//       CHECK:   %[[P:.*]] = diffc.softmax %[[S]] {axis = -1 : i64} : tensor<8x49x49xf32>
//  CHECK-NEXT:   %[[Q:.*]] = diffc.softmax %[[LOGITS]] {axis = 1 : i64} : tensor<?x10xf32>
//  CHECK-NEXT:   return %[[P]], %[[Q]] : tensor<8x49x49xf32>, tensor<?x10xf32>
func.func @softmax(%s: tensor<8x49x49xf32>, %logits: tensor<?x10xf32>) -> (tensor<8x49x49xf32>, tensor<?x10xf32>) {
  %p = diffc.softmax %s {axis = -1 : i64} : tensor<8x49x49xf32>
  %q = diffc.softmax %logits {axis = 1 : i64} : tensor<?x10xf32>
  return %p, %q : tensor<8x49x49xf32>, tensor<?x10xf32>
}

// -----

// Self-attention, no mask, the default single head.
// CHECK-LABEL: func.func @attention(
//  CHECK-SAME: %[[Q:.*]]: tensor<?x49x64xf32>, %[[K:.*]]: tensor<?x49x64xf32>, %[[V:.*]]: tensor<?x49x64xf32>) -> tensor<?x49x64xf32>
//       CHECK:   %[[O:.*]] = diffc.attention %[[Q]], %[[K]], %[[V]] : (tensor<?x49x64xf32>, tensor<?x49x64xf32>, tensor<?x49x64xf32>) -> tensor<?x49x64xf32>
//  CHECK-NEXT:   return %[[O]] : tensor<?x49x64xf32>
func.func @attention(%q: tensor<?x49x64xf32>, %k: tensor<?x49x64xf32>, %v: tensor<?x49x64xf32>) -> tensor<?x49x64xf32> {
  %o = diffc.attention %q, %k, %v : (tensor<?x49x64xf32>, tensor<?x49x64xf32>, tensor<?x49x64xf32>) -> tensor<?x49x64xf32>
  return %o : tensor<?x49x64xf32>
}

// -----

// Cross-attention: keys and values have another length.
// CHECK-LABEL: func.func @attention_cross(
//  CHECK-SAME: %[[Q:.*]]: tensor<2x256x320xf16>, %[[K:.*]]: tensor<2x77x320xf16>, %[[V:.*]]: tensor<2x77x320xf16>) -> tensor<2x256x320xf16>
//       CHECK:   %[[O:.*]] = diffc.attention %[[Q]], %[[K]], %[[V]] {num_heads = 8 : i64} : (tensor<2x256x320xf16>, tensor<2x77x320xf16>, tensor<2x77x320xf16>) -> tensor<2x256x320xf16>
//  CHECK-NEXT:   return %[[O]] : tensor<2x256x320xf16>
func.func @attention_cross(%q: tensor<2x256x320xf16>, %k: tensor<2x77x320xf16>, %v: tensor<2x77x320xf16>) -> tensor<2x256x320xf16> {
  %o = diffc.attention %q, %k, %v {num_heads = 8 : i64} : (tensor<2x256x320xf16>, tensor<2x77x320xf16>, tensor<2x77x320xf16>) -> tensor<2x256x320xf16>
  return %o : tensor<2x256x320xf16>
}

// -----

// An i1 mask broadcast over the query positions.
// CHECK-LABEL: func.func @attention_bool_mask(
//  CHECK-SAME: %[[Q:.*]]: tensor<2x256x320xf32>, %[[K:.*]]: tensor<2x77x320xf32>, %[[V:.*]]: tensor<2x77x320xf32>, %[[M:.*]]: tensor<2x1x77xi1>) -> tensor<2x256x320xf32>
//       CHECK:   %[[O:.*]] = diffc.attention %[[Q]], %[[K]], %[[V]], %[[M]] {num_heads = 8 : i64} : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>, tensor<2x1x77xi1>) -> tensor<2x256x320xf32>
//  CHECK-NEXT:   return %[[O]] : tensor<2x256x320xf32>
func.func @attention_bool_mask(%q: tensor<2x256x320xf32>, %k: tensor<2x77x320xf32>, %v: tensor<2x77x320xf32>, %m: tensor<2x1x77xi1>) -> tensor<2x256x320xf32> {
  %o = diffc.attention %q, %k, %v, %m {num_heads = 8 : i64} : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>, tensor<2x1x77xi1>) -> tensor<2x256x320xf32>
  return %o : tensor<2x256x320xf32>
}

// -----

// A float (additive) mask broadcast over the batch, explicit scale, Ev != E.
// CHECK-LABEL: func.func @attention_float_mask(
//  CHECK-SAME: %[[Q:.*]]: tensor<?x256x64xf32>, %[[K:.*]]: tensor<?x77x64xf32>, %[[V:.*]]: tensor<?x77x128xf32>, %[[M:.*]]: tensor<1x256x77xf32>) -> tensor<?x256x128xf32>
//       CHECK:   %[[O:.*]] = diffc.attention %[[Q]], %[[K]], %[[V]], %[[M]] {num_heads = 4 : i64, scale = 1.250000e-01 : f64} : (tensor<?x256x64xf32>, tensor<?x77x64xf32>, tensor<?x77x128xf32>, tensor<1x256x77xf32>) -> tensor<?x256x128xf32>
//  CHECK-NEXT:   return %[[O]] : tensor<?x256x128xf32>
func.func @attention_float_mask(%q: tensor<?x256x64xf32>, %k: tensor<?x77x64xf32>, %v: tensor<?x77x128xf32>, %m: tensor<1x256x77xf32>) -> tensor<?x256x128xf32> {
  %o = diffc.attention %q, %k, %v, %m {num_heads = 4 : i64, scale = 1.250000e-01 : f64} : (tensor<?x256x64xf32>, tensor<?x77x64xf32>, tensor<?x77x128xf32>, tensor<1x256x77xf32>) -> tensor<?x256x128xf32>
  return %o : tensor<?x256x128xf32>
}

// -----

// CHECK-LABEL: func.func @concat(
//  CHECK-SAME: %[[A:.*]]: tensor<?x128x14x14xf32>, %[[B:.*]]: tensor<?x64x14x14xf32>) -> tensor<?x192x14x14xf32>
//       CHECK:   %[[C:.*]] = diffc.concat %[[A]], %[[B]] {dim = 1 : i64} : (tensor<?x128x14x14xf32>, tensor<?x64x14x14xf32>) -> tensor<?x192x14x14xf32>
//  CHECK-NEXT:   return %[[C]] : tensor<?x192x14x14xf32>
func.func @concat(%a: tensor<?x128x14x14xf32>, %b: tensor<?x64x14x14xf32>) -> tensor<?x192x14x14xf32> {
  %c = diffc.concat %a, %b {dim = 1 : i64} : (tensor<?x128x14x14xf32>, tensor<?x64x14x14xf32>) -> tensor<?x192x14x14xf32>
  return %c : tensor<?x192x14x14xf32>
}

// -----

// Three inputs, negative dim.
// CHECK-LABEL: func.func @concat_three(
//  CHECK-SAME: %[[A:.*]]: tensor<2x4xbf16>, %[[B:.*]]: tensor<3x4xbf16>, %[[C:.*]]: tensor<1x4xbf16>) -> tensor<6x4xbf16>
//       CHECK:   %[[R:.*]] = diffc.concat %[[A]], %[[B]], %[[C]] {dim = -2 : i64} : (tensor<2x4xbf16>, tensor<3x4xbf16>, tensor<1x4xbf16>) -> tensor<6x4xbf16>
//  CHECK-NEXT:   return %[[R]] : tensor<6x4xbf16>
func.func @concat_three(%a: tensor<2x4xbf16>, %b: tensor<3x4xbf16>, %c: tensor<1x4xbf16>) -> tensor<6x4xbf16> {
  %r = diffc.concat %a, %b, %c {dim = -2 : i64} : (tensor<2x4xbf16>, tensor<3x4xbf16>, tensor<1x4xbf16>) -> tensor<6x4xbf16>
  return %r : tensor<6x4xbf16>
}

// -----

// The classifier-free-guidance split of a doubled batch.
// CHECK-LABEL: func.func @slice(
//  CHECK-SAME: %[[EPS:.*]]: tensor<4x4x32x32xf32>) -> tensor<2x4x32x32xf32>
//       CHECK:   %[[U:.*]] = diffc.slice %[[EPS]] {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: 2, 4, 32, 32>, strides = array<i64: 1, 1, 1, 1>} : (tensor<4x4x32x32xf32>) -> tensor<2x4x32x32xf32>
//  CHECK-NEXT:   return %[[U]] : tensor<2x4x32x32xf32>
func.func @slice(%eps: tensor<4x4x32x32xf32>) -> tensor<2x4x32x32xf32> {
  %u = diffc.slice %eps {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: 2, 4, 32, 32>, strides = array<i64: 1, 1, 1, 1>} : (tensor<4x4x32x32xf32>) -> tensor<2x4x32x32xf32>
  return %u : tensor<2x4x32x32xf32>
}

// -----

// Size -1 takes the rest of a dimension: dynamic stays dynamic, 10 - 2 = 8.
// CHECK-LABEL: func.func @slice_rest(
//  CHECK-SAME: %[[X:.*]]: tensor<?x10x32x32xf32>) -> tensor<?x8x32x32xf32>
//       CHECK:   %[[S:.*]] = diffc.slice %[[X]] {offsets = array<i64: 0, 2, 0, 0>, sizes = array<i64: -1, -1, 32, 32>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x10x32x32xf32>) -> tensor<?x8x32x32xf32>
//  CHECK-NEXT:   return %[[S]] : tensor<?x8x32x32xf32>
func.func @slice_rest(%x: tensor<?x10x32x32xf32>) -> tensor<?x8x32x32xf32> {
  %s = diffc.slice %x {offsets = array<i64: 0, 2, 0, 0>, sizes = array<i64: -1, -1, 32, 32>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x10x32x32xf32>) -> tensor<?x8x32x32xf32>
  return %s : tensor<?x8x32x32xf32>
}

// -----

// Strided slice.
// CHECK-LABEL: func.func @slice_strided(
//  CHECK-SAME: %[[X:.*]]: tensor<1x8x16xf16>) -> tensor<1x4x8xf16>
//       CHECK:   %[[S:.*]] = diffc.slice %[[X]] {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 1, 4, 8>, strides = array<i64: 1, 2, 2>} : (tensor<1x8x16xf16>) -> tensor<1x4x8xf16>
//  CHECK-NEXT:   return %[[S]] : tensor<1x4x8xf16>
func.func @slice_strided(%x: tensor<1x8x16xf16>) -> tensor<1x4x8xf16> {
  %s = diffc.slice %x {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 1, 4, 8>, strides = array<i64: 1, 2, 2>} : (tensor<1x8x16xf16>) -> tensor<1x4x8xf16>
  return %s : tensor<1x4x8xf16>
}

// -----

// CHECK-LABEL: func.func @reshape(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x7x7xf32>, %[[T:.*]]: tensor<?x64xf32>, %[[Y:.*]]: tensor<2x3x4xf32>) -> (tensor<?x64x49xf32>, tensor<?x64x1x1xf32>, tensor<6x4xf32>)
//       CHECK:   %[[F:.*]] = diffc.reshape %[[X]] : (tensor<?x64x7x7xf32>) -> tensor<?x64x49xf32>
//  CHECK-NEXT:   %[[E:.*]] = diffc.reshape %[[T]] : (tensor<?x64xf32>) -> tensor<?x64x1x1xf32>
//  CHECK-NEXT:   %[[G:.*]] = diffc.reshape %[[Y]] : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
//  CHECK-NEXT:   return %[[F]], %[[E]], %[[G]] : tensor<?x64x49xf32>, tensor<?x64x1x1xf32>, tensor<6x4xf32>
func.func @reshape(%x: tensor<?x64x7x7xf32>, %t: tensor<?x64xf32>, %y: tensor<2x3x4xf32>) -> (tensor<?x64x49xf32>, tensor<?x64x1x1xf32>, tensor<6x4xf32>) {
  %f = diffc.reshape %x : (tensor<?x64x7x7xf32>) -> tensor<?x64x49xf32>
  %e = diffc.reshape %t : (tensor<?x64xf32>) -> tensor<?x64x1x1xf32>
  %g = diffc.reshape %y : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %f, %e, %g : tensor<?x64x49xf32>, tensor<?x64x1x1xf32>, tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x49xf32>, %[[Y:.*]]: tensor<2x3x4x5xf16>) -> (tensor<?x49x64xf32>, tensor<2x4x5x3xf16>)
//       CHECK:   %[[T:.*]] = diffc.transpose %[[X]] {permutation = array<i64: 0, 2, 1>} : (tensor<?x64x49xf32>) -> tensor<?x49x64xf32>
//  CHECK-NEXT:   %[[U:.*]] = diffc.transpose %[[Y]] {permutation = array<i64: 0, 2, 3, 1>} : (tensor<2x3x4x5xf16>) -> tensor<2x4x5x3xf16>
//  CHECK-NEXT:   return %[[T]], %[[U]] : tensor<?x49x64xf32>, tensor<2x4x5x3xf16>
func.func @transpose(%x: tensor<?x64x49xf32>, %y: tensor<2x3x4x5xf16>) -> (tensor<?x49x64xf32>, tensor<2x4x5x3xf16>) {
  %t = diffc.transpose %x {permutation = array<i64: 0, 2, 1>} : (tensor<?x64x49xf32>) -> tensor<?x49x64xf32>
  %u = diffc.transpose %y {permutation = array<i64: 0, 2, 3, 1>} : (tensor<2x3x4x5xf16>) -> tensor<2x4x5x3xf16>
  return %t, %u : tensor<?x49x64xf32>, tensor<2x4x5x3xf16>
}

// -----

// The default scale [2, 2] is elided; [2, 3] is printed.
// CHECK-LABEL: func.func @upsample_nearest(
//  CHECK-SAME: %[[X:.*]]: tensor<?x128x7x7xf32>, %[[Y:.*]]: tensor<1x4x8x8xf32>) -> (tensor<?x128x14x14xf32>, tensor<1x4x16x24xf32>)
//       CHECK:   %[[U:.*]] = diffc.upsample_nearest %[[X]] : (tensor<?x128x7x7xf32>) -> tensor<?x128x14x14xf32>
//  CHECK-NEXT:   %[[V:.*]] = diffc.upsample_nearest %[[Y]] {scale = array<i64: 2, 3>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x16x24xf32>
//  CHECK-NEXT:   return %[[U]], %[[V]] : tensor<?x128x14x14xf32>, tensor<1x4x16x24xf32>
func.func @upsample_nearest(%x: tensor<?x128x7x7xf32>, %y: tensor<1x4x8x8xf32>) -> (tensor<?x128x14x14xf32>, tensor<1x4x16x24xf32>) {
  %u = diffc.upsample_nearest %x : (tensor<?x128x7x7xf32>) -> tensor<?x128x14x14xf32>
  %v = diffc.upsample_nearest %y {scale = array<i64: 2, 3>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x16x24xf32>
  return %u, %v : tensor<?x128x14x14xf32>, tensor<1x4x16x24xf32>
}

// -----

// CHECK-LABEL: func.func @avg_pool2d(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x28x28xf32>, %[[Y:.*]]: tensor<1x8x7x7xf32>) -> (tensor<?x64x14x14xf32>, tensor<1x8x4x4xf32>)
//       CHECK:   %[[D:.*]] = diffc.avg_pool2d %[[X]] {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x64x28x28xf32>) -> tensor<?x64x14x14xf32>
//  CHECK-NEXT:   %[[P:.*]] = diffc.avg_pool2d %[[Y]] {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x8x7x7xf32>) -> tensor<1x8x4x4xf32>
//  CHECK-NEXT:   return %[[D]], %[[P]] : tensor<?x64x14x14xf32>, tensor<1x8x4x4xf32>
func.func @avg_pool2d(%x: tensor<?x64x28x28xf32>, %y: tensor<1x8x7x7xf32>) -> (tensor<?x64x14x14xf32>, tensor<1x8x4x4xf32>) {
  %d = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x64x28x28xf32>) -> tensor<?x64x14x14xf32>
  %p = diffc.avg_pool2d %y {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x8x7x7xf32>) -> tensor<1x8x4x4xf32>
  return %d, %p : tensor<?x64x14x14xf32>, tensor<1x8x4x4xf32>
}

// -----

// Integer timesteps with flip_sin_to_cos; float timesteps with every option.
// CHECK-LABEL: func.func @timestep_embedding(
//  CHECK-SAME: %[[T:.*]]: tensor<?xi64>, %[[S:.*]]: tensor<4xf32>) -> (tensor<?x64xf32>, tensor<4x33xbf16>)
//       CHECK:   %[[E:.*]] = diffc.timestep_embedding %[[T]] {dim = 64 : i64, flip_sin_to_cos = true} : (tensor<?xi64>) -> tensor<?x64xf32>
//  CHECK-NEXT:   %[[F:.*]] = diffc.timestep_embedding %[[S]] {dim = 33 : i64, downscale_freq_shift = 0.000000e+00 : f64, max_period = 5.000000e+03 : f64, scale = 1.000000e+03 : f64} : (tensor<4xf32>) -> tensor<4x33xbf16>
//  CHECK-NEXT:   return %[[E]], %[[F]] : tensor<?x64xf32>, tensor<4x33xbf16>
func.func @timestep_embedding(%t: tensor<?xi64>, %s: tensor<4xf32>) -> (tensor<?x64xf32>, tensor<4x33xbf16>) {
  %e = diffc.timestep_embedding %t {dim = 64 : i64, flip_sin_to_cos = true} : (tensor<?xi64>) -> tensor<?x64xf32>
  %f = diffc.timestep_embedding %s {dim = 33 : i64, downscale_freq_shift = 0.0 : f64, scale = 1000.0 : f64, max_period = 5000.0 : f64} : (tensor<4xf32>) -> tensor<4x33xbf16>
  return %e, %f : tensor<?x64xf32>, tensor<4x33xbf16>
}

// -----

// CHECK-LABEL: func.func @embedding(
//  CHECK-SAME: %[[TABLE:.*]]: tensor<11x256xf32>, %[[LABELS:.*]]: tensor<?xi64>, %[[VOCAB:.*]]: tensor<1000x64xf16>, %[[TOKENS:.*]]: tensor<2x77xi32>) -> (tensor<?x256xf32>, tensor<2x77x64xf16>)
//       CHECK:   %[[C:.*]] = diffc.embedding %[[TABLE]], %[[LABELS]] : (tensor<11x256xf32>, tensor<?xi64>) -> tensor<?x256xf32>
//  CHECK-NEXT:   %[[E:.*]] = diffc.embedding %[[VOCAB]], %[[TOKENS]] : (tensor<1000x64xf16>, tensor<2x77xi32>) -> tensor<2x77x64xf16>
//  CHECK-NEXT:   return %[[C]], %[[E]] : tensor<?x256xf32>, tensor<2x77x64xf16>
func.func @embedding(%table: tensor<11x256xf32>, %labels: tensor<?xi64>, %vocab: tensor<1000x64xf16>, %tokens: tensor<2x77xi32>) -> (tensor<?x256xf32>, tensor<2x77x64xf16>) {
  %c = diffc.embedding %table, %labels : (tensor<11x256xf32>, tensor<?xi64>) -> tensor<?x256xf32>
  %e = diffc.embedding %vocab, %tokens : (tensor<1000x64xf16>, tensor<2x77xi32>) -> tensor<2x77x64xf16>
  return %c, %e : tensor<?x256xf32>, tensor<2x77x64xf16>
}

// -----

// CHECK-LABEL: func.func @vector_quantize(
//  CHECK-SAME: %[[Z:.*]]: tensor<?x4x8x8xf32>, %[[CODEBOOK:.*]]: tensor<512x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x8x8xi64>)
//       CHECK:   %[[ZQ:.*]], %[[IDX:.*]] = diffc.vector_quantize %[[Z]], %[[CODEBOOK]] : (tensor<?x4x8x8xf32>, tensor<512x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x8x8xi64>)
//  CHECK-NEXT:   return %[[ZQ]], %[[IDX]] : tensor<?x4x8x8xf32>, tensor<?x8x8xi64>
func.func @vector_quantize(%z: tensor<?x4x8x8xf32>, %codebook: tensor<512x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x8x8xi64>) {
  %zq, %idx = diffc.vector_quantize %z, %codebook : (tensor<?x4x8x8xf32>, tensor<512x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x8x8xi64>)
  return %zq, %idx : tensor<?x4x8x8xf32>, tensor<?x8x8xi64>
}

// -----

// Channels-last codes, i32 indices.
// CHECK-LABEL: func.func @vector_quantize_last_axis(
//  CHECK-SAME: %[[Z:.*]]: tensor<2x16x8xf32>, %[[CODEBOOK:.*]]: tensor<256x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16xi32>)
//       CHECK:   %[[ZQ:.*]], %[[IDX:.*]] = diffc.vector_quantize %[[Z]], %[[CODEBOOK]] {axis = -1 : i64} : (tensor<2x16x8xf32>, tensor<256x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16xi32>)
//  CHECK-NEXT:   return %[[ZQ]], %[[IDX]] : tensor<2x16x8xf32>, tensor<2x16xi32>
func.func @vector_quantize_last_axis(%z: tensor<2x16x8xf32>, %codebook: tensor<256x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16xi32>) {
  %zq, %idx = diffc.vector_quantize %z, %codebook {axis = -1 : i64} : (tensor<2x16x8xf32>, tensor<256x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16xi32>)
  return %zq, %idx : tensor<2x16x8xf32>, tensor<2x16xi32>
}

// -----

// CHECK-LABEL: func.func @stop_gradient(
//  CHECK-SAME: %[[Z:.*]]: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
//       CHECK:   %[[S:.*]] = diffc.stop_gradient %[[Z]] : tensor<?x4x8x8xf32>
//  CHECK-NEXT:   return %[[S]] : tensor<?x4x8x8xf32>
func.func @stop_gradient(%z: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %s = diffc.stop_gradient %z : tensor<?x4x8x8xf32>
  return %s : tensor<?x4x8x8xf32>
}

// -----

// All three reduction kinds.
// CHECK-LABEL: func.func @reduce(
//  CHECK-SAME: %[[X:.*]]: tensor<?x64x7x7xf32>, %[[Y:.*]]: tensor<4x10xf32>, %[[Z:.*]]: tensor<2x3x4xf64>) -> (tensor<?x64x1x1xf32>, tensor<4xf32>, tensor<f64>)
//       CHECK:   %[[M:.*]] = diffc.reduce mean %[[X]] {dims = array<i64: 2, 3>, keep_dims = true} : (tensor<?x64x7x7xf32>) -> tensor<?x64x1x1xf32>
//  CHECK-NEXT:   %[[S:.*]] = diffc.reduce sum %[[Y]] {dims = array<i64: -1>} : (tensor<4x10xf32>) -> tensor<4xf32>
//  CHECK-NEXT:   %[[A:.*]] = diffc.reduce max %[[Z]] {dims = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
//  CHECK-NEXT:   return %[[M]], %[[S]], %[[A]] : tensor<?x64x1x1xf32>, tensor<4xf32>, tensor<f64>
func.func @reduce(%x: tensor<?x64x7x7xf32>, %y: tensor<4x10xf32>, %z: tensor<2x3x4xf64>) -> (tensor<?x64x1x1xf32>, tensor<4xf32>, tensor<f64>) {
  %m = diffc.reduce mean %x {dims = array<i64: 2, 3>, keep_dims = true} : (tensor<?x64x7x7xf32>) -> tensor<?x64x1x1xf32>
  %s = diffc.reduce sum %y {dims = array<i64: -1>} : (tensor<4x10xf32>) -> tensor<4xf32>
  %a = diffc.reduce max %z {dims = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
  return %m, %s, %a : tensor<?x64x1x1xf32>, tensor<4xf32>, tensor<f64>
}

// -----

// All three loss reductions.
// CHECK-LABEL: func.func @mse_loss(
//  CHECK-SAME: %[[PRED:.*]]: tensor<64x1x28x28xf32>, %[[EPS:.*]]: tensor<64x1x28x28xf32>, %[[A:.*]]: tensor<?x1x28x28xf32>, %[[B:.*]]: tensor<?x1x28x28xf32>, %[[C:.*]]: tensor<8x4xf16>, %[[D:.*]]: tensor<8x4xf16>) -> (tensor<f32>, tensor<?x1x28x28xf32>, tensor<f16>)
//       CHECK:   %[[MEAN:.*]] = diffc.mse_loss mean %[[PRED]], %[[EPS]] : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf32>) -> tensor<f32>
//  CHECK-NEXT:   %[[NONE:.*]] = diffc.mse_loss none %[[A]], %[[B]] : (tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
//  CHECK-NEXT:   %[[SUM:.*]] = diffc.mse_loss sum %[[C]], %[[D]] : (tensor<8x4xf16>, tensor<8x4xf16>) -> tensor<f16>
//  CHECK-NEXT:   return %[[MEAN]], %[[NONE]], %[[SUM]] : tensor<f32>, tensor<?x1x28x28xf32>, tensor<f16>
func.func @mse_loss(%pred: tensor<64x1x28x28xf32>, %eps: tensor<64x1x28x28xf32>, %a: tensor<?x1x28x28xf32>, %b: tensor<?x1x28x28xf32>, %c: tensor<8x4xf16>, %d: tensor<8x4xf16>) -> (tensor<f32>, tensor<?x1x28x28xf32>, tensor<f16>) {
  %mean = diffc.mse_loss mean %pred, %eps : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf32>) -> tensor<f32>
  %none = diffc.mse_loss none %a, %b : (tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
  %sum = diffc.mse_loss sum %c, %d : (tensor<8x4xf16>, tensor<8x4xf16>) -> tensor<f16>
  return %mean, %none, %sum : tensor<f32>, tensor<?x1x28x28xf32>, tensor<f16>
}

// -----

// CHECK-LABEL: func.func @gaussian_kl(
//  CHECK-SAME: %[[MU:.*]]: tensor<8x4x7x7xf32>, %[[LOGVAR:.*]]: tensor<8x4x7x7xf32>) -> (tensor<f32>, tensor<8x4x7x7xf32>)
//       CHECK:   %[[KL:.*]] = diffc.gaussian_kl sum %[[MU]], %[[LOGVAR]] : (tensor<8x4x7x7xf32>, tensor<8x4x7x7xf32>) -> tensor<f32>
//  CHECK-NEXT:   %[[ELEM:.*]] = diffc.gaussian_kl none %[[MU]], %[[LOGVAR]] : (tensor<8x4x7x7xf32>, tensor<8x4x7x7xf32>) -> tensor<8x4x7x7xf32>
//  CHECK-NEXT:   return %[[KL]], %[[ELEM]] : tensor<f32>, tensor<8x4x7x7xf32>
func.func @gaussian_kl(%mu: tensor<8x4x7x7xf32>, %logvar: tensor<8x4x7x7xf32>) -> (tensor<f32>, tensor<8x4x7x7xf32>) {
  %kl = diffc.gaussian_kl sum %mu, %logvar : (tensor<8x4x7x7xf32>, tensor<8x4x7x7xf32>) -> tensor<f32>
  %elem = diffc.gaussian_kl none %mu, %logvar : (tensor<8x4x7x7xf32>, tensor<8x4x7x7xf32>) -> tensor<8x4x7x7xf32>
  return %kl, %elem : tensor<f32>, tensor<8x4x7x7xf32>
}

// -----

// CHECK-LABEL: func.func @bce_with_logits_loss(
//  CHECK-SAME: %[[LOGITS:.*]]: tensor<?x1x6x6xf32>, %[[TARGETS:.*]]: tensor<?x1x6x6xf32>) -> tensor<f32>
//       CHECK:   %[[L:.*]] = diffc.bce_with_logits_loss mean %[[LOGITS]], %[[TARGETS]] : (tensor<?x1x6x6xf32>, tensor<?x1x6x6xf32>) -> tensor<f32>
//  CHECK-NEXT:   return %[[L]] : tensor<f32>
func.func @bce_with_logits_loss(%logits: tensor<?x1x6x6xf32>, %targets: tensor<?x1x6x6xf32>) -> tensor<f32> {
  %l = diffc.bce_with_logits_loss mean %logits, %targets : (tensor<?x1x6x6xf32>, tensor<?x1x6x6xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// All three GAN targets.
// CHECK-LABEL: func.func @hinge_loss(
//  CHECK-SAME: %[[REAL:.*]]: tensor<8x1x6x6xf32>, %[[FAKE:.*]]: tensor<8x1x6x6xf32>) -> (tensor<f32>, tensor<f32>, tensor<8x1x6x6xf32>)
//       CHECK:   %[[R:.*]] = diffc.hinge_loss real mean %[[REAL]] : (tensor<8x1x6x6xf32>) -> tensor<f32>
//  CHECK-NEXT:   %[[F:.*]] = diffc.hinge_loss fake sum %[[FAKE]] : (tensor<8x1x6x6xf32>) -> tensor<f32>
//  CHECK-NEXT:   %[[G:.*]] = diffc.hinge_loss generator none %[[FAKE]] : (tensor<8x1x6x6xf32>) -> tensor<8x1x6x6xf32>
//  CHECK-NEXT:   return %[[R]], %[[F]], %[[G]] : tensor<f32>, tensor<f32>, tensor<8x1x6x6xf32>
func.func @hinge_loss(%real: tensor<8x1x6x6xf32>, %fake: tensor<8x1x6x6xf32>) -> (tensor<f32>, tensor<f32>, tensor<8x1x6x6xf32>) {
  %r = diffc.hinge_loss real mean %real : (tensor<8x1x6x6xf32>) -> tensor<f32>
  %f = diffc.hinge_loss fake sum %fake : (tensor<8x1x6x6xf32>) -> tensor<f32>
  %g = diffc.hinge_loss generator none %fake : (tensor<8x1x6x6xf32>) -> tensor<8x1x6x6xf32>
  return %r, %f, %g : tensor<f32>, tensor<f32>, tensor<8x1x6x6xf32>
}

// -----

// beta_start and beta_end given at their defaults are elided.
// CHECK-LABEL: func.func @noise_schedule(
//  CHECK-SAME: ) -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>)
//       CHECK:   %[[BETAS:.*]], %[[ALPHAS:.*]], %[[ABAR:.*]] = diffc.noise_schedule linear {num_train_timesteps = 1000 : i64} : tensor<1000xf32>
//  CHECK-NEXT:   return %[[BETAS]], %[[ALPHAS]], %[[ABAR]] : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>
func.func @noise_schedule() -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  %betas, %alphas, %abar = diffc.noise_schedule linear {num_train_timesteps = 1000 : i64, beta_start = 1.0e-04 : f64, beta_end = 2.0e-02 : f64} : tensor<1000xf32>
  return %betas, %alphas, %abar : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>
}

// -----

// The latent-diffusion schedule, f64 tables, zero-terminal-SNR rescaling.
// CHECK-LABEL: func.func @noise_schedule_scaled_linear(
//  CHECK-SAME: ) -> tensor<1000xf64>
//       CHECK:   %[[BETAS:.*]], %[[ALPHAS:.*]], %[[ABAR:.*]] = diffc.noise_schedule scaled_linear {beta_end = 1.200000e-02 : f64, beta_start = 8.4999999999999995E-4 : f64, num_train_timesteps = 1000 : i64, rescale_betas_zero_snr = true} : tensor<1000xf64>
//  CHECK-NEXT:   return %[[ABAR]] : tensor<1000xf64>
func.func @noise_schedule_scaled_linear() -> tensor<1000xf64> {
  %betas, %alphas, %abar = diffc.noise_schedule scaled_linear {num_train_timesteps = 1000 : i64, beta_start = 8.5e-04 : f64, beta_end = 1.2e-02 : f64, rescale_betas_zero_snr = true} : tensor<1000xf64>
  return %abar : tensor<1000xf64>
}

// -----

// The cosine schedule (beta_start / beta_end unused).
// CHECK-LABEL: func.func @noise_schedule_cosine(
//  CHECK-SAME: ) -> tensor<4000xf32>
//       CHECK:   %[[BETAS:.*]], %[[ALPHAS:.*]], %[[ABAR:.*]] = diffc.noise_schedule squaredcos_cap_v2 {num_train_timesteps = 4000 : i64} : tensor<4000xf32>
//  CHECK-NEXT:   return %[[BETAS]] : tensor<4000xf32>
func.func @noise_schedule_cosine() -> tensor<4000xf32> {
  %betas, %alphas, %abar = diffc.noise_schedule squaredcos_cap_v2 {num_train_timesteps = 4000 : i64} : tensor<4000xf32>
  return %betas : tensor<4000xf32>
}

// -----

// All three timestep spacings.
// CHECK-LABEL: func.func @timesteps(
//  CHECK-SAME: %[[N:.*]]: i64) -> (tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
//       CHECK:   %[[LEAD:.*]] = diffc.timesteps %[[N]] leading {num_train_timesteps = 1000 : i64, steps_offset = 1 : i64} : tensor<?xi64>
//  CHECK-NEXT:   %[[TRAIL:.*]] = diffc.timesteps %[[N]] trailing {num_train_timesteps = 1000 : i64} : tensor<?xi64>
//  CHECK-NEXT:   %[[LIN:.*]] = diffc.timesteps %[[N]] linspace {num_train_timesteps = 1000 : i64} : tensor<?xi64>
//  CHECK-NEXT:   return %[[LEAD]], %[[TRAIL]], %[[LIN]] : tensor<?xi64>, tensor<?xi64>, tensor<?xi64>
func.func @timesteps(%n: i64) -> (tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) {
  %lead = diffc.timesteps %n leading {num_train_timesteps = 1000 : i64, steps_offset = 1 : i64} : tensor<?xi64>
  %trail = diffc.timesteps %n trailing {num_train_timesteps = 1000 : i64} : tensor<?xi64>
  %lin = diffc.timesteps %n linspace {num_train_timesteps = 1000 : i64} : tensor<?xi64>
  return %lead, %trail, %lin : tensor<?xi64>, tensor<?xi64>, tensor<?xi64>
}

// -----

// CHECK-LABEL: func.func @add_noise(
//  CHECK-SAME: %[[X0:.*]]: tensor<64x1x28x28xf32>, %[[EPS:.*]]: tensor<64x1x28x28xf32>, %[[ABAR:.*]]: tensor<1000xf32>, %[[T:.*]]: tensor<64xi64>) -> tensor<64x1x28x28xf32>
//       CHECK:   %[[XT:.*]] = diffc.add_noise %[[X0]], %[[EPS]], %[[ABAR]], %[[T]] : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf32>, tensor<1000xf32>, tensor<64xi64>) -> tensor<64x1x28x28xf32>
//  CHECK-NEXT:   return %[[XT]] : tensor<64x1x28x28xf32>
func.func @add_noise(%x0: tensor<64x1x28x28xf32>, %eps: tensor<64x1x28x28xf32>, %abar: tensor<1000xf32>, %t: tensor<64xi64>) -> tensor<64x1x28x28xf32> {
  %xt = diffc.add_noise %x0, %eps, %abar, %t : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf32>, tensor<1000xf32>, tensor<64xi64>) -> tensor<64x1x28x28xf32>
  return %xt : tensor<64x1x28x28xf32>
}

// -----

// Dynamic batch, f16 samples, f64 table, i32 timesteps.
// CHECK-LABEL: func.func @add_noise_dynamic(
//  CHECK-SAME: %[[X0:.*]]: tensor<?x4x32x32xf16>, %[[EPS:.*]]: tensor<?x4x32x32xf16>, %[[ABAR:.*]]: tensor<1000xf64>, %[[T:.*]]: tensor<?xi32>) -> tensor<?x4x32x32xf16>
//       CHECK:   %[[XT:.*]] = diffc.add_noise %[[X0]], %[[EPS]], %[[ABAR]], %[[T]] : (tensor<?x4x32x32xf16>, tensor<?x4x32x32xf16>, tensor<1000xf64>, tensor<?xi32>) -> tensor<?x4x32x32xf16>
//  CHECK-NEXT:   return %[[XT]] : tensor<?x4x32x32xf16>
func.func @add_noise_dynamic(%x0: tensor<?x4x32x32xf16>, %eps: tensor<?x4x32x32xf16>, %abar: tensor<1000xf64>, %t: tensor<?xi32>) -> tensor<?x4x32x32xf16> {
  %xt = diffc.add_noise %x0, %eps, %abar, %t : (tensor<?x4x32x32xf16>, tensor<?x4x32x32xf16>, tensor<1000xf64>, tensor<?xi32>) -> tensor<?x4x32x32xf16>
  return %xt : tensor<?x4x32x32xf16>
}

// -----

// epsilon prediction, fixed_small variance, dynamic batch.
// CHECK-LABEL: func.func @ddpm_step(
//  CHECK-SAME: %[[EPS:.*]]: tensor<?x1x28x28xf32>, %[[X:.*]]: tensor<?x1x28x28xf32>, %[[Z:.*]]: tensor<?x1x28x28xf32>, %[[ABAR:.*]]: tensor<1000xf32>, %[[T:.*]]: i64, %[[TP:.*]]: i64) -> tensor<?x1x28x28xf32>
//       CHECK:   %[[X1:.*]] = diffc.ddpm_step %[[EPS]], %[[X]], %[[Z]], %[[ABAR]], %[[T]], %[[TP]] prediction epsilon variance fixed_small : (tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<?x1x28x28xf32>
//  CHECK-NEXT:   return %[[X1]] : tensor<?x1x28x28xf32>
func.func @ddpm_step(%eps: tensor<?x1x28x28xf32>, %x: tensor<?x1x28x28xf32>, %z: tensor<?x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) -> tensor<?x1x28x28xf32> {
  %x1 = diffc.ddpm_step %eps, %x, %z, %abar, %t, %tp prediction epsilon variance fixed_small : (tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<?x1x28x28xf32>
  return %x1 : tensor<?x1x28x28xf32>
}

// -----

// The other fixed variances, v_prediction and sample prediction, clipping and thresholding.
// CHECK-LABEL: func.func @ddpm_step_fixed(
//  CHECK-SAME: %[[OUT:.*]]: tensor<16x1x28x28xf32>, %[[X:.*]]: tensor<16x1x28x28xf32>, %[[Z:.*]]: tensor<16x1x28x28xf32>, %[[ABAR:.*]]: tensor<1000xf32>, %[[T:.*]]: i64, %[[TP:.*]]: i64) -> (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>)
//       CHECK:   %[[A:.*]] = diffc.ddpm_step %[[OUT]], %[[X]], %[[Z]], %[[ABAR]], %[[T]], %[[TP]] prediction v_prediction variance fixed_small_log : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
//  CHECK-NEXT:   %[[B:.*]] = diffc.ddpm_step %[[OUT]], %[[X]], %[[Z]], %[[ABAR]], %[[T]], %[[TP]] prediction sample variance fixed_large {clip_sample = true, clip_sample_range = 1.500000e+00 : f64} : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
//  CHECK-NEXT:   %[[C:.*]] = diffc.ddpm_step %[[OUT]], %[[X]], %[[Z]], %[[ABAR]], %[[T]], %[[TP]] prediction epsilon variance fixed_large {dynamic_thresholding_ratio = 9.000000e-01 : f64, sample_max_value = 2.000000e+00 : f64, thresholding = true} : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
//  CHECK-NEXT:   return %[[A]], %[[B]], %[[C]] : tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>
func.func @ddpm_step_fixed(%out: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %z: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) -> (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>) {
  %a = diffc.ddpm_step %out, %x, %z, %abar, %t, %tp prediction v_prediction variance fixed_small_log : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  %b = diffc.ddpm_step %out, %x, %z, %abar, %t, %tp prediction sample variance fixed_large {clip_sample = true, clip_sample_range = 1.5 : f64} : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  %c = diffc.ddpm_step %out, %x, %z, %abar, %t, %tp prediction epsilon variance fixed_large {thresholding = true, dynamic_thresholding_ratio = 0.9 : f64, sample_max_value = 2.0 : f64} : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return %a, %b, %c : tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>
}

// -----

// Learned variances: the model output has twice the sample channels.
// CHECK-LABEL: func.func @ddpm_step_learned(
//  CHECK-SAME: %[[OUT:.*]]: tensor<16x2x28x28xf32>, %[[X:.*]]: tensor<16x1x28x28xf32>, %[[Z:.*]]: tensor<16x1x28x28xf32>, %[[ABAR:.*]]: tensor<1000xf32>, %[[T:.*]]: i64, %[[TP:.*]]: i64) -> tensor<16x1x28x28xf32>
//       CHECK:   %[[X1:.*]] = diffc.ddpm_step %[[OUT]], %[[X]], %[[Z]], %[[ABAR]], %[[T]], %[[TP]] prediction epsilon variance learned : (tensor<16x2x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
//  CHECK-NEXT:   return %[[X1]] : tensor<16x1x28x28xf32>
func.func @ddpm_step_learned(%out: tensor<16x2x28x28xf32>, %x: tensor<16x1x28x28xf32>, %z: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) -> tensor<16x1x28x28xf32> {
  %x1 = diffc.ddpm_step %out, %x, %z, %abar, %t, %tp prediction epsilon variance learned : (tensor<16x2x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return %x1 : tensor<16x1x28x28xf32>
}

// -----

// CHECK-LABEL: func.func @ddpm_step_learned_range(
//  CHECK-SAME: %[[OUT:.*]]: tensor<?x8x32x32xbf16>, %[[X:.*]]: tensor<?x4x32x32xbf16>, %[[Z:.*]]: tensor<?x4x32x32xbf16>, %[[ABAR:.*]]: tensor<1000xf64>, %[[T:.*]]: i64, %[[TP:.*]]: i64) -> tensor<?x4x32x32xbf16>
//       CHECK:   %[[X1:.*]] = diffc.ddpm_step %[[OUT]], %[[X]], %[[Z]], %[[ABAR]], %[[T]], %[[TP]] prediction epsilon variance learned_range : (tensor<?x8x32x32xbf16>, tensor<?x4x32x32xbf16>, tensor<?x4x32x32xbf16>, tensor<1000xf64>, i64, i64) -> tensor<?x4x32x32xbf16>
//  CHECK-NEXT:   return %[[X1]] : tensor<?x4x32x32xbf16>
func.func @ddpm_step_learned_range(%out: tensor<?x8x32x32xbf16>, %x: tensor<?x4x32x32xbf16>, %z: tensor<?x4x32x32xbf16>, %abar: tensor<1000xf64>, %t: i64, %tp: i64) -> tensor<?x4x32x32xbf16> {
  %x1 = diffc.ddpm_step %out, %x, %z, %abar, %t, %tp prediction epsilon variance learned_range : (tensor<?x8x32x32xbf16>, tensor<?x4x32x32xbf16>, tensor<?x4x32x32xbf16>, tensor<1000xf64>, i64, i64) -> tensor<?x4x32x32xbf16>
  return %x1 : tensor<?x4x32x32xbf16>
}

// -----

// With the optional noise operand.
// CHECK-LABEL: func.func @ddim_step(
//  CHECK-SAME: %[[EPS:.*]]: tensor<?x1x28x28xf32>, %[[X:.*]]: tensor<?x1x28x28xf32>, %[[ABAR:.*]]: tensor<1000xf32>, %[[T:.*]]: i64, %[[TP:.*]]: i64, %[[ETA:.*]]: f32, %[[Z:.*]]: tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
//       CHECK:   %[[X1:.*]] = diffc.ddim_step %[[EPS]], %[[X]], %[[ABAR]], %[[T]], %[[TP]], %[[ETA]], %[[Z]] prediction epsilon : (tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32, tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
//  CHECK-NEXT:   return %[[X1]] : tensor<?x1x28x28xf32>
func.func @ddim_step(%eps: tensor<?x1x28x28xf32>, %x: tensor<?x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %z: tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32> {
  %x1 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta, %z prediction epsilon : (tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32, tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
  return %x1 : tensor<?x1x28x28xf32>
}

// -----

// Without noise (deterministic when eta is 0); f16 sample, f32 eta.
// CHECK-LABEL: func.func @ddim_step_no_noise(
//  CHECK-SAME: %[[V:.*]]: tensor<2x4x64x64xf16>, %[[X:.*]]: tensor<2x4x64x64xf16>, %[[ABAR:.*]]: tensor<1000xf32>, %[[T:.*]]: i64, %[[TP:.*]]: i64, %[[ETA:.*]]: f32) -> tensor<2x4x64x64xf16>
//       CHECK:   %[[X1:.*]] = diffc.ddim_step %[[V]], %[[X]], %[[ABAR]], %[[T]], %[[TP]], %[[ETA]] prediction v_prediction {set_alpha_to_one = false} : (tensor<2x4x64x64xf16>, tensor<2x4x64x64xf16>, tensor<1000xf32>, i64, i64, f32) -> tensor<2x4x64x64xf16>
//  CHECK-NEXT:   return %[[X1]] : tensor<2x4x64x64xf16>
func.func @ddim_step_no_noise(%v: tensor<2x4x64x64xf16>, %x: tensor<2x4x64x64xf16>, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32) -> tensor<2x4x64x64xf16> {
  %x1 = diffc.ddim_step %v, %x, %abar, %t, %tp, %eta prediction v_prediction {set_alpha_to_one = false} : (tensor<2x4x64x64xf16>, tensor<2x4x64x64xf16>, tensor<1000xf32>, i64, i64, f32) -> tensor<2x4x64x64xf16>
  return %x1 : tensor<2x4x64x64xf16>
}

// -----

// sample prediction with clipping, f64 throughout.
// CHECK-LABEL: func.func @ddim_step_sample(
//  CHECK-SAME: %[[X0:.*]]: tensor<16x1x28x28xf64>, %[[X:.*]]: tensor<16x1x28x28xf64>, %[[ABAR:.*]]: tensor<1000xf64>, %[[T:.*]]: i64, %[[TP:.*]]: i64, %[[ETA:.*]]: f64, %[[Z:.*]]: tensor<16x1x28x28xf64>) -> tensor<16x1x28x28xf64>
//       CHECK:   %[[X1:.*]] = diffc.ddim_step %[[X0]], %[[X]], %[[ABAR]], %[[T]], %[[TP]], %[[ETA]], %[[Z]] prediction sample {clip_sample = true, use_clipped_model_output = true} : (tensor<16x1x28x28xf64>, tensor<16x1x28x28xf64>, tensor<1000xf64>, i64, i64, f64, tensor<16x1x28x28xf64>) -> tensor<16x1x28x28xf64>
//  CHECK-NEXT:   return %[[X1]] : tensor<16x1x28x28xf64>
func.func @ddim_step_sample(%x0: tensor<16x1x28x28xf64>, %x: tensor<16x1x28x28xf64>, %abar: tensor<1000xf64>, %t: i64, %tp: i64, %eta: f64, %z: tensor<16x1x28x28xf64>) -> tensor<16x1x28x28xf64> {
  %x1 = diffc.ddim_step %x0, %x, %abar, %t, %tp, %eta, %z prediction sample {clip_sample = true, use_clipped_model_output = true} : (tensor<16x1x28x28xf64>, tensor<16x1x28x28xf64>, tensor<1000xf64>, i64, i64, f64, tensor<16x1x28x28xf64>) -> tensor<16x1x28x28xf64>
  return %x1 : tensor<16x1x28x28xf64>
}

// -----

// CHECK-LABEL: func.func @ddim_inverse_step(
//  CHECK-SAME: %[[EPS:.*]]: tensor<1x4x64x64xf32>, %[[X:.*]]: tensor<1x4x64x64xf32>, %[[ABAR:.*]]: tensor<1000xf32>, %[[T:.*]]: i64, %[[TN:.*]]: i64) -> (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>)
//       CHECK:   %[[A:.*]] = diffc.ddim_inverse_step %[[EPS]], %[[X]], %[[ABAR]], %[[T]], %[[TN]] prediction epsilon : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>, tensor<1000xf32>, i64, i64) -> tensor<1x4x64x64xf32>
//  CHECK-NEXT:   %[[B:.*]] = diffc.ddim_inverse_step %[[EPS]], %[[X]], %[[ABAR]], %[[T]], %[[TN]] prediction v_prediction {clip_sample = true, clip_sample_range = 2.000000e+00 : f64, set_alpha_to_one = false} : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>, tensor<1000xf32>, i64, i64) -> tensor<1x4x64x64xf32>
//  CHECK-NEXT:   return %[[A]], %[[B]] : tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>
func.func @ddim_inverse_step(%eps: tensor<1x4x64x64xf32>, %x: tensor<1x4x64x64xf32>, %abar: tensor<1000xf32>, %t: i64, %tn: i64) -> (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>) {
  %a = diffc.ddim_inverse_step %eps, %x, %abar, %t, %tn prediction epsilon : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>, tensor<1000xf32>, i64, i64) -> tensor<1x4x64x64xf32>
  %b = diffc.ddim_inverse_step %eps, %x, %abar, %t, %tn prediction v_prediction {set_alpha_to_one = false, clip_sample = true, clip_sample_range = 2.0 : f64} : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>, tensor<1000xf32>, i64, i64) -> tensor<1x4x64x64xf32>
  return %a, %b : tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>
}

// -----

// f32, and f16 with a dynamic batch.
// CHECK-LABEL: func.func @cfg_combine(
//  CHECK-SAME: %[[EU:.*]]: tensor<2x4x32x32xf32>, %[[EC:.*]]: tensor<2x4x32x32xf32>, %[[W:.*]]: f32, %[[HU:.*]]: tensor<?x4x64x64xf16>, %[[HC:.*]]: tensor<?x4x64x64xf16>, %[[W16:.*]]: f16) -> (tensor<2x4x32x32xf32>, tensor<?x4x64x64xf16>)
//       CHECK:   %[[E:.*]] = diffc.cfg_combine %[[EU]], %[[EC]], %[[W]] : tensor<2x4x32x32xf32>, f32
//  CHECK-NEXT:   %[[H:.*]] = diffc.cfg_combine %[[HU]], %[[HC]], %[[W16]] : tensor<?x4x64x64xf16>, f16
//  CHECK-NEXT:   return %[[E]], %[[H]] : tensor<2x4x32x32xf32>, tensor<?x4x64x64xf16>
func.func @cfg_combine(%eu: tensor<2x4x32x32xf32>, %ec: tensor<2x4x32x32xf32>, %w: f32, %hu: tensor<?x4x64x64xf16>, %hc: tensor<?x4x64x64xf16>, %w16: f16) -> (tensor<2x4x32x32xf32>, tensor<?x4x64x64xf16>) {
  %e = diffc.cfg_combine %eu, %ec, %w : tensor<2x4x32x32xf32>, f32
  %h = diffc.cfg_combine %hu, %hc, %w16 : tensor<?x4x64x64xf16>, f16
  return %e, %h : tensor<2x4x32x32xf32>, tensor<?x4x64x64xf16>
}

// -----

// Scalar variance, and per-sample variance broadcast over C, H, W.
// CHECK-LABEL: func.func @classifier_guidance(
//  CHECK-SAME: %[[MU:.*]]: tensor<16x1x28x28xf32>, %[[VAR:.*]]: tensor<f32>, %[[G:.*]]: tensor<16x1x28x28xf32>, %[[S:.*]]: f32, %[[MU2:.*]]: tensor<?x1x28x28xf32>, %[[VAR2:.*]]: tensor<?x1x1x1xf32>, %[[G2:.*]]: tensor<?x1x28x28xf32>) -> (tensor<16x1x28x28xf32>, tensor<?x1x28x28xf32>)
//       CHECK:   %[[M:.*]] = diffc.classifier_guidance %[[MU]], %[[VAR]], %[[G]], %[[S]] : (tensor<16x1x28x28xf32>, tensor<f32>, tensor<16x1x28x28xf32>, f32) -> tensor<16x1x28x28xf32>
//  CHECK-NEXT:   %[[N:.*]] = diffc.classifier_guidance %[[MU2]], %[[VAR2]], %[[G2]], %[[S]] : (tensor<?x1x28x28xf32>, tensor<?x1x1x1xf32>, tensor<?x1x28x28xf32>, f32) -> tensor<?x1x28x28xf32>
//  CHECK-NEXT:   return %[[M]], %[[N]] : tensor<16x1x28x28xf32>, tensor<?x1x28x28xf32>
func.func @classifier_guidance(%mu: tensor<16x1x28x28xf32>, %var: tensor<f32>, %g: tensor<16x1x28x28xf32>, %s: f32, %mu2: tensor<?x1x28x28xf32>, %var2: tensor<?x1x1x1xf32>, %g2: tensor<?x1x28x28xf32>) -> (tensor<16x1x28x28xf32>, tensor<?x1x28x28xf32>) {
  %m = diffc.classifier_guidance %mu, %var, %g, %s : (tensor<16x1x28x28xf32>, tensor<f32>, tensor<16x1x28x28xf32>, f32) -> tensor<16x1x28x28xf32>
  %n = diffc.classifier_guidance %mu2, %var2, %g2, %s : (tensor<?x1x28x28xf32>, tensor<?x1x1x1xf32>, tensor<?x1x28x28xf32>, f32) -> tensor<?x1x28x28xf32>
  return %m, %n : tensor<16x1x28x28xf32>, tensor<?x1x28x28xf32>
}

// -----

// Static shapes: no dynamic sizes.
// CHECK-LABEL: func.func @random_normal(
//  CHECK-SAME: %[[SEED:.*]]: i64, %[[OFF:.*]]: i64) -> (tensor<16x1x28x28xf32>, tensor<4xbf16>)
//       CHECK:   %[[Z:.*]] = diffc.random_normal %[[SEED]], %[[OFF]] : tensor<16x1x28x28xf32>
//  CHECK-NEXT:   %[[Y:.*]] = diffc.random_normal %[[SEED]], %[[OFF]] : tensor<4xbf16>
//  CHECK-NEXT:   return %[[Z]], %[[Y]] : tensor<16x1x28x28xf32>, tensor<4xbf16>
func.func @random_normal(%seed: i64, %off: i64) -> (tensor<16x1x28x28xf32>, tensor<4xbf16>) {
  %z = diffc.random_normal %seed, %off : tensor<16x1x28x28xf32>
  %y = diffc.random_normal %seed, %off : tensor<4xbf16>
  return %z, %y : tensor<16x1x28x28xf32>, tensor<4xbf16>
}

// -----

// One and two dynamic sizes.
// CHECK-LABEL: func.func @random_normal_dynamic(
//  CHECK-SAME: %[[SEED:.*]]: i64, %[[OFF:.*]]: i64, %[[N:.*]]: index, %[[H:.*]]: index) -> (tensor<?x1x28x28xf32>, tensor<?x4x?x64xf16>)
//       CHECK:   %[[Z:.*]] = diffc.random_normal %[[SEED]], %[[OFF]][%[[N]]] : tensor<?x1x28x28xf32>
//  CHECK-NEXT:   %[[Y:.*]] = diffc.random_normal %[[SEED]], %[[OFF]][%[[N]], %[[H]]] : tensor<?x4x?x64xf16>
//  CHECK-NEXT:   return %[[Z]], %[[Y]] : tensor<?x1x28x28xf32>, tensor<?x4x?x64xf16>
func.func @random_normal_dynamic(%seed: i64, %off: i64, %n: index, %h: index) -> (tensor<?x1x28x28xf32>, tensor<?x4x?x64xf16>) {
  %z = diffc.random_normal %seed, %off [%n] : tensor<?x1x28x28xf32>
  %y = diffc.random_normal %seed, %off [%n, %h] : tensor<?x4x?x64xf16>
  return %z, %y : tensor<?x1x28x28xf32>, tensor<?x4x?x64xf16>
}

// -----

// Static and dynamic shapes, i64 and i32, negative bounds and the widest
// range (2^32).
// CHECK-LABEL: func.func @random_integers(
//  CHECK-SAME: %[[SEED:.*]]: i64, %[[OFF:.*]]: i64, %[[N:.*]]: index) -> (tensor<?xi64>, tensor<4x2xi32>, tensor<8xi64>)
//       CHECK:   %[[T:.*]] = diffc.random_integers %[[SEED]], %[[OFF]][%[[N]]] {high = 1000 : i64, low = 0 : i64} : tensor<?xi64>
//  CHECK-NEXT:   %[[U:.*]] = diffc.random_integers %[[SEED]], %[[OFF]] {high = 3 : i64, low = -5 : i64} : tensor<4x2xi32>
//  CHECK-NEXT:   %[[W:.*]] = diffc.random_integers %[[SEED]], %[[OFF]] {high = 4294967296 : i64, low = 0 : i64} : tensor<8xi64>
//  CHECK-NEXT:   return %[[T]], %[[U]], %[[W]] : tensor<?xi64>, tensor<4x2xi32>, tensor<8xi64>
func.func @random_integers(%seed: i64, %off: i64, %n: index) -> (tensor<?xi64>, tensor<4x2xi32>, tensor<8xi64>) {
  %t = diffc.random_integers %seed, %off [%n] {low = 0 : i64, high = 1000 : i64} : tensor<?xi64>
  %u = diffc.random_integers %seed, %off {low = -5 : i64, high = 3 : i64} : tensor<4x2xi32>
  %w = diffc.random_integers %seed, %off {low = 0 : i64, high = 4294967296 : i64} : tensor<8xi64>
  return %t, %u, %w : tensor<?xi64>, tensor<4x2xi32>, tensor<8xi64>
}

// -----

// No iter_args: no results, empty yield.
// CHECK-LABEL: func.func @sampler_loop(
//  CHECK-SAME: %[[TS:.*]]: tensor<?xi64>)
//       CHECK:   diffc.sampler_loop %[[TS]] : tensor<?xi64> {
//  CHECK-NEXT:   ^bb0(%[[I:.*]]: index, %[[T:.*]]: i64, %[[TN:.*]]: i64):
//  CHECK-NEXT:     diffc.yield
//  CHECK-NEXT:   }
//  CHECK-NEXT:   return
func.func @sampler_loop(%ts: tensor<?xi64>) {
  diffc.sampler_loop %ts : tensor<?xi64> {
  ^bb0(%i: index, %t: i64, %tn: i64):
    diffc.yield
  }
  return
}

// -----

// Two iter_args of different kinds: the sample and the Philox offset.
// CHECK-LABEL: func.func @sampler_loop_iter_args(
//  CHECK-SAME: %[[TS:.*]]: tensor<?xi64>, %[[XT:.*]]: tensor<16x1x28x28xf32>, %[[SEED:.*]]: i64, %[[EPS:.*]]: tensor<16x1x28x28xf32>, %[[ABAR:.*]]: tensor<1000xf32>, %[[ETA:.*]]: f32) -> (tensor<16x1x28x28xf32>, i64)
//       CHECK:   %[[NUMEL:.*]] = arith.constant 12544 : i64
//  CHECK-NEXT:   %[[RES:.*]]:2 = diffc.sampler_loop %[[TS]] iter_args(%[[XT]], %[[SEED]] : tensor<16x1x28x28xf32>, i64) : tensor<?xi64> -> tensor<16x1x28x28xf32>, i64 {
//  CHECK-NEXT:   ^bb0(%[[I:.*]]: index, %[[T:.*]]: i64, %[[TN:.*]]: i64, %[[X:.*]]: tensor<16x1x28x28xf32>, %[[O:.*]]: i64):
//  CHECK-NEXT:     %[[Z:.*]] = diffc.random_normal %[[SEED]], %[[O]] : tensor<16x1x28x28xf32>
//  CHECK-NEXT:     %[[X1:.*]] = diffc.ddim_step %[[EPS]], %[[X]], %[[ABAR]], %[[T]], %[[TN]], %[[ETA]], %[[Z]] prediction epsilon : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32, tensor<16x1x28x28xf32>) -> tensor<16x1x28x28xf32>
//  CHECK-NEXT:     %[[O1:.*]] = arith.addi %[[O]], %[[NUMEL]] : i64
//  CHECK-NEXT:     diffc.yield %[[X1]], %[[O1]] : tensor<16x1x28x28xf32>, i64
//  CHECK-NEXT:   }
//  CHECK-NEXT:   return %[[RES]]#0, %[[RES]]#1 : tensor<16x1x28x28xf32>, i64
func.func @sampler_loop_iter_args(%ts: tensor<?xi64>, %xT: tensor<16x1x28x28xf32>, %seed: i64, %eps: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %eta: f32) -> (tensor<16x1x28x28xf32>, i64) {
  %numel = arith.constant 12544 : i64
  %res:2 = diffc.sampler_loop %ts iter_args(%xT, %seed : tensor<16x1x28x28xf32>, i64) : tensor<?xi64> -> tensor<16x1x28x28xf32>, i64 {
  ^bb0(%i: index, %t: i64, %tn: i64, %x: tensor<16x1x28x28xf32>, %o: i64):
    %z = diffc.random_normal %seed, %o : tensor<16x1x28x28xf32>
    %x1 = diffc.ddim_step %eps, %x, %abar, %t, %tn, %eta, %z prediction epsilon : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32, tensor<16x1x28x28xf32>) -> tensor<16x1x28x28xf32>
    %o1 = arith.addi %o, %numel : i64
    diffc.yield %x1, %o1 : tensor<16x1x28x28xf32>, i64
  }
  return %res#0, %res#1 : tensor<16x1x28x28xf32>, i64
}

// -----

// One iter_arg, over i32 timesteps.
// CHECK-LABEL: func.func @yield(
//  CHECK-SAME: %[[TS:.*]]: tensor<8xi32>, %[[XT:.*]]: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
//       CHECK:   %[[X0:.*]] = diffc.sampler_loop %[[TS]] iter_args(%[[XT]] : tensor<?x4x8x8xf32>) : tensor<8xi32> -> tensor<?x4x8x8xf32> {
//  CHECK-NEXT:   ^bb0(%[[I:.*]]: index, %[[T:.*]]: i64, %[[TN:.*]]: i64, %[[X:.*]]: tensor<?x4x8x8xf32>):
//  CHECK-NEXT:     %[[Y:.*]] = diffc.neg %[[X]] : tensor<?x4x8x8xf32>
//  CHECK-NEXT:     diffc.yield %[[Y]] : tensor<?x4x8x8xf32>
//  CHECK-NEXT:   }
//  CHECK-NEXT:   return %[[X0]] : tensor<?x4x8x8xf32>
func.func @yield(%ts: tensor<8xi32>, %xT: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %x0 = diffc.sampler_loop %ts iter_args(%xT : tensor<?x4x8x8xf32>) : tensor<8xi32> -> tensor<?x4x8x8xf32> {
  ^bb0(%i: index, %t: i64, %tn: i64, %x: tensor<?x4x8x8xf32>):
    %y = diffc.neg %x : tensor<?x4x8x8xf32>
    diffc.yield %y : tensor<?x4x8x8xf32>
  }
  return %x0 : tensor<?x4x8x8xf32>
}

// -----

// Adam with every option at its default.
// CHECK-LABEL: func.func @adam_update(
//  CHECK-SAME: %[[P:.*]]: tensor<64x1x3x3xf32>, %[[G:.*]]: tensor<64x1x3x3xf32>, %[[M:.*]]: tensor<64x1x3x3xf32>, %[[V:.*]]: tensor<64x1x3x3xf32>, %[[STEP:.*]]: i64, %[[LR:.*]]: f32) -> (tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>)
//       CHECK:   %[[P1:.*]], %[[M1:.*]], %[[V1:.*]] = diffc.adam_update adam %[[P]], %[[G]], %[[M]], %[[V]], %[[STEP]], %[[LR]] : tensor<64x1x3x3xf32>, i64, f32
//  CHECK-NEXT:   return %[[P1]], %[[M1]], %[[V1]] : tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>
func.func @adam_update(%p: tensor<64x1x3x3xf32>, %g: tensor<64x1x3x3xf32>, %m: tensor<64x1x3x3xf32>, %v: tensor<64x1x3x3xf32>, %step: i64, %lr: f32) -> (tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>) {
  %p1, %m1, %v1 = diffc.adam_update adam %p, %g, %m, %v, %step, %lr : tensor<64x1x3x3xf32>, i64, f32
  return %p1, %m1, %v1 : tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>
}

// -----

// AdamW with every option set, bf16 weights.
// CHECK-LABEL: func.func @adam_update_adamw(
//  CHECK-SAME: %[[P:.*]]: tensor<1280x320xbf16>, %[[G:.*]]: tensor<1280x320xbf16>, %[[M:.*]]: tensor<1280x320xbf16>, %[[V:.*]]: tensor<1280x320xbf16>, %[[STEP:.*]]: i64, %[[LR:.*]]: f32) -> (tensor<1280x320xbf16>, tensor<1280x320xbf16>, tensor<1280x320xbf16>)
//       CHECK:   %[[P1:.*]], %[[M1:.*]], %[[V1:.*]] = diffc.adam_update adamw %[[P]], %[[G]], %[[M]], %[[V]], %[[STEP]], %[[LR]] {beta1 = 0.94999999999999996 : f64, beta2 = 0.97999999999999998 : f64, epsilon = 9.9999999999999995E-7 : f64, weight_decay = 1.000000e-02 : f64} : tensor<1280x320xbf16>, i64, f32
//  CHECK-NEXT:   return %[[P1]], %[[M1]], %[[V1]] : tensor<1280x320xbf16>, tensor<1280x320xbf16>, tensor<1280x320xbf16>
func.func @adam_update_adamw(%p: tensor<1280x320xbf16>, %g: tensor<1280x320xbf16>, %m: tensor<1280x320xbf16>, %v: tensor<1280x320xbf16>, %step: i64, %lr: f32) -> (tensor<1280x320xbf16>, tensor<1280x320xbf16>, tensor<1280x320xbf16>) {
  %p1, %m1, %v1 = diffc.adam_update adamw %p, %g, %m, %v, %step, %lr {beta1 = 0.95 : f64, beta2 = 0.98 : f64, epsilon = 1.0e-06 : f64, weight_decay = 0.01 : f64} : tensor<1280x320xbf16>, i64, f32
  return %p1, %m1, %v1 : tensor<1280x320xbf16>, tensor<1280x320xbf16>, tensor<1280x320xbf16>
}

// -----

// f32, and f16 weights with an f64 decay.
// CHECK-LABEL: func.func @ema_update(
//  CHECK-SAME: %[[E:.*]]: tensor<64x1x3x3xf32>, %[[P:.*]]: tensor<64x1x3x3xf32>, %[[DECAY:.*]]: f32, %[[E16:.*]]: tensor<320xf16>, %[[P16:.*]]: tensor<320xf16>, %[[D64:.*]]: f64) -> (tensor<64x1x3x3xf32>, tensor<320xf16>)
//       CHECK:   %[[E1:.*]] = diffc.ema_update %[[E]], %[[P]], %[[DECAY]] : tensor<64x1x3x3xf32>, f32
//  CHECK-NEXT:   %[[E2:.*]] = diffc.ema_update %[[E16]], %[[P16]], %[[D64]] : tensor<320xf16>, f64
//  CHECK-NEXT:   return %[[E1]], %[[E2]] : tensor<64x1x3x3xf32>, tensor<320xf16>
func.func @ema_update(%e: tensor<64x1x3x3xf32>, %p: tensor<64x1x3x3xf32>, %decay: f32, %e16: tensor<320xf16>, %p16: tensor<320xf16>, %d64: f64) -> (tensor<64x1x3x3xf32>, tensor<320xf16>) {
  %e1 = diffc.ema_update %e, %p, %decay : tensor<64x1x3x3xf32>, f32
  %e2 = diffc.ema_update %e16, %p16, %d64 : tensor<320xf16>, f64
  return %e1, %e2 : tensor<64x1x3x3xf32>, tensor<320xf16>
}

// -----

// CHECK-LABEL: func.func @broadcast_like(
//  CHECK-SAME:     %[[S:.*]]: tensor<?x64x1x1xf32>, %[[X:.*]]: tensor<?x64x7x7xf32>, %[[C:.*]]: tensor<f64>
//       CHECK:   %[[B:.*]] = diffc.broadcast_like %[[S]], %[[X]] : (tensor<?x64x1x1xf32>, tensor<?x64x7x7xf32>) -> tensor<?x64x7x7xf32>
//  CHECK-NEXT:   %[[Z:.*]] = diffc.broadcast_like %[[C]], %[[X]] : (tensor<f64>, tensor<?x64x7x7xf32>) -> tensor<?x64x7x7xf64>
func.func @broadcast_like(%s: tensor<?x64x1x1xf32>, %x: tensor<?x64x7x7xf32>, %c: tensor<f64>) -> (tensor<?x64x7x7xf32>, tensor<?x64x7x7xf64>) {
  %b = diffc.broadcast_like %s, %x : (tensor<?x64x1x1xf32>, tensor<?x64x7x7xf32>) -> tensor<?x64x7x7xf32>
  %z = diffc.broadcast_like %c, %x : (tensor<f64>, tensor<?x64x7x7xf32>) -> tensor<?x64x7x7xf64>
  return %b, %z : tensor<?x64x7x7xf32>, tensor<?x64x7x7xf64>
}

// -----

// CHECK-LABEL: func.func @heaviside(
//       CHECK:   diffc.heaviside %{{.*}} : tensor<4x8xbf16>
func.func @heaviside(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %h = diffc.heaviside %x : tensor<4x8xbf16>
  return %h : tensor<4x8xbf16>
}
