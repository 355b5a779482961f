//===- openmp_abi.cpp - The OpenMP entry points generated code calls ------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Generated CPU code runs its large parallel loops as OpenMP work-sharing
// loops (passes/Diffc/ParallelizeLoops.cpp, then MLIR's scf-to-openmp and
// LLVM's OpenMPIRBuilder). The code object then calls five entry points of
// the libomp ABI. They are implemented here, on the kernels' thread pool, so
// that diffc-run needs no OpenMP runtime and generated loops and GEMM or
// convolution kernels share one set of threads:
//
//   __kmpc_fork_call(loc, argc, microtask, args...)
//       runs microtask(&tid, &zero, args...) once on each team thread; a
//       fork inside a team (nested parallelism) runs on the calling thread
//       alone, as libomp does with nesting disabled;
//   __kmpc_for_static_init_{4,4u,8,8u}(loc, gtid, schedule, &last, &lower,
//       &upper, &stride, increment, chunk)
//       this thread's share of an inclusive [lower, upper] range: static
//       balanced (schedule 34), or round-robin chunks (schedule 33);
//   __kmpc_for_static_fini, __kmpc_global_thread_num, __kmpc_barrier.
//
// Only what OpenMPIRBuilder emits for `omp.parallel { omp.wsloop }` without
// reductions is provided; anything else fails to link when the code object
// is loaded, naming the missing symbol.
//
//===----------------------------------------------------------------------===//

#include "thread_pool.h"

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <thread>

