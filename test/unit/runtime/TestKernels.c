/*===- TestKernels.c - Hand-written entry points for runtime tests --------===//
 *
 * Part of the diffc project, under the Apache License v2.0.
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===//
 *
 * Functions that follow the packed calling convention of artifact.fbs by
 * hand, so the runtime's side of the convention is tested without the
 * compiler. Built as a shared library whose bytes the tests embed in
 * artifacts as the x86_64 code object.
 *
 *   void f(void **args): args = expanded inputs..., result storage
 *   tensor of rank r: allocated, aligned, offset, sizes[r], strides[r]
 *   result storage: a struct with one member per result, natural alignment
 *
 * Inputs are read through their strides and offsets. Results are returned
 * in deliberately unusual layouts (aligned != allocated, nonzero offset,
 * padded or transposed strides) so the runtime's copy-out is exercised.
 *
 * Parameters (artifact.fbs, table Parameter) are exported, uninitialized
 * globals of exactly the tensor's size, as the compiler emits them; the
 * runtime fills them before the first call.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdlib.h>

#include "TestMemref.h"

static float get1(const Memref1 *m, int64_t i) {
  return ((const float *)m->aligned)[m->offset + i * m->strides[0]];
}

/* A fresh rank-1 f32 result whose data starts 64-byte aligned at element
 * `offset` of the block, so allocated != aligned and offset != 0. */
static Memref1 alloc1(int64_t n, int64_t offset) {
  Memref1 m;
  size_t bytes = (size_t)(n + offset) * sizeof(float) + 64;
  m.allocated = malloc(bytes);
  m.aligned = (void *)(((uintptr_t)m.allocated + 63) & ~(uintptr_t)63);
  m.offset = offset;
  m.sizes[0] = n;
  m.strides[0] = 1;
  return m;
}

/* add_f32(x: tensor<?xf32>, y: tensor<?xf32>) -> tensor<?xf32>
 * args: x[0..4], y[5..9], result[10]. Sizes are assumed equal; on a mismatch
 * the shorter length is used. */
EXPORT void add_f32(void **args) {
  Memref1 x = unpack1(args, 0), y = unpack1(args, 5);
  int64_t n = x.sizes[0] < y.sizes[0] ? x.sizes[0] : y.sizes[0];
  Memref1 r = alloc1(n, 3);
  float *out = (float *)r.aligned + r.offset;
  for (int64_t i = 0; i < n; ++i)
    out[i] = get1(&x, i) + get1(&y, i);
  *(Memref1 *)args[10] = r;
}

/* scale(x: tensor<?x?xf32>, s: f32) -> tensor<?x?xf32>
 * args: x[0..6], s[7], result[8]. The result rows are padded (row stride
 * cols + 5) to check that the runtime honours strides. */
EXPORT void scale(void **args) {
  const float *xa = *(float **)args[1];
  int64_t xoff = *(int64_t *)args[2];
  int64_t rows = *(int64_t *)args[3], cols = *(int64_t *)args[4];
  int64_t xs0 = *(int64_t *)args[5], xs1 = *(int64_t *)args[6];
  float s = *(float *)args[7];

  Memref2 r;
  int64_t pitch = cols + 5;
  r.allocated = malloc((size_t)(rows * pitch + 1) * sizeof(float));
  r.aligned = r.allocated;
  r.offset = 1;
  r.sizes[0] = rows;
  r.sizes[1] = cols;
  r.strides[0] = pitch;
  r.strides[1] = 1;
  float *out = (float *)r.aligned + r.offset;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      out[i * pitch + j] = xa[xoff + i * xs0 + j * xs1] * s;
  *(Memref2 *)args[8] = r;
}

/* transpose(x: tensor<?x?xf32>) -> tensor<?x?xf32>, returned as a
 * column-major view (strides {1, rows}) of a copy of x: the runtime must
 * produce the row-major transpose.
 * args: x[0..6], result[7]. */
EXPORT void transpose(void **args) {
  const float *xa = *(float **)args[1];
  int64_t xoff = *(int64_t *)args[2];
  int64_t rows = *(int64_t *)args[3], cols = *(int64_t *)args[4];
  int64_t xs0 = *(int64_t *)args[5], xs1 = *(int64_t *)args[6];
  Memref2 r;
  r.allocated = malloc((size_t)(rows * cols + 1) * sizeof(float));
  r.aligned = r.allocated;
  r.offset = 0;
  float *copy = (float *)r.aligned;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      copy[i * cols + j] = xa[xoff + i * xs0 + j * xs1];
  /* Result[j][i] = x[i][j] = copy[i * cols + j]. */
  r.sizes[0] = cols;
  r.sizes[1] = rows;
  r.strides[0] = 1;
  r.strides[1] = cols;
  *(Memref2 *)args[7] = r;
}

