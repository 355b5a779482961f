// RUN: diffc-opt %s --split-input-file --diffc-autodiff --verify-diagnostics

// Located errors of diffc-autodiff.

func.func @no_rule(%table: tensor<11x8xf32>, %labels: tensor<2xi64>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{'diffc.embedding' op has no gradient rule, but the loss of @no_rule depends on it through a differentiated value}}
  %e = diffc.embedding %table, %labels : (tensor<11x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  %l = diffc.reduce sum %e {dims = array<i64: 0, 1>} : (tensor<2x8xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{first result must be the loss, a rank-0 float tensor, to differentiate}}
func.func @not_scalar(%x: tensor<4xf32>) -> tensor<4xf32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{argument #1 is 'tensor<2xi64>', not a float tensor: it has no gradient}}
func.func @integer_argument(%x: tensor<2xf32>, %t: tensor<2xi64>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 1>}} {
  %l = diffc.reduce sum %x {dims = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{has no argument #3 to differentiate}}
func.func @no_such_argument(%x: tensor<2xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 3>}} {
  %l = diffc.reduce sum %x {dims = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{diffc.differentiate: unknown key "with" (expected wrt, parameters)}}
func.func @bad_key(%x: tensor<2xf32>) -> tensor<f32> attributes {diffc.differentiate = {with = array<i64: 0>}} {
  %l = diffc.reduce sum %x {dims = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{diffc.differentiate: parameters must be a bool}}
func.func @bad_flag(%x: tensor<2xf32>) -> tensor<f32> attributes {diffc.differentiate = {parameters = 1 : i64}} {
  %l = diffc.reduce sum %x {dims = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @gelu_exact(%x: tensor<4xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  // expected-error @+1 {{has no gradient rule for approximate = none (erf); use tanh}}
  %g = diffc.gelu none %x : tensor<4xf32>
  %l = diffc.reduce sum %g {dims = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
