// Gradients of multi-head attention: self and cross attention, an explicit
// scale, a float mask (differentiated, also broadcast over the batch), an
// i1 mask, and a dynamic batch. Each function is marked
// diffc.differentiate, so `diffc compile` adds @<name>_grad; the harness
// checks the loss and its gradients in float64 against central finite
// differences of the NumPy reference (cases_gradients_attention.py,
// gradcheck.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case grad_attention --case grad_attention_cross --case grad_attention_float_mask --case grad_attention_bool_mask --case grad_attention_dynamic --case grad_attention_dynamic_float_mask | FileCheck %s
// CHECK-COUNT-26: ok
// CHECK-NOT: FAIL

func.func @attention(%q: tensor<2x3x4xf64>, %k: tensor<2x3x4xf64>, %v: tensor<2x3x4xf64>, %r: tensor<2x3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.attention %q, %k, %v {num_heads = 2 : i64} : (tensor<2x3x4xf64>, tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @attention_cross(%q: tensor<2x3x4xf64>, %k: tensor<2x5x4xf64>, %v: tensor<2x5x6xf64>, %r: tensor<2x3x6xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.attention %q, %k, %v {num_heads = 2 : i64, scale = 3.000000e-01 : f64} : (tensor<2x3x4xf64>, tensor<2x5x4xf64>, tensor<2x5x6xf64>) -> tensor<2x3x6xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x6xf64>, tensor<2x3x6xf64>) -> tensor<2x3x6xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x3x6xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @attention_float_mask(%q: tensor<2x3x4xf64>, %k: tensor<2x5x4xf64>, %v: tensor<2x5x4xf64>, %mask: tensor<2x1x5xf64>, %r: tensor<2x3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2, 3>}} {
  %y = diffc.attention %q, %k, %v, %mask {num_heads = 2 : i64} : (tensor<2x3x4xf64>, tensor<2x5x4xf64>, tensor<2x5x4xf64>, tensor<2x1x5xf64>) -> tensor<2x3x4xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @attention_bool_mask(%q: tensor<2x3x4xf64>, %k: tensor<2x5x4xf64>, %v: tensor<2x5x4xf64>, %mask: tensor<2x3x5xi1>, %r: tensor<2x3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.attention %q, %k, %v, %mask {num_heads = 2 : i64} : (tensor<2x3x4xf64>, tensor<2x5x4xf64>, tensor<2x5x4xf64>, tensor<2x3x5xi1>) -> tensor<2x3x4xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @attention_dynamic(%q: tensor<?x3x4xf64>, %k: tensor<?x5x4xf64>, %v: tensor<?x5x6xf64>, %mask: tensor<?x1x5xi1>, %r: tensor<?x3x6xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.attention %q, %k, %v, %mask {num_heads = 2 : i64} : (tensor<?x3x4xf64>, tensor<?x5x4xf64>, tensor<?x5x6xf64>, tensor<?x1x5xi1>) -> tensor<?x3x6xf64>
  %m = diffc.mul %y, %r : (tensor<?x3x6xf64>, tensor<?x3x6xf64>) -> tensor<?x3x6xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<?x3x6xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @attention_dynamic_float_mask(%q: tensor<?x3x4xf64>, %k: tensor<?x4x4xf64>, %v: tensor<?x4x4xf64>, %mask: tensor<1x3x4xf64>, %r: tensor<?x3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2, 3>}} {
  %y = diffc.attention %q, %k, %v, %mask {num_heads = 1 : i64} : (tensor<?x3x4xf64>, tensor<?x4x4xf64>, tensor<?x4x4xf64>, tensor<1x3x4xf64>) -> tensor<?x3x4xf64>
  %m = diffc.mul %y, %r : (tensor<?x3x4xf64>, tensor<?x3x4xf64>) -> tensor<?x3x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<?x3x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}
