//===- kernel_avx2.cpp - The 6x16 AVX2 + FMA micro-kernel -----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Twelve 8-float accumulators hold a 6x16 tile of C; each step of k loads two
// vectors of the B panel, broadcasts six values of the A panel and issues 12
// FMAs, which keeps both FMA ports busy (two loads + six broadcasts per 12
// FMAs stay under the two load ports' limit). The file is compiled for the
// baseline x86-64 ISA with the AVX2 code in target("avx2,fma") functions, so
// the runtime still starts on CPUs without AVX2; sgemm.cpp calls this kernel
// only where __builtin_cpu_supports says both extensions exist.
//
//===----------------------------------------------------------------------===//

#include "gemm_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define DIFFC_HAVE_AVX2_KERNEL 1
#endif

namespace diffc {
namespace ukernels {
namespace detail {

#ifdef DIFFC_HAVE_AVX2_KERNEL

__attribute__((target("avx2,fma"))) void
microKernelAvx2(int64_t kc, const float *a, const float *b, float *c,
                int64_t ldc, bool accumulate) {
  static_assert(kMR == 6, "the register tile is 6x16");
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

#define DIFFC_STEP(K)                                                          \
  do {                                                                         \
    const __m256 b0 = _mm256_load_ps(b + (K) * 16);                            \
    const __m256 b1 = _mm256_load_ps(b + (K) * 16 + 8);                        \
    __m256 av = _mm256_broadcast_ss(a + (K) * 6 + 0);                          \
    c00 = _mm256_fmadd_ps(av, b0, c00);                                        \
    c01 = _mm256_fmadd_ps(av, b1, c01);                                        \
    av = _mm256_broadcast_ss(a + (K) * 6 + 1);                                 \
    c10 = _mm256_fmadd_ps(av, b0, c10);                                        \
    c11 = _mm256_fmadd_ps(av, b1, c11);                                        \
    av = _mm256_broadcast_ss(a + (K) * 6 + 2);                                 \
    c20 = _mm256_fmadd_ps(av, b0, c20);                                        \
    c21 = _mm256_fmadd_ps(av, b1, c21);                                        \
    av = _mm256_broadcast_ss(a + (K) * 6 + 3);                                 \
    c30 = _mm256_fmadd_ps(av, b0, c30);                                        \
    c31 = _mm256_fmadd_ps(av, b1, c31);                                        \
    av = _mm256_broadcast_ss(a + (K) * 6 + 4);                                 \
    c40 = _mm256_fmadd_ps(av, b0, c40);                                        \
    c41 = _mm256_fmadd_ps(av, b1, c41);                                        \
    av = _mm256_broadcast_ss(a + (K) * 6 + 5);                                 \
    c50 = _mm256_fmadd_ps(av, b0, c50);                                        \
    c51 = _mm256_fmadd_ps(av, b1, c51);                                        \
  } while (0)

  int64_t k = 0;
  for (; k + 4 <= kc; k += 4, a += 24, b += 64) {
    _mm_prefetch(reinterpret_cast<const char *>(b + 256), _MM_HINT_T0);
    DIFFC_STEP(0);
    DIFFC_STEP(1);
    DIFFC_STEP(2);
    DIFFC_STEP(3);
  }
  for (; k < kc; ++k, a += 6, b += 16)
    DIFFC_STEP(0);
#undef DIFFC_STEP

#define DIFFC_STORE(ROW, LO, HI)                                               \
  do {                                                                         \
    float *row = c + (ROW) * ldc;                                              \
    if (accumulate) {                                                          \
      LO = _mm256_add_ps(LO, _mm256_loadu_ps(row));                            \
      HI = _mm256_add_ps(HI, _mm256_loadu_ps(row + 8));                        \
    }                                                                          \
    _mm256_storeu_ps(row, LO);                                                 \
    _mm256_storeu_ps(row + 8, HI);                                             \
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

void microKernelAvx2(int64_t kc, const float *a, const float *b, float *c,
                     int64_t ldc, bool accumulate) {
  microKernelScalar(kc, a, b, c, ldc, accumulate);
}

#endif

} // namespace detail
} // namespace ukernels
} // namespace diffc
