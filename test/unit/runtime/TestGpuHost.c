/*===- TestGpuHost.c - A hand-written GPU host code object for tests ------===//
 *
 * Part of the diffc project, under the Apache License v2.0.
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===//
 *
 * What the compiler's GPU host pipeline emits (diffc-gpu-launch-to-calls,
 * diffc-gpu-host-sync, diffc-gpu-host-allocations), written by hand so the
 * runtime's side of the launch ABI (runtime/src/cuda/gpu_executor.h) is
 * tested without the compiler and without a GPU (GpuExecutionTest.cpp runs
 * it on the mock driver, test/mock-cuda).
 *
 *   axpb(x: tensor<?xf32>, a: f32) -> (tensor<?xf32>, f32)
 *     y = a * x + bias[0]   (kernel 0, "axpb_kernel", one thread per element)
 *     returns y and y[0], read by the host after waiting for the GPU
 *
 *   axpb_async(x: tensor<?xf32>, a: f32) -> tensor<?xf32>
 *     the same without the host read, so the runtime may record it as a
 *     CUDA graph and replay it
 *
 * `bias` is the parameter "bias" (tensor<1xf32>), an exported global the
 * runtime fills; the kernel reads the runtime's device copy of it. Each run
 * of the host code calls diffc_test_gpu_host_ran(), which the test binary
 * defines, so the tests see whether a call ran the host code or a replay.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <string.h>

#include "TestMemref.h"


void diffc_gpu_launch(int64_t kernel, int64_t gx, int64_t gy, int64_t gz,
                      int64_t bx, int64_t by, int64_t bz, int64_t smem,
                      int64_t slots, int64_t count);
void diffc_gpu_sync(void);
uint64_t diffc_gpu_global(int64_t host, int64_t bytes);
void *diffc_gpu_alloc(size_t size);

void diffc_test_gpu_host_ran(void);

EXPORT float diffc_param_0[1];

typedef struct {
  Memref1 y;
  float y0;
} Results;

/* Launches y = a * x + bias over x's elements into a fresh block. */
static float *launchAxpb(const Memref1 *x, float a) {
  int64_t n = x->sizes[0];
  float *y = (float *)diffc_gpu_alloc((size_t)(n > 0 ? n : 1) * 4);
  int64_t bias = (int64_t)diffc_gpu_global((int64_t)(intptr_t)diffc_param_0, 4);
  uint32_t aBits;
  memcpy(&aBits, &a, 4);
  int64_t slots[17] = {n,
                       (int64_t)(intptr_t)x->aligned, (int64_t)(intptr_t)x->aligned,
                       x->offset, x->sizes[0], x->strides[0],
                       bias, bias, 0, 1, 1,
                       (int64_t)aBits,
                       (int64_t)(intptr_t)y, (int64_t)(intptr_t)y, 0, n, 1};
  int64_t grid = (n + 255) / 256;
  diffc_gpu_launch(0, grid > 0 ? grid : 1, 1, 1, 256, 1, 1, 0,
                   (int64_t)(intptr_t)slots, 17);
  return y;
}

EXPORT void diffc_entry_axpb(void **args) {
  diffc_test_gpu_host_ran();
  Memref1 x = unpack1(args, 0);
  float a = *(float *)args[5];
  Results *out = (Results *)args[6];
  int64_t n = x.sizes[0];
  float *y = launchAxpb(&x, a);
  diffc_gpu_sync();
  out->y.allocated = out->y.aligned = y;
  out->y.offset = 0;
  out->y.sizes[0] = n;
  out->y.strides[0] = 1;
  out->y0 = n > 0 ? y[0] : 0.0f;
}

EXPORT void diffc_entry_axpb_async(void **args) {
  diffc_test_gpu_host_ran();
  Memref1 x = unpack1(args, 0);
  float a = *(float *)args[5];
  Memref1 *out = (Memref1 *)args[6];
  out->allocated = out->aligned = launchAxpb(&x, a);
  out->offset = 0;
  out->sizes[0] = x.sizes[0];
  out->strides[0] = 1;
}
