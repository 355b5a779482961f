// RUN: diffc-opt %s --diffc-autodiff | FileCheck %s --check-prefix=ATTR

// Without options the pass differentiates every function marked
// diffc.differentiate (what `diffc compile` runs first) and drops the mark.
// An argument the loss does not depend on gets zeros.

// ATTR-LABEL: func.func @marked(
//   ATTR-NOT:   diffc.differentiate
// ATTR-LABEL: func.func @marked_grad(
//  ATTR-SAME:     %{{.*}}: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
//       ATTR:   %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
//       ATTR:   %[[ZY:.*]] = diffc.broadcast_like %[[Z]], %[[Y]] : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
//       ATTR:   return %{{.*}}, %[[ZY]]
func.func @marked(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 1>}} {
  %0 = diffc.reduce sum %x {dims = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
