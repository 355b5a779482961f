/*===- TestMemref.h - Memref descriptors for hand-written code objects ----===//
 *
 * Part of the diffc project, under the Apache License v2.0.
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===//
 *
 * The descriptors of the packed calling convention (artifact.fbs,
 * EntryPoint) for the test code objects written in C: TestKernels.c (CPU)
 * and TestGpuHost.c (GPU host code).
 *
 *===----------------------------------------------------------------------===*/

#ifndef DIFFC_TEST_UNIT_RUNTIME_TESTMEMREF_H
#define DIFFC_TEST_UNIT_RUNTIME_TESTMEMREF_H

#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

/* A rank-1 and a rank-2 memref descriptor, as in the result struct. */
typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} Memref1;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} Memref2;

/* Reads a rank-1 descriptor from args[at .. at + 4]. */
static inline Memref1 unpack1(void **args, int at) {
  Memref1 m;
  m.allocated = *(void **)args[at];
  m.aligned = *(void **)args[at + 1];
  m.offset = *(int64_t *)args[at + 2];
  m.sizes[0] = *(int64_t *)args[at + 3];
  m.strides[0] = *(int64_t *)args[at + 4];
  return m;
}

#endif /* DIFFC_TEST_UNIT_RUNTIME_TESTMEMREF_H */
