// timestep_embedding, embedding and vector_quantize compiled for x86-64 and
// run through diffc-run, against float64 NumPy (harness.py,
// cases_embeddings.py, reference.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case timestep_embedding_sd --case timestep_embedding_odd --case timestep_embedding_float_t --case timestep_embedding_i32_f16 --case embedding_labels --case embedding_tokens_i32 --case embedding_out_of_range --case vector_quantize_channels --case vector_quantize_ties --case vector_quantize_last_i32 | FileCheck %s
// CHECK-COUNT-13: ok
// CHECK-NOT: FAIL

// Stable Diffusion's settings: flip_sin_to_cos, downscale_freq_shift = 0.
func.func @timestep_embedding_sd(%t: tensor<?xi64>) -> tensor<?x64xf32> {
  %0 = diffc.timestep_embedding %t {dim = 64 : i64, flip_sin_to_cos = true, downscale_freq_shift = 0.0 : f64} : (tensor<?xi64>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// Odd dim (zero pad column), defaults otherwise plus scale and max_period.
func.func @timestep_embedding_odd(%t: tensor<?xi64>) -> tensor<?x33xf32> {
  %0 = diffc.timestep_embedding %t {dim = 33 : i64, scale = 2.0 : f64, max_period = 1000.0 : f64} : (tensor<?xi64>) -> tensor<?x33xf32>
  return %0 : tensor<?x33xf32>
}

func.func @timestep_embedding_float_t(%t: tensor<3xf32>) -> tensor<3x10xf32> {
  %0 = diffc.timestep_embedding %t {dim = 10 : i64, flip_sin_to_cos = true} : (tensor<3xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

func.func @timestep_embedding_i32_f16(%t: tensor<4xi32>) -> tensor<4x16xf16> {
  %0 = diffc.timestep_embedding %t {dim = 16 : i64} : (tensor<4xi32>) -> tensor<4x16xf16>
  return %0 : tensor<4x16xf16>
}

// Class labels with the null class of classifier-free guidance (row 10).
func.func @embedding_labels(%table: tensor<11x7xf32>, %labels: tensor<?xi64>) -> tensor<?x7xf32> {
  %0 = diffc.embedding %table, %labels : (tensor<11x7xf32>, tensor<?xi64>) -> tensor<?x7xf32>
  return %0 : tensor<?x7xf32>
}

func.func @embedding_tokens_i32(%table: tensor<50x5xf32>, %tokens: tensor<2x3xi32>) -> tensor<2x3x5xf32> {
  %0 = diffc.embedding %table, %tokens : (tensor<50x5xf32>, tensor<2x3xi32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// An index outside [0, V) gives a NaN row. The generic below maps NaN to 1
// and anything else to 0, since the harness rejects non-finite outputs.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @embedding_out_of_range(%table: tensor<4x3xf32>, %idx: tensor<?xi64>) -> tensor<?x3xf32> {
  %0 = diffc.embedding %table, %idx : (tensor<4x3xf32>, tensor<?xi64>) -> tensor<?x3xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %0, %c0 : tensor<?x3xf32>
  %e = tensor.empty(%n) : tensor<?x3xf32>
  %1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<?x3xf32>) outs(%e : tensor<?x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    %nan = arith.cmpf uno, %v, %v : f32
    %one = arith.constant 1.0 : f32
    %zero = arith.constant 0.0 : f32
    %r = arith.select %nan, %one, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}

func.func @vector_quantize_channels(%z: tensor<?x4x5x7xf32>, %cb: tensor<37x4xf32>) -> (tensor<?x4x5x7xf32>, tensor<?x5x7xi64>) {
  %q, %i = diffc.vector_quantize %z, %cb {axis = 1 : i64} : (tensor<?x4x5x7xf32>, tensor<37x4xf32>) -> (tensor<?x4x5x7xf32>, tensor<?x5x7xi64>)
  return %q, %i : tensor<?x4x5x7xf32>, tensor<?x5x7xi64>
}

// Duplicated codebook rows: equal distances go to the lower index.
func.func @vector_quantize_ties(%z: tensor<?x3x4x4xf32>, %cb: tensor<12x3xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x4x4xi64>) {
  %q, %i = diffc.vector_quantize %z, %cb : (tensor<?x3x4x4xf32>, tensor<12x3xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x4x4xi64>)
  return %q, %i : tensor<?x3x4x4xf32>, tensor<?x4x4xi64>
}

func.func @vector_quantize_last_i32(%z: tensor<2x3x6xf32>, %cb: tensor<9x6xf32>) -> (tensor<2x3x6xf32>, tensor<2x3xi32>) {
  %q, %i = diffc.vector_quantize %z, %cb {axis = -1 : i64} : (tensor<2x3x6xf32>, tensor<9x6xf32>) -> (tensor<2x3x6xf32>, tensor<2x3xi32>)
  return %q, %i : tensor<2x3x6xf32>, tensor<2x3xi32>
}
