//===- sgemm.cpp - Packed-panel single-precision GEMM ---------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The loop nest around the micro-kernel (BLIS's five loops), the packing
// routines, the portable micro-kernel and the run-time choice between it and
// the AVX2 one. A task is one (batch item, row block, column block) of C; it
// packs its own panels, so tasks share nothing and need no synchronization.
//
//===----------------------------------------------------------------------===//

#include "gemm_internal.h"
#include "thread_pool.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace diffc {
namespace ukernels {
namespace detail {

//===----------------------------------------------------------------------===//
// Micro-kernel selection
//===----------------------------------------------------------------------===//

bool cpuHasAvx2Fma() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool has =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

bool cpuHasAvx512() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

namespace {

/// `wanted`, or the widest variant below it that this CPU runs.
Isa supportedIsa(Isa wanted) {
  if (wanted == Isa::Avx512 && !cpuHasAvx512())
    wanted = Isa::Avx2;
  if (wanted == Isa::Avx2 && !cpuHasAvx2Fma())
    wanted = Isa::Scalar;
  return wanted;
}

Isa defaultIsa() {
  const char *env = std::getenv("DIFFC_UKERNEL_ISA");
  if (env && std::strcmp(env, "scalar") == 0)
    return Isa::Scalar;
  if (env && std::strcmp(env, "avx2") == 0)
    return supportedIsa(Isa::Avx2);
  return supportedIsa(Isa::Avx512);
}

std::atomic<int> &isaState() {
  static std::atomic<int> isa{static_cast<int>(defaultIsa())};
  return isa;
}

} // namespace

MicroKernel selectedMicroKernel() {
  switch (activeIsa()) {
  case Isa::Avx512:
    return {microKernelAvx512, 32};
  case Isa::Avx2:
    return {microKernelAvx2, 16};
  case Isa::Scalar:
    break;
  }
  return {microKernelScalar, 16};
}

void microKernelScalar(int64_t kc, const float *a, const float *b, float *c,
                       int64_t ldc, bool accumulate) {
  constexpr int64_t nr = 16;
  float acc[kMR][nr] = {};
  for (int64_t k = 0; k < kc; ++k, a += kMR, b += nr)
    for (int64_t i = 0; i < kMR; ++i)
      for (int64_t j = 0; j < nr; ++j)
        acc[i][j] += a[i] * b[j];
  for (int64_t i = 0; i < kMR; ++i)
    for (int64_t j = 0; j < nr; ++j)
      c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

//===----------------------------------------------------------------------===//
// Packing
//===----------------------------------------------------------------------===//

void packA(const ConstMatrixView &a, int64_t i0, int64_t mc, int64_t k0,
           int64_t kc, float *dst) {
  for (int64_t p = 0; p < mc; p += kMR, dst += kc * kMR) {
    int64_t rows = std::min(kMR, mc - p);
    const float *src = a.data + (i0 + p) * a.rowStride + k0 * a.colStride;
    if (a.colStride == 1) {
      // Rows contiguous in k: kMR streams read side by side.
      for (int64_t r = 0; r < rows; ++r) {
        const float *row = src + r * a.rowStride;
        for (int64_t k = 0; k < kc; ++k)
          dst[k * kMR + r] = row[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t r = 0; r < rows; ++r)
          dst[k * kMR + r] = src[r * a.rowStride + k * a.colStride];
    }
    for (int64_t r = rows; r < kMR; ++r)
      for (int64_t k = 0; k < kc; ++k)
        dst[k * kMR + r] = 0.0f;
  }
}

void packB(const ConstMatrixView &b, int64_t k0, int64_t kc, int64_t j0,
           int64_t nc, int64_t nr, float *dst) {
  for (int64_t p = 0; p < nc; p += nr, dst += kc * nr) {
    int64_t cols = std::min(nr, nc - p);
    const float *src = b.data + k0 * b.rowStride + (j0 + p) * b.colStride;
    if (b.colStride == 1 && cols == nr) {
      for (int64_t k = 0; k < kc; ++k)
        std::memcpy(dst + k * nr, src + k * b.rowStride, nr * sizeof(float));
      continue;
    }
    if (b.rowStride == 1) {
      // B is transposed in memory (a PyTorch linear weight): each column is
      // contiguous in k.
      for (int64_t c = 0; c < cols; ++c) {
        const float *col = src + c * b.colStride;
        for (int64_t k = 0; k < kc; ++k)
          dst[k * nr + c] = col[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t c = 0; c < cols; ++c)
          dst[k * nr + c] = src[k * b.rowStride + c * b.colStride];
    }
    if (cols < nr)
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t c = cols; c < nr; ++c)
          dst[k * nr + c] = 0.0f;
  }
}

//===----------------------------------------------------------------------===//
// Macro-kernel and epilogues
//===----------------------------------------------------------------------===//

void macroKernel(const MicroKernel &kernel, int64_t mc, int64_t nc, int64_t kc,
                 const float *a, const float *b, float *c, int64_t rs,
                 int64_t cs, bool accumulate) {
  const int64_t nr = kernel.nr;
  alignas(64) float tile[kMR * kMaxNR];
  for (int64_t jr = 0; jr < nc; jr += nr) {
    int64_t n = std::min(nr, nc - jr);
    const float *bp = b + jr * kc;
    for (int64_t ir = 0; ir < mc; ir += kMR) {
      int64_t m = std::min(kMR, mc - ir);
      const float *ap = a + ir * kc;
      float *ct = c + ir * rs + jr * cs;
      if (m == kMR && n == nr && cs == 1) {
        kernel.fn(kc, ap, bp, ct, rs, accumulate);
        continue;
      }
      // Edge tile or non-unit column stride: compute into a full tile and
      // copy the part that exists.
      kernel.fn(kc, ap, bp, tile, nr, false);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          float &out = ct[i * rs + j * cs];
          out = accumulate ? out + tile[i * nr + j] : tile[i * nr + j];
        }
    }
  }
}

void fillBias(float *c, int64_t m, int64_t n, int64_t rs, int64_t cs,
              const float *bias, int64_t biasStride, bool perRow) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      c[i * rs + j * cs] = bias[(perRow ? i : j) * biasStride];
}

void finishEmptyProduct(float *c, int64_t m, int64_t n, int64_t rs,
                        int64_t cs, Output mode, const float *bias,
                        int64_t biasStride, bool perRowBias) {
  if (mode == Output::Accumulate)
    return;
  if (mode == Output::AddBias) {
    fillBias(c, m, n, rs, cs, bias, biasStride, perRowBias);
    return;
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      c[i * rs + j * cs] = 0.0f;
}

//===----------------------------------------------------------------------===//
// Scratch and task planning
//===----------------------------------------------------------------------===//

namespace {
struct FreeDeleter {
  void operator()(float *p) const { std::free(p); }
};
struct Buffer {
  std::unique_ptr<float, FreeDeleter> data;
  size_t floats = 0;
};
} // namespace

float *scratch(int slot, size_t floats) {
  thread_local Buffer buffers[kScratchSlots];
  Buffer &b = buffers[slot];
  if (b.floats < floats) {
    size_t bytes = roundUp(static_cast<int64_t>(floats * sizeof(float)), 64);
    b.data.reset(static_cast<float *>(std::aligned_alloc(64, bytes)));
    b.floats = b.data ? floats : 0;
  }
  return b.data.get();
}

TaskGrid planTasks(int64_t batch, int64_t m, int64_t n, int64_t k,
                   int64_t nr, int threads, bool splitRows) {
  // At most kNC columns per task (the packed B block stays in L2/L3), all
  // rows; each task packs its own A and B blocks, which costs about
  // (1 / cols + 1 / rows) of the task's flops, so further splits halve the
  // larger side of the task until every thread has about two tasks.
  TaskGrid grid{1, std::max<int64_t>(1, ceilDiv(n, kNC)), m, n};
  double flops = 2.0 * double(batch) * double(m) * double(n) * double(k);
  int64_t target = (threads > 1 && flops > 4e6) ? 2 * threads : 1;
  while (batch * grid.rowBlocks * grid.colBlocks < target) {
    int64_t rows = ceilDiv(m, grid.rowBlocks), cols = ceilDiv(n, grid.colBlocks);
    bool canSplitRows = splitRows && rows / 2 >= 8 * kMR;
    bool canSplitCols = cols / 2 >= 4 * nr;
    if (canSplitRows && (rows >= cols || !canSplitCols))
      grid.rowBlocks *= 2;
    else if (canSplitCols)
      grid.colBlocks *= 2;
    else
      break;
  }
  grid.colsPerTask = roundUp(ceilDiv(n, grid.colBlocks), nr);
  grid.colBlocks = std::max<int64_t>(1, ceilDiv(n, grid.colsPerTask));
  grid.rowsPerTask = roundUp(ceilDiv(m, grid.rowBlocks), kMR);
  grid.rowBlocks = std::max<int64_t>(1, ceilDiv(m, grid.rowsPerTask));
  return grid;
}

} // namespace detail

//===----------------------------------------------------------------------===//
// Public entry points
//===----------------------------------------------------------------------===//

using namespace detail;

Isa activeIsa() { return static_cast<Isa>(isaState().load()); }

void setIsa(Isa isa) { isaState().store(static_cast<int>(supportedIsa(isa))); }

const char *isaName(Isa isa) {
  switch (isa) {
  case Isa::Avx512:
    return "avx512";
  case Isa::Avx2:
    return "avx2";
  case Isa::Scalar:
    break;
  }
  return "scalar";
}

int numThreads() { return poolSize(); }

void setNumThreads(int n) { setPoolSize(n); }

void sgemm(const BatchedGemm &g) {
  const int64_t m = g.c.rows, n = g.c.cols, k = g.a.cols;
  if (g.batch <= 0 || m <= 0 || n <= 0)
    return;
  if (k == 0) {
    for (int64_t b = 0; b < g.batch; ++b)
      finishEmptyProduct(g.c.data + b * g.cBatchStride, m, n, g.c.rowStride,
                         g.c.colStride, g.output, g.bias, g.biasStride,
                         /*perRowBias=*/false);
    return;
  }
  const MicroKernel kernel = selectedMicroKernel();
  const TaskGrid grid = planTasks(g.batch, m, n, k, kernel.nr, numThreads());
  const int64_t tasksPerItem = grid.rowBlocks * grid.colBlocks;
  const int64_t kb = kBlockSize(k);

  parallelFor(g.batch * tasksPerItem, [&](int64_t task) {
    const int64_t item = task / tasksPerItem;
    const int64_t rb = (task % tasksPerItem) / grid.colBlocks;
    const int64_t cb = task % grid.colBlocks;
    const int64_t i0 = rb * grid.rowsPerTask;
    const int64_t i1 = std::min(m, i0 + grid.rowsPerTask);
    const int64_t j0 = cb * grid.colsPerTask;
    const int64_t nc = std::min(n, j0 + grid.colsPerTask) - j0;

    ConstMatrixView a = g.a, b = g.b;
    a.data += item * g.aBatchStride;
    b.data += item * g.bBatchStride;
    float *c = g.c.data + item * g.cBatchStride + j0 * g.c.colStride;
    const int64_t rs = g.c.rowStride, cs = g.c.colStride;

    bool accumulate = g.output == Output::Accumulate;
    if (g.output == Output::AddBias) {
      fillBias(c + i0 * rs, i1 - i0, nc, rs, cs, g.bias + j0 * g.biasStride,
               g.biasStride, /*perRow=*/false);
      accumulate = true;
    }
    float *bp = scratch(0, roundUp(nc, kernel.nr) * kb);
    float *ap = scratch(1, roundUp(std::min(kMC, i1 - i0), kMR) * kb);
    for (int64_t k0 = 0; k0 < k; k0 += kb) {
      const int64_t kc = std::min(kb, k - k0);
      packB(b, k0, kc, j0, nc, kernel.nr, bp);
      for (int64_t ic = i0; ic < i1; ic += kMC) {
        const int64_t mc = std::min(kMC, i1 - ic);
        packA(a, ic, mc, k0, kc, ap);
        macroKernel(kernel, mc, nc, kc, ap, bp, c + ic * rs, rs, cs,
                    accumulate || k0 > 0);
      }
    }
  });
}

} // namespace ukernels
} // namespace diffc
