// RUN: diffc-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// diffc.parameter
//===----------------------------------------------------------------------===//

func.func @parameter_empty_name() {
  // Test: the state-dict name is empty.
  // expected-error @+1 {{expects a non-empty state-dict name}}
  %w = diffc.parameter "" : tensor<64xf32>
  return
}

// -----

func.func @parameter_dynamic_shape() {
  // Test: a parameter has a dynamic extent.
  // expected-error @+1 {{expects a static shape, got [?, 64]}}
  %w = diffc.parameter "proj.weight" : tensor<?x64xf32>
  return
}

// -----

func.func @parameter_integer_type() {
  // Test: a parameter of integer elements (ODS float-tensor constraint).
  // expected-error @+1 {{result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %w = diffc.parameter "proj.weight" : tensor<64xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.conv2d / diffc.conv3d
//===----------------------------------------------------------------------===//

func.func @conv2d_input_rank(%x: tensor<1x28x28xf32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d input is not rank 4.
  // expected-error @+1 {{expects input of rank 4, got 3}}
  %y = diffc.conv2d %x, %w : (tensor<1x28x28xf32>, tensor<64x1x3x3xf32>) -> tensor<64x26x26xf32>
  return
}

// -----

func.func @conv2d_stride_entries(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d stride has three entries instead of two.
  // expected-error @+1 {{expects stride with 2 entries, got 3}}
  %y = diffc.conv2d %x, %w {stride = array<i64: 1, 1, 1>} : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x26x26xf32>
  return
}

// -----

func.func @conv2d_zero_dilation(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d dilation has a zero entry.
  // expected-error @+1 {{expects positive dilation, got [0, 1]}}
  %y = diffc.conv2d %x, %w {dilation = array<i64: 0, 1>} : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x26x26xf32>
  return
}

// -----

func.func @conv2d_element_types(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x3x3xf16>) {
  // Test: conv2d weight is f16 while the input is f32.
  // expected-error @+1 {{element types differ: 'f32' vs 'f16'}}
  %y = diffc.conv2d %x, %w : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf16>) -> tensor<?x64x26x26xf32>
  return
}

// -----

func.func @conv2d_negative_padding(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d padding is negative.
  // expected-error @+1 {{expects non-negative padding, got [-1, 0]}}
  %y = diffc.conv2d %x, %w {padding = array<i64: -1, 0>} : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x24x26xf32>
  return
}

// -----

func.func @conv2d_zero_groups(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d groups is zero.
  // expected-error @+1 {{expects positive groups, got 0}}
  %y = diffc.conv2d %x, %w {groups = 0 : i64} : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x26x26xf32>
  return
}

// -----

