// Gradients of linear (rank 1, 2, 3; static and dynamic batch), matmul
// (broadcast batch dimensions, dynamic batch) and conv2d (padding, stride,
// groups, dilation, dynamic batch). Each function is marked
// diffc.differentiate, so `diffc compile` adds @<name>_grad; the harness
// checks the loss and its gradients in float64 against central finite
// differences of the NumPy reference (cases_gradients_contraction.py,
// gradcheck.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case grad_linear --case grad_linear_vector --case grad_linear_rank3 --case grad_linear_dynamic --case grad_linear_rank3_dynamic --case grad_matmul --case grad_matmul_broadcast_lhs --case grad_matmul_broadcast_both --case grad_matmul_dynamic --case grad_conv --case grad_conv_stride2 --case grad_conv_groups --case grad_conv_dynamic | FileCheck %s
// CHECK-COUNT-46: ok
// CHECK-NOT: FAIL

func.func @linear(%x: tensor<3x4xf64>, %w: tensor<5x4xf64>, %b: tensor<5xf64>, %r: tensor<3x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.linear %x, %w, %b : (tensor<3x4xf64>, tensor<5x4xf64>, tensor<5xf64>) -> tensor<3x5xf64>
  %m = diffc.mul %y, %r : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<3x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @linear_vector(%x: tensor<4xf64>, %w: tensor<3x4xf64>, %r: tensor<3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %y = diffc.linear %x, %w : (tensor<4xf64>, tensor<3x4xf64>) -> tensor<3xf64>
  %m = diffc.mul %y, %r : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0>} : (tensor<3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @linear_rank3(%x: tensor<2x3x4xf64>, %w: tensor<5x4xf64>, %b: tensor<5xf64>, %r: tensor<2x3x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.linear %x, %w, %b : (tensor<2x3x4xf64>, tensor<5x4xf64>, tensor<5xf64>) -> tensor<2x3x5xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x5xf64>, tensor<2x3x5xf64>) -> tensor<2x3x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x3x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @linear_dynamic(%x: tensor<?x4xf64>, %w: tensor<3x4xf64>, %b: tensor<3xf64>, %r: tensor<?x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.linear %x, %w, %b : (tensor<?x4xf64>, tensor<3x4xf64>, tensor<3xf64>) -> tensor<?x3xf64>
  %m = diffc.mul %y, %r : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<?x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @linear_rank3_dynamic(%x: tensor<?x3x4xf64>, %w: tensor<2x4xf64>, %b: tensor<2xf64>, %r: tensor<?x3x2xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.linear %x, %w, %b : (tensor<?x3x4xf64>, tensor<2x4xf64>, tensor<2xf64>) -> tensor<?x3x2xf64>
  %m = diffc.mul %y, %r : (tensor<?x3x2xf64>, tensor<?x3x2xf64>) -> tensor<?x3x2xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<?x3x2xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @matmul(%a: tensor<2x3x4xf64>, %b: tensor<4x5xf64>, %r: tensor<2x3x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %y = diffc.matmul %a, %b : (tensor<2x3x4xf64>, tensor<4x5xf64>) -> tensor<2x3x5xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x5xf64>, tensor<2x3x5xf64>) -> tensor<2x3x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x3x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @matmul_broadcast_lhs(%a: tensor<3x4xf64>, %b: tensor<2x4x5xf64>, %r: tensor<2x3x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %y = diffc.matmul %a, %b : (tensor<3x4xf64>, tensor<2x4x5xf64>) -> tensor<2x3x5xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x5xf64>, tensor<2x3x5xf64>) -> tensor<2x3x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x3x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @matmul_broadcast_both(%a: tensor<2x1x3x4xf64>, %b: tensor<3x4x2xf64>, %r: tensor<2x3x3x2xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %y = diffc.matmul %a, %b : (tensor<2x1x3x4xf64>, tensor<3x4x2xf64>) -> tensor<2x3x3x2xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x3x2xf64>, tensor<2x3x3x2xf64>) -> tensor<2x3x3x2xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x3x3x2xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @matmul_dynamic(%a: tensor<?x3x4xf64>, %b: tensor<?x4x2xf64>, %r: tensor<?x3x2xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %y = diffc.matmul %a, %b : (tensor<?x3x4xf64>, tensor<?x4x2xf64>) -> tensor<?x3x2xf64>
  %m = diffc.mul %y, %r : (tensor<?x3x2xf64>, tensor<?x3x2xf64>) -> tensor<?x3x2xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<?x3x2xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @conv(%x: tensor<2x3x5x5xf64>, %w: tensor<4x3x3x3xf64>, %b: tensor<4xf64>, %r: tensor<2x4x5x5xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<2x3x5x5xf64>, tensor<4x3x3x3xf64>, tensor<4xf64>) -> tensor<2x4x5x5xf64>
  %m = diffc.mul %y, %r : (tensor<2x4x5x5xf64>, tensor<2x4x5x5xf64>) -> tensor<2x4x5x5xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x4x5x5xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @conv_stride2(%x: tensor<1x2x6x5xf64>, %w: tensor<3x2x3x3xf64>, %r: tensor<1x3x3x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %y = diffc.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x2x6x5xf64>, tensor<3x2x3x3xf64>) -> tensor<1x3x3x3xf64>
  %m = diffc.mul %y, %r : (tensor<1x3x3x3xf64>, tensor<1x3x3x3xf64>) -> tensor<1x3x3x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<1x3x3x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @conv_groups(%x: tensor<2x4x4x4xf64>, %w: tensor<4x2x3x3xf64>, %b: tensor<4xf64>, %r: tensor<2x4x2x2xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.conv2d %x, %w, %b {groups = 2 : i64} : (tensor<2x4x4x4xf64>, tensor<4x2x3x3xf64>, tensor<4xf64>) -> tensor<2x4x2x2xf64>
  %m = diffc.mul %y, %r : (tensor<2x4x2x2xf64>, tensor<2x4x2x2xf64>) -> tensor<2x4x2x2xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x4x2x2xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @conv_dynamic(%x: tensor<?x2x4x4xf64>, %w: tensor<3x2x3x3xf64>, %b: tensor<3xf64>, %r: tensor<?x3x4x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.conv2d %x, %w, %b {padding = array<i64: 2, 2>, dilation = array<i64: 2, 2>} : (tensor<?x2x4x4xf64>, tensor<3x2x3x3xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %m = diffc.mul %y, %r : (tensor<?x3x4x4xf64>, tensor<?x3x4x4xf64>) -> tensor<?x3x4x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<?x3x4x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}
