//===- PhiloxKernel.cu - philox.h compiled as CUDA device code ------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Not run here (no GPU): the test compiles this file for several GPU
// generations through nvcc and ptxas, so philox.h stays valid device code.
//
//===----------------------------------------------------------------------===//

#include "diffc/philox.h"

/// One thread per element: the same stream mapping as diffc::fill_normal.
extern "C" __global__ void diffc_test_fill_normal(float *out, unsigned long long n,
                                                  unsigned long long seed,
                                                  unsigned long long offset) {
  unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = diffc::normal_at(seed, offset, i);
}

/// One thread per element: the same mapping as diffc::fill_integers.
extern "C" __global__ void diffc_test_fill_integers(long long *out,
                                                    unsigned long long n,
                                                    unsigned long long seed,
                                                    unsigned long long offset,
                                                    long long low,
                                                    long long high) {
  unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = diffc::integer_at(seed, offset, i, low, high);
}
