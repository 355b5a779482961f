// RUN: diffc-opt %s --split-input-file --diffc-autodiff="function=loss wrt=0 parameters=true" | FileCheck %s

// The backward pass follows the forward one in the clone: d loss = 1, the
// mean spreads it over the elements, silu's rule recomputes the sigmoid, and
// a value used twice (%x) gets the sum of both contributions. The parameter's
// gradient is summed back over the broadcast batch dimension.

// CHECK-LABEL: func.func @loss_grad(
//  CHECK-SAME:     %[[X:.*]]: tensor<?x4xf32>) -> (tensor<f32>, tensor<?x4xf32>, tensor<4xf32>)
//  CHECK-SAME:     attributes {diffc.gradient_parameters = ["w"]}
//       CHECK:   %[[W:.*]] = diffc.parameter "w"
//       CHECK:   %[[XW:.*]] = diffc.mul %[[X]], %[[W]]
//       CHECK:   %[[S:.*]] = diffc.silu %[[XW]]
//       CHECK:   %[[Y:.*]] = diffc.mul %[[S]], %[[X]]
//       CHECK:   %[[L:.*]] = diffc.reduce mean %[[Y]]
//       CHECK:   %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
//       CHECK:   %[[SPREAD:.*]] = diffc.broadcast_like %{{.*}}, %[[Y]]
//       CHECK:   tensor.dim %[[Y]]
//       CHECK:   %[[DY:.*]] = diffc.div %[[SPREAD]], %{{.*}} : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
//       CHECK:   %[[DS:.*]] = diffc.mul %[[DY]], %[[X]]
//       CHECK:   %[[DX1:.*]] = diffc.mul %[[DY]], %[[S]]
//       CHECK:   diffc.sigmoid %[[XW]]
//       CHECK:   %[[DXW:.*]] = diffc.mul %[[DS]], %{{.*}} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
//       CHECK:   %[[DX2:.*]] = diffc.mul %[[DXW]], %[[W]]
//       CHECK:   %[[DWB:.*]] = diffc.mul %[[DXW]], %[[X]]
//       CHECK:   %[[DWS:.*]] = diffc.reduce sum %[[DWB]] {dims = array<i64: 0>, keep_dims = true} : (tensor<?x4xf32>) -> tensor<1x4xf32>
//       CHECK:   %[[DW:.*]] = diffc.reshape %[[DWS]] : (tensor<1x4xf32>) -> tensor<4xf32>
//       CHECK:   %[[DX:.*]] = diffc.add %[[DX1]], %[[DX2]]
//       CHECK:   return %[[L]], %[[DX]], %[[DW]]
func.func @loss(%x: tensor<?x4xf32>) -> tensor<f32> {
  %w = diffc.parameter "w" : tensor<4xf32>
  %0 = diffc.mul %x, %w : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %1 = diffc.silu %0 : tensor<?x4xf32>
  %2 = diffc.mul %1, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %3 = diffc.reduce mean %2 {dims = array<i64: 0, 1>} : (tensor<?x4xf32>) -> tensor<f32>
  return %3 : tensor<f32>
}

// -----

// Only ops between a differentiated value and the loss are differentiated:
// the timestep embedding of the integer timesteps gets no backward ops, and
// an argument the loss does not depend on gets zeros.

// CHECK-LABEL: func.func @loss_grad(
//  CHECK-SAME:     %[[X:.*]]: tensor<2x8xf32>, %[[T:.*]]: tensor<2xi64>
//       CHECK:   diffc.timestep_embedding
//   CHECK-NOT:   diffc.timestep_embedding
//       CHECK:   return
func.func @loss(%x: tensor<2x8xf32>, %t: tensor<2xi64>) -> tensor<f32> {
  %e = diffc.timestep_embedding %t {dim = 8 : i64} : (tensor<2xi64>) -> tensor<2x8xf32>
  %0 = diffc.add %x, %e : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = diffc.mse_loss mean %0, %e : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}
