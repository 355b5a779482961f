//===- ukernel_bench.cpp - Time the CPU kernels and compiled entry points -===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The timing half of bench/cpu_kernels.py, which runs the peers (PyTorch,
// NumPy) in the same run and prints the comparison table. Each command prints
// one JSON line with every repetition's time, so the driver takes medians.
//
//   diffc-ukernel-bench sgemm M N K [--reps R] [--threads T]
//       The runtime's SGEMM alone, C[M, N] = A[M, K] B[K, N], row-major.
//   diffc-ukernel-bench call MODEL.diffc ENTRY [--weights W.safetensors]...
//                       [--arg X.npy | --arg i64:N]... [--reps R]
//       A compiled entry point through the runtime's Session, inputs loaded
//       once; the first call is a warm-up and not reported.
//   diffc-ukernel-bench openblas LIB M N K [--reps R] [--threads T]
//       cblas_sgemm of an OpenBLAS dlopen'ed from LIB, for the "is a CPU
//       BLAS faster" question of DESIGN.md decision 9.
//
//===----------------------------------------------------------------------===//

#include "ukernels.h"

#include "diffc/session.h"
#include "diffc/tensor.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <dlfcn.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

/// CPU time of the whole process (all threads), in milliseconds: on a
/// machine shared with other work, work per CPU-second is the steadier
/// measure of a kernel's efficiency; wall time is what a user waits.
double processCpuMilliseconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void printTimes(const std::string &what, const std::vector<double> &times,
                const std::vector<double> &cpuTimes) {
  std::printf("{\"what\": \"%s\", \"threads\": %d, \"isa\": \"%s\", "
              "\"median_ms\": %.4f, \"min_ms\": %.4f, "
              "\"median_cpu_ms\": %.4f, \"times_ms\": [",
              what.c_str(), diffc::ukernels::numThreads(),
              diffc::ukernels::isaName(diffc::ukernels::activeIsa()),
              median(times), *std::min_element(times.begin(), times.end()),
              median(cpuTimes));
  for (size_t i = 0; i < times.size(); ++i)
    std::printf("%s%.4f", i ? ", " : "", times[i]);
  std::printf("]}\n");
}

int usage() {
  std::fprintf(stderr,
               "usage: diffc-ukernel-bench sgemm M N K [--reps R] [--threads T]\n"
               "       diffc-ukernel-bench call MODEL.diffc ENTRY "
               "[--weights W]... [--arg X]... [--reps R]\n"
               "       diffc-ukernel-bench openblas LIB M N K [--reps R] "
               "[--threads T]\n");
  return 2;
}

int benchSgemm(int argc, char **argv) {
  if (argc < 5)
    return usage();
  const int64_t m = std::atoll(argv[2]), n = std::atoll(argv[3]),
                k = std::atoll(argv[4]);
  int reps = 10;
  for (int i = 5; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps"))
      reps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads"))
      diffc::ukernels::setNumThreads(std::atoi(argv[i + 1]));
    else
      return usage();
  }
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> a(m * k), b(k * n), c(m * n);
  for (float &v : a)
    v = normal(rng);
  for (float &v : b)
    v = normal(rng);
  diffc::ukernels::BatchedGemm g{};
  g.batch = 1;
  g.a = {a.data(), m, k, k, 1};
  g.b = {b.data(), k, n, n, 1};
  g.c = {c.data(), m, n, n, 1};
  g.output = diffc::ukernels::Output::Overwrite;
  diffc::ukernels::sgemm(g); // warm-up: threads, scratch, caches
  std::vector<double> times, cpuTimes;
  for (int r = 0; r < reps; ++r) {
    double cpu = processCpuMilliseconds();
    Clock::time_point start = Clock::now();
    diffc::ukernels::sgemm(g);
    times.push_back(millisecondsSince(start));
    cpuTimes.push_back(processCpuMilliseconds() - cpu);
  }
  printTimes("sgemm " + std::to_string(m) + "x" + std::to_string(n) + "x" +
                 std::to_string(k),
             times, cpuTimes);
  return 0;
}