namespace {

/// The team of one fork: its size and a reusable barrier.
struct Team {
  int size = 1;
  std::atomic<int> arrived{0};
  std::atomic<int> phase{0};
};

/// This thread's place in the running team (none: a team of one).
thread_local Team *currentTeam = nullptr;
thread_local int32_t currentTid = 0;

using Microtask = void (*)(int32_t *, int32_t *, ...);

constexpr int kMaxArgs = 8;

void invoke(Microtask task, int32_t tid, int argc, void **a) {
  int32_t gtid = tid, zero = 0;
  switch (argc) {
  case 0: task(&gtid, &zero); break;
  case 1: task(&gtid, &zero, a[0]); break;
  case 2: task(&gtid, &zero, a[0], a[1]); break;
  case 3: task(&gtid, &zero, a[0], a[1], a[2]); break;
  case 4: task(&gtid, &zero, a[0], a[1], a[2], a[3]); break;
  case 5: task(&gtid, &zero, a[0], a[1], a[2], a[3], a[4]); break;
  case 6: task(&gtid, &zero, a[0], a[1], a[2], a[3], a[4], a[5]); break;
  case 7: task(&gtid, &zero, a[0], a[1], a[2], a[3], a[4], a[5], a[6]); break;
  case 8:
    task(&gtid, &zero, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    break;
  }
}

/// The share of thread `tid` of `size` in [*lower, *upper] (inclusive) with
/// step `incr`; an empty share ends with *lower = *upper + incr.
template <typename T>
void staticInit(int32_t schedule, int32_t *last, T *lower, T *upper, T *stride,
                T incr, T chunk) {
  const int64_t size = currentTeam ? currentTeam->size : 1;
  const int64_t tid = currentTeam ? currentTid : 0;
  using Wide = __int128;
  const Wide lo = static_cast<Wide>(*lower), hi = static_cast<Wide>(*upper);
  const Wide step = static_cast<Wide>(incr);
  if (step == 0 || (step > 0 ? hi < lo : hi > lo)) {
    if (last)
      *last = 0;
    *stride = incr;
    return;
  }
  const Wide trips = (hi - lo) / step + 1;
  if (schedule == 33 && chunk > 0) {
    // static with a chunk: chunks tid, tid + size, ... (round robin).
    *lower = static_cast<T>(lo + step * Wide(chunk) * tid);
    *upper = static_cast<T>(lo + step * (Wide(chunk) * (tid + 1) - 1));
    *stride = static_cast<T>(step * Wide(chunk) * size);
    if (last)
      *last = ((trips - 1) / chunk) % size == tid;
    return;
  }
  // Static balanced: the first trips % size threads take one more.
  const Wide base = trips / size, extra = trips % size;
  const Wide first = base * tid + (tid < extra ? tid : extra);
  const Wide count = base + (tid < extra ? 1 : 0);
  *stride = static_cast<T>(trips);
  if (count == 0) {
    *lower = static_cast<T>(hi + step);
    *upper = static_cast<T>(hi);
    if (last)
      *last = 0;
    return;
  }
  *lower = static_cast<T>(lo + step * first);
  *upper = static_cast<T>(lo + step * (first + count - 1));
  if (last)
    *last = first + count == trips;
}

/// The unsigned variants. OpenMPIRBuilder normalizes their ranges to
/// [0, trips - 1] (trips < 2^63); an empty one arrives as [0, max], which
/// must stay empty.
template <typename U, typename S>
void staticInitUnsigned(int32_t schedule, int32_t *last, U *lower, U *upper,
                        S *stride, S incr, S chunk) {
  int64_t wideLower = static_cast<int64_t>(*lower);
  int64_t wideUpper = static_cast<int64_t>(*upper);
  if (*lower == 0 && *upper == std::numeric_limits<U>::max())
    wideUpper = -1;
  int64_t wideStride = 0;
  staticInit<int64_t>(schedule, last, &wideLower, &wideUpper, &wideStride,
                      incr, chunk);
  *lower = static_cast<U>(wideLower);
  *upper = static_cast<U>(wideUpper);
  *stride = static_cast<S>(wideStride);
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int32_t
__kmpc_global_thread_num(void *) {
  return currentTid;
}

__attribute__((visibility("default"))) void
__kmpc_fork_call(void *, int32_t argc, Microtask task, ...) {
  if (argc < 0 || argc > kMaxArgs) {
    std::fprintf(stderr,
                 "diffc runtime: generated code forks a parallel region with "
                 "%d arguments; at most %d are supported\n",
                 argc, kMaxArgs);
    std::abort();
  }
  void *args[kMaxArgs] = {};
  va_list list;
  va_start(list, task);
  for (int i = 0; i < argc; ++i)
    args[i] = va_arg(list, void *);
  va_end(list);

  const int size = currentTeam ? 1 : diffc::ukernels::poolSize();
  if (size <= 1) {
    // Nested (or a pool of one): a team of one on this thread.
    Team *outerTeam = currentTeam;
    int32_t outerTid = currentTid;
    Team single;
    currentTeam = &single;
    currentTid = 0;
    invoke(task, 0, argc, args);
    currentTeam = outerTeam;
    currentTid = outerTid;
    return;
  }
  Team team;
  team.size = size;
  // One task per team thread: a thread blocked in the barrier takes no
  // second task, so every member runs on its own thread.
  diffc::ukernels::parallelFor(size, [&](int64_t tid) {
    Team *outerTeam = currentTeam;
    int32_t outerTid = currentTid;
    currentTeam = &team;
    currentTid = static_cast<int32_t>(tid);
    invoke(task, currentTid, argc, args);
    currentTeam = outerTeam;
    currentTid = outerTid;
  });
}

__attribute__((visibility("default"))) void __kmpc_barrier(void *, int32_t) {
  Team *team = currentTeam;
  if (!team || team->size <= 1)
    return;
  const int phase = team->phase.load(std::memory_order_acquire);
  if (team->arrived.fetch_add(1, std::memory_order_acq_rel) + 1 ==
      team->size) {
    team->arrived.store(0, std::memory_order_relaxed);
    team->phase.store(phase + 1, std::memory_order_release);
    return;
  }
  for (int i = 0; team->phase.load(std::memory_order_acquire) == phase; ++i) {
    if (i < 4096) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
}

__attribute__((visibility("default"))) void
__kmpc_for_static_init_4(void *, int32_t, int32_t schedule, int32_t *last,
                         int32_t *lower, int32_t *upper, int32_t *stride,
                         int32_t incr, int32_t chunk) {
  staticInit<int32_t>(schedule, last, lower, upper, stride, incr, chunk);
}

__attribute__((visibility("default"))) void
__kmpc_for_static_init_4u(void *, int32_t, int32_t schedule, int32_t *last,
                          uint32_t *lower, uint32_t *upper, int32_t *stride,
                          int32_t incr, int32_t chunk) {
  staticInitUnsigned(schedule, last, lower, upper, stride, incr, chunk);
}

__attribute__((visibility("default"))) void
__kmpc_for_static_init_8(void *, int32_t, int32_t schedule, int32_t *last,
                         int64_t *lower, int64_t *upper, int64_t *stride,
                         int64_t incr, int64_t chunk) {
  staticInit<int64_t>(schedule, last, lower, upper, stride, incr, chunk);
}

__attribute__((visibility("default"))) void
__kmpc_for_static_init_8u(void *, int32_t, int32_t schedule, int32_t *last,
                          uint64_t *lower, uint64_t *upper, int64_t *stride,
                          int64_t incr, int64_t chunk) {
  staticInitUnsigned(schedule, last, lower, upper, stride, incr, chunk);
}

__attribute__((visibility("default"))) void __kmpc_for_static_fini(void *,
                                                                   int32_t) {}

} // extern "C"
