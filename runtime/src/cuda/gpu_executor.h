//===- gpu_executor.h - Running an artifact's host code on a GPU -*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Private to the runtime (Session is the public face). A GPU artifact has,
// besides its cubins and PTX, a `cuda_host_shared_object`: the entry points'
// host code compiled for x86-64, whose kernel launches, waits, global
// uploads and allocations are calls of the functions below (the compiler's
// diffc-gpu-launch-to-calls, diffc-gpu-host-sync and
// diffc-gpu-host-allocations passes):
//
//   void     diffc_gpu_launch(i64 kernel, i64 gx, gy, gz, i64 bx, by, bz,
//                             i64 sharedBytes, i64 slots, i64 count)
//   void     diffc_gpu_sync()
//   uint64_t diffc_gpu_global(i64 hostPointer, i64 bytes)
//   void    *diffc_gpu_alloc(size), *diffc_gpu_aligned_alloc(align, size)
//   void     diffc_gpu_free(pointer)
//
// They act on the executor of the call in progress (one per process at a
// time; Session::call holds it). The executor owns the driver context, the
// loaded code object with one function per row of the kernel table, one
// stream all launches go to, the device copies of globals (weights, noise
// schedules: uploaded on first use, kept until the weights are rebound),
// and a cache of managed blocks per size, so a sampling loop does not go
// through cuMemAllocManaged / cuMemFree (which waits for the device) per
// step.
//
// Errors inside generated code cannot be returned through it: the first
// failure (a launch the driver refuses, out of memory) is recorded, later
// launches are skipped, allocations after an out-of-memory come from host
// memory so the host code still runs safely to its end, and finish()
// reports the error as the call's result.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_CUDA_GPU_EXECUTOR_H
#define DIFFC_RUNTIME_CUDA_GPU_EXECUTOR_H

#include "diffc/artifact.h"
#include "diffc/cuda.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace diffc {
namespace detail {

class GpuExecutor {
public:
  /// Loads the driver, device `ordinal`'s context, the artifact's code for
  /// that device and every kernel of its table. Null with one line in
  /// *error: no driver, no device, no code for the device (naming it and the
  /// artifact's targets), a kernel missing from the code object.
  static std::unique_ptr<GpuExecutor> create(const Artifact &artifact,
                                             int ordinal, std::string *error);
  ~GpuExecutor();
  GpuExecutor(const GpuExecutor &) = delete;
  GpuExecutor &operator=(const GpuExecutor &) = delete;

  /// "loaded the sm_90 cubin with 31 kernel(s) on NVIDIA H100 (sm_90)".
  const std::string &description() const { return description_; }

  /// Starts a call: this executor serves the diffc_gpu_* functions until
  /// end(). Calls are serialized per process. With `capture`, the call's
  /// launches are recorded into a CUDA graph instead of running (see
  /// endCapture()).
  void begin(bool capture = false);
  /// After a captured call's host code: the graph of its launches, or null
  /// when it cannot stand for the call (the host code waited for the GPU,
  /// which a recording cannot serve, or the driver refused; *why says).
  std::unique_ptr<cuda::Graph> endCapture(std::string *why);
  /// Launches a recorded graph (between begin() and end()).
  void replay(const cuda::Graph &graph);
  /// Whether the call since begin() waited for launched work in its host
  /// code (then its host code may depend on device results: never
  /// recorded).
  bool hostWaitedForDevice() const { return hostWaited_; }
  /// Whether recording calls as graphs is possible and wanted (the driver
  /// has graphs; DIFFC_CUDA_GRAPHS is not 0).
  bool graphsEnabled() const { return graphsEnabled_; }

  /// A call recorded as a graph, replayed for later calls with the same
  /// entry point, shapes and scalars (Session::call): the graph, the blocks
  /// its inputs are copied into, and the result descriptors it fills.
  struct GraphRecord {
    uint64_t lastUse = 0;
    int calls = 0;
    bool recordable = true;
    std::unique_ptr<cuda::Graph> graph;
    std::vector<void *> inputBlocks;
    std::vector<uint64_t> resultWords;
    /// Inputs and results: kept out of the cache while the graph lives.
    std::vector<void *> ownedBlocks;
  };
  /// The record for `key` (created empty on first use). At most a few
  /// records keep a graph, the least recently used is dropped first.
  GraphRecord &graphRecord(const std::string &key);
  /// Forgets the record for `key` and gives its blocks back (a replay that
  /// failed).
  void dropGraph(const std::string &key);
  /// Waits for the call's work and ends it; false with the first error of
  /// the call (then also clears it).
  bool end(std::string *error);

  /// Device-visible memory for call arguments and results.
  void *allocate(size_t bytes);
  void release(void *memory);
  /// Serializes calls of one session (graph records, recorded input and
  /// result blocks are shared between calls).
  std::unique_lock<std::mutex> lockCalls() {
    return std::unique_lock<std::mutex>(callsMutex_);
  }
  /// Forgets the device copies of globals (after parameters were rebound)
  /// and the graphs recorded with them.
  void forgetGlobals();

  // The ABI (gpu_executor.cpp's extern "C" functions forward here).
  void launch(int64_t kernel, const int64_t grid[3], const int64_t block[3],
              int64_t sharedBytes, int64_t *slots, int64_t count);
  void sync();
  uint64_t global(const void *host, size_t bytes);

  /// The executor of the call in progress, or null.
  static GpuExecutor *current();

private:
  GpuExecutor() = default;
  void record(const std::string &error);
  /// Makes the context current on the calling thread (once per thread).
  void ensureCurrent();
  // With mutex_ held:
  void releaseLocked(void *memory);
  void syncLocked(bool hostWait);
  void dropGraphsLocked();
  void eraseRecordLocked(std::map<std::string, GraphRecord>::iterator record);
  void cacheLocked(void *block, size_t size);

  std::shared_ptr<cuda::Driver> driver_;
  std::unique_ptr<cuda::Context> context_;
  std::unique_ptr<cuda::Module> module_;
  std::unique_ptr<cuda::Stream> stream_;
  std::vector<void *> functions_;
  std::vector<std::string> kernelNames_;
  /// 64-bit parameter slots of each kernel per the table (-1: not recorded).
  std::vector<int64_t> expectedSlots_;
  std::string description_;

  uint64_t id_ = 0; // tells executors apart in the per-thread context tag
  std::mutex callsMutex_;
  std::mutex mutex_; // guards everything below
  std::unordered_map<const void *, std::unique_ptr<cuda::Buffer>> globals_;
  std::map<size_t, std::vector<void *>> cachedBlocks_;
  size_t cachedBytes_ = 0;
  /// Blocks freed while launched work may still use them: reusable only
  /// after the next wait (the host code may write a reused block at once).
  std::vector<std::pair<void *, size_t>> retiring_;
  size_t retiringBytes_ = 0;
  uint64_t graphUses_ = 0;
  std::unordered_map<void *, size_t> liveBlocks_;
  std::set<void *> hostFallbacks_;
  std::vector<void *> pointerScratch_;
  bool pending_ = false;
  bool failed_ = false;
  bool capturing_ = false, waitWhileCapturing_ = false, hostWaited_ = false;
  bool graphsEnabled_ = false;
  std::map<std::string, GraphRecord> graphs_;
  std::string error_;
};

} // namespace detail
} // namespace diffc

#endif // DIFFC_RUNTIME_CUDA_GPU_EXECUTOR_H
