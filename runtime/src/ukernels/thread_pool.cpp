//===- thread_pool.cpp - The kernels' persistent worker threads -----------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace diffc {
namespace ukernels {

namespace {

/// Set on pool workers and on a caller while it runs tasks, so that a nested
/// parallelFor runs inline instead of waiting for itself.
thread_local bool insideTask = false;

int defaultSize() {
  if (const char *env = std::getenv("DIFFC_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0)
      return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

class Pool {
public:
  int size() {
    std::lock_guard<std::mutex> lock(callMutex_);
    ensureStarted();
    return static_cast<int>(workers_.size()) + 1;
  }

  void resize(int n) {
    std::lock_guard<std::mutex> lock(callMutex_);
    stopWorkers();
    wanted_ = n > 0 ? n : defaultSize();
    started_ = false;
  }

  void run(int64_t count, const std::function<void(int64_t)> &task) {
    if (count <= 0)
      return;
    if (insideTask || count == 1) {
      for (int64_t i = 0; i < count; ++i)
        task(i);
      return;
    }
    std::lock_guard<std::mutex> lock(callMutex_);
    ensureStarted();
    if (workers_.empty()) {
      for (int64_t i = 0; i < count; ++i)
        task(i);
      return;
    }
    {
      std::lock_guard<std::mutex> state(stateMutex_);
      task_ = &task;
      count_ = count;
      next_.store(0);
      busy_.store(static_cast<int>(workers_.size()));
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    insideTask = true;
    drain();
    insideTask = false;
    spinUntil([&] { return busy_.load(std::memory_order_acquire) == 0; });
    std::unique_lock<std::mutex> state(stateMutex_);
    done_.wait(state, [&] { return busy_.load() == 0; });
    task_ = nullptr;
  }

private:
  void ensureStarted() {
    if (started_)
      return;
    started_ = true;
    if (wanted_ == 0)
      wanted_ = defaultSize();
    stop_ = false;
    // New workers wait for the next generation: one that took the current
    // count as new work would drain a finished (or the next) loop with the
    // wrong generation and decrement busy_ twice, which once left run()
    // waiting forever after a resize (OpenMpAbi tests, session 4).
    const uint64_t current = generation_.load();
    for (int i = 1; i < wanted_; ++i)
      workers_.emplace_back([this, current] { workerLoop(current); });
  }

  void stopWorkers() {
    {
      std::lock_guard<std::mutex> state(stateMutex_);
      stop_ = true;
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (std::thread &t : workers_)
      t.join();
    workers_.clear();
  }

  /// Takes tasks until the counter runs past count_.
  void drain() {
    for (int64_t i = next_.fetch_add(1); i < count_; i = next_.fetch_add(1))
      (*task_)(i);
  }

  /// Spins (about 300 us) until `done()`, so that back-to-back kernel calls
  /// and generated parallel loops do not pay a futex sleep and wake-up each.
  /// 300 rather than 50 us: the fmnist_small forward at batch 1 (about 600
  /// forks and kernel calls in 30 ms) went from 30.6 to 28.3 ms (median of
  /// 30 calls, diffc-bench, 2 threads).
  template <typename Done> static void spinUntil(Done done) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::microseconds(300);
    for (int i = 0; !done(); ++i) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline)
        return;
    }
  }

  void workerLoop(uint64_t seen) {
    insideTask = true;
    for (;;) {
      spinUntil([&] {
        return generation_.load(std::memory_order_acquire) != seen;
      });
      {
        std::unique_lock<std::mutex> state(stateMutex_);
        wake_.wait(state, [&] { return generation_.load() != seen; });
        seen = generation_.load();
        if (stop_)
          return;
      }
      drain();
      if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> state(stateMutex_);
        done_.notify_one();
      }
    }
  }

  std::mutex callMutex_;  // one parallelFor at a time
  std::mutex stateMutex_; // guards the fields below
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t)> *task_ = nullptr;
  int64_t count_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> busy_{0};
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false, started_ = false;
  int wanted_ = 0;
};

/// Never destroyed: workers blocked in a condition variable must not outlive
/// a destroyed pool during static destruction at exit.
Pool &pool() {
  static Pool *p = new Pool();
  return *p;
}

} // namespace

void parallelFor(int64_t count, const std::function<void(int64_t)> &task) {
  pool().run(count, task);
}

int poolSize() { return pool().size(); }

void setPoolSize(int n) { pool().resize(n); }

} // namespace ukernels
} // namespace diffc
