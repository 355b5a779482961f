//===- kernel_avx512.cpp - The 6x32 AVX-512 micro-kernel ------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The AVX2 kernel's schedule with 16-float vectors: twelve zmm accumulators
// hold a 6x32 tile of C, each step of k loads two vectors of the B panel
// (32 columns), broadcasts six values of the A panel and issues 12 FMAs.
// Same A panels as the other kernels; B panels are 32 columns wide. Built
// with target("avx512f") and called only where __builtin_cpu_supports says
// the CPU has AVX-512 F.
//
//===----------------------------------------------------------------------===//

#include "gemm_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define DIFFC_HAVE_AVX512_KERNEL 1
#endif

namespace diffc {
namespace ukernels {
namespace detail {

#ifdef DIFFC_HAVE_AVX512_KERNEL

__attribute__((target("avx512f"))) void
microKernelAvx512(int64_t kc, const float *a, const float *b, float *c,
                  int64_t ldc, bool accumulate) {
  static_assert(kMR == 6, "the register tile is 6x32");
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
  __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
  __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();

#define DIFFC_STEP(K)                                                          \
  do {                                                                         \
    const __m512 b0 = _mm512_load_ps(b + (K) * 32);                            \
    const __m512 b1 = _mm512_load_ps(b + (K) * 32 + 16);                       \
    __m512 av = _mm512_set1_ps(a[(K) * 6 + 0]);                                \
    c00 = _mm512_fmadd_ps(av, b0, c00);                                        \
    c01 = _mm512_fmadd_ps(av, b1, c01);                                        \
    av = _mm512_set1_ps(a[(K) * 6 + 1]);                                       \
    c10 = _mm512_fmadd_ps(av, b0, c10);                                        \
    c11 = _mm512_fmadd_ps(av, b1, c11);                                        \
    av = _mm512_set1_ps(a[(K) * 6 + 2]);                                       \
    c20 = _mm512_fmadd_ps(av, b0, c20);                                        \
    c21 = _mm512_fmadd_ps(av, b1, c21);                                        \
    av = _mm512_set1_ps(a[(K) * 6 + 3]);                                       \
    c30 = _mm512_fmadd_ps(av, b0, c30);                                        \
    c31 = _mm512_fmadd_ps(av, b1, c31);                                        \
    av = _mm512_set1_ps(a[(K) * 6 + 4]);                                       \
    c40 = _mm512_fmadd_ps(av, b0, c40);                                        \
    c41 = _mm512_fmadd_ps(av, b1, c41);                                        \
    av = _mm512_set1_ps(a[(K) * 6 + 5]);                                       \
    c50 = _mm512_fmadd_ps(av, b0, c50);                                        \
    c51 = _mm512_fmadd_ps(av, b1, c51);                                        \
  } while (0)

  int64_t k = 0;
  for (; k + 4 <= kc; k += 4, a += 24, b += 128) {
    _mm_prefetch(reinterpret_cast<const char *>(b + 512), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char *>(b + 528), _MM_HINT_T0);
    DIFFC_STEP(0);
    DIFFC_STEP(1);
    DIFFC_STEP(2);
    DIFFC_STEP(3);
  }
  for (; k < kc; ++k, a += 6, b += 32)
    DIFFC_STEP(0);
#undef DIFFC_STEP

#define DIFFC_STORE(ROW, LO, HI)                                               \
  do {                                                                         \
    float *row = c + (ROW) * ldc;                                              \
    if (accumulate) {                                                          \
      LO = _mm512_add_ps(LO, _mm512_loadu_ps(row));                            \
      HI = _mm512_add_ps(HI, _mm512_loadu_ps(row + 16));                       \
    }                                                                          \
    _mm512_storeu_ps(row, LO);                                                 \
    _mm512_storeu_ps(row + 16, HI);                                            \
  } while (0)
  DIFFC_STORE(0, c00, c01);
  DIFFC_STORE(1, c10, c11);
  DIFFC_STORE(2, c20, c21);
  DIFFC_STORE(3, c30, c31);
  DIFFC_STORE(4, c40, c41);
  DIFFC_STORE(5, c50, c51);
#undef DIFFC_STORE
}

#else

void microKernelAvx512(int64_t kc, const float *a, const float *b, float *c,
                       int64_t ldc, bool accumulate) {
  (void)kc, (void)a, (void)b, (void)c, (void)ldc, (void)accumulate;
  __builtin_trap(); // never selected: cpuHasAvx512() is false here
}

#endif

} // namespace detail
} // namespace ukernels
} // namespace diffc
