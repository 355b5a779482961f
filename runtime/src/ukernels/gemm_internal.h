//===- gemm_internal.h - Packing and the macro-kernel -----------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The pieces shared by the SGEMM (sgemm.cpp) and the convolution (conv.cpp):
// blocking constants, the packed panel layouts, the micro-kernel signature,
// the macro-kernel that walks a packed block, and per-thread scratch.
//
// Packed layouts (kc is the depth of the current K block):
//   A block [mc x kc] -> ceil(mc / kMR) panels of kc * kMR floats; panel p
//     holds rows p*kMR .. p*kMR+kMR-1, element (r, k) at k * kMR + r; rows
//     past mc are zeros.
//   B block [kc x nc] -> ceil(nc / nr) panels of kc * nr floats; element
//     (k, c) of panel p at k * nr + c; columns past nc are zeros. nr is the
//     micro-kernel's width: 16 (AVX2, portable) or 32 (AVX-512).
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_SRC_UKERNELS_GEMM_INTERNAL_H
#define DIFFC_RUNTIME_SRC_UKERNELS_GEMM_INTERNAL_H

#include "ukernels.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace diffc {
namespace ukernels {
namespace detail {

/// Register tile: 6 rows x nr columns = 12 vector accumulators (nr = 16
/// with AVX2's 8-float vectors, 32 with AVX-512's 16-float ones).
constexpr int64_t kMR = 6;
constexpr int64_t kMaxNR = 32;
/// Cache blocking: a kKC x nr B micro-panel (16 or 32 KiB) stays in L1, a
/// kMC x kKC A block (144 KiB) in L2, a kKC x kNC B block in L2/L3.
constexpr int64_t kKC = 256;
constexpr int64_t kMC = 144;
constexpr int64_t kNC = 512;

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }

/// C[0:kMR, 0:nr] (row stride ldc, unit column stride) = or += the product
/// of an A panel and a B panel of depth kc.
using MicroKernelFn = void (*)(int64_t kc, const float *a, const float *b,
                               float *c, int64_t ldc, bool accumulate);

/// A micro-kernel and the width of the B panels it reads.
struct MicroKernel {
  MicroKernelFn fn;
  int64_t nr;
};

void microKernelScalar(int64_t kc, const float *a, const float *b, float *c,
                       int64_t ldc, bool accumulate); // nr = 16
void microKernelAvx2(int64_t kc, const float *a, const float *b, float *c,
                     int64_t ldc, bool accumulate); // nr = 16
void microKernelAvx512(int64_t kc, const float *a, const float *b, float *c,
                       int64_t ldc, bool accumulate); // nr = 32

/// Whether this CPU runs microKernelAvx2 (AVX2 and FMA).
bool cpuHasAvx2Fma();
/// Whether this CPU runs microKernelAvx512 (AVX-512 F).
bool cpuHasAvx512();

/// The micro-kernel of activeIsa().
MicroKernel selectedMicroKernel();

/// Packs rows [i0, i0+mc) x columns [k0, k0+kc) of `a` into panels at dst.
void packA(const ConstMatrixView &a, int64_t i0, int64_t mc, int64_t k0,
           int64_t kc, float *dst);

/// Packs rows [k0, k0+kc) x columns [j0, j0+nc) of `b` into panels of
/// width nr at dst.
void packB(const ConstMatrixView &b, int64_t k0, int64_t kc, int64_t j0,
           int64_t nc, int64_t nr, float *dst);

/// C[0:mc, 0:nc] (=/+=) packed A block x packed B block; C has element
/// strides (rs, cs).
void macroKernel(const MicroKernel &kernel, int64_t mc, int64_t nc, int64_t kc,
                 const float *a, const float *b, float *c, int64_t rs,
                 int64_t cs, bool accumulate);

/// Writes bias[j * biasStride] (per column) or bias[i * biasStride] (per row)
/// into every element of the [m, n] block at c.
void fillBias(float *c, int64_t m, int64_t n, int64_t rs, int64_t cs,
              const float *bias, int64_t biasStride, bool perRow);

/// Zeros (or leaves alone, when accumulating) an [m, n] block: the K = 0
/// case of a product.
void finishEmptyProduct(float *c, int64_t m, int64_t n, int64_t rs,
                        int64_t cs, Output mode, const float *bias,
                        int64_t biasStride, bool perRowBias);

/// Per-thread, 64-byte aligned scratch that grows and is reused; slots
/// 0..kScratchSlots-1 are independent buffers.
constexpr int kScratchSlots = 6;
float *scratch(int slot, size_t floats);

/// How a [M, N] product per batch item is cut into tasks for the pool.
struct TaskGrid {
  int64_t rowBlocks, colBlocks; ///< per batch item
  int64_t rowsPerTask, colsPerTask;
};

/// Enough tasks to keep `threads` busy without cutting blocks below what
/// keeps the micro-kernel efficient; rows are split only if `splitRows`.
TaskGrid planTasks(int64_t batch, int64_t m, int64_t n, int64_t k,
                   int64_t nr, int threads, bool splitRows = true);

/// K split into equal blocks of at most kKC.
inline int64_t kBlockSize(int64_t k) {
  return std::max<int64_t>(1, ceilDiv(k, ceilDiv(k, kKC)));
}

} // namespace detail
} // namespace ukernels
} // namespace diffc

#endif // DIFFC_RUNTIME_SRC_UKERNELS_GEMM_INTERNAL_H
