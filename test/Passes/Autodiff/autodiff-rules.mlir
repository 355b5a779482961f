// RUN: diffc-opt %s --split-input-file --diffc-autodiff="function=f wrt=0" | FileCheck %s
// RUN: diffc-opt %s --split-input-file --diffc-autodiff | FileCheck %s --check-prefix=ALL

// The backward IR of the gradient rules of softmax, group_norm and linear
// (dialects/Diffc/Gradients/): each is written in diffc ops, so it goes
// through the forward pass's lowering and fusion.

// softmax: dx = y * (dy - sum(dy * y, axis)), from the forward result.

// CHECK-LABEL: func.func @f_grad(
//  CHECK-SAME:     %[[X:.*]]: tensor<?x5xf32>, %[[R:.*]]: tensor<?x5xf32>)
//       CHECK:   %[[Y:.*]] = diffc.softmax %[[X]] {axis = -1 : i64}
//       CHECK:   diffc.broadcast_like
//       CHECK:   %[[DY:.*]] = diffc.mul %{{.*}}, %[[R]]
//       CHECK:   %[[DYY:.*]] = diffc.mul %[[DY]], %[[Y]]
//       CHECK:   %[[DOT:.*]] = diffc.reduce sum %[[DYY]] {dims = array<i64: 1>, keep_dims = true} : (tensor<?x5xf32>) -> tensor<?x1xf32>
//       CHECK:   %[[DIFF:.*]] = diffc.sub %[[DY]], %[[DOT]] : (tensor<?x5xf32>, tensor<?x1xf32>) -> tensor<?x5xf32>
//       CHECK:   %[[DX:.*]] = diffc.mul %[[Y]], %[[DIFF]]
//       CHECK:   return %{{.*}}, %[[DX]]
func.func @f(%x: tensor<?x5xf32>, %r: tensor<?x5xf32>) -> tensor<f32> {
  %y = diffc.softmax %x {axis = -1 : i64} : tensor<?x5xf32>
  %m = diffc.mul %y, %r : (tensor<?x5xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  %l = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<?x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// group_norm: the statistics are recomputed on the input viewed as
// [N, G, C / G * H * W] (the dynamic batch stays the one dynamic extent),
// dxhat = dy * gamma, and dx = rstd (dxhat - mean(dxhat) - xhat
// mean(dxhat xhat)) is reshaped back.

// CHECK-LABEL: func.func @f_grad(
//  CHECK-SAME:     %[[X:[^:]*]]: tensor<?x4x3x3xf32>, %[[G:[^:]*]]: tensor<4xf32>
//       CHECK:   %[[GC:.*]] = diffc.reshape %[[G]] : (tensor<4xf32>) -> tensor<4x1x1xf32>
//       CHECK:   %[[DXHAT:.*]] = diffc.mul %{{.*}}, %[[GC]] : (tensor<?x4x3x3xf32>, tensor<4x1x1xf32>) -> tensor<?x4x3x3xf32>
//       CHECK:   %[[DXHATG:.*]] = diffc.reshape %[[DXHAT]] : (tensor<?x4x3x3xf32>) -> tensor<?x2x18xf32>
//       CHECK:   %[[XG:.*]] = diffc.reshape %[[X]] : (tensor<?x4x3x3xf32>) -> tensor<?x2x18xf32>
//       CHECK:   %[[MEAN:.*]] = diffc.reduce mean %[[XG]] {dims = array<i64: 2>, keep_dims = true} : (tensor<?x2x18xf32>) -> tensor<?x2x1xf32>
//       CHECK:   %[[RSTD:.*]] = diffc.rsqrt %{{.*}} : tensor<?x2x1xf32>
//       CHECK:   %[[XHAT:.*]] = diffc.mul %{{.*}}, %[[RSTD]]
//       CHECK:   diffc.reduce mean %[[DXHATG]] {dims = array<i64: 2>, keep_dims = true}
//       CHECK:   %[[DXG:.*]] = diffc.mul %[[RSTD]], %{{.*}} : (tensor<?x2x1xf32>, tensor<?x2x18xf32>) -> tensor<?x2x18xf32>
//       CHECK:   %[[DX:.*]] = diffc.reshape %[[DXG]] : (tensor<?x2x18xf32>) -> tensor<?x4x3x3xf32>
//       CHECK:   return %{{.*}}, %[[DX]] : tensor<f32>, tensor<?x4x3x3xf32>
func.func @f(%x: tensor<?x4x3x3xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %r: tensor<?x4x3x3xf32>) -> tensor<f32> {
  %y = diffc.group_norm %x, %g, %b {num_groups = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<?x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x3x3xf32>
  %m = diffc.mul %y, %r : (tensor<?x4x3x3xf32>, tensor<?x4x3x3xf32>) -> tensor<?x4x3x3xf32>
  %l = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<?x4x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// linear over [?, L, in]: dx = dy W, one matmul with the batch folded into
// the rows. dW = dy^T x cannot fold a dynamic batch in front of L into the
// rows (a reshape keeps its dynamic extent), so it is a batched product
// summed over the batch; db sums dy over the leading dimensions. The
// second RUN differentiates the function as marked, in every argument but
// the cotangent.

// CHECK-LABEL: func.func @f_grad(
//  CHECK-SAME:     %[[X:[^:]*]]: tensor<?x8x16xf32>, %[[W:[^:]*]]: tensor<32x16xf32>
//  CHECK-SAME:     -> (tensor<f32>, tensor<?x8x16xf32>)
//       CHECK:   diffc.broadcast_like
//       CHECK:   %[[DY:.*]] = diffc.mul %{{.*}}, %{{.*}} : (tensor<?x8x32xf32>, tensor<?x8x32xf32>) -> tensor<?x8x32xf32>
//       CHECK:   %[[DX:.*]] = diffc.matmul %[[DY]], %[[W]] : (tensor<?x8x32xf32>, tensor<32x16xf32>) -> tensor<?x8x16xf32>
//       CHECK:   return %{{.*}}, %[[DX]]

// ALL-LABEL: func.func @f_grad(
//  ALL-SAME:     %[[X:[^:]*]]: tensor<?x8x16xf32>, %[[W:[^:]*]]: tensor<32x16xf32>
//  ALL-SAME:     -> (tensor<f32>, tensor<?x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>)
//       ALL:   diffc.broadcast_like
//       ALL:   %[[DY:.*]] = diffc.mul %{{.*}}, %{{.*}} : (tensor<?x8x32xf32>, tensor<?x8x32xf32>) -> tensor<?x8x32xf32>
//       ALL:   %[[DX:.*]] = diffc.matmul %[[DY]], %[[W]]
//       ALL:   %[[DYT:.*]] = diffc.transpose %[[DY]] {permutation = array<i64: 0, 2, 1>} : (tensor<?x8x32xf32>) -> tensor<?x32x8xf32>
//       ALL:   %[[DWB:.*]] = diffc.matmul %[[DYT]], %[[X]] : (tensor<?x32x8xf32>, tensor<?x8x16xf32>) -> tensor<?x32x16xf32>
//       ALL:   %[[DW:.*]] = diffc.reduce sum %[[DWB]] {dims = array<i64: 0>} : (tensor<?x32x16xf32>) -> tensor<32x16xf32>
//       ALL:   %[[DBK:.*]] = diffc.reduce sum %[[DY]] {dims = array<i64: 0, 1>, keep_dims = true} : (tensor<?x8x32xf32>) -> tensor<1x1x32xf32>
//       ALL:   %[[DB:.*]] = diffc.reshape %[[DBK]] : (tensor<1x1x32xf32>) -> tensor<32xf32>
//       ALL:   return %{{.*}}, %[[DX]], %[[DW]], %[[DB]]
func.func @f(%x: tensor<?x8x16xf32>, %w: tensor<32x16xf32>, %b: tensor<32xf32>, %r: tensor<?x8x32xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.linear %x, %w, %b : (tensor<?x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x8x32xf32>
  %m = diffc.mul %y, %r : (tensor<?x8x32xf32>, tensor<?x8x32xf32>) -> tensor<?x8x32xf32>
  %l = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<?x8x32xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
