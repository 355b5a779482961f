//===- diffc_bench.cpp - Time one entry point of a diffc artifact ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// diffc-bench loads an artifact once (Session, --weights), then calls one
// entry point with fixed arguments: N warm-up calls, then M timed calls. It
// prints the median and minimum wall time of the timed calls and the peak
// resident set size of the process (getrusage). Runtime only, like
// diffc-run: no MLIR, no LLVM. bench/unet_cpu.sh drives it beside PyTorch and
// ONNX Runtime.
//
//   diffc-bench MODEL.diffc ENTRY [--weights W.safetensors]... [--arg X]...
//               [--warmup N] [--reps M] [--threads T] [--out FILE.npy]
//               [--device cpu|cuda] [--json]
//
//   diffc-bench MODEL.diffc --serve [--weights W.safetensors]... [--threads T]
//
// Each --arg is FILE.npy, i64:N, index:N or f32:V, in signature order (as in
// `diffc-run call`). --out writes the first result of the last call. --threads
// sets the kernel thread pool (default: DIFFC_NUM_THREADS, else all CPUs).
// --device cuda runs the artifact's GPU host code and kernels on CUDA device
// 0 (docs/gpu.md); a call's time then includes copying the inputs into and
// the results out of device-visible memory and the final wait.
// Progress goes to stderr; stdout gets one line, human-readable or (--json)
// one JSON object:
//   {"entry": ..., "threads": T, "isa": ..., "warmup": N, "reps": M,
//    "load_ms": ..., "median_ms": ..., "min_ms": ..., "max_ms": ...,
//    "peak_rss_mib": ..., "times_ms": [...]}
//
// --serve keeps the session for a driver that interleaves peers call by
// call (bench/unet_cpu.py): it prints "ready {JSON: version, threads, isa,
// load_ms}", then reads one request per line on stdin,
//   call ENTRY [ARG]... [--out FILE.npy]
// (.npy inputs are read once and cached by path), runs it once and answers
// one line on stdout, "ok <milliseconds>" or "error <message>"; "rss" answers
// "ok <peak RSS MiB>"; end of input or "quit" ends it.
//
//===----------------------------------------------------------------------===//

#include "ukernels.h"

#include "diffc/session.h"
#include "diffc/tensor.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

double peakRssMiB() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0)
    return -1.0;
  return usage.ru_maxrss / 1024.0; // ru_maxrss is in KiB on Linux
}

int usage(const char *why = nullptr) {
  if (why)
    std::fprintf(stderr, "diffc-bench: error: %s\n", why);
  std::fprintf(stderr,
               "usage: diffc-bench MODEL.diffc ENTRY [--weights W]... "
               "[--arg X.npy|i64:N|index:N|f32:V]...\n"
               "                   [--warmup N] [--reps M] [--threads T] "
               "[--out FILE.npy] [--device cpu|cuda] [--json]\n"
               "       diffc-bench MODEL.diffc --serve [--weights W]... "
               "[--threads T]\n");
  return 2;
}

int fail(const std::string &message) {
  std::fprintf(stderr, "diffc-bench: error: %s\n", message.c_str());
  return 1;
}

/// Parses "i64:5", "index:3", "f32:0.5"; false when `text` is not one.
bool parseScalar(const std::string &text, diffc::Arg *out) {
  size_t colon = text.find(':');
  if (colon == std::string::npos)
    return false;
  const std::string kind = text.substr(0, colon), value = text.substr(colon + 1);
  char *end = nullptr;
  errno = 0;
  if (kind == "f32") {
    float v = std::strtof(value.c_str(), &end);
    if (value.empty() || *end || errno == ERANGE)
      return false;
    *out = diffc::Arg::ofF32(v);
    return true;
  }
  if (kind != "i64" && kind != "index")
    return false;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end || errno == ERANGE)
    return false;
  *out = kind == "i64" ? diffc::Arg::ofI64(v) : diffc::Arg::ofIndex(v);
  return true;
}

bool parseCount(const std::string &text, int minimum, int *out) {
  char *end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || v < minimum || v > 1000000)
    return false;
  *out = static_cast<int>(v);
  return true;
}

