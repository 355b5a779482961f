//===- cuda.h - The CUDA device of the runtime ------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The runtime's CUDA device: the NVIDIA driver API, loaded at run time with
// dlopen("libcuda.so.1") (DESIGN.md decision 2). Nothing of CUDA is needed to
// build or link the runtime: the few driver types and prototypes used are
// declared privately (runtime/src/cuda/cuda_driver.cpp), so the same binary
// runs on a machine without a driver and says so ("no NVIDIA driver
// (libcuda.so.1 not found)").
//
// What is here (issue 4, first slice):
//   * Driver: load + cuInit, driver version, the devices (name, compute
//     capability, memory, multiprocessors);
//   * selectGpuCode(): which code object of an artifact a device runs: the
//     cubin built for its compute capability (or an older minor of the same
//     major, which the hardware runs), else the newest PTX not newer than the
//     device (JIT-compiled by the driver), else a clear error naming the
//     device and the artifact's targets;
//   * Context (the device's primary context), Module (cubin, or PTX through
//     the JIT with its error log), Buffer (device memory, copies), Stream,
//     Event, launches.
// Every failure is one line in *error; out-of-memory names the request and
// what was free.
//
// Usage:
//
//   std::string error;
//   auto driver = diffc::cuda::Driver::load(&error);
//   if (!driver) { puts(error.c_str()); return; }   // no driver: not fatal
//   auto ctx = diffc::cuda::Context::create(driver, 0, &error);
//   const CodeObjectRef *code = diffc::cuda::selectGpuCode(
//       artifact.codeObjects(), ctx->device(), artifact.name(), &jit, &error);
//   auto module = diffc::cuda::Module::load(*ctx, *code, &error);
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_CUDA_H
#define DIFFC_CUDA_H

#include "diffc/artifact.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace diffc {
namespace cuda {

/// The library the driver is loaded from: $DIFFC_LIBCUDA when set (tests
/// point it at a missing file to exercise the no-driver path), else
/// "libcuda.so.1".
std::string driverLibraryName();

/// What the runtime knows about one device.
struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int major = 0, minor = 0;
  uint64_t totalMemory = 0;
  int multiprocessors = 0;
  /// CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS: the host may touch
  /// managed memory while kernels run (Linux, Pascal and later). The
  /// runtime's GPU path needs it.
  bool concurrentManagedAccess = false;
  /// "sm_90" for compute capability 9.0.
  std::string target() const;
};

/// "sm_86" -> 86 (major * 10 + minor); -1 for anything else.
int parseSmTarget(const std::string &target);

/// The code object of `codeObjects` that a device of compute capability
/// major.minor runs, in this order of preference:
///   1. a cubin for sm_<major><minor>;
///   2. a cubin for the same major and the highest minor below (cubins run on
///      later minors of their major: sm_80 code on an sm_86 device);
///   3. the PTX of the highest target not above the device (*jit = true: the
///      driver compiles it when the module is loaded).
/// Returns null when none fits and sets *error to one line naming the device
/// (`deviceName`, e.g. "NVIDIA H100 80GB HBM3 (sm_90)"), the artifact and the
/// GPU targets it has, e.g. "model.diffc has no code for NVIDIA ... (sm_90):
/// its GPU targets are sm_80 (cubin), sm_86 (cubin); recompile with
/// --target=sm_90".
const CodeObjectRef *selectGpuCode(const std::vector<CodeObjectRef> &codeObjects,
                                   int major, int minor,
                                   const std::string &deviceName,
                                   const std::string &artifactName, bool *jit,
                                   std::string *error);

/// The loaded driver. Load once; share it between contexts.
class Driver {
public:
  /// dlopen()s the driver library and calls cuInit(0). Returns null with
  /// *error = "no NVIDIA driver (libcuda.so.1 not found)" when the library
  /// is missing, or a line with the driver's error (e.g. "cuInit failed:
  /// CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)").
  static std::shared_ptr<Driver> load(std::string *error);
  ~Driver();
  Driver(const Driver &) = delete;
  Driver &operator=(const Driver &) = delete;

  /// The driver's CUDA version, e.g. 13000 for 13.0.
  int version() const { return version_; }
  /// Whether the driver has the CUDA graph functions (capture, replay).
  bool hasGraphs() const { return hasGraphs_; }
  /// All devices. False with *error if a query fails.
  bool devices(std::vector<DeviceInfo> *out, std::string *error) const;

  /// Internal: the resolved entry points (cuda_driver.cpp).
  struct Api;
  const Api &api() const { return *api_; }
  /// "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory)".
  std::string describe(const char *call, int result) const;

private:
  Driver();
  void *handle_ = nullptr;
  std::unique_ptr<Api> api_;
  int version_ = 0;
  bool hasGraphs_ = false;
};