int benchOpenblas(int argc, char **argv) {
  if (argc < 6)
    return usage();
  using Sgemm = void (*)(int, int, int, int, int, int, float, const float *,
                         int, const float *, int, float, float *, int);
  using SetThreads = void (*)(int);
  void *lib = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::fprintf(stderr, "diffc-ukernel-bench: %s\n", dlerror());
    return 1;
  }
  auto sgemm = reinterpret_cast<Sgemm>(dlsym(lib, "cblas_sgemm"));
  auto setThreads =
      reinterpret_cast<SetThreads>(dlsym(lib, "openblas_set_num_threads"));
  if (!sgemm || !setThreads) {
    std::fprintf(stderr, "diffc-ukernel-bench: %s is not an OpenBLAS\n",
                 argv[2]);
    return 1;
  }
  const int m = std::atoi(argv[3]), n = std::atoi(argv[4]),
            k = std::atoi(argv[5]);
  int reps = 10, threads = diffc::ukernels::numThreads();
  for (int i = 6; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps"))
      reps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads"))
      threads = std::atoi(argv[i + 1]);
    else
      return usage();
  }
  setThreads(threads);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> a(size_t(m) * k), b(size_t(k) * n), c(size_t(m) * n);
  for (float &v : a)
    v = normal(rng);
  for (float &v : b)
    v = normal(rng);
  // CblasRowMajor = 101, CblasNoTrans = 111.
  auto run = [&] {
    sgemm(101, 111, 111, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f,
          c.data(), n);
  };
  run();
  std::vector<double> times, cpuTimes;
  for (int r = 0; r < reps; ++r) {
    double cpu = processCpuMilliseconds();
    Clock::time_point start = Clock::now();
    run();
    times.push_back(millisecondsSince(start));
    cpuTimes.push_back(processCpuMilliseconds() - cpu);
  }
  printTimes("openblas " + std::to_string(m) + "x" + std::to_string(n) + "x" +
                 std::to_string(k),
             times, cpuTimes);
  return 0;
}

int benchCall(int argc, char **argv) {
  if (argc < 4)
    return usage();
  const std::string model = argv[2], entry = argv[3];
  diffc::SessionOptions options;
  std::vector<diffc::Arg> inputs;
  int reps = 5;
  std::string error;
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--reps") {
      reps = std::atoi(value.c_str());
    } else if (flag == "--weights") {
      options.weightFiles.push_back(value);
    } else if (flag == "--arg" && value.rfind("i64:", 0) == 0) {
      inputs.push_back(diffc::Arg::ofI64(std::atoll(value.c_str() + 4)));
    } else if (flag == "--arg") {
      diffc::Tensor t;
      if (!diffc::readNpy(value, &t, &error)) {
        std::fprintf(stderr, "diffc-ukernel-bench: %s\n", error.c_str());
        return 1;
      }
      inputs.push_back(diffc::Arg::ofTensor(std::move(t)));
    } else {
      return usage();
    }
  }
  std::unique_ptr<diffc::Session> session =
      diffc::Session::open(model, options, &error);
  if (!session) {
    std::fprintf(stderr, "diffc-ukernel-bench: %s\n", error.c_str());
    return 1;
  }
  std::vector<diffc::Arg> outputs;
  std::vector<double> times, cpuTimes;
  for (int r = 0; r <= reps; ++r) {
    double cpu = processCpuMilliseconds();
    Clock::time_point start = Clock::now();
    if (!session->call(entry, inputs, &outputs, &error)) {
      std::fprintf(stderr, "diffc-ukernel-bench: %s\n", error.c_str());
      return 1;
    }
    if (r > 0) { // the first call is a warm-up
      times.push_back(millisecondsSince(start));
      cpuTimes.push_back(processCpuMilliseconds() - cpu);
    }
  }
  printTimes(entry, times, cpuTimes);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  if (!std::strcmp(argv[1], "sgemm"))
    return benchSgemm(argc, argv);
  if (!std::strcmp(argv[1], "call"))
    return benchCall(argc, argv);
  if (!std::strcmp(argv[1], "openblas"))
    return benchOpenblas(argc, argv);
  return usage();
}
