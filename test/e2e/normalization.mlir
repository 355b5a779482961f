// group_norm and layer_norm compiled for x86-64 and run through diffc-run,
// against float64 NumPy (harness.py, cases_normalization.py, reference.py).
// GroupNorm + SiLU goes through diffc-fuse-elementwise as one kernel.
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case group_norm_silu --case group_norm_rank3 --case group_norm_one_group --case group_norm_dynamic_channels --case group_norm_offset_mean --case group_norm_f16 --case layer_norm_silu --case layer_norm_rank1 --case layer_norm_f64 | FileCheck %s
// CHECK-COUNT-9: ok
// CHECK-NOT: FAIL

func.func @group_norm_silu(%x: tensor<?x6x5x7xf32>, %g: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<?x6x5x7xf32> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 3 : i64, epsilon = 1.0e-06 : f64} : (tensor<?x6x5x7xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x5x7xf32>
  %1 = diffc.silu %0 : tensor<?x6x5x7xf32>
  return %1 : tensor<?x6x5x7xf32>
}

func.func @group_norm_rank3(%x: tensor<2x15x9xf32>, %g: tensor<15xf32>, %b: tensor<15xf32>) -> tensor<2x15x9xf32> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 5 : i64} : (tensor<2x15x9xf32>, tensor<15xf32>, tensor<15xf32>) -> tensor<2x15x9xf32>
  return %0 : tensor<2x15x9xf32>
}

func.func @group_norm_one_group(%x: tensor<?x10x3x3xf32>, %g: tensor<10xf32>, %b: tensor<10xf32>) -> tensor<?x10x3x3xf32> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 1 : i64} : (tensor<?x10x3x3xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<?x10x3x3xf32>
  return %0 : tensor<?x10x3x3xf32>
}

// The channel count is only known at run time: normalization runs over the
// [N, G, C / G, H, W] view and collapses back.
func.func @group_norm_dynamic_channels(%x: tensor<2x?x5x7xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<2x?x5x7xf32> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 2 : i64} : (tensor<2x?x5x7xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<2x?x5x7xf32>
  %1 = diffc.silu %0 : tensor<2x?x5x7xf32>
  return %1 : tensor<2x?x5x7xf32>
}

func.func @group_norm_offset_mean(%x: tensor<?x4x6x6xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x4x6x6xf32> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 2 : i64} : (tensor<?x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

func.func @group_norm_f16(%x: tensor<?x12x5x3xf16>, %g: tensor<12xf16>, %b: tensor<12xf16>) -> tensor<?x12x5x3xf16> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 4 : i64, epsilon = 1.0e-06 : f64} : (tensor<?x12x5x3xf16>, tensor<12xf16>, tensor<12xf16>) -> tensor<?x12x5x3xf16>
  %1 = diffc.silu %0 : tensor<?x12x5x3xf16>
  return %1 : tensor<?x12x5x3xf16>
}

func.func @layer_norm_silu(%x: tensor<?x7x33xf32>, %g: tensor<33xf32>, %b: tensor<33xf32>) -> tensor<?x7x33xf32> {
  %0 = diffc.layer_norm %x, %g, %b : (tensor<?x7x33xf32>, tensor<33xf32>, tensor<33xf32>) -> tensor<?x7x33xf32>
  %1 = diffc.silu %0 : tensor<?x7x33xf32>
  return %1 : tensor<?x7x33xf32>
}

func.func @layer_norm_rank1(%x: tensor<19xf32>, %g: tensor<19xf32>, %b: tensor<19xf32>) -> tensor<19xf32> {
  %0 = diffc.layer_norm %x, %g, %b {epsilon = 1.0e-03 : f64} : (tensor<19xf32>, tensor<19xf32>, tensor<19xf32>) -> tensor<19xf32>
  return %0 : tensor<19xf32>
}

func.func @layer_norm_f64(%x: tensor<?x3x10xf64>, %g: tensor<10xf64>, %b: tensor<10xf64>) -> tensor<?x3x10xf64> {
  %0 = diffc.layer_norm %x, %g, %b : (tensor<?x3x10xf64>, tensor<10xf64>, tensor<10xf64>) -> tensor<?x3x10xf64>
  return %0 : tensor<?x3x10xf64>
}