/// The primary context of one device, current on the creating thread.
class Context {
public:
  /// Retains device `ordinal`'s primary context and makes it current.
  static std::unique_ptr<Context> create(std::shared_ptr<Driver> driver,
                                         int ordinal, std::string *error);
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  const DeviceInfo &device() const { return device_; }
  const Driver &driver() const { return *driver_; }
  /// Makes the context current on the calling thread.
  bool makeCurrent(std::string *error) const;
  /// Waits for all work of the context.
  bool synchronize(std::string *error) const;
  /// Free and total device memory in bytes.
  bool memoryInfo(uint64_t *free, uint64_t *total, std::string *error) const;

private:
  Context() = default;
  std::shared_ptr<Driver> driver_;
  DeviceInfo device_;
  int cuDevice_ = 0;
  void *context_ = nullptr;
};

/// A device allocation, freed on destruction.
class Buffer {
public:
  /// cuMemAlloc. Out of memory is "out of GPU memory: N bytes requested on
  /// <device>, M of T bytes free".
  static std::unique_ptr<Buffer> allocate(const Context &context,
                                          size_t bytes, std::string *error);
  ~Buffer();
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;

  uint64_t address() const { return address_; }
  size_t size() const { return size_; }
  /// Synchronous copies of `bytes` (at most size()).
  bool upload(const void *host, size_t bytes, std::string *error);
  bool download(void *host, size_t bytes, std::string *error) const;

private:
  Buffer() = default;
  const Context *context_ = nullptr;
  uint64_t address_ = 0;
  size_t size_ = 0;
};

/// cuMemAllocManaged: memory the host and every kernel of the context can
/// address (the host code of an artifact reads and writes it, its kernels
/// too). Null with *error on failure; out of memory reads as for Buffer.
void *allocateManaged(const Context &context, size_t bytes,
                      std::string *error);
/// Frees memory from allocateManaged (null is ignored).
void freeManaged(const Context &context, void *memory);

class Graph;

/// A stream (non-blocking with respect to the legacy stream).
class Stream {
public:
  static std::unique_ptr<Stream> create(const Context &context,
                                        std::string *error);
  ~Stream();
  bool synchronize(std::string *error) const;
  void *handle() const { return stream_; }
  /// Starts recording the stream's work into a graph instead of running it
  /// (relaxed mode: allocations from other threads stay allowed).
  bool beginCapture(std::string *error);
  /// Ends the recording and instantiates the graph.
  std::unique_ptr<Graph> endCapture(std::string *error);

private:
  Stream() = default;
  const Context *context_ = nullptr;
  void *stream_ = nullptr;
};

/// An instantiated CUDA graph: recorded work replayed with one launch.
class Graph {
public:
  ~Graph();
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;
  bool launch(const Stream &stream, std::string *error) const;

private:
  friend class Stream;
  Graph() = default;
  const Context *context_ = nullptr;
  void *exec_ = nullptr;
};

/// An event with timing.
class Event {
public:
  static std::unique_ptr<Event> create(const Context &context,
                                       std::string *error);
  ~Event();
  bool record(const Stream &stream, std::string *error);
  bool synchronize(std::string *error) const;
  /// Milliseconds from `start` to this event (both recorded and complete).
  bool elapsedSince(const Event &start, float *ms, std::string *error) const;

private:
  Event() = default;
  const Context *context_ = nullptr;
  void *event_ = nullptr;
};

/// A loaded cubin or PTX code object.
class Module {
public:
  /// Loads `code` (format cubin or ptx; PTX goes through the driver's JIT,
  /// whose error log ends the message on failure).
  static std::unique_ptr<Module> load(const Context &context,
                                      const CodeObjectRef &code,
                                      std::string *error);
  /// Loads an image given directly (tests, tools).
  static std::unique_ptr<Module> loadImage(const Context &context,
                                           const void *image, size_t size,
                                           bool isPtx, const std::string &what,
                                           std::string *error);
  ~Module();
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  /// The kernel `name`, or null with *error naming it.
  void *function(const std::string &name, std::string *error) const;

private:
  Module() = default;
  const Context *context_ = nullptr;
  void *module_ = nullptr;
};

/// cuLaunchKernel of `function` with `params` (one pointer per kernel
/// parameter, as the driver API takes them) on `stream` (null: the legacy
/// default stream).
bool launch(const Context &context, void *function, const uint32_t grid[3],
            const uint32_t block[3], uint32_t sharedMemoryBytes,
            const Stream *stream, void **params, std::string *error);

} // namespace cuda
} // namespace diffc

#endif // DIFFC_CUDA_H