func.func @conv2d_groups_out_channels(%x: tensor<?x3x28x28xf32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d output channels are not a multiple of groups.
  // expected-error @+1 {{output channels 64 not divisible by groups 3}}
  %y = diffc.conv2d %x, %w {groups = 3 : i64} : (tensor<?x3x28x28xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x26x26xf32>
  return
}

// -----

func.func @conv2d_input_channels(%x: tensor<?x3x28x28xf32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d input channels differ from weight input channels times groups.
  // expected-error @+1 {{input channels 3 vs weight input channels 1 x groups 1}}
  %y = diffc.conv2d %x, %w : (tensor<?x3x28x28xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x26x26xf32>
  return
}

// -----

func.func @conv2d_bias_shape(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x3x3xf32>, %b: tensor<32xf32>) {
  // Test: conv2d bias does not have one entry per output channel.
  // expected-error @+1 {{expects bias of shape [64], got [32]}}
  %y = diffc.conv2d %x, %w, %b : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>, tensor<32xf32>) -> tensor<?x64x26x26xf32>
  return
}

// -----

func.func @conv2d_window_too_large(%x: tensor<1x1x2x2xf32>, %w: tensor<4x1x3x3xf32>) {
  // Test: conv2d 3x3 kernel over an unpadded 2x2 input.
  // expected-error @+1 {{kernel window larger than padded input in spatial dimension 0}}
  %y = diffc.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @conv2d_result_shape(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d result ignores the padding.
  // expected-error @+1 {{result shape [?, 64, 26, 26] vs expected [?, 64, 28, 28]}}
  %y = diffc.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x26x26xf32>
  return
}

// -----

func.func @conv2d_integer_input(%x: tensor<?x1x28x28xi32>, %w: tensor<64x1x3x3xf32>) {
  // Test: conv2d input of integer elements (ODS float-tensor constraint).
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %y = diffc.conv2d %x, %w : (tensor<?x1x28x28xi32>, tensor<64x1x3x3xf32>) -> tensor<?x64x26x26xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.conv2d_backward_input / diffc.conv2d_backward_weight
//===----------------------------------------------------------------------===//

func.func @conv2d_backward_input_dy_rank(%dy: tensor<64x14x14xf32>, %w: tensor<64x64x3x3xf32>) {
  // Test: conv2d_backward_input output gradient is not rank 4.
  // expected-error @+1 {{expects output gradient of rank 4, got 3}}
  %dx = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x28x28xf32>
  return
}

// -----

func.func @conv2d_backward_input_result_rank(%dy: tensor<1x64x14x14xf32>, %w: tensor<64x64x3x3xf32>) {
  // Test: conv2d_backward_input result is not rank 4.
  // expected-error @+1 {{expects result of rank 4, got 3}}
  %dx = diffc.conv2d_backward_input %dy, %w : (tensor<1x64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<64x16x16xf32>
  return
}

// -----

func.func @conv2d_backward_input_element_types(%dy: tensor<?x64x14x14xf32>, %w: tensor<64x64x3x3xf32>) {
  // Test: conv2d_backward_input result is f16 while the operands are f32.
  // expected-error @+1 {{element types differ: 'f32' vs 'f16'}}
  %dx = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf16>
  return
}

// -----

func.func @conv2d_backward_input_channels(%dy: tensor<?x64x28x28xf32>, %w: tensor<64x2x3x3xf32>) {
  // Test: conv2d_backward_input result has 6 channels, the weight 2 per group.
  // expected-error @+1 {{result channels 6 vs weight input channels 2 x groups 1}}
  %dx = diffc.conv2d_backward_input %dy, %w {padding = array<i64: 1, 1>} : (tensor<?x64x28x28xf32>, tensor<64x2x3x3xf32>) -> tensor<?x6x28x28xf32>
  return
}

// -----

func.func @conv2d_backward_input_dy_shape(%dy: tensor<?x64x13x14xf32>, %w: tensor<64x64x3x3xf32>) {
  // Test: conv2d_backward_input output gradient rows do not match the
  // forward output extent of the result's 28 rows at stride 2.
  // expected-error @+1 {{output gradient shape [?, 64, 13, 14] vs expected from the result and the weight [?, 64, 14, 14]}}
  %dx = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x64x13x14xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
  return
}

// -----

func.func @conv2d_backward_input_dy_channels(%dy: tensor<?x32x28x28xf32>, %w: tensor<64x64x3x3xf32>) {
  // Test: conv2d_backward_input output gradient has 32 channels, the weight 64.
  // expected-error @+1 {{output gradient shape [?, 32, 28, 28] vs expected from the result and the weight [?, 64, 28, 28]}}
  %dx = diffc.conv2d_backward_input %dy, %w {padding = array<i64: 1, 1>} : (tensor<?x32x28x28xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
  return
}

// -----

func.func @conv2d_backward_input_dynamic_rows(%dy: tensor<?x64x?x28xf32>, %w: tensor<64x64x3x3xf32>) {
  // Test: conv2d_backward_input with dynamic rows (only the batch may be).
  // expected-error @+1 {{expects static extents except the batch, got result [?, 64, ?, 28]}}
  %dx = diffc.conv2d_backward_input %dy, %w {padding = array<i64: 1, 1>} : (tensor<?x64x?x28xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x?x28xf32>
  return
}

// -----

func.func @conv2d_backward_input_zero_stride(%dy: tensor<?x64x28x28xf32>, %w: tensor<64x64x3x3xf32>) {
  // Test: conv2d_backward_input stride has a zero entry.
  // expected-error @+1 {{expects positive stride, got [0, 1]}}
  %dx = diffc.conv2d_backward_input %dy, %w {stride = array<i64: 0, 1>, padding = array<i64: 1, 1>} : (tensor<?x64x28x28xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
  return
}

// -----

func.func @conv2d_backward_weight_input_channels(%x: tensor<?x3x28x28xf32>, %dy: tensor<?x64x28x28xf32>) {
  // Test: conv2d_backward_weight input has 3 channels, the result 1 per group.
  // expected-error @+1 {{input channels 3 vs weight input channels 1 x groups 1}}
  %dw = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>} : (tensor<?x3x28x28xf32>, tensor<?x64x28x28xf32>) -> tensor<64x1x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_weight_groups(%x: tensor<?x3x28x28xf32>, %dy: tensor<?x64x28x28xf32>) {
  // Test: conv2d_backward_weight output channels are not a multiple of groups.
  // expected-error @+1 {{output channels 64 not divisible by groups 3}}
  %dw = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>, groups = 3 : i64} : (tensor<?x3x28x28xf32>, tensor<?x64x28x28xf32>) -> tensor<64x1x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_weight_kernel(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x64x28x28xf32>) {
  // Test: conv2d_backward_weight result is a 5x5 kernel, the output gradient
  // the size a 3x3 one gives with padding 1.
  // expected-error @+1 {{output gradient shape [?, 64, 28, 28] vs expected from the input and the result [?, 64, 26, 26]}}
  %dw = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<?x64x28x28xf32>) -> tensor<64x1x5x5xf32>
  return
}

// -----

func.func @conv2d_backward_weight_batch(%x: tensor<4x1x28x28xf32>, %dy: tensor<2x64x28x28xf32>) {
  // Test: conv2d_backward_weight input and output gradient batches differ.
  // expected-error @+1 {{output gradient shape [2, 64, 28, 28] vs expected from the input and the result [4, 64, 28, 28]}}
  %dw = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>} : (tensor<4x1x28x28xf32>, tensor<2x64x28x28xf32>) -> tensor<64x1x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_weight_window(%x: tensor<1x1x2x2xf32>, %dy: tensor<1x4x1x1xf32>) {
  // Test: conv2d_backward_weight 3x3 kernel over an unpadded 2x2 input.
  // expected-error @+1 {{kernel window larger than padded input in spatial dimension 0}}
  %dw = diffc.conv2d_backward_weight %x, %dy : (tensor<1x1x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<4x1x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_weight_dynamic_dy(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x64x?x?xf32>) {
  // Test: conv2d_backward_weight output gradient with dynamic rows and columns.
  // expected-error @+1 {{expects static extents except the batch, got output gradient [?, 64, ?, ?]}}
  %dw = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<?x64x?x?xf32>) -> tensor<64x1x3x3xf32>
  return
}

// -----

func.func @conv3d_weight_rank(%x: tensor<1x64x8x16x16xf32>, %w: tensor<64x64x3x3xf32>) {
  // Test: conv3d weight is not rank 5.
  // expected-error @+1 {{expects weight of rank 5, got 4}}
  %y = diffc.conv3d %x, %w : (tensor<1x64x8x16x16xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x8x16x16xf32>
  return
}

// -----

func.func @conv3d_padding_entries(%x: tensor<1x64x8x16x16xf32>, %w: tensor<64x64x3x1x1xf32>) {
  // Test: conv3d padding has two entries instead of three.
  // expected-error @+1 {{expects padding with 3 entries, got 2}}
  %y = diffc.conv3d %x, %w {padding = array<i64: 1, 0>} : (tensor<1x64x8x16x16xf32>, tensor<64x64x3x1x1xf32>) -> tensor<1x64x8x16x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.linear / diffc.matmul
//===----------------------------------------------------------------------===//

func.func @linear_scalar_input(%x: tensor<f32>, %w: tensor<256x64xf32>) {
  // Test: linear input is rank 0.
  // expected-error @+1 {{expects input of rank at least 1, got 0}}
  %y = diffc.linear %x, %w : (tensor<f32>, tensor<256x64xf32>) -> tensor<256xf32>
  return
}

// -----

func.func @linear_input_features(%x: tensor<?x32xf32>, %w: tensor<256x64xf32>) {
  // Test: linear input features differ from the weight's.
  // expected-error @+1 {{input features 32 vs weight input features 64}}
  %y = diffc.linear %x, %w : (tensor<?x32xf32>, tensor<256x64xf32>) -> tensor<?x256xf32>
  return
}

// -----

func.func @linear_bias_shape(%x: tensor<?x64xf32>, %w: tensor<256x64xf32>, %b: tensor<64xf32>) {
  // Test: linear bias has the input size instead of the output size.
  // expected-error @+1 {{expects bias of shape [256], got [64]}}
  %y = diffc.linear %x, %w, %b : (tensor<?x64xf32>, tensor<256x64xf32>, tensor<64xf32>) -> tensor<?x256xf32>
  return
}

// -----

func.func @matmul_lhs_rank(%a: tensor<64xf32>, %b: tensor<64x49xf32>) {
  // Test: matmul lhs is rank 1.
  // expected-error @+1 {{expects lhs of rank at least 2, got 1}}
  %y = diffc.matmul %a, %b : (tensor<64xf32>, tensor<64x49xf32>) -> tensor<49xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<8x49x64xf32>, %b: tensor<8x32x49xf32>) {
  // Test: matmul contraction extents differ.
  // expected-error @+1 {{contraction extents differ: 64 vs 32}}
  %y = diffc.matmul %a, %b : (tensor<8x49x64xf32>, tensor<8x32x49xf32>) -> tensor<8x49x49xf32>
  return
}

// -----

func.func @matmul_batch_broadcast(%a: tensor<2x4x8xf32>, %b: tensor<3x8x4xf32>) {
  // Test: matmul batch dimensions 2 and 3 do not broadcast.
  // expected-error @+1 {{batch dimensions do not broadcast: [2] vs [3]}}
  %y = diffc.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x4xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.group_norm / diffc.layer_norm
//===----------------------------------------------------------------------===//

func.func @group_norm_input_rank(%x: tensor<64xf32>, %g: tensor<64xf32>) {
  // Test: group_norm input has no channel dimension.
  // expected-error @+1 {{expects input of rank at least 2, got 1}}
  %y = diffc.group_norm %x, %g, %g {num_groups = 32 : i64} : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @group_norm_zero_epsilon(%x: tensor<?x64x28x28xf32>, %g: tensor<64xf32>) {
  // Test: group_norm epsilon is zero.
  // expected-error @+1 {{expects positive epsilon, got 0}}
  %y = diffc.group_norm %x, %g, %g {num_groups = 32 : i64, epsilon = 0.0 : f64} : (tensor<?x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
  return
}

// -----

func.func @group_norm_zero_groups(%x: tensor<?x64x28x28xf32>, %g: tensor<64xf32>) {
  // Test: group_norm num_groups is zero.
  // expected-error @+1 {{expects positive num_groups, got 0}}
  %y = diffc.group_norm %x, %g, %g {num_groups = 0 : i64} : (tensor<?x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
  return
}

// -----

func.func @group_norm_indivisible(%x: tensor<?x64x28x28xf32>, %g: tensor<64xf32>) {
  // Test: group_norm channels are not a multiple of num_groups.
  // expected-error @+1 {{channels 64 not divisible by num_groups 3}}
  %y = diffc.group_norm %x, %g, %g {num_groups = 3 : i64} : (tensor<?x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
  return
}

// -----

func.func @group_norm_gamma_shape(%x: tensor<?x64x28x28xf32>, %g: tensor<32xf32>, %b: tensor<64xf32>) {
  // Test: group_norm gamma has one entry per group instead of per channel.
  // expected-error @+1 {{expects gamma of shape [64], got [32]}}
  %y = diffc.group_norm %x, %g, %b {num_groups = 32 : i64} : (tensor<?x64x28x28xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
  return
}

// -----

func.func @layer_norm_beta_shape(%x: tensor<2x77x128xf32>, %g: tensor<128xf32>, %b: tensor<77xf32>) {
  // Test: layer_norm beta does not match the last dimension.
  // expected-error @+1 {{expects beta of shape [128], got [77]}}
  %y = diffc.layer_norm %x, %g, %b : (tensor<2x77x128xf32>, tensor<128xf32>, tensor<77xf32>) -> tensor<2x77x128xf32>
  return
}

// -----

func.func @layer_norm_negative_epsilon(%x: tensor<2x77x128xf32>, %g: tensor<128xf32>) {
  // Test: layer_norm epsilon is negative.
  // expected-error @+1 {{expects positive epsilon}}
  %y = diffc.layer_norm %x, %g, %g {epsilon = -1.0e-05 : f64} : (tensor<2x77x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<2x77x128xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

func.func @silu_integer_tensor(%x: tensor<4x8xi32>) {
  // Test: silu of integer elements (ODS float-tensor constraint).
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x8xi32>'}}
  %y = diffc.silu %x : tensor<4x8xi32>
  return
}

// -----

func.func @silu_result_type(%x: tensor<4x8xf32>) {
  // Test: silu result type differs from its operand's (SameOperandsAndResultType).
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "diffc.silu"(%x) : (tensor<4x8xf32>) -> tensor<4x8xf16>
  return
}

// -----

func.func @gelu_unknown_approximation(%x: tensor<4x8xf32>) {
  // Test: gelu approximation keyword `fast` is not an enum case.
  // expected-error @+2 {{expected ::mlir::diffc::GeluApproximation to be one of: none, tanh}}
  // expected-error @+1 {{failed to parse Diffc_GeluApproximationAttr parameter 'value'}}
  %y = diffc.gelu fast %x : tensor<4x8xf32>
  return
}

// -----

func.func @clamp_min_above_max(%x: tensor<4x8xf32>) {
  // Test: clamp min is greater than max.
  // expected-error @+1 {{expects min <= max}}
  %y = diffc.clamp %x {min = 1.0 : f64, max = -1.0 : f64} : tensor<4x8xf32>
  return
}

// -----

func.func @add_no_broadcast(%a: tensor<4x64x7x7xf32>, %b: tensor<4x32x1x1xf32>) {
  // Test: add operands 64 and 32 channels do not broadcast.
  // expected-error @+1 {{operand shapes do not broadcast: [4, 64, 7, 7] vs [4, 32, 1, 1]}}
  %y = diffc.add %a, %b : (tensor<4x64x7x7xf32>, tensor<4x32x1x1xf32>) -> tensor<4x64x7x7xf32>
  return
}

// -----

func.func @sub_result_shape(%a: tensor<4x64x7x7xf32>, %b: tensor<4x64x1x1xf32>) {
  // Test: sub result has the smaller operand's shape, not the broadcast shape.
  // expected-error @+1 {{result shape [4, 64, 1, 1] vs expected [4, 64, 7, 7]}}
  %y = diffc.sub %a, %b : (tensor<4x64x7x7xf32>, tensor<4x64x1x1xf32>) -> tensor<4x64x1x1xf32>
  return
}

// -----

func.func @mul_element_types(%a: tensor<4x8xf32>, %b: tensor<4x8xf16>) {
  // Test: mul operands have different element types.
  // expected-error @+1 {{element types differ: 'f32' vs 'f16'}}
  %y = diffc.mul %a, %b : (tensor<4x8xf32>, tensor<4x8xf16>) -> tensor<4x8xf32>
  return
}

// -----

func.func @div_no_broadcast(%a: tensor<4x8xf32>, %b: tensor<3xf32>) {
  // Test: div trailing dimensions 8 and 3 do not broadcast.
  // expected-error @+1 {{operand shapes do not broadcast: [4, 8] vs [3]}}
  %y = diffc.div %a, %b : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @maximum_result_rank(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // Test: maximum result drops the broadcast leading dimension.
  // expected-error @+1 {{result shape [8] vs expected [4, 8]}}
  %y = diffc.maximum %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @minimum_no_broadcast(%a: tensor<2x8xf32>, %b: tensor<3x8xf32>) {
  // Test: minimum leading dimensions 2 and 3 do not broadcast.
  // expected-error @+1 {{operand shapes do not broadcast: [2, 8] vs [3, 8]}}
  %y = diffc.minimum %a, %b : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @pow_result_element_type(%a: tensor<4x8xf32>, %b: tensor<f32>) {
  // Test: pow result element type differs from the operands'.
  // expected-error @+1 {{element types differ: 'f32' vs 'f64'}}
  %y = diffc.pow %a, %b : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf64>
  return
}

// -----

func.func @softmax_axis(%x: tensor<8x49xf32>) {
  // Test: softmax axis 2 is out of range for a rank-2 input.
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %y = diffc.softmax %x {axis = 2 : i64} : tensor<8x49xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.attention
//===----------------------------------------------------------------------===//

func.func @attention_query_rank(%q: tensor<256x320xf32>, %k: tensor<2x77x320xf32>) {
  // Test: attention query is not rank 3.
  // expected-error @+1 {{expects query of rank 3, got 2}}
  %o = diffc.attention %q, %k, %k : (tensor<256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_batch(%q: tensor<2x256x320xf32>, %k: tensor<3x77x320xf32>) {
  // Test: attention query and key batch sizes differ.
  // expected-error @+1 {{batch sizes differ: query 2, key 3, value 3}}
  %o = diffc.attention %q, %k, %k : (tensor<2x256x320xf32>, tensor<3x77x320xf32>, tensor<3x77x320xf32>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_feature_sizes(%q: tensor<2x256x320xf32>, %k: tensor<2x77x64xf32>, %v: tensor<2x77x320xf32>) {
  // Test: attention query and key feature sizes differ.
  // expected-error @+1 {{query and key feature sizes differ: 320 vs 64}}
  %o = diffc.attention %q, %k, %v : (tensor<2x256x320xf32>, tensor<2x77x64xf32>, tensor<2x77x320xf32>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_lengths(%q: tensor<2x256x320xf32>, %k: tensor<2x77x320xf32>, %v: tensor<2x76x320xf32>) {
  // Test: attention key and value sequence lengths differ.
  // expected-error @+1 {{key and value lengths differ: 77 vs 76}}
  %o = diffc.attention %q, %k, %v : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x76x320xf32>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_zero_heads(%q: tensor<2x256x320xf32>, %k: tensor<2x77x320xf32>) {
  // Test: attention num_heads is zero.
  // expected-error @+1 {{expects positive num_heads, got 0}}
  %o = diffc.attention %q, %k, %k {num_heads = 0 : i64} : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_heads_indivisible(%q: tensor<2x256x320xf32>, %k: tensor<2x77x320xf32>) {
  // Test: attention feature size 320 does not split into 7 heads.
  // expected-error @+1 {{feature size 320 not divisible by num_heads 7}}
  %o = diffc.attention %q, %k, %k {num_heads = 7 : i64} : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_negative_scale(%q: tensor<2x256x320xf32>, %k: tensor<2x77x320xf32>) {
  // Test: attention scale is negative.
  // expected-error @+1 {{expects positive scale, got}}
  %o = diffc.attention %q, %k, %k {num_heads = 8 : i64, scale = -1.0 : f64} : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_mask_element_type(%q: tensor<2x256x320xf32>, %k: tensor<2x77x320xf32>, %m: tensor<2x256x77xf16>) {
  // Test: attention mask is f16 while the query is f32.
  // expected-error @+1 {{expects an i1 mask or one of the query's element type, got 'f16'}}
  %o = diffc.attention %q, %k, %k, %m {num_heads = 8 : i64} : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>, tensor<2x256x77xf16>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_mask_shape(%q: tensor<2x256x320xf32>, %k: tensor<2x77x320xf32>, %m: tensor<1x256x76xi1>) {
  // Test: attention mask key length 76 does not match 77 keys.
  // expected-error @+1 {{mask shape [1, 256, 76] does not broadcast to [2, 256, 77]}}
  %o = diffc.attention %q, %k, %k, %m {num_heads = 8 : i64} : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>, tensor<1x256x76xi1>) -> tensor<2x256x320xf32>
  return
}

// -----

func.func @attention_result_shape(%q: tensor<2x256x320xf32>, %k: tensor<2x77x320xf32>) {
  // Test: attention result takes the key length instead of the query length.
  // expected-error @+1 {{result shape [2, 77, 320] vs expected [2, 256, 320]}}
  %o = diffc.attention %q, %k, %k {num_heads = 8 : i64} : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>) -> tensor<2x77x320xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

func.func @concat_no_inputs() {
  // Test: concat of nothing.
  // expected-error @+1 {{expects at least one input}}
  %c = diffc.concat {dim = 0 : i64} : () -> tensor<4xf32>
  return
}

// -----

func.func @concat_dim_out_of_range(%a: tensor<?x128x14x14xf32>, %b: tensor<?x64x14x14xf32>) {
  // Test: concat dim 4 is out of range for rank-4 inputs.
  // expected-error @+1 {{axis 4 out of range for rank 4}}
  %c = diffc.concat %a, %b {dim = 4 : i64} : (tensor<?x128x14x14xf32>, tensor<?x64x14x14xf32>) -> tensor<?x192x14x14xf32>
  return
}

// -----

func.func @concat_rank_mismatch(%a: tensor<?x128x14x14xf32>, %b: tensor<?x64x14xf32>) {
  // Test: concat second input has a different rank.
  // expected-error @+1 {{input 1 has rank 3 vs 4}}
  %c = diffc.concat %a, %b {dim = 1 : i64} : (tensor<?x128x14x14xf32>, tensor<?x64x14xf32>) -> tensor<?x192x14x14xf32>
  return
}

// -----

func.func @concat_other_dim(%a: tensor<?x128x14x14xf32>, %b: tensor<?x64x7x14xf32>) {
  // Test: concat inputs differ outside the concatenated dimension.
  // expected-error @+1 {{input 1 differs in dimension 2: 7 vs 14}}
  %c = diffc.concat %a, %b {dim = 1 : i64} : (tensor<?x128x14x14xf32>, tensor<?x64x7x14xf32>) -> tensor<?x192x14x14xf32>
  return
}

// -----

func.func @concat_result_shape(%a: tensor<?x128x14x14xf32>, %b: tensor<?x64x14x14xf32>) {
  // Test: concat result channels are not the sum 192.
  // expected-error @+1 {{result shape [?, 128, 14, 14] vs expected [?, 192, 14, 14]}}
  %c = diffc.concat %a, %b {dim = 1 : i64} : (tensor<?x128x14x14xf32>, tensor<?x64x14x14xf32>) -> tensor<?x128x14x14xf32>
  return
}

// -----

func.func @slice_offsets_entries(%x: tensor<4x8xf32>) {
  // Test: slice offsets have one entry for a rank-2 input.
  // expected-error @+1 {{expects offsets with 2 entries, got 1}}
  %y = diffc.slice %x {offsets = array<i64: 0>, sizes = array<i64: 2, 8>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @slice_zero_stride(%x: tensor<4x8xf32>) {
  // Test: slice stride is zero.
  // expected-error @+1 {{expects positive strides, got [0, 1]}}
  %y = diffc.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: 2, 8>, strides = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @slice_negative_offset(%x: tensor<4x8xf32>) {
  // Test: slice offset is negative.
  // expected-error @+1 {{expects non-negative offsets and sizes (or -1) in dimension 0}}
  %y = diffc.slice %x {offsets = array<i64: -1, 0>, sizes = array<i64: 2, 8>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @slice_rest_with_stride(%x: tensor<?x8xf32>) {
  // Test: slice size -1 (the rest of the dimension) with stride 2.
  // expected-error @+1 {{size -1 needs stride 1 in dimension 0}}
  %y = diffc.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: -1, 8>, strides = array<i64: 2, 1>} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @slice_rest_out_of_bounds(%x: tensor<4x8xf32>) {
  // Test: slice size -1 starting at offset 4 of a 4-element dimension.
  // expected-error @+1 {{slice out of bounds in dimension 0: offset 4 of extent 4}}
  %y = diffc.slice %x {offsets = array<i64: 4, 0>, sizes = array<i64: -1, 8>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<0x8xf32>
  return
}

// -----

func.func @slice_out_of_bounds(%x: tensor<4x8xf32>) {
  // Test: slice of 3 elements with stride 2 overruns a 4-element dimension.
  // expected-error @+1 {{slice out of bounds in dimension 0: offset 0, size 3, stride 2 of extent 4}}
  %y = diffc.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: 3, 8>, strides = array<i64: 2, 1>} : (tensor<4x8xf32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @slice_result_shape(%x: tensor<4x4x32x32xf32>) {
  // Test: slice result shape differs from the sizes.
  // expected-error @+1 {{result shape [4, 4, 32, 32] vs expected [2, 4, 32, 32]}}
  %y = diffc.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: 2, 4, 32, 32>, strides = array<i64: 1, 1, 1, 1>} : (tensor<4x4x32x32xf32>) -> tensor<4x4x32x32xf32>
  return
}

// -----

func.func @reshape_two_dynamic(%x: tensor<?x64xf32>) {
  // Test: reshape result has two dynamic dimensions.
  // expected-error @+1 {{expects the same single dynamic dimension on both sides, got [?, 64] vs [?, ?, 8]}}
  %y = diffc.reshape %x : (tensor<?x64xf32>) -> tensor<?x?x8xf32>
  return
}

// -----

func.func @reshape_element_count(%x: tensor<4x8xf32>) {
  // Test: reshape 32 elements into 30.
  // expected-error @+1 {{element counts differ: [4, 8] vs [5, 6]}}
  %y = diffc.reshape %x : (tensor<4x8xf32>) -> tensor<5x6xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<4x8xf32>) {
  // Test: reshape changes the element type.
  // expected-error @+1 {{element types differ: 'f32' vs 'f16'}}
  %y = diffc.reshape %x : (tensor<4x8xf32>) -> tensor<32xf16>
  return
}

// -----

func.func @transpose_entries(%x: tensor<?x64x49xf32>) {
  // Test: transpose permutation has two entries for a rank-3 input.
  // expected-error @+1 {{expects permutation with 3 entries, got 2}}
  %y = diffc.transpose %x {permutation = array<i64: 1, 0>} : (tensor<?x64x49xf32>) -> tensor<64x?x49xf32>
  return
}

// -----

func.func @transpose_repeated(%x: tensor<?x64x49xf32>) {
  // Test: transpose permutation repeats dimension 0.
  // expected-error @+1 {{expects a permutation of [0, 3), got [0, 0, 1]}}
  %y = diffc.transpose %x {permutation = array<i64: 0, 0, 1>} : (tensor<?x64x49xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @transpose_result_shape(%x: tensor<?x64x49xf32>) {
  // Test: transpose result is the unpermuted shape.
  // expected-error @+1 {{result shape [?, 64, 49] vs expected [?, 49, 64]}}
  %y = diffc.transpose %x {permutation = array<i64: 0, 2, 1>} : (tensor<?x64x49xf32>) -> tensor<?x64x49xf32>
  return
}

// -----

func.func @upsample_zero_scale(%x: tensor<?x128x7x7xf32>) {
  // Test: upsample_nearest scale has a zero factor.
  // expected-error @+1 {{expects positive scale, got [0, 2]}}
  %y = diffc.upsample_nearest %x {scale = array<i64: 0, 2>} : (tensor<?x128x7x7xf32>) -> tensor<?x128x0x14xf32>
  return
}

// -----

func.func @upsample_result_shape(%x: tensor<?x128x7x7xf32>) {
  // Test: upsample_nearest result is not the input scaled by 2.
  // expected-error @+1 {{result shape [?, 128, 7, 7] vs expected [?, 128, 14, 14]}}
  %y = diffc.upsample_nearest %x : (tensor<?x128x7x7xf32>) -> tensor<?x128x7x7xf32>
  return
}

// -----

func.func @avg_pool2d_padding(%x: tensor<?x64x28x28xf32>) {
  // Test: avg_pool2d padding is more than half the kernel.
  // expected-error @+1 {{padding 2 must be in [0, kernel / 2] for kernel 2}}
  %y = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 2, 2>} : (tensor<?x64x28x28xf32>) -> tensor<?x64x16x16xf32>
  return
}

// -----

func.func @avg_pool2d_window_too_large(%x: tensor<?x8x1x1xf32>) {
  // Test: avg_pool2d 4x4 window over a 1x1 input padded by 1.
  // expected-error @+1 {{kernel window larger than padded input in spatial dimension 0}}
  %y = diffc.avg_pool2d %x {kernel = array<i64: 4, 4>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x8x1x1xf32>) -> tensor<?x8x1x1xf32>
  return
}

// -----

func.func @avg_pool2d_zero_kernel(%x: tensor<?x64x28x28xf32>) {
  // Test: avg_pool2d kernel has a zero extent.
  // expected-error @+1 {{expects positive kernel, got [0, 2]}}
  %y = diffc.avg_pool2d %x {kernel = array<i64: 0, 2>, stride = array<i64: 2, 2>} : (tensor<?x64x28x28xf32>) -> tensor<?x64x14x14xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Embeddings and quantization
//===----------------------------------------------------------------------===//

func.func @timestep_embedding_rank(%t: tensor<4x2xi64>) {
  // Test: timestep_embedding timesteps are not a vector.
  // expected-error @+1 {{expects timesteps of rank 1, got 2}}
  %e = diffc.timestep_embedding %t {dim = 64 : i64} : (tensor<4x2xi64>) -> tensor<4x64xf32>
  return
}

// -----

func.func @timestep_embedding_small_dim(%t: tensor<?xi64>) {
  // Test: timestep_embedding dim is 1.
  // expected-error @+1 {{expects dim >= 2, got 1}}
  %e = diffc.timestep_embedding %t {dim = 1 : i64} : (tensor<?xi64>) -> tensor<?x1xf32>
  return
}

// -----

func.func @timestep_embedding_max_period(%t: tensor<?xi64>) {
  // Test: timestep_embedding max_period is zero.
  // expected-error @+1 {{expects positive max_period}}
  %e = diffc.timestep_embedding %t {dim = 64 : i64, max_period = 0.0 : f64} : (tensor<?xi64>) -> tensor<?x64xf32>
  return
}

// -----

func.func @timestep_embedding_freq_shift(%t: tensor<?xi64>) {
  // Test: timestep_embedding downscale_freq_shift equals dim / 2.
  // expected-error @+1 {{downscale_freq_shift equals dim / 2, dividing by zero}}
  %e = diffc.timestep_embedding %t {dim = 64 : i64, downscale_freq_shift = 32.0 : f64} : (tensor<?xi64>) -> tensor<?x64xf32>
  return
}

// -----

func.func @timestep_embedding_result_shape(%t: tensor<?xi64>) {
  // Test: timestep_embedding result width is not dim.
  // expected-error @+1 {{result shape [?, 32] vs expected [?, 64]}}
  %e = diffc.timestep_embedding %t {dim = 64 : i64} : (tensor<?xi64>) -> tensor<?x32xf32>
  return
}

// -----

func.func @embedding_table_rank(%table: tensor<11xf32>, %labels: tensor<?xi64>) {
  // Test: embedding table is not rank 2.
  // expected-error @+1 {{expects table of rank 2, got 1}}
  %c = diffc.embedding %table, %labels : (tensor<11xf32>, tensor<?xi64>) -> tensor<?x1xf32>
  return
}

// -----

func.func @embedding_result_shape(%table: tensor<11x256xf32>, %labels: tensor<?xi64>) {
  // Test: embedding result has the vocabulary size instead of the vector size.
  // expected-error @+1 {{result shape [?, 11] vs expected [?, 256]}}
  %c = diffc.embedding %table, %labels : (tensor<11x256xf32>, tensor<?xi64>) -> tensor<?x11xf32>
  return
}

// -----

func.func @vector_quantize_input_rank(%z: tensor<4xf32>, %cb: tensor<512x4xf32>) {
  // Test: vector_quantize input is rank 1.
  // expected-error @+1 {{expects input of rank at least 2, got 1}}
  %zq, %idx = diffc.vector_quantize %z, %cb {axis = 0 : i64} : (tensor<4xf32>, tensor<512x4xf32>) -> (tensor<4xf32>, tensor<i64>)
  return
}

// -----

func.func @vector_quantize_axis(%z: tensor<?x4x8x8xf32>, %cb: tensor<512x4xf32>) {
  // Test: vector_quantize axis -5 is out of range for rank 4.
  // expected-error @+1 {{axis -5 out of range for rank 4}}
  %zq, %idx = diffc.vector_quantize %z, %cb {axis = -5 : i64} : (tensor<?x4x8x8xf32>, tensor<512x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x8x8xi64>)
  return
}

// -----

func.func @vector_quantize_code_size(%z: tensor<?x4x8x8xf32>, %cb: tensor<512x8xf32>) {
  // Test: vector_quantize vectors of 4 against a codebook of 8-vectors.
  // expected-error @+1 {{input vector size 4 vs codebook vector size 8}}
  %zq, %idx = diffc.vector_quantize %z, %cb {axis = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<512x8xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x8x8xi64>)
  return
}

// -----

func.func @vector_quantize_indices_shape(%z: tensor<?x4x8x8xf32>, %cb: tensor<512x4xf32>) {
  // Test: vector_quantize indices keep the quantized axis.
  // expected-error @+1 {{result shape [?, 4, 8, 8] vs expected [?, 8, 8]}}
  %zq, %idx = diffc.vector_quantize %z, %cb {axis = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<512x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xi64>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reductions and losses
//===----------------------------------------------------------------------===//

func.func @reduce_axis(%x: tensor<?x64x7x7xf32>) {
  // Test: reduce dimension 4 is out of range for rank 4.
  // expected-error @+1 {{axis 4 out of range for rank 4}}
  %m = diffc.reduce mean %x {dims = array<i64: 4>} : (tensor<?x64x7x7xf32>) -> tensor<?x64x7xf32>
  return
}

// -----

func.func @reduce_twice(%x: tensor<?x64x7x7xf32>) {
  // Test: reduce names dimension 1 twice (as 1 and -3).
  // expected-error @+1 {{dimension 1 reduced twice}}
  %m = diffc.reduce sum %x {dims = array<i64: 1, -3>} : (tensor<?x64x7x7xf32>) -> tensor<?x7x7xf32>
  return
}

// -----

func.func @reduce_no_dims(%x: tensor<?x64x7x7xf32>) {
  // Test: reduce with an empty dims list.
  // expected-error @+1 {{expects at least one dimension to reduce}}
  %m = diffc.reduce max %x {dims = array<i64>} : (tensor<?x64x7x7xf32>) -> tensor<?x64x7x7xf32>
  return
}

// -----

func.func @reduce_keep_dims_shape(%x: tensor<?x64x7x7xf32>) {
  // Test: reduce result drops dimensions although keep_dims is set.
  // expected-error @+1 {{result shape [?, 64] vs expected [?, 64, 1, 1]}}
  %m = diffc.reduce mean %x {dims = array<i64: 2, 3>, keep_dims = true} : (tensor<?x64x7x7xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @mse_loss_input_types(%a: tensor<64x1x28x28xf32>, %b: tensor<64x1x28x27xf32>) {
  // Test: mse_loss input and target types differ.
  // expected-error @+1 {{expects inputs of one type, got 'tensor<64x1x28x28xf32>' vs 'tensor<64x1x28x27xf32>'}}
  %l = diffc.mse_loss mean %a, %b : (tensor<64x1x28x28xf32>, tensor<64x1x28x27xf32>) -> tensor<f32>
  return
}

// -----

func.func @gaussian_kl_sum_shape(%mu: tensor<8x4x7x7xf32>, %lv: tensor<8x4x7x7xf32>) {
  // Test: gaussian_kl with sum reduction returns a non-scalar.
  // expected-error @+1 {{result shape [8] vs expected []}}
  %kl = diffc.gaussian_kl sum %mu, %lv : (tensor<8x4x7x7xf32>, tensor<8x4x7x7xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @bce_with_logits_loss_element_type(%x: tensor<8x1x6x6xf16>, %y: tensor<8x1x6x6xf16>) {
  // Test: bce_with_logits_loss result element type differs from the inputs'.
  // expected-error @+1 {{element types differ: 'f16' vs 'f32'}}
  %l = diffc.bce_with_logits_loss mean %x, %y : (tensor<8x1x6x6xf16>, tensor<8x1x6x6xf16>) -> tensor<f32>
  return
}

// -----

func.func @bce_with_logits_loss_none_shape(%x: tensor<8x1x6x6xf32>, %y: tensor<8x1x6x6xf32>) {
  // Test: bce_with_logits_loss without reduction returns a scalar.
  // expected-error @+1 {{result shape [] vs expected [8, 1, 6, 6]}}
  %l = diffc.bce_with_logits_loss none %x, %y : (tensor<8x1x6x6xf32>, tensor<8x1x6x6xf32>) -> tensor<f32>
  return
}

// -----

func.func @hinge_loss_mean_shape(%x: tensor<8x1x6x6xf32>) {
  // Test: hinge_loss with mean reduction returns a non-scalar.
  // expected-error @+1 {{result shape [8, 1, 6, 6] vs expected []}}
  %l = diffc.hinge_loss real mean %x : (tensor<8x1x6x6xf32>) -> tensor<8x1x6x6xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.noise_schedule / diffc.timesteps
//===----------------------------------------------------------------------===//

func.func @noise_schedule_zero_timesteps() {
  // Test: noise_schedule num_train_timesteps is zero.
  // expected-error @+1 {{expects positive num_train_timesteps, got 0}}
  %betas, %alphas, %abar = diffc.noise_schedule linear {num_train_timesteps = 0 : i64} : tensor<0xf32>
  return
}

// -----

func.func @noise_schedule_table_length() {
  // Test: noise_schedule tables have 10 entries for 1000 training timesteps.
  // expected-error @+1 {{result shape [10] vs expected [1000]}}
  %betas, %alphas, %abar = diffc.noise_schedule scaled_linear {num_train_timesteps = 1000 : i64} : tensor<10xf32>
  return
}

// -----

func.func @noise_schedule_beta_range() {
  // Test: noise_schedule beta_start is greater than beta_end.
  // expected-error @+1 {{expects 0 < beta_start <= beta_end < 1}}
  %betas, %alphas, %abar = diffc.noise_schedule linear {num_train_timesteps = 1000 : i64, beta_start = 2.0e-02 : f64, beta_end = 1.0e-04 : f64} : tensor<1000xf32>
  return
}

// -----

func.func @noise_schedule_table_types() {
  // Test: noise_schedule tables of different types (AllTypesMatch).
  // expected-error @+1 {{failed to verify that all of {betas, alphas, alphas_cumprod} have same type}}
  %t:3 = "diffc.noise_schedule"() <{beta_schedule = #diffc<beta_schedule linear>, num_train_timesteps = 1000 : i64}> : () -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf64>)
  return
}

// -----

func.func @timesteps_negative_train_timesteps(%n: i64) {
  // Test: timesteps num_train_timesteps is negative.
  // expected-error @+1 {{expects positive num_train_timesteps, got -1}}
  %ts = diffc.timesteps %n leading {num_train_timesteps = -1 : i64} : tensor<?xi64>
  return
}

// -----

func.func @timesteps_offset(%n: i64) {
  // Test: timesteps steps_offset equals num_train_timesteps.
  // expected-error @+1 {{expects steps_offset in [0, num_train_timesteps), got 1000}}
  %ts = diffc.timesteps %n trailing {num_train_timesteps = 1000 : i64, steps_offset = 1000 : i64} : tensor<?xi64>
  return
}

// -----

func.func @timesteps_i32_result(%n: i64) {
  // Test: timesteps result of i32 elements (ODS 1-D i64 tensor constraint).
  // expected-error @+1 {{result #0 must be 1D tensor of 64-bit signless integer values}}
  %ts = diffc.timesteps %n linspace {num_train_timesteps = 1000 : i64} : tensor<?xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.add_noise
//===----------------------------------------------------------------------===//

func.func @add_noise_types(%x0: tensor<64x1x28x28xf32>, %eps: tensor<64x1x28x28xf16>, %abar: tensor<1000xf32>, %t: tensor<64xi64>) {
  // Test: add_noise noise is f16 while the sample is f32.
  // expected-error @+1 {{expects original, noise and result of one type}}
  %xt = diffc.add_noise %x0, %eps, %abar, %t : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf16>, tensor<1000xf32>, tensor<64xi64>) -> tensor<64x1x28x28xf32>
  return
}

// -----

func.func @add_noise_unbatched(%x0: tensor<f32>, %abar: tensor<1000xf32>, %t: tensor<1xi64>) {
  // Test: add_noise sample is rank 0, without a batch dimension.
  // expected-error @+1 {{expects a batched sample of rank at least 1}}
  %xt = diffc.add_noise %x0, %x0, %abar, %t : (tensor<f32>, tensor<f32>, tensor<1000xf32>, tensor<1xi64>) -> tensor<f32>
  return
}

// -----

func.func @add_noise_empty_table(%x0: tensor<64x1x28x28xf32>, %abar: tensor<0xf32>, %t: tensor<64xi64>) {
  // Test: add_noise alphas_cumprod table is empty.
  // expected-error @+1 {{expects a timestep table of at least 1 entries, got 0}}
  %xt = diffc.add_noise %x0, %x0, %abar, %t : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf32>, tensor<0xf32>, tensor<64xi64>) -> tensor<64x1x28x28xf32>
  return
}

// -----

func.func @add_noise_timestep_count(%x0: tensor<64x1x28x28xf32>, %abar: tensor<1000xf32>, %t: tensor<32xi64>) {
  // Test: add_noise has 32 timesteps for a batch of 64.
  // expected-error @+1 {{expects one timestep per batch element, shape [64], got [32]}}
  %xt = diffc.add_noise %x0, %x0, %abar, %t : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf32>, tensor<1000xf32>, tensor<32xi64>) -> tensor<64x1x28x28xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.ddpm_step
//===----------------------------------------------------------------------===//

func.func @ddpm_step_clip_range(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) {
  // Test: ddpm_step clips with a zero clip_sample_range.
  // expected-error @+1 {{expects positive clip_sample_range, got 0}}
  %x1 = diffc.ddpm_step %eps, %x, %x, %abar, %t, %tp prediction epsilon variance fixed_small {clip_sample = true, clip_sample_range = 0.0 : f64} : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddpm_step_threshold_ratio(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) {
  // Test: ddpm_step dynamic_thresholding_ratio is above 1.
  // expected-error @+1 {{expects dynamic_thresholding_ratio in (0, 1]}}
  %x1 = diffc.ddpm_step %eps, %x, %x, %abar, %t, %tp prediction epsilon variance fixed_small {thresholding = true, dynamic_thresholding_ratio = 1.5 : f64} : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddpm_step_clip_and_threshold(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) {
  // Test: ddpm_step asks for both clip_sample and thresholding.
  // expected-error @+1 {{clip_sample and thresholding are mutually exclusive}}
  %x1 = diffc.ddpm_step %eps, %x, %x, %abar, %t, %tp prediction sample variance fixed_large {clip_sample = true, thresholding = true} : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddpm_step_learned_without_channels(%eps: tensor<16xf32>, %x: tensor<16xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) {
  // Test: ddpm_step learned variance on a sample without a channel dimension.
  // expected-error @+1 {{learned variance needs a channel dimension in the sample}}
  %x1 = diffc.ddpm_step %eps, %x, %x, %abar, %t, %tp prediction epsilon variance learned : (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<1000xf32>, i64, i64) -> tensor<16xf32>
  return
}

// -----

func.func @ddpm_step_learned_range_channels(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) {
  // Test: ddpm_step learned_range model output lacks the variance channels.
  // expected-error @+1 {{model output shape [16, 1, 28, 28] vs expected [16, 2, 28, 28]}}
  %x1 = diffc.ddpm_step %eps, %x, %x, %abar, %t, %tp prediction epsilon variance learned_range : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddpm_step_noise_type(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %z: tensor<8x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) {
  // Test: ddpm_step noise has a different batch size than the sample.
  // expected-error @+1 {{expects noise of the sample's type, got 'tensor<8x1x28x28xf32>'}}
  %x1 = diffc.ddpm_step %eps, %x, %z, %abar, %t, %tp prediction epsilon variance fixed_small : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<8x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddpm_step_fixed_large_log(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64) {
  // Test: ddpm_step with fixed_large_log, which is NaN in diffusers.
  // expected-error @+1 {{variance fixed_large_log makes diffusers' DDPMScheduler.step produce NaN}}
  %x1 = diffc.ddpm_step %eps, %x, %x, %abar, %t, %tp prediction epsilon variance fixed_large_log : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddpm_step_empty_table(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<0xf32>, %t: i64, %tp: i64) {
  // Test: ddpm_step alphas_cumprod table is empty.
  // expected-error @+1 {{expects a timestep table of at least 1 entries, got 0}}
  %x1 = diffc.ddpm_step %eps, %x, %x, %abar, %t, %tp prediction epsilon variance fixed_small : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<0xf32>, i64, i64) -> tensor<16x1x28x28xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.ddim_step / diffc.ddim_inverse_step
//===----------------------------------------------------------------------===//

func.func @ddim_step_result_type(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32) {
  // Test: ddim_step result type differs from the sample's.
  // expected-error @+1 {{expects sample and result of one type, got 'tensor<16x1x28x28xf32>' vs 'tensor<16x1x28x28xf64>'}}
  %x1 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta prediction epsilon : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32) -> tensor<16x1x28x28xf64>
  return
}

// -----

func.func @ddim_step_model_element_type(%eps: tensor<16x1x28x28xf16>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32) {
  // Test: ddim_step model output is f16 while the sample is f32.
  // expected-error @+1 {{element types differ: 'f16' vs 'f32'}}
  %x1 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta prediction epsilon : (tensor<16x1x28x28xf16>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddim_step_sample_max_value(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32) {
  // Test: ddim_step thresholds with a zero sample_max_value.
  // expected-error @+1 {{expects positive sample_max_value, got 0}}
  %x1 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta prediction v_prediction {thresholding = true, sample_max_value = 0.0 : f64} : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddim_step_noise_type(%eps: tensor<16x1x28x28xf32>, %x: tensor<16x1x28x28xf32>, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %z: tensor<16x1x28x28xf16>) {
  // Test: ddim_step optional noise is f16 while the sample is f32.
  // expected-error @+1 {{expects noise of the sample's type, got 'tensor<16x1x28x28xf16>'}}
  %x1 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta, %z prediction epsilon : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32, tensor<16x1x28x28xf16>) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @ddim_inverse_step_clip_range(%eps: tensor<1x4x64x64xf32>, %x: tensor<1x4x64x64xf32>, %abar: tensor<1000xf32>, %t: i64, %tn: i64) {
  // Test: ddim_inverse_step clips with a negative clip_sample_range.
  // expected-error @+1 {{expects positive clip_sample_range, got -1}}
  %xn = diffc.ddim_inverse_step %eps, %x, %abar, %t, %tn prediction epsilon {clip_sample = true, clip_sample_range = -1.0 : f64} : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>, tensor<1000xf32>, i64, i64) -> tensor<1x4x64x64xf32>
  return
}

// -----

func.func @ddim_inverse_step_model_shape(%eps: tensor<1x8x64x64xf32>, %x: tensor<1x4x64x64xf32>, %abar: tensor<1000xf32>, %t: i64, %tn: i64) {
  // Test: ddim_inverse_step model output has twice the sample's channels.
  // expected-error @+1 {{model output shape [1, 8, 64, 64] vs expected [1, 4, 64, 64]}}
  %xn = diffc.ddim_inverse_step %eps, %x, %abar, %t, %tn prediction epsilon : (tensor<1x8x64x64xf32>, tensor<1x4x64x64xf32>, tensor<1000xf32>, i64, i64) -> tensor<1x4x64x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Guidance and noise
//===----------------------------------------------------------------------===//

func.func @cfg_combine_types(%u: tensor<2x4x32x32xf32>, %c: tensor<2x4x32x32xf16>, %w: f32) {
  // Test: cfg_combine conditional is f16 while the unconditional is f32 (AllTypesMatch).
  // expected-error @+1 {{failed to verify that all of {unconditional, conditional, result} have same type}}
  %e = "diffc.cfg_combine"(%u, %c, %w) : (tensor<2x4x32x32xf32>, tensor<2x4x32x32xf16>, f32) -> tensor<2x4x32x32xf32>
  return
}

// -----

func.func @classifier_guidance_types(%mu: tensor<16x1x28x28xf32>, %var: tensor<f32>, %g: tensor<8x1x28x28xf32>, %s: f32) {
  // Test: classifier_guidance gradient has a different shape than the mean.
  // expected-error @+1 {{expects mean, gradient and result of one type}}
  %m = diffc.classifier_guidance %mu, %var, %g, %s : (tensor<16x1x28x28xf32>, tensor<f32>, tensor<8x1x28x28xf32>, f32) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @classifier_guidance_variance_element_type(%mu: tensor<16x1x28x28xf32>, %var: tensor<f16>, %s: f32) {
  // Test: classifier_guidance variance is f16 while the mean is f32.
  // expected-error @+1 {{element types differ: 'f32' vs 'f16'}}
  %m = diffc.classifier_guidance %mu, %var, %mu, %s : (tensor<16x1x28x28xf32>, tensor<f16>, tensor<16x1x28x28xf32>, f32) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @classifier_guidance_variance_shape(%mu: tensor<16x1x28x28xf32>, %var: tensor<2x16x1x28x28xf32>, %s: f32) {
  // Test: classifier_guidance variance has more dimensions than the mean.
  // expected-error @+1 {{variance shape [2, 16, 1, 28, 28] does not broadcast to the mean's [16, 1, 28, 28]}}
  %m = diffc.classifier_guidance %mu, %var, %mu, %s : (tensor<16x1x28x28xf32>, tensor<2x16x1x28x28xf32>, tensor<16x1x28x28xf32>, f32) -> tensor<16x1x28x28xf32>
  return
}

// -----

func.func @random_normal_dynamic_sizes(%seed: i64, %off: i64) {
  // Test: random_normal has a dynamic dimension but no dynamic size operand.
  // expected-error @+1 {{expects 1 dynamic sizes for 'tensor<?x1x28x28xf32>', got 0}}
  %z = diffc.random_normal %seed, %off : tensor<?x1x28x28xf32>
  return
}

// -----

func.func @random_integers_dynamic_sizes(%seed: i64, %off: i64, %n: index) {
  // Test: random_integers has a static shape but gets a dynamic size operand.
  // expected-error @+1 {{expects 0 dynamic sizes for 'tensor<8xi64>', got 1}}
  %t = diffc.random_integers %seed, %off [%n] {low = 0 : i64, high = 1000 : i64} : tensor<8xi64>
  return
}

// -----

func.func @random_integers_empty_range(%seed: i64, %off: i64) {
  // Test: random_integers has low == high (an empty range).
  // expected-error @+1 {{expects low < high, got [5, 5)}}
  %t = diffc.random_integers %seed, %off {low = 5 : i64, high = 5 : i64} : tensor<8xi64>
  return
}

// -----

func.func @random_integers_wide_range(%seed: i64, %off: i64) {
  // Test: random_integers range is 2^32 + 1, more than one 32-bit word draws.
  // expected-error @+1 {{expects high - low at most 2^32, got [-1, 4294967296)}}
  %t = diffc.random_integers %seed, %off {low = -1 : i64, high = 4294967296 : i64} : tensor<8xi64>
  return
}

// -----

func.func @random_integers_i32_bounds(%seed: i64, %off: i64) {
  // Test: random_integers bounds exceed the i32 element type.
  // expected-error @+1 {{bounds [0, 2147483649) do not fit the element type i32}}
  %t = diffc.random_integers %seed, %off {low = 0 : i64, high = 2147483649 : i64} : tensor<8xi32>
  return
}

// -----

func.func @random_integers_float(%seed: i64, %off: i64) {
  // Test: random_integers result has a float element type.
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %t = diffc.random_integers %seed, %off {low = 0 : i64, high = 10 : i64} : tensor<8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// diffc.sampler_loop / diffc.yield
//===----------------------------------------------------------------------===//

func.func @sampler_loop_result_types(%ts: tensor<?xi64>, %x: tensor<16x1x28x28xf32>) {
  // Test: sampler_loop result type differs from its iter_args type.
  // expected-error @+1 {{expects results of the iter_args' types}}
  %o = diffc.sampler_loop %ts iter_args(%x : tensor<16x1x28x28xf32>) : tensor<?xi64> -> tensor<16x1x28x28xf16> {
  ^bb0(%i: index, %t: i64, %tn: i64, %xx: tensor<16x1x28x28xf32>):
    diffc.yield %xx : tensor<16x1x28x28xf32>
  }
  return
}

// -----

func.func @sampler_loop_block_arguments(%ts: tensor<?xi64>, %x: tensor<16x1x28x28xf32>) {
  // Test: sampler_loop body lacks the next-timestep argument.
  // expected-error @+1 {{expects body arguments (index, i64, i64, iter_args...), got 3 arguments}}
  %o = diffc.sampler_loop %ts iter_args(%x : tensor<16x1x28x28xf32>) : tensor<?xi64> -> tensor<16x1x28x28xf32> {
  ^bb0(%i: index, %t: i64, %xx: tensor<16x1x28x28xf32>):
    diffc.yield %xx : tensor<16x1x28x28xf32>
  }
  return
}

// -----

func.func @sampler_loop_no_iter_args_block_arguments(%ts: tensor<?xi32>) {
  // Test: sampler_loop without iter_args has a timestep argument of type i32.
  // expected-error @+1 {{expects body arguments (index, i64, i64), got 3 arguments}}
  diffc.sampler_loop %ts : tensor<?xi32> {
  ^bb0(%i: index, %t: i32, %tn: i64):
    diffc.yield
  }
  return
}

// -----

func.func @sampler_loop_terminator(%ts: tensor<?xi64>, %x: tensor<16x1x28x28xf32>) {
  // tensor.empty loads tensor -> affine -> ub, for a parent-free terminator.
  %e = tensor.empty() : tensor<16x1x28x28xf32>
  // Test: sampler_loop body ends in a terminator other than diffc.yield.
  // expected-error @+1 {{expects the body to end in diffc.yield}}
  %o = diffc.sampler_loop %ts iter_args(%x : tensor<16x1x28x28xf32>) : tensor<?xi64> -> tensor<16x1x28x28xf32> {
  ^bb0(%i: index, %t: i64, %tn: i64, %xx: tensor<16x1x28x28xf32>):
    ub.unreachable
  }
  return
}

// -----

func.func @sampler_loop_yield_types(%ts: tensor<?xi64>, %x: tensor<16x1x28x28xf32>) {
  %o = diffc.sampler_loop %ts iter_args(%x : tensor<16x1x28x28xf32>) : tensor<?xi64> -> tensor<16x1x28x28xf32> {
  ^bb0(%i: index, %t: i64, %tn: i64, %xx: tensor<16x1x28x28xf32>):
    %h = diffc.parameter "half" : tensor<16x1x28x28xf16>
    // Test: diffc.yield carries an f16 value for an f32 iter_arg.
    // expected-error @+1 {{'diffc.yield' op yields 1 values that do not match the loop's iter_args types}}
    diffc.yield %h : tensor<16x1x28x28xf16>
  }
  return
}

// -----

func.func @sampler_loop_float_timesteps(%ts: tensor<?xf32>) {
  // Test: sampler_loop over float timesteps (ODS 1-D integer tensor constraint).
  // expected-error @+1 {{operand #0 must be 1D tensor of 32-bit signless integer or 64-bit signless integer values}}
  diffc.sampler_loop %ts : tensor<?xf32> {
  ^bb0(%i: index, %t: i64, %tn: i64):
    diffc.yield
  }
  return
}

// -----

func.func @yield_outside_sampler_loop() {
  // Test: diffc.yield terminates a function instead of a sampler_loop (HasParent).
  // expected-error @+1 {{expects parent op 'diffc.sampler_loop'}}
  diffc.yield
}

// -----

//===----------------------------------------------------------------------===//
// diffc.adam_update / diffc.ema_update
//===----------------------------------------------------------------------===//

func.func @adam_update_beta1(%p: tensor<64x1x3x3xf32>, %step: i64, %lr: f32) {
  // Test: adam_update beta1 is 1.
  // expected-error @+1 {{expects beta1 in [0, 1), got 1}}
  %p1, %m1, %v1 = diffc.adam_update adam %p, %p, %p, %p, %step, %lr {beta1 = 1.0 : f64} : tensor<64x1x3x3xf32>, i64, f32
  return
}

// -----

func.func @adam_update_beta2(%p: tensor<64x1x3x3xf32>, %step: i64, %lr: f32) {
  // Test: adam_update beta2 is negative.
  // expected-error @+1 {{expects beta2 in [0, 1)}}
  %p1, %m1, %v1 = diffc.adam_update adamw %p, %p, %p, %p, %step, %lr {beta2 = -0.5 : f64} : tensor<64x1x3x3xf32>, i64, f32
  return
}

// -----

func.func @adam_update_epsilon(%p: tensor<64x1x3x3xf32>, %step: i64, %lr: f32) {
  // Test: adam_update epsilon is zero.
  // expected-error @+1 {{expects positive epsilon, got 0}}
  %p1, %m1, %v1 = diffc.adam_update adamw %p, %p, %p, %p, %step, %lr {epsilon = 0.0 : f64} : tensor<64x1x3x3xf32>, i64, f32
  return
}

// -----

func.func @adam_update_weight_decay(%p: tensor<64x1x3x3xf32>, %step: i64, %lr: f32) {
  // Test: adam_update weight_decay is negative.
  // expected-error @+1 {{expects non-negative weight_decay}}
  %p1, %m1, %v1 = diffc.adam_update adamw %p, %p, %p, %p, %step, %lr {weight_decay = -1.0e-02 : f64} : tensor<64x1x3x3xf32>, i64, f32
  return
}

// -----

func.func @adam_update_types(%p: tensor<64x1x3x3xf32>, %g: tensor<64x1x3x3xf16>, %step: i64, %lr: f32) {
  // Test: adam_update gradient is f16 while the parameter is f32 (AllTypesMatch).
  // expected-error @+1 {{failed to verify that all of {param, grad, exp_avg, exp_avg_sq, new_param, new_exp_avg, new_exp_avg_sq} have same type}}
  %r:3 = "diffc.adam_update"(%p, %g, %p, %p, %step, %lr) <{optimizer = #diffc<optimizer adamw>}> : (tensor<64x1x3x3xf32>, tensor<64x1x3x3xf16>, tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>, i64, f32) -> (tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>, tensor<64x1x3x3xf32>)
  return
}

// -----

func.func @ema_update_types(%e: tensor<64x1x3x3xf32>, %p: tensor<64x1x3x3xf64>, %d: f32) {
  // Test: ema_update parameter is f64 while the average is f32 (AllTypesMatch).
  // expected-error @+1 {{failed to verify that all of {ema, param, result} have same type}}
  %r = "diffc.ema_update"(%e, %p, %d) : (tensor<64x1x3x3xf32>, tensor<64x1x3x3xf64>, f32) -> tensor<64x1x3x3xf32>
  return
}

// -----

func.func @broadcast_like_element_type(%s: tensor<64x1x1xf32>, %x: tensor<2x64x7x7xf32>) {
  // Test: the result keeps the input's element type.
  // expected-error @+1 {{result element type 'f16' differs from the input's 'f32'}}
  %b = diffc.broadcast_like %s, %x : (tensor<64x1x1xf32>, tensor<2x64x7x7xf32>) -> tensor<2x64x7x7xf16>
  return
}

// -----

func.func @broadcast_like_shape(%s: tensor<3x1x1xf32>, %x: tensor<2x64x7x7xf32>) {
  // Test: 3 channels do not broadcast to 64.
  // expected-error @+1 {{input shape [3, 1, 1] does not broadcast to [2, 64, 7, 7]}}
  %b = diffc.broadcast_like %s, %x : (tensor<3x1x1xf32>, tensor<2x64x7x7xf32>) -> tensor<2x64x7x7xf32>
  return
}

// -----

func.func @broadcast_like_rank(%s: tensor<2x64x7x7xf32>, %x: tensor<64x7x7xf32>) {
  // Test: broadcasting can add dimensions, not drop them.
  // expected-error @+1 {{input shape [2, 64, 7, 7] does not broadcast to [64, 7, 7]}}
  %b = diffc.broadcast_like %s, %x : (tensor<2x64x7x7xf32>, tensor<64x7x7xf32>) -> tensor<64x7x7xf32>
  return
}

// -----

func.func @broadcast_like_result(%s: tensor<64x1x1xf32>, %x: tensor<2x64x7x7xf32>) {
  // Test: the result has the shape of `like`.
  // expected-error @+1 {{result}}
  %b = diffc.broadcast_like %s, %x : (tensor<64x1x1xf32>, tensor<2x64x7x7xf32>) -> tensor<2x64x1x1xf32>
  return
}
