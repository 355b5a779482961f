//===- ukernels.h - CPU GEMM and convolution kernels ------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The kernels that generated x86-64 code calls for its matrix products and
// convolutions (DESIGN.md decision 9). The compiler's diffc-cpu-microkernels
// pass rewrites f32 linalg contractions and convolutions on memrefs into
// calls to the `_mlir_ciface_diffc_ukernel_*` functions of mlir_abi.cpp, which
// unpack MLIR's strided memref descriptors and land here.
//
// Everything works on strided views (element strides, any sign of layout), so
// the compiler passes transposed and broadcast operands without copying them.
// The SGEMM is the usual packed-panel design (Goto / BLIS): A is packed into
// MR-row panels, B into NR-column panels, and a register-blocked micro-kernel
// (6x32 AVX-512 or 6x16 AVX2 + FMA where the CPU has them, portable C++
// otherwise, chosen at run time) accumulates one C tile over a K block.
// Convolutions are the same GEMM per image and group, with B packed straight
// from the input window by window (implicit im2col: no im2col buffer, padding
// read as zeros); so are their gradients (the input gradient as one
// convolution per stride phase, the weight gradient as a GEMM over images and
// output positions).
//
// Work is split over a small persistent thread pool; DIFFC_NUM_THREADS sets
// its size (default: the number of online CPUs).
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_SRC_UKERNELS_UKERNELS_H
#define DIFFC_RUNTIME_SRC_UKERNELS_UKERNELS_H

#include <cstdint>

namespace diffc {
namespace ukernels {

/// A read-only strided matrix: element (r, c) is data[r * rowStride + c *
/// colStride].
struct ConstMatrixView {
  const float *data;
  int64_t rows, cols;
  int64_t rowStride, colStride;
};

/// A writable strided matrix.
struct MatrixView {
  float *data;
  int64_t rows, cols;
  int64_t rowStride, colStride;
};

/// What happens to C: overwritten, accumulated into, or overwritten with a
/// bias added (per column for GEMMs, per output channel for convolutions).
enum class Output : int32_t {
  Overwrite = 0,  ///< C = A B
  Accumulate = 1, ///< C += A B
  AddBias = 2,    ///< C = A B + bias
};

/// One batch of matrix products: for b in [0, batch),
/// C[b] (op)= A[b] B[b]. A batch stride of 0 broadcasts that operand.
struct BatchedGemm {
  int64_t batch;
  ConstMatrixView a; ///< [M, K] of batch item 0
  ConstMatrixView b; ///< [K, N] of batch item 0
  MatrixView c;      ///< [M, N] of batch item 0
  int64_t aBatchStride, bBatchStride, cBatchStride;
  Output output;
  /// N entries with stride biasStride, read when output == AddBias.
  const float *bias;
  int64_t biasStride;
};

/// Runs `gemm` on the thread pool.
void sgemm(const BatchedGemm &gemm);

/// A strided tensor of rank up to 6 (sizes and element strides).
struct TensorView {
  float *data;
  int64_t sizes[6];
  int64_t strides[6];
};

/// A grouped 3-D convolution; 2-D convolutions have unit frame extents.
///   input  [N, G, C, D, H, W]
///   weight [G, O, C, kD, kH, kW]
///   output [N, G, O, oD, oH, oW]
/// output[n, g, o, z, y, x] (op)= sum over c, i, j, l of
///   weight[g, o, c, i, j, l] * input[n, g, c, z s0 + i d0 - p0,
///                                     y s1 + j d1 - p1, x s2 + l d2 - p2]
/// where reads outside the input are zeros. `padding` is the low padding;
/// the high padding follows from the output extents.
struct Convolution {
  TensorView input, weight, output;
  int64_t stride[3], padding[3], dilation[3];
  Output mode;
  /// G * O entries with stride biasStride, read when mode == AddBias.
  const float *bias;
  int64_t biasStride;
};

/// Runs `conv` on the thread pool.
void convolution(const Convolution &conv);

/// The input gradient of `conv` (torch.nn.grad.conv{2,3}d_input): with the
/// output gradient in conv.output, conv.input (op)= the sum over o, taps and
/// output positions of weight * output, each product landing on the input
/// position the forward convolution read it from. `mode` is Overwrite or
/// Accumulate (AddBias acts as Overwrite; no bias). Runs as one forward
/// convolution per stride phase (conv_backward.cpp).
void convolutionBackwardInput(const Convolution &conv);

/// The weight gradient of `conv` (torch.nn.grad.conv{2,3}d_weight): with
/// the output gradient in conv.output, conv.weight (op)= the sum over images
/// and output positions of output * the input window (zeros outside the
/// input), per group. `mode` as for convolutionBackwardInput.
void convolutionBackwardWeight(const Convolution &conv);

/// The instruction-set variants of the micro-kernel.
enum class Isa { Scalar, Avx2, Avx512 };

/// The variant in use: the widest the CPU has (AVX-512 F, else AVX2 + FMA,
/// else portable C++), unless DIFFC_UKERNEL_ISA=scalar|avx2|avx512 asks for
/// a narrower one.
Isa activeIsa();

/// Forces a variant (tests, benchmarks); one the CPU lacks falls back to the
/// widest it has below it.
void setIsa(Isa isa);

/// "scalar", "avx2" or "avx512".
const char *isaName(Isa isa);

/// Threads used by the kernels (at least 1).
int numThreads();

/// Sets the number of threads (tests, benchmarks); 0 restores the default.
void setNumThreads(int n);

} // namespace ukernels
} // namespace diffc

#endif // DIFFC_RUNTIME_SRC_UKERNELS_UKERNELS_H
