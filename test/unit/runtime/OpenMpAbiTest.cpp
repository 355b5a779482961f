//===- OpenMpAbiTest.cpp - the libomp entry points generated code calls ---===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// runtime/src/ukernels/openmp_abi.cpp, called the way the code that LLVM's
// OpenMPIRBuilder emits for omp.parallel + omp.wsloop calls it: every
// iteration of a static loop runs exactly once across the team, shares are
// contiguous and balanced, empty shares stay empty, the barrier holds every
// thread until all arrive, and a nested fork runs as a team of one.
//
//===----------------------------------------------------------------------===//

#include "thread_pool.h"

#include "gtest/gtest.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

extern "C" {
int32_t __kmpc_global_thread_num(void *);
void __kmpc_fork_call(void *, int32_t, void (*)(int32_t *, int32_t *, ...),
                      ...);
void __kmpc_barrier(void *, int32_t);
void __kmpc_for_static_init_4(void *, int32_t, int32_t, int32_t *, int32_t *,
                              int32_t *, int32_t *, int32_t, int32_t);
void __kmpc_for_static_init_4u(void *, int32_t, int32_t, int32_t *,
                               uint32_t *, uint32_t *, int32_t *, int32_t,
                               int32_t);
void __kmpc_for_static_init_8u(void *, int32_t, int32_t, int32_t *,
                               uint64_t *, uint64_t *, int64_t *, int64_t,
                               int64_t);
void __kmpc_for_static_init_8(void *, int32_t, int32_t, int32_t *, int64_t *,
                              int64_t *, int64_t *, int64_t, int64_t);
void __kmpc_for_static_fini(void *, int32_t);
}

namespace {

using diffc::ukernels::setPoolSize;

constexpr int32_t kStatic = 34, kStaticChunked = 33;

/// What one microtask saw, shared by the team.
struct Loop {
  uint64_t trips = 0;
  std::vector<std::atomic<int>> hits;
  std::mutex mutex;
  std::set<int32_t> tids;
  std::vector<uint64_t> shareSizes;
  int lastCount = 0;
  explicit Loop(uint64_t n) : trips(n), hits(n) {}
};

/// The normalized loop OpenMPIRBuilder emits: [0, trips - 1], step 1.
void microtask(int32_t *gtid, int32_t *, Loop *loop) {
  int32_t tid = __kmpc_global_thread_num(nullptr);
  EXPECT_EQ(*gtid, tid);
  int32_t last = -1;
  uint64_t lower = 0, upper = loop->trips - 1;
  int64_t stride = 1;
  __kmpc_for_static_init_8u(nullptr, tid, kStatic, &last, &lower, &upper,
                            &stride, 1, 0);
  uint64_t count = upper - lower + 1; // 0 for an empty share
  for (uint64_t i = 0; i < count; ++i)
    loop->hits[lower + i].fetch_add(1);
  __kmpc_for_static_fini(nullptr, tid);
  {
    std::lock_guard<std::mutex> lock(loop->mutex);
    loop->tids.insert(tid);
    loop->shareSizes.push_back(count);
    loop->lastCount += last == 1;
  }
  __kmpc_barrier(nullptr, tid);
}

void runLoop(Loop &loop) {
  __kmpc_fork_call(nullptr, 1,
                   reinterpret_cast<void (*)(int32_t *, int32_t *, ...)>(
                       &microtask),
                   &loop);
}

class OpenMpAbi : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override { setPoolSize(GetParam()); }
  void TearDown() override { setPoolSize(0); }
};

TEST_P(OpenMpAbi, EveryIterationOnceInBalancedShares) {
  const int threads = GetParam();
  for (uint64_t trips : {1ull, 2ull, 3ull, 7ull, 64ull, 1000ull, 100003ull}) {
    Loop loop(trips);
    runLoop(loop);
    for (uint64_t i = 0; i < trips; ++i)
      ASSERT_EQ(loop.hits[i].load(), 1) << "iteration " << i << " of " << trips;
    EXPECT_EQ(loop.tids.size(), static_cast<size_t>(threads)) << trips;
    uint64_t smallest = trips, largest = 0;
    for (uint64_t size : loop.shareSizes) {
      smallest = std::min(smallest, size);
      largest = std::max(largest, size);
    }
    EXPECT_LE(largest - smallest, 1u) << "unbalanced shares, trips " << trips;
    EXPECT_EQ(loop.lastCount, 1) << "exactly one thread runs the last iteration";
  }
}