/* sum_and_scale(x: tensor<?xf32>, k: i64) -> (f32, tensor<?xf32>, index)
 * Returns sum(x), x * k and the length of x. The result struct has a float
 * first, so the descriptor after it starts at offset 8, not 4.
 * args: x[0..4], k[5], result[6]. */
typedef struct {
  float sum;
  Memref1 scaled;
  int64_t count;
} SumAndScaleResult;

EXPORT void sum_and_scale(void **args) {
  Memref1 x = unpack1(args, 0);
  int64_t k = *(int64_t *)args[5];
  SumAndScaleResult *result = (SumAndScaleResult *)args[6];
  Memref1 r = alloc1(x.sizes[0], 0);
  float *out = (float *)r.aligned;
  float sum = 0.0f;
  for (int64_t i = 0; i < x.sizes[0]; ++i) {
    sum += get1(&x, i);
    out[i] = get1(&x, i) * (float)k;
  }
  result->sum = sum;
  result->scaled = r;
  result->count = x.sizes[0];
}

/* dot(x: tensor<4xf32>, y: tensor<4xf32>) -> tensor<f32> (rank 0: the
 * descriptor is just allocated, aligned, offset).
 * args: x[0..4], y[5..9], result[10]. */
typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
} Memref0;

EXPORT void dot(void **args) {
  Memref1 x = unpack1(args, 0), y = unpack1(args, 5);
  Memref0 r;
  r.allocated = malloc(2 * sizeof(float));
  r.aligned = r.allocated;
  r.offset = 1;
  float acc = 0.0f;
  for (int64_t i = 0; i < x.sizes[0]; ++i)
    acc += get1(&x, i) * get1(&y, i);
  ((float *)r.aligned)[1] = acc;
  *(Memref0 *)args[10] = r;
}

/* identity(x: tensor<?xf32>) -> tensor<?xf32>, returning the input's own
 * buffer: a convention violation the runtime must survive without freeing
 * memory it owns. args: x[0..4], result[5]. */
EXPORT void identity(void **args) {
  Memref1 x = unpack1(args, 0);
  *(Memref1 *)args[5] = x;
}

/* wrong_size(x: tensor<?xf32>) -> tensor<4xf32> that returns 5 elements:
 * the runtime must report the mismatch (and still free the buffer).
 * args: x[0..4], result[5]. */
EXPORT void wrong_size(void **args) {
  (void)args[0];
  Memref1 r = alloc1(5, 0);
  for (int i = 0; i < 5; ++i)
    ((float *)r.aligned)[i] = (float)i;
  *(Memref1 *)args[5] = r;
}

/* which() -> index: which build of this file was loaded (1, or 2 for the
 * DIFFC_TEST_KERNELS_ID=2 variant), to tell two loaded artifacts apart.
 * No inputs: args[0] is the result storage. */
#ifndef DIFFC_TEST_KERNELS_ID
#define DIFFC_TEST_KERNELS_ID 1
#endif
EXPORT void which(void **args) { *(int64_t *)args[0] = DIFFC_TEST_KERNELS_ID; }

/*===----------------------------------------------------------------------===
 * Parameters
 *===----------------------------------------------------------------------===*/

/* "layer.weight": tensor<2x3xf32>, row-major. */
EXPORT float diffc_param_0[6];
/* "layer.steps": tensor<i64>. */
EXPORT int64_t diffc_param_1;
/* A boolean parameter no entry point reads, for binding tests. */
EXPORT uint8_t diffc_param_mask[3];
/* Read-only data: the runtime must refuse to bind a parameter to it. */
EXPORT const float diffc_readonly[6] = {1, 2, 3, 4, 5, 6};

/* scale_by_param(x: tensor<2x3xf32>) -> (tensor<2x3xf32>, i64)
 * Returns x * layer.weight elementwise and layer.steps, both read from the
 * parameter globals. args: x[0..6], result[7]. */
typedef struct {
  Memref2 scaled;
  int64_t steps;
} ScaleByParamResult;

EXPORT void scale_by_param(void **args) {
  const float *xa = *(float **)args[1];
  int64_t xoff = *(int64_t *)args[2];
  int64_t xs0 = *(int64_t *)args[5], xs1 = *(int64_t *)args[6];
  ScaleByParamResult *result = (ScaleByParamResult *)args[7];
  Memref2 r;
  r.allocated = malloc(6 * sizeof(float));
  r.aligned = r.allocated;
  r.offset = 0;
  r.sizes[0] = 2;
  r.sizes[1] = 3;
  r.strides[0] = 3;
  r.strides[1] = 1;
  float *out = (float *)r.aligned;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      out[i * 3 + j] = xa[xoff + i * xs0 + j * xs1] * diffc_param_0[i * 3 + j];
  result->scaled = r;
  result->steps = diffc_param_1;
}