/// An input from its command-line spelling; .npy files are read once.
bool parseInput(const std::string &text,
                std::map<std::string, diffc::Tensor> *cache, diffc::Arg *out,
                std::string *error) {
  if (parseScalar(text, out))
    return true;
  auto it = cache->find(text);
  if (it == cache->end()) {
    diffc::Tensor t;
    if (!diffc::readNpy(text, &t, error))
      return false;
    it = cache->emplace(text, std::move(t)).first;
  }
  // Session::call takes its inputs by value: share nothing, copy the tensor.
  diffc::Tensor copy;
  if (!diffc::Tensor::allocate(it->second.elementType(), it->second.shape(),
                               &copy, error))
    return false;
  std::memcpy(copy.data(), it->second.data(), it->second.byteSize());
  *out = diffc::Arg::ofTensor(std::move(copy));
  return true;
}

/// The --serve loop: one request per stdin line, one answer per line.
int serve(const diffc::Session &session) {
  std::map<std::string, diffc::Tensor> cache;
  std::string line;
  char buffer[1 << 14];
  while (std::fgets(buffer, sizeof(buffer), stdin)) {
    line = buffer;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
      line.pop_back();
    std::vector<std::string> words;
    for (size_t i = 0; i < line.size();) {
      size_t j = line.find(' ', i);
      if (j == std::string::npos)
        j = line.size();
      if (j > i)
        words.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    if (words.empty())
      continue;
    auto answer = [](const std::string &text) {
      std::printf("%s\n", text.c_str());
      std::fflush(stdout);
    };
    if (words[0] == "quit")
      break;
    if (words[0] == "rss") {
      char text[64];
      std::snprintf(text, sizeof(text), "ok %.1f", peakRssMiB());
      answer(text);
      continue;
    }
    if (words[0] != "call" || words.size() < 2) {
      answer("error expected 'call ENTRY [ARG]... [--out FILE.npy]', "
             "'rss' or 'quit'");
      continue;
    }
    std::string error, outPath;
    std::vector<diffc::Arg> inputs;
    bool good = true;
    for (size_t i = 2; i < words.size() && good; ++i) {
      if (words[i] == "--out" && i + 1 < words.size()) {
        outPath = words[++i];
        continue;
      }
      diffc::Arg arg;
      good = parseInput(words[i], &cache, &arg, &error);
      inputs.push_back(std::move(arg));
    }
    std::vector<diffc::Arg> outputs;
    Clock::time_point start = Clock::now();
    good = good && session.call(words[1], inputs, &outputs, &error);
    const double ms = msSince(start);
    if (good && !outPath.empty()) {
      if (outputs.empty() || outputs[0].kind != diffc::ValueKind::tensor) {
        error = "--out: the first result is not a tensor";
        good = false;
      } else {
        good = diffc::writeNpy(outPath, outputs[0].tensor, &error);
      }
    }
    if (!good) {
      for (char &c : error)
        if (c == '\n')
          c = ' ';
      answer("error " + error);
      continue;
    }
    char text[64];
    std::snprintf(text, sizeof(text), "ok %.4f", ms);
    answer(text);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3)
    return usage();
  const std::string model = argv[1], entry = argv[2];
  const bool serving = entry == "--serve";
  diffc::SessionOptions options;
  std::vector<std::string> argTexts;
  std::string outPath;
  int warmup = 1, reps = 5, threads = 0;
  bool json = false;
  for (int i = 3; i < argc; ++i) {
    std::string flag = argv[i], value;
    size_t eq = flag.find('=');
    if (flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (flag != "--json") {
      if (i + 1 >= argc)
        return usage((flag + " needs a value").c_str());
      value = argv[++i];
    }
    if (flag == "--json")
      json = true;
    else if (flag == "--weights")
      options.weightFiles.push_back(value);
    else if (flag == "--arg")
      argTexts.push_back(value);
    else if (flag == "--out")
      outPath = value;
    else if (flag == "--device") {
      if (value != "cpu" && value != "cuda")
        return usage("--device expects cpu or cuda");
      options.device = value;
    }
    else if (flag == "--warmup") {
      if (!parseCount(value, 0, &warmup))
        return usage("--warmup expects a count >= 0");
    } else if (flag == "--reps") {
      if (!parseCount(value, 1, &reps))
        return usage("--reps expects a count >= 1");
    } else if (flag == "--threads") {
      if (!parseCount(value, 1, &threads))
        return usage("--threads expects a count >= 1");
    } else
      return usage(("unknown option " + flag).c_str());
  }
  if (threads > 0)
    diffc::ukernels::setNumThreads(threads);

  std::string error;
  std::vector<diffc::Arg> inputs;
  for (const std::string &text : argTexts) {
    diffc::Arg scalar;
    if (parseScalar(text, &scalar)) {
      inputs.push_back(scalar);
      continue;
    }
    diffc::Tensor t;
    if (!diffc::readNpy(text, &t, &error))
      return fail(error);
    inputs.push_back(diffc::Arg::ofTensor(std::move(t)));
  }

  Clock::time_point loadStart = Clock::now();
  std::unique_ptr<diffc::Session> session =
      diffc::Session::open(model, options, &error);
  if (!session)
    return fail(error);
  const double loadMs = msSince(loadStart);
  if (!session->deviceDescription().empty())
    std::fprintf(stderr, "diffc-bench: %s\n",
                 session->deviceDescription().c_str());
  if (serving) {
    if (!argTexts.empty() || !outPath.empty())
      return usage("--serve takes its arguments on stdin");
    std::fprintf(stderr, "diffc-bench: %s loaded in %.1f ms; serving, %d "
                 "threads, %s kernels\n", model.c_str(), loadMs,
                 diffc::ukernels::numThreads(),
                 diffc::ukernels::isaName(diffc::ukernels::activeIsa()));
    std::printf("ready {\"version\": \"diffc-bench --serve\", \"threads\": %d, "
                "\"isa\": \"%s\", \"load_ms\": %.3f}\n",
                diffc::ukernels::numThreads(),
                diffc::ukernels::isaName(diffc::ukernels::activeIsa()), loadMs);
    std::fflush(stdout);
    return serve(*session);
  }
  const diffc::EntryPointSignature *signature =
      session->artifact().findEntryPoint(entry);
  if (!signature)
    return fail(model + " has no entry point '" + entry + "'");
  if (!session->checkInputs(*signature, inputs, &error))
    return fail(error);
  std::fprintf(stderr,
               "diffc-bench: %s loaded in %.1f ms; %s: %d warm-up + %d timed "
               "calls, %d threads, %s kernels\n",
               model.c_str(), loadMs, entry.c_str(), warmup, reps,
               diffc::ukernels::numThreads(),
               diffc::ukernels::isaName(diffc::ukernels::activeIsa()));

  std::vector<diffc::Arg> outputs;
  std::vector<double> times;
  for (int r = 0; r < warmup + reps; ++r) {
    Clock::time_point start = Clock::now();
    if (!session->call(entry, inputs, &outputs, &error))
      return fail(error);
    double ms = msSince(start);
    const bool timed = r >= warmup;
    if (timed)
      times.push_back(ms);
    std::fprintf(stderr, "diffc-bench:   %s %d/%d: %.2f ms\n",
                 timed ? "rep" : "warm-up", timed ? r - warmup + 1 : r + 1,
                 timed ? reps : warmup, ms);
  }

  if (!outPath.empty()) {
    if (outputs.empty() || outputs[0].kind != diffc::ValueKind::tensor)
      return fail("--out: the first result of '" + entry +
                  "' is not a tensor");
    if (!diffc::writeNpy(outPath, outputs[0].tensor, &error))
      return fail(error);
  }

  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  const double median =
      n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  const double rss = peakRssMiB();
  if (json) {
    std::printf("{\"entry\": \"%s\", \"threads\": %d, \"isa\": \"%s\", "
                "\"warmup\": %d, \"reps\": %d, \"load_ms\": %.3f, "
                "\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, "
                "\"peak_rss_mib\": %.1f, \"times_ms\": [",
                entry.c_str(), diffc::ukernels::numThreads(),
                diffc::ukernels::isaName(diffc::ukernels::activeIsa()), warmup,
                reps, loadMs, median, sorted.front(), sorted.back(), rss);
    for (size_t i = 0; i < times.size(); ++i)
      std::printf("%s%.4f", i ? ", " : "", times[i]);
    std::printf("]}\n");
  } else {
    std::printf("%s: median %.3f ms, min %.3f ms over %d calls (%d warm-up), "
                "%d threads, peak RSS %.1f MiB\n",
                entry.c_str(), median, sorted.front(), reps, warmup,
                diffc::ukernels::numThreads(), rss);
  }
  return 0;
}
