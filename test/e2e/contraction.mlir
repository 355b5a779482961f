// Linear layers, matmuls, convolutions and attention compiled for x86-64 and
// run through diffc-run, against float64 NumPy references (harness.py,
// cases_contraction.py, reference.py): float32 results within 1e-5
// norm-wise relative. GEMMs and convolutions go through the runtime's
// kernels (diffc-cpu-microkernels); grouped 3-D convolution and broadcast
// matmul through generated loops. float64 programs and --cpu-kernels=false
// check the linalg lowering itself.
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case linear_bias --case linear_vector --case linear_wide --case matmul_2d --case matmul_batched --case matmul_rhs_2d --case matmul_broadcast | FileCheck %s --check-prefix=MATMUL
// MATMUL-COUNT-7: ok
// MATMUL-NOT: FAIL
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case conv2d_same --case conv2d_stride2_pad1 --case conv2d_dilation2 --case conv2d_groups2 --case conv2d_pointwise --case conv2d_unet_block --case conv3d_temporal --case conv3d_stride2 --case conv3d_groups2_dilation | FileCheck %s --check-prefix=CONV
// CONV-COUNT-9: ok
// CONV-NOT: FAIL
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case attention_self_heads --case attention_cross --case attention_bool_mask --case attention_float_mask --case attention_dynamic_batch | FileCheck %s --check-prefix=ATTN
// ATTN-COUNT-5: ok
// ATTN-NOT: FAIL
// The same float32 cases through generated loops only (the linalg lowering
// without the kernels):
// RUN: diffc compile %s --cpu-kernels=false -o %t.loops.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.loops.diffc --case linear_bias --case linear_vector --case linear_wide --case matmul_2d --case matmul_batched --case matmul_rhs_2d --case matmul_broadcast --case conv2d_same --case conv2d_stride2_pad1 --case conv2d_dilation2 --case conv2d_groups2 --case conv2d_pointwise --case conv2d_unet_block --case conv3d_temporal --case conv3d_stride2 --case conv3d_groups2_dilation --case attention_self_heads --case attention_cross --case attention_bool_mask --case attention_float_mask --case attention_dynamic_batch | FileCheck %s --check-prefix=LOOPS
// LOOPS-COUNT-21: ok
// LOOPS-NOT: FAIL
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case linear_f64 --case matmul_batched_f64 --case conv2d_groups_stride_f64 --case conv3d_f64 --case attention_mask_f64 | FileCheck %s --check-prefix=F64
// F64-COUNT-5: ok
// F64-NOT: FAIL

// -- linear and matmul

func.func @linear_bias(%x: tensor<?x7x5xf32>, %w: tensor<9x5xf32>, %b: tensor<9xf32>) -> tensor<?x7x9xf32> {
  %0 = diffc.linear %x, %w, %b : (tensor<?x7x5xf32>, tensor<9x5xf32>, tensor<9xf32>) -> tensor<?x7x9xf32>
  return %0 : tensor<?x7x9xf32>
}

