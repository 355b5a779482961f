// RUN: diffc-opt %s --split-input-file --diffc-autodiff --verify-diagnostics

// Located errors of the gradient rules (dialects/Diffc/Gradients/): forms
// of an op that the forward lowering accepts but whose rule cannot be
// written in diffc ops.

// Test: two pieces with dynamic extents along the concatenated dimension;
// the first one's slice of the gradient has no static size.
func.func @concat_two_dynamic(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{'diffc.concat' op has no gradient rule for a dynamic extent along the concatenated dimension 0 except in the last input; input #0 is 'tensor<?x3xf32>'}}
  %c = diffc.concat %a, %b {dim = 0 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %l = diffc.reduce sum %c {dims = array<i64: 0, 1>} : (tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Test: group_norm over dynamic spatial extents ([N, G, ?] is not a
// reshape of [N, C, ?, ?]).
func.func @group_norm_dynamic_spatial(%x: tensor<2x4x?x?xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{'diffc.group_norm' op has a gradient rule only for static channel and spatial extents (a dynamic batch is fine), got 'tensor<2x4x?x?xf32>'}}
  %y = diffc.group_norm %x, %g, %b {num_groups = 2 : i64} : (tensor<2x4x?x?xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x?x?xf32>
  %l = diffc.reduce sum %y {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x4x?x?xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Test: upsample_nearest over a dynamic height.
func.func @upsample_dynamic_spatial(%x: tensor<2x4x?x3xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{'diffc.upsample_nearest' op has a gradient rule only for static spatial extents and at most one dynamic extent, got 'tensor<2x4x?x3xf32>'}}
  %y = diffc.upsample_nearest %x : (tensor<2x4x?x3xf32>) -> tensor<2x4x?x6xf32>
  %l = diffc.reduce sum %y {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x4x?x6xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Test: a strided slice of a tensor with two dynamic extents (the zero
// interleaving reshapes keep only one).
func.func @slice_strided_two_dynamic(%x: tensor<?x?x8xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{'diffc.slice' op has no gradient rule for a strided slice of a tensor with more than one dynamic extent: 'tensor<?x?x8xf32>'}}
  %y = diffc.slice %x {offsets = array<i64: 0, 0, 1>, sizes = array<i64: -1, -1, 3>, strides = array<i64: 1, 1, 2>} : (tensor<?x?x8xf32>) -> tensor<?x?x3xf32>
  %l = diffc.reduce sum %y {dims = array<i64: 0, 1, 2>} : (tensor<?x?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Test: avg_pool2d over dynamic spatial extents.
func.func @avg_pool_dynamic_spatial(%x: tensor<2x4x?x?xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{'diffc.avg_pool2d' op has a gradient rule only for static channel and spatial extents, got 'tensor<2x4x?x?xf32>'}}
  %y = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<2x4x?x?xf32>) -> tensor<2x4x?x?xf32>
  %l = diffc.reduce sum %y {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x4x?x?xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Test: attention with a dynamic sequence length besides the dynamic batch
// (splitting the heads out is a reshape with one dynamic extent).
func.func @attention_two_dynamic(%q: tensor<?x?x4xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{'diffc.attention' op has a gradient rule only for static feature extents and at most one dynamic extent per operand, got 'tensor<?x?x4xf32>'}}
  %y = diffc.attention %q, %q, %q {num_heads = 2 : i64} : (tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  %l = diffc.reduce sum %y {dims = array<i64: 0, 1, 2>} : (tensor<?x?x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Test: conv2d over dynamic spatial extents: the backward convolutions
// place the gradient by static offsets.
func.func @conv_dynamic_spatial(%x: tensor<2x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{'diffc.conv2d' op has a gradient rule only for static extents except the batch, got input 'tensor<2x3x?x?xf32>', weight 'tensor<4x3x3x3xf32>', output 'tensor<2x4x?x?xf32>'}}
  %y = diffc.conv2d %x, %w : (tensor<2x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x?x?xf32>
  %l = diffc.reduce sum %y {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x4x?x?xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
