// concat, slice, reshape, transpose, upsample_nearest and avg_pool2d compiled
// for x86-64 and run through diffc-run, against NumPy (harness.py,
// cases_data_movement.py, reference.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case concat_channels_silu --case concat_last_three --case slice_strided_rest --case slice_cfg_halves --case reshape_regroup --case reshape_mixed --case reshape_batch_moves --case transpose_dims --case upsample_nearest_2x --case upsample_nearest_3x1 --case avg_pool_2x2 --case avg_pool_padded --case avg_pool_f16 | FileCheck %s
// CHECK-COUNT-20: ok
// CHECK-NOT: FAIL

// A computed input (the SiLU) and a function argument, with a dynamic batch.
func.func @concat_channels_silu(%a: tensor<?x3x5x7xf32>, %b: tensor<?x4x5x7xf32>) -> tensor<?x7x5x7xf32> {
  %s = diffc.silu %a : tensor<?x3x5x7xf32>
  %0 = diffc.concat %s, %b {dim = 1 : i64} : (tensor<?x3x5x7xf32>, tensor<?x4x5x7xf32>) -> tensor<?x7x5x7xf32>
  return %0 : tensor<?x7x5x7xf32>
}

func.func @concat_last_three(%a: tensor<2x3x1xf32>, %b: tensor<2x3x4xf32>, %c: tensor<2x3x2xf32>) -> tensor<2x3x7xf32> {
  %0 = diffc.concat %a, %b, %c {dim = -1 : i64} : (tensor<2x3x1xf32>, tensor<2x3x4xf32>, tensor<2x3x2xf32>) -> tensor<2x3x7xf32>
  return %0 : tensor<2x3x7xf32>
}

func.func @slice_strided_rest(%x: tensor<?x6x5x7xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x2x5x2xf32>) {
  %0 = diffc.slice %x {offsets = array<i64: 0, 1, 1, 0>, sizes = array<i64: -1, 3, 4, 4>, strides = array<i64: 1, 2, 1, 2>} : (tensor<?x6x5x7xf32>) -> tensor<?x3x4x4xf32>
  %1 = diffc.slice %x {offsets = array<i64: 1, 4, 0, 5>, sizes = array<i64: -1, -1, -1, -1>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x6x5x7xf32>) -> tensor<?x2x5x2xf32>
  return %0, %1 : tensor<?x3x4x4xf32>, tensor<?x2x5x2xf32>
}

// Classifier-free guidance splits a doubled batch.
func.func @slice_cfg_halves(%x: tensor<4x3x5x5xf32>) -> (tensor<2x3x5x5xf32>, tensor<2x3x5x5xf32>) {
  %u = diffc.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: 2, 3, 5, 5>, strides = array<i64: 1, 1, 1, 1>} : (tensor<4x3x5x5xf32>) -> tensor<2x3x5x5xf32>
  %c = diffc.slice %x {offsets = array<i64: 2, 0, 0, 0>, sizes = array<i64: 2, 3, 5, 5>, strides = array<i64: 1, 1, 1, 1>} : (tensor<4x3x5x5xf32>) -> tensor<2x3x5x5xf32>
  return %u, %c : tensor<2x3x5x5xf32>, tensor<2x3x5x5xf32>
}

// Pure regroupings: collapse, expand, and both with unit dimensions.
func.func @reshape_regroup(%x: tensor<?x6x5x7xf32>) -> (tensor<?x6x35xf32>, tensor<?x2x3x5x7xf32>, tensor<?x210x1xf32>) {
  %0 = diffc.reshape %x : (tensor<?x6x5x7xf32>) -> tensor<?x6x35xf32>
  %1 = diffc.reshape %x : (tensor<?x6x5x7xf32>) -> tensor<?x2x3x5x7xf32>
  %e = diffc.exp %x : tensor<?x6x5x7xf32>
  %2 = diffc.reshape %e : (tensor<?x6x5x7xf32>) -> tensor<?x210x1xf32>
  return %0, %1, %2 : tensor<?x6x35xf32>, tensor<?x2x3x5x7xf32>, tensor<?x210x1xf32>
}

// Neither a collapse nor an expansion: through ?x24 and 30.
func.func @reshape_mixed(%x: tensor<?x6x4xf32>, %y: tensor<5x6xf32>) -> (tensor<?x4x6xf32>, tensor<2x15xf32>) {
  %0 = diffc.reshape %x : (tensor<?x6x4xf32>) -> tensor<?x4x6xf32>
  %1 = diffc.reshape %y : (tensor<5x6xf32>) -> tensor<2x15xf32>
  return %0, %1 : tensor<?x4x6xf32>, tensor<2x15xf32>
}

// The dynamic extent changes position: [6, N] -> [N, 6] (row-major).
func.func @reshape_batch_moves(%x: tensor<6x?xf32>) -> tensor<?x6xf32> {
  %0 = diffc.reshape %x : (tensor<6x?xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

func.func @transpose_dims(%x: tensor<?x5x7xf32>, %y: tensor<2x3x5x7xf32>) -> (tensor<?x7x5xf32>, tensor<2x5x7x3xf32>) {
  %0 = diffc.transpose %x {permutation = array<i64: 0, 2, 1>} : (tensor<?x5x7xf32>) -> tensor<?x7x5xf32>
  %1 = diffc.transpose %y {permutation = array<i64: 0, 2, 3, 1>} : (tensor<2x3x5x7xf32>) -> tensor<2x5x7x3xf32>
  return %0, %1 : tensor<?x7x5xf32>, tensor<2x5x7x3xf32>
}

func.func @upsample_nearest_2x(%x: tensor<?x3x5x7xf32>) -> tensor<?x3x10x14xf32> {
  %0 = diffc.upsample_nearest %x {scale = array<i64: 2, 2>} : (tensor<?x3x5x7xf32>) -> tensor<?x3x10x14xf32>
  return %0 : tensor<?x3x10x14xf32>
}

func.func @upsample_nearest_3x1(%x: tensor<2x2x3x4xf32>) -> tensor<2x2x9x4xf32> {
  %0 = diffc.upsample_nearest %x {scale = array<i64: 3, 1>} : (tensor<2x2x3x4xf32>) -> tensor<2x2x9x4xf32>
  return %0 : tensor<2x2x9x4xf32>
}

func.func @avg_pool_2x2(%x: tensor<?x3x7x9xf32>) -> tensor<?x3x3x4xf32> {
  %0 = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x3x7x9xf32>) -> tensor<?x3x3x4xf32>
  return %0 : tensor<?x3x3x4xf32>
}

func.func @avg_pool_padded(%x: tensor<?x3x7x9xf32>) -> (tensor<?x3x4x5xf32>, tensor<?x3x7x4xf32>) {
  %0 = diffc.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x7x9xf32>) -> tensor<?x3x4x5xf32>
  %1 = diffc.avg_pool2d %x {kernel = array<i64: 3, 2>, stride = array<i64: 1, 2>, padding = array<i64: 1, 0>} : (tensor<?x3x7x9xf32>) -> tensor<?x3x7x4xf32>
  return %0, %1 : tensor<?x3x4x5xf32>, tensor<?x3x7x4xf32>
}

func.func @avg_pool_f16(%x: tensor<2x5x6x6xf16>) -> tensor<2x5x3x3xf16> {
  %0 = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<2x5x6x6xf16>) -> tensor<2x5x3x3xf16>
  return %0 : tensor<2x5x3x3xf16>
}