func.func @linear_vector(%x: tensor<5xf32>, %w: tensor<4x5xf32>) -> tensor<4xf32> {
  %0 = diffc.linear %x, %w : (tensor<5xf32>, tensor<4x5xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func @linear_wide(%x: tensor<13x300xf32>, %w: tensor<37x300xf32>, %b: tensor<37xf32>) -> tensor<13x37xf32> {
  %0 = diffc.linear %x, %w, %b : (tensor<13x300xf32>, tensor<37x300xf32>, tensor<37xf32>) -> tensor<13x37xf32>
  return %0 : tensor<13x37xf32>
}

func.func @matmul_2d(%a: tensor<7x5xf32>, %b: tensor<5x6xf32>) -> tensor<7x6xf32> {
  %0 = diffc.matmul %a, %b : (tensor<7x5xf32>, tensor<5x6xf32>) -> tensor<7x6xf32>
  return %0 : tensor<7x6xf32>
}

func.func @matmul_batched(%a: tensor<?x3x7x5xf32>, %b: tensor<?x3x5x4xf32>) -> tensor<?x3x7x4xf32> {
  %0 = diffc.matmul %a, %b : (tensor<?x3x7x5xf32>, tensor<?x3x5x4xf32>) -> tensor<?x3x7x4xf32>
  return %0 : tensor<?x3x7x4xf32>
}

func.func @matmul_rhs_2d(%a: tensor<2x3x7x5xf32>, %b: tensor<5x6xf32>) -> tensor<2x3x7x6xf32> {
  %0 = diffc.matmul %a, %b : (tensor<2x3x7x5xf32>, tensor<5x6xf32>) -> tensor<2x3x7x6xf32>
  return %0 : tensor<2x3x7x6xf32>
}

func.func @matmul_broadcast(%a: tensor<2x1x4x5xf32>, %b: tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32> {
  %0 = diffc.matmul %a, %b : (tensor<2x1x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32>
  return %0 : tensor<2x3x4x6xf32>
}

// -- convolutions

func.func @conv2d_same(%x: tensor<?x3x7x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x7x5xf32> {
  %0 = diffc.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x3x7x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x7x5xf32>
  return %0 : tensor<?x4x7x5xf32>
}

func.func @conv2d_stride2_pad1(%x: tensor<2x4x9x8xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x5x4xf32> {
  %0 = diffc.conv2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<2x4x9x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<2x6x5x4xf32>
  return %0 : tensor<2x6x5x4xf32>
}

func.func @conv2d_dilation2(%x: tensor<1x3x11x10xf32>, %w: tensor<5x3x3x3xf32>) -> tensor<1x5x7x6xf32> {
  %0 = diffc.conv2d %x, %w {dilation = array<i64: 2, 2>} : (tensor<1x3x11x10xf32>, tensor<5x3x3x3xf32>) -> tensor<1x5x7x6xf32>
  return %0 : tensor<1x5x7x6xf32>
}

func.func @conv2d_groups2(%x: tensor<2x4x7x5xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x7x5xf32> {
  %0 = diffc.conv2d %x, %w, %b {padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x4x7x5xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<2x6x7x5xf32>
  return %0 : tensor<2x6x7x5xf32>
}

func.func @conv2d_pointwise(%x: tensor<?x8x5x7xf32>, %w: tensor<3x8x1x1xf32>, %b: tensor<3xf32>) -> tensor<?x3x5x7xf32> {
  %0 = diffc.conv2d %x, %w, %b : (tensor<?x8x5x7xf32>, tensor<3x8x1x1xf32>, tensor<3xf32>) -> tensor<?x3x5x7xf32>
  return %0 : tensor<?x3x5x7xf32>
}

func.func @conv2d_unet_block(%x: tensor<?x64x14x14xf32>, %w: tensor<16x64x3x3xf32>, %b: tensor<16xf32>) -> tensor<?x16x14x14xf32> {
  %0 = diffc.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x64x14x14xf32>, tensor<16x64x3x3xf32>, tensor<16xf32>) -> tensor<?x16x14x14xf32>
  return %0 : tensor<?x16x14x14xf32>
}

func.func @conv3d_temporal(%x: tensor<?x4x5x6x7xf32>, %w: tensor<3x4x3x1x1xf32>, %b: tensor<3xf32>) -> tensor<?x3x5x6x7xf32> {
  %0 = diffc.conv3d %x, %w, %b {padding = array<i64: 1, 0, 0>} : (tensor<?x4x5x6x7xf32>, tensor<3x4x3x1x1xf32>, tensor<3xf32>) -> tensor<?x3x5x6x7xf32>
  return %0 : tensor<?x3x5x6x7xf32>
}

func.func @conv3d_stride2(%x: tensor<1x3x6x7x5xf32>, %w: tensor<4x3x3x3x3xf32>) -> tensor<1x4x3x4x3xf32> {
  %0 = diffc.conv3d %x, %w {stride = array<i64: 2, 2, 2>, padding = array<i64: 1, 1, 1>} : (tensor<1x3x6x7x5xf32>, tensor<4x3x3x3x3xf32>) -> tensor<1x4x3x4x3xf32>
  return %0 : tensor<1x4x3x4x3xf32>
}

func.func @conv3d_groups2_dilation(%x: tensor<1x4x7x5x6xf32>, %w: tensor<6x2x2x3x2xf32>, %b: tensor<6xf32>) -> tensor<1x6x5x5x6xf32> {
  %0 = diffc.conv3d %x, %w, %b {padding = array<i64: 0, 1, 1>, dilation = array<i64: 2, 1, 2>, groups = 2 : i64} : (tensor<1x4x7x5x6xf32>, tensor<6x2x2x3x2xf32>, tensor<6xf32>) -> tensor<1x6x5x5x6xf32>
  return %0 : tensor<1x6x5x5x6xf32>
}

// -- attention

func.func @attention_self_heads(%x: tensor<2x9x8xf32>) -> tensor<2x9x8xf32> {
  %0 = diffc.attention %x, %x, %x {num_heads = 2 : i64} : (tensor<2x9x8xf32>, tensor<2x9x8xf32>, tensor<2x9x8xf32>) -> tensor<2x9x8xf32>
  return %0 : tensor<2x9x8xf32>
}

func.func @attention_cross(%q: tensor<2x7x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x6xf32>) -> tensor<2x7x6xf32> {
  %0 = diffc.attention %q, %k, %v {num_heads = 2 : i64, scale = 0.3 : f64} : (tensor<2x7x8xf32>, tensor<2x5x8xf32>, tensor<2x5x6xf32>) -> tensor<2x7x6xf32>
  return %0 : tensor<2x7x6xf32>
}

func.func @attention_bool_mask(%q: tensor<2x7x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x6xf32>, %m: tensor<2x1x5xi1>) -> tensor<2x7x6xf32> {
  %0 = diffc.attention %q, %k, %v, %m {num_heads = 2 : i64} : (tensor<2x7x8xf32>, tensor<2x5x8xf32>, tensor<2x5x6xf32>, tensor<2x1x5xi1>) -> tensor<2x7x6xf32>
  return %0 : tensor<2x7x6xf32>
}

func.func @attention_float_mask(%q: tensor<2x7x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x12xf32>, %m: tensor<1x7x5xf32>) -> tensor<2x7x12xf32> {
  %0 = diffc.attention %q, %k, %v, %m {num_heads = 4 : i64} : (tensor<2x7x8xf32>, tensor<2x5x8xf32>, tensor<2x5x12xf32>, tensor<1x7x5xf32>) -> tensor<2x7x12xf32>
  return %0 : tensor<2x7x12xf32>
}

func.func @attention_dynamic_batch(%q: tensor<?x6x4xf32>, %k: tensor<?x11x4xf32>, %v: tensor<?x11x5xf32>) -> tensor<?x6x5xf32> {
  %0 = diffc.attention %q, %k, %v : (tensor<?x6x4xf32>, tensor<?x11x4xf32>, tensor<?x11x5xf32>) -> tensor<?x6x5xf32>
  return %0 : tensor<?x6x5xf32>
}

// -- float64: the linalg lowering through generated loops (no f64 kernels)

func.func @linear_f64(%x: tensor<?x7x5xf64>, %w: tensor<9x5xf64>, %b: tensor<9xf64>) -> tensor<?x7x9xf64> {
  %0 = diffc.linear %x, %w, %b : (tensor<?x7x5xf64>, tensor<9x5xf64>, tensor<9xf64>) -> tensor<?x7x9xf64>
  return %0 : tensor<?x7x9xf64>
}

func.func @matmul_batched_f64(%a: tensor<2x3x7x5xf64>, %b: tensor<2x3x5x4xf64>) -> tensor<2x3x7x4xf64> {
  %0 = diffc.matmul %a, %b : (tensor<2x3x7x5xf64>, tensor<2x3x5x4xf64>) -> tensor<2x3x7x4xf64>
  return %0 : tensor<2x3x7x4xf64>
}

func.func @conv2d_groups_stride_f64(%x: tensor<?x4x9x7xf64>, %w: tensor<6x2x3x3xf64>, %b: tensor<6xf64>) -> tensor<?x6x5x3xf64> {
  %0 = diffc.conv2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 2>, groups = 2 : i64} : (tensor<?x4x9x7xf64>, tensor<6x2x3x3xf64>, tensor<6xf64>) -> tensor<?x6x5x3xf64>
  return %0 : tensor<?x6x5x3xf64>
}

func.func @conv3d_f64(%x: tensor<1x3x5x6x7xf64>, %w: tensor<4x3x3x3x1xf64>, %b: tensor<4xf64>) -> tensor<1x4x5x6x7xf64> {
  %0 = diffc.conv3d %x, %w, %b {padding = array<i64: 1, 1, 0>} : (tensor<1x3x5x6x7xf64>, tensor<4x3x3x3x1xf64>, tensor<4xf64>) -> tensor<1x4x5x6x7xf64>
  return %0 : tensor<1x4x5x6x7xf64>
}

func.func @attention_mask_f64(%q: tensor<2x7x8xf64>, %k: tensor<2x5x8xf64>, %v: tensor<2x5x6xf64>, %m: tensor<2x7x5xi1>) -> tensor<2x7x6xf64> {
  %0 = diffc.attention %q, %k, %v, %m {num_heads = 2 : i64} : (tensor<2x7x8xf64>, tensor<2x5x8xf64>, tensor<2x5x6xf64>, tensor<2x7x5xi1>) -> tensor<2x7x6xf64>
  return %0 : tensor<2x7x6xf64>
}