TEST_P(OpenMpAbi, EmptyLoopRunsNothing) {
  // trips = 0: OpenMPIRBuilder passes upper = 2^64 - 1.
  std::atomic<int> ran{0};
  struct Ctx { std::atomic<int> *ran; } ctx{&ran};
  auto task = [](int32_t *, int32_t *, Ctx *c) {
    int32_t tid = __kmpc_global_thread_num(nullptr), last = 0;
    uint64_t lower = 0, upper = ~0ull;
    int64_t stride = 1;
    __kmpc_for_static_init_8u(nullptr, tid, kStatic, &last, &lower, &upper,
                              &stride, 1, 0);
    c->ran->fetch_add(static_cast<int>(upper - lower + 1));
    __kmpc_barrier(nullptr, tid);
  };
  void (*fn)(int32_t *, int32_t *, Ctx *) = task;
  __kmpc_fork_call(nullptr, 1,
                   reinterpret_cast<void (*)(int32_t *, int32_t *, ...)>(fn),
                   &ctx);
  EXPECT_EQ(ran.load(), 0);
}

TEST_P(OpenMpAbi, BarrierWaitsForTheWholeTeam) {
  const int threads = GetParam();
  struct Ctx {
    int threads = 0;
    std::atomic<int> before{0};
    std::atomic<int> wrong{0};
  } ctx;
  ctx.threads = threads;
  auto task = [](int32_t *, int32_t *, Ctx *c) {
    int32_t tid = __kmpc_global_thread_num(nullptr);
    for (int round = 1; round <= 50; ++round) {
      if (tid == 0) // one slow member each round
        std::this_thread::yield();
      c->before.fetch_add(1);
      __kmpc_barrier(nullptr, tid);
      // Everyone has arrived for this round.
      if (c->before.load() < round * c->threads)
        c->wrong.fetch_add(1);
      int team = 0;
      __kmpc_fork_call(nullptr, 1,
                       reinterpret_cast<void (*)(int32_t *, int32_t *, ...)>(
                           +[](int32_t *, int32_t *, int *t) { ++*t; }),
                       &team);
      if (team != 1) // a nested fork is a team of one, on this thread
        c->wrong.fetch_add(1);
      __kmpc_barrier(nullptr, tid);
    }
  };
  void (*fn)(int32_t *, int32_t *, Ctx *) = task;
  __kmpc_fork_call(nullptr, 1,
                   reinterpret_cast<void (*)(int32_t *, int32_t *, ...)>(fn),
                   &ctx);
  EXPECT_EQ(ctx.before.load(), 50 * threads);
  EXPECT_EQ(ctx.wrong.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Threads, OpenMpAbi, ::testing::Values(1, 2, 3, 8));

TEST(OpenMpAbiStaticInit, SignedAndChunkedSchedules) {
  // Outside a fork the caller is a team of one: everything is its share.
  int32_t last = 0, lower = -5, upper = 7, stride = 0;
  __kmpc_for_static_init_4(nullptr, 0, kStatic, &last, &lower, &upper, &stride,
                           1, 0);
  EXPECT_EQ(lower, -5);
  EXPECT_EQ(upper, 7);
  EXPECT_EQ(last, 1);
  // A negative step.
  int64_t lo = 10, hi = 1, st = 0;
  __kmpc_for_static_init_8(nullptr, 0, kStatic, &last, &lo, &hi, &st, -3, 0);
  EXPECT_EQ(lo, 10);
  EXPECT_EQ(hi, 1);
  // Unsigned 32-bit: a normalized range, and the empty one [0, 2^32 - 1].
  uint32_t ulo = 0, uhi = 9;
  int32_t ust = 0;
  __kmpc_for_static_init_4u(nullptr, 0, kStatic, &last, &ulo, &uhi, &ust, 1,
                            0);
  EXPECT_EQ(ulo, 0u);
  EXPECT_EQ(uhi, 9u);
  ulo = 0, uhi = UINT32_MAX;
  __kmpc_for_static_init_4u(nullptr, 0, kStatic, &last, &ulo, &uhi, &ust, 1,
                            0);
  EXPECT_EQ(static_cast<uint32_t>(uhi - ulo + 1), 0u) << "stays empty";
  // Chunked: thread 0 of 1 takes chunk 0 and strides over the rest.
  lo = 0, hi = 99;
  __kmpc_for_static_init_8(nullptr, 0, kStaticChunked, &last, &lo, &hi, &st, 1,
                           16);
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 15);
  EXPECT_EQ(st, 16);
}

} // namespace
