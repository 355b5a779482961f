// Gradients of layout and resampling ops: reshape, transpose, concat, slice
// (unit and strided, static and dynamic batch), upsample_nearest and
// avg_pool2d (tiling windows, floor, padding, overlapping windows). Each
// function is marked diffc.differentiate, so `diffc compile` adds
// @<name>_grad; the harness checks the loss and its gradients in float64
// (the last case in float32, through the runtime's kernels) against central
// finite differences of the NumPy reference
// (cases_gradients_data_movement.py, gradcheck.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case grad_reshape --case grad_reshape_dynamic --case grad_transpose --case grad_concat --case grad_concat_dynamic --case grad_concat_batch --case grad_slice --case grad_slice_dynamic --case grad_slice_batch --case grad_slice_strided --case grad_slice_strided_dynamic --case grad_upsample --case grad_upsample_dynamic --case grad_avg_pool --case grad_avg_pool_dynamic --case grad_avg_pool_floor --case grad_avg_pool_padded --case grad_avg_pool_overlap --case grad_avg_pool_overlap_f32 | FileCheck %s
// CHECK-COUNT-42: ok
// CHECK-NOT: FAIL

func.func @reshape(%x: tensor<2x3x4xf64>, %r: tensor<6x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.reshape %x : (tensor<2x3x4xf64>) -> tensor<6x4xf64>
  %m = diffc.mul %y, %r : (tensor<6x4xf64>, tensor<6x4xf64>) -> tensor<6x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<6x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @reshape_dynamic(%x: tensor<?x3x4xf64>, %r: tensor<?x12xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.reshape %x : (tensor<?x3x4xf64>) -> tensor<?x12xf64>
  %m = diffc.mul %y, %r : (tensor<?x12xf64>, tensor<?x12xf64>) -> tensor<?x12xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<?x12xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @transpose(%x: tensor<2x3x4xf64>, %r: tensor<4x2x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf64>) -> tensor<4x2x3xf64>
  %m = diffc.mul %y, %r : (tensor<4x2x3xf64>, tensor<4x2x3xf64>) -> tensor<4x2x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<4x2x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @concat(%a: tensor<2x3x4xf64>, %b: tensor<2x1x4xf64>, %c: tensor<2x2x4xf64>, %r: tensor<2x6x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2>}} {
  %y = diffc.concat %a, %b, %c {dim = 1 : i64} : (tensor<2x3x4xf64>, tensor<2x1x4xf64>, tensor<2x2x4xf64>) -> tensor<2x6x4xf64>
  %m = diffc.mul %y, %r : (tensor<2x6x4xf64>, tensor<2x6x4xf64>) -> tensor<2x6x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x6x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @concat_dynamic(%a: tensor<?x3x4xf64>, %b: tensor<?x2x4xf64>, %r: tensor<?x5x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %y = diffc.concat %a, %b {dim = -2 : i64} : (tensor<?x3x4xf64>, tensor<?x2x4xf64>) -> tensor<?x5x4xf64>
  %m = diffc.mul %y, %r : (tensor<?x5x4xf64>, tensor<?x5x4xf64>) -> tensor<?x5x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<?x5x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @concat_batch(%a: tensor<2x3xf64>, %b: tensor<?x3xf64>, %r: tensor<?x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %y = diffc.concat %a, %b {dim = 0 : i64} : (tensor<2x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  %m = diffc.mul %y, %r : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<?x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @slice(%x: tensor<4x5x6xf64>, %r: tensor<2x5x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.slice %x {offsets = array<i64: 1, 0, 2>, sizes = array<i64: 2, -1, 3>, strides = array<i64: 1, 1, 1>} : (tensor<4x5x6xf64>) -> tensor<2x5x3xf64>
  %m = diffc.mul %y, %r : (tensor<2x5x3xf64>, tensor<2x5x3xf64>) -> tensor<2x5x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<2x5x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @slice_dynamic(%x: tensor<?x6xf64>, %r: tensor<?x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: -1, 4>, strides = array<i64: 1, 1>} : (tensor<?x6xf64>) -> tensor<?x4xf64>
  %m = diffc.mul %y, %r : (tensor<?x4xf64>, tensor<?x4xf64>) -> tensor<?x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<?x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @slice_batch(%x: tensor<?x6xf64>, %r: tensor<2x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.slice %x {offsets = array<i64: 1, 2>, sizes = array<i64: 2, -1>, strides = array<i64: 1, 1>} : (tensor<?x6xf64>) -> tensor<2x4xf64>
  %m = diffc.mul %y, %r : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<2x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @slice_strided(%x: tensor<5x7xf64>, %r: tensor<2x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.slice %x {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 3>, strides = array<i64: 2, 3>} : (tensor<5x7xf64>) -> tensor<2x3xf64>
  %m = diffc.mul %y, %r : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1>} : (tensor<2x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @slice_strided_dynamic(%x: tensor<?x3x8xf64>, %r: tensor<?x1x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.slice %x {offsets = array<i64: 0, 1, 1>, sizes = array<i64: -1, 1, 3>, strides = array<i64: 1, 1, 2>} : (tensor<?x3x8xf64>) -> tensor<?x1x3xf64>
  %m = diffc.mul %y, %r : (tensor<?x1x3xf64>, tensor<?x1x3xf64>) -> tensor<?x1x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2>} : (tensor<?x1x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @upsample(%x: tensor<2x3x2x3xf64>, %r: tensor<2x3x4x9xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.upsample_nearest %x {scale = array<i64: 2, 3>} : (tensor<2x3x2x3xf64>) -> tensor<2x3x4x9xf64>
  %m = diffc.mul %y, %r : (tensor<2x3x4x9xf64>, tensor<2x3x4x9xf64>) -> tensor<2x3x4x9xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x3x4x9xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @upsample_dynamic(%x: tensor<?x2x3x2xf64>, %r: tensor<?x2x6x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.upsample_nearest %x : (tensor<?x2x3x2xf64>) -> tensor<?x2x6x4xf64>
  %m = diffc.mul %y, %r : (tensor<?x2x6x4xf64>, tensor<?x2x6x4xf64>) -> tensor<?x2x6x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<?x2x6x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @avg_pool(%x: tensor<2x2x4x6xf64>, %r: tensor<2x2x2x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<2x2x4x6xf64>) -> tensor<2x2x2x3xf64>
  %m = diffc.mul %y, %r : (tensor<2x2x2x3xf64>, tensor<2x2x2x3xf64>) -> tensor<2x2x2x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<2x2x2x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @avg_pool_dynamic(%x: tensor<?x2x4x4xf64>, %r: tensor<?x2x2x2xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x2x4x4xf64>) -> tensor<?x2x2x2xf64>
  %m = diffc.mul %y, %r : (tensor<?x2x2x2xf64>, tensor<?x2x2x2xf64>) -> tensor<?x2x2x2xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<?x2x2x2xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @avg_pool_floor(%x: tensor<1x2x5x7xf64>, %r: tensor<1x2x2x2xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.avg_pool2d %x {kernel = array<i64: 2, 3>, stride = array<i64: 2, 3>} : (tensor<1x2x5x7xf64>) -> tensor<1x2x2x2xf64>
  %m = diffc.mul %y, %r : (tensor<1x2x2x2xf64>, tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<1x2x2x2xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @avg_pool_padded(%x: tensor<1x1x5x6xf64>, %r: tensor<1x1x3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x1x5x6xf64>) -> tensor<1x1x3x4xf64>
  %m = diffc.mul %y, %r : (tensor<1x1x3x4xf64>, tensor<1x1x3x4xf64>) -> tensor<1x1x3x4xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<1x1x3x4xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @avg_pool_overlap(%x: tensor<?x2x5x5xf64>, %r: tensor<?x2x3x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x2x5x5xf64>) -> tensor<?x2x3x3xf64>
  %m = diffc.mul %y, %r : (tensor<?x2x3x3xf64>, tensor<?x2x3x3xf64>) -> tensor<?x2x3x3xf64>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<?x2x3x3xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @avg_pool_overlap_f32(%x: tensor<?x2x5x5xf32>, %r: tensor<?x2x3x3xf32>) -> tensor<f32> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %y = diffc.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x2x5x5xf32>) -> tensor<?x2x3x3xf32>
  %m = diffc.mul %y, %r : (tensor<?x2x3x3xf32>, tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32>
  %loss = diffc.reduce sum %m {dims = array<i64: 0, 1, 2, 3>} : (tensor<?x2x3x3xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
