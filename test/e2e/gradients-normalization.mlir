// Gradients of group_norm (static, dynamic batch, rank 3), layer_norm and
// softmax: each function is marked diffc.differentiate, so `diffc compile`
// adds @<name>_grad; the harness checks the loss and its gradients in
// float64 against central finite differences of the NumPy reference
// (cases_gradients_normalization.py, gradcheck.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case grad_group_norm --case grad_group_norm_dynamic --case grad_group_norm_rank3 --case grad_layer_norm --case grad_layer_norm_dynamic --case grad_softmax --case grad_softmax_axis1 --case grad_softmax_dynamic | FileCheck %s
// CHECK-COUNT-26: ok
// CHECK-NOT: FAIL

func.func @group_norm(%x: tensor<2x4x3x3xf64>, %g: tensor<4xf64>, %b: tensor<4xf64>, %r: tensor<2x4x3x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.group_norm %x, %g, %b {num_groups = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x4x3x3xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<2x4x3x3xf64>
  %m = diffc.mul %y, %r : (tensor<2x4x3x3xf64>, tensor<2x4x3x3xf64>) -> tensor<2x4x3x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x4x3x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @group_norm_dynamic(%x: tensor<?x6x2x2xf64>, %g: tensor<6xf64>, %b: tensor<6xf64>, %r: tensor<?x6x2x2xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.group_norm %x, %g, %b {num_groups = 3 : i64, epsilon = 1.0e-06 : f64} : (tensor<?x6x2x2xf64>, tensor<6xf64>, tensor<6xf64>) -> tensor<?x6x2x2xf64>
  %m = diffc.mul %y, %r : (tensor<?x6x2x2xf64>, tensor<?x6x2x2xf64>) -> tensor<?x6x2x2xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<?x6x2x2xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @group_norm_rank3(%x: tensor<2x4x5xf64>, %g: tensor<4xf64>, %b: tensor<4xf64>, %r: tensor<2x4x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.group_norm %x, %g, %b {num_groups = 4 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x4x5xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<2x4x5xf64>
  %m = diffc.mul %y, %r : (tensor<2x4x5xf64>, tensor<2x4x5xf64>) -> tensor<2x4x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x4x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @layer_norm(%x: tensor<2x3x5xf64>, %g: tensor<5xf64>, %b: tensor<5xf64>, %r: tensor<2x3x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64} : (tensor<2x3x5xf64>, tensor<5xf64>, tensor<5xf64>) -> tensor<2x3x5xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x5xf64>, tensor<2x3x5xf64>) -> tensor<2x3x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x3x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @layer_norm_dynamic(%x: tensor<?x6xf64>, %g: tensor<6xf64>, %b: tensor<6xf64>, %r: tensor<?x6xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64} : (tensor<?x6xf64>, tensor<6xf64>, tensor<6xf64>) -> tensor<?x6xf64>
  %m = diffc.mul %y, %r : (tensor<?x6xf64>, tensor<?x6xf64>) -> tensor<?x6xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<?x6xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @softmax(%x: tensor<3x5xf64>, %r: tensor<3x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.softmax %x {axis = -1 : i64} : tensor<3x5xf64>
  %m = diffc.mul %y, %r : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<3x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @softmax_axis1(%x: tensor<2x4x3xf64>, %r: tensor<2x4x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.softmax %x {axis = 1 : i64} : tensor<2x4x3xf64>
  %m = diffc.mul %y, %r : (tensor<2x4x3xf64>, tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x4x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @softmax_dynamic(%x: tensor<?x5xf64>, %r: tensor<?x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.softmax %x {axis = 1 : i64} : tensor<?x5xf64>
  %m = diffc.mul %y, %r : (tensor<?x5xf64>, tensor<?x5xf64>) -> tensor<?x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<?x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}
