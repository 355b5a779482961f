//===- thread_pool.h - The kernels' persistent worker threads ---*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// A fork-join pool for the GEMM and convolution kernels: the caller and
// size() - 1 workers take task indices from one atomic counter until none
// are left. Workers are created on first use and kept (a kernel call is a
// few milliseconds; creating threads per call would cost tens of
// microseconds each time).
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_SRC_UKERNELS_THREAD_POOL_H
#define DIFFC_RUNTIME_SRC_UKERNELS_THREAD_POOL_H

#include <cstdint>
#include <functional>

namespace diffc {
namespace ukernels {

/// Runs `task(i)` for every i in [0, count), spread over the pool's threads,
/// and returns when all have finished. Calls from several host threads are
/// serialized; a call made from inside a task runs inline.
void parallelFor(int64_t count, const std::function<void(int64_t)> &task);

/// Threads parallelFor uses, the caller included.
int poolSize();

/// Sets the pool size (0: DIFFC_NUM_THREADS, else the online CPU count).
void setPoolSize(int n);

} // namespace ukernels
} // namespace diffc

#endif // DIFFC_RUNTIME_SRC_UKERNELS_THREAD_POOL_H
