//===- gpu_executor.cpp - Running an artifact's host code on a GPU --------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "gpu_executor.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

namespace diffc {
namespace detail {

namespace {

std::atomic<GpuExecutor *> currentExecutor{nullptr};
/// One call on a GPU at a time per process: the ABI has no executor
/// argument.
std::mutex callMutex;

/// Blocks above this size are returned to the driver rather than cached
/// when the cache would exceed kCacheBytes.
constexpr size_t kCacheBytes = size_t(8) << 30;

} // namespace

std::unique_ptr<GpuExecutor> GpuExecutor::create(const Artifact &artifact,
                                                 int ordinal,
                                                 std::string *error) {
  std::unique_ptr<GpuExecutor> e(new GpuExecutor());
  std::string why;
  e->driver_ = cuda::Driver::load(&why);
  if (!e->driver_) {
    *error = "--device=cuda: " + why;
    return nullptr;
  }
  e->context_ = cuda::Context::create(e->driver_, ordinal, &why);
  if (!e->context_) {
    *error = "--device=cuda: " + why;
    return nullptr;
  }
  const cuda::DeviceInfo &device = e->context_->device();
  bool jit = false;
  const CodeObjectRef *code =
      cuda::selectGpuCode(artifact.codeObjects(), device.major, device.minor,
                          device.name, artifact.name(), &jit, error);
  if (!code)
    return nullptr;
  e->module_ = cuda::Module::load(*e->context_, *code, &why);
  if (!e->module_) {
    *error = artifact.name() + ": " + why;
    return nullptr;
  }
  for (const GpuKernelInfo &kernel : artifact.gpuKernels()) {
    void *f = e->module_->function(kernel.name, &why);
    if (!f) {
      *error = artifact.name() + ": " + why;
      return nullptr;
    }
    e->functions_.push_back(f);
    e->kernelNames_.push_back(kernel.name);
    int64_t slots = kernel.params.empty() ? -1 : 0;
    for (const GpuKernelParam &p : kernel.params)
      slots += p.isBuffer ? 3 + 2 * int64_t(p.rank) : 1;
    e->expectedSlots_.push_back(slots);
  }
  e->stream_ = cuda::Stream::create(*e->context_, &why);
  if (!e->stream_) {
    *error = artifact.name() + ": " + why;
    return nullptr;
  }
  const char *graphs = std::getenv("DIFFC_CUDA_GRAPHS");
  e->graphsEnabled_ = e->driver_->hasGraphs() &&
                      !(graphs && std::strcmp(graphs, "0") == 0);
  e->description_ = "loaded the " + code->target + " " +
                    codeFormatName(code->format) +
                    (jit ? " (JIT-compiled)" : "") + " with " +
                    std::to_string(e->functions_.size()) + " kernel(s) on " +
                    device.name + " (" + device.target() + ")";
  return e;
}

GpuExecutor::~GpuExecutor() {
  std::string ignored;
  if (stream_)
    stream_->synchronize(&ignored);
  graphs_.clear();
  for (auto &[size, blocks] : cachedBlocks_)
    for (void *b : blocks)
      cuda::freeManaged(*context_, b);
  for (auto &[block, size] : liveBlocks_)
    cuda::freeManaged(*context_, block);
  for (void *b : hostFallbacks_)
    std::free(b);
  globals_.clear();
  stream_.reset();
  module_.reset();
}

GpuExecutor *GpuExecutor::current() { return currentExecutor.load(); }

void GpuExecutor::begin(bool capture) {
  callMutex.lock();
  std::string why;
  if (!context_->makeCurrent(&why))
    record(why);
  hostWaited_ = false;
  waitWhileCapturing_ = false;
  capturing_ = false;
  if (capture) {
    // Nothing may be pending when a recording starts.
    sync();
    capturing_ = stream_->beginCapture(&why);
  }
  currentExecutor.store(this);
}

std::unique_ptr<cuda::Graph> GpuExecutor::endCapture(std::string *why) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!capturing_) {
    *why = "the recording did not start";
    return nullptr;
  }
  capturing_ = false;
  pending_ = false;
  std::unique_ptr<cuda::Graph> graph = stream_->endCapture(why);
  if (graph && waitWhileCapturing_) {
    *why = "the host code waited for the GPU";
    graph.reset();
  }
  if (graph && failed_) {
    *why = "the call failed";
    graph.reset();
  }
  return graph;
}

void GpuExecutor::replay(const cuda::Graph &graph) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failed_)
    return;
  std::string why;
  if (!graph.launch(*stream_, &why)) {
    record(why);
    return;
  }
  pending_ = true;
}

bool GpuExecutor::end(std::string *error) {
  currentExecutor.store(nullptr);
  sync();
  callMutex.unlock();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!failed_)
    return true;
  *error = error_;
  failed_ = false;
  error_.clear();
  return false;
}

void GpuExecutor::record(const std::string &error) {
  if (!failed_) {
    failed_ = true;
    error_ = error;
  }
}

void *GpuExecutor::allocate(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t size = bytes ? (bytes + 255) / 256 * 256 : 256;
  auto cached = cachedBlocks_.find(size);
  if (cached != cachedBlocks_.end() && !cached->second.empty()) {
    void *block = cached->second.back();
    cached->second.pop_back();
    liveBlocks_[block] = size;
    return block;
  }
  std::string why;
  void *block = failed_ ? nullptr : cuda::allocateManaged(*context_, size, &why);
  if (!block && !failed_) {
    // Give the cache back and try once more before failing.
    for (auto &[s, blocks] : cachedBlocks_)
      for (void *b : blocks)
        cuda::freeManaged(*context_, b);
    cachedBlocks_.clear();
    block = cuda::allocateManaged(*context_, size, &why);
  }
  if (!block) {
    record(why.empty() ? "a GPU allocation after an earlier failure" : why);
    // Host memory keeps the host code safe; no kernel runs after a failure.
    block = std::calloc(1, size);
    hostFallbacks_.insert(block);
    return block;
  }
  liveBlocks_[block] = size;
  return block;
}

void GpuExecutor::release(void *memory) {
  if (!memory)
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (hostFallbacks_.erase(memory)) {
    std::free(memory);
    return;
  }
  auto live = liveBlocks_.find(memory);
  if (live == liveBlocks_.end())
    return; // not ours (an argument, a global): nothing to free
  size_t size = live->second;
  liveBlocks_.erase(live);
  size_t cached = 0;
  for (auto &[s, blocks] : cachedBlocks_)
    cached += s * blocks.size();
  if (cached + size > kCacheBytes) {
    cuda::freeManaged(*context_, memory);
    return;
  }
  // Stream order makes reuse safe: a later kernel using the block runs
  // after every earlier one that did.
  cachedBlocks_[size].push_back(memory);
}

void GpuExecutor::forgetGlobals() {
  std::string ignored;
  if (stream_)
    stream_->synchronize(&ignored);
  std::vector<void *> owned;
  for (auto &[key, record] : graphs_)
    owned.insert(owned.end(), record.ownedBlocks.begin(),
                 record.ownedBlocks.end());
  graphs_.clear();
  std::sort(owned.begin(), owned.end());
  owned.erase(std::unique(owned.begin(), owned.end()), owned.end());
  for (void *block : owned)
    release(block);
  std::lock_guard<std::mutex> lock(mutex_);
  globals_.clear();
}

void GpuExecutor::launch(int64_t kernel, const int64_t grid[3],
                         const int64_t block[3], int64_t sharedBytes,
                         int64_t *slots, int64_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failed_)
    return;
  if (kernel < 0 || kernel >= static_cast<int64_t>(functions_.size())) {
    record("the host code launched kernel " + std::to_string(kernel) +
           ", but the artifact's table has " +
           std::to_string(functions_.size()) + " kernel(s)");
    return;
  }
  if (expectedSlots_[kernel] >= 0 && count != expectedSlots_[kernel]) {
    record("kernel " + kernelNames_[kernel] + ": the host code passed " +
           std::to_string(count) + " parameter slots, the kernel table says " +
           std::to_string(expectedSlots_[kernel]));
    return;
  }
  uint32_t g[3], b[3];
  for (int d = 0; d < 3; ++d) {
    if (grid[d] < 1 || grid[d] > INT32_MAX || block[d] < 1 ||
        block[d] > 1024) {
      record("kernel " + kernelNames_[kernel] + ": launch of grid (" +
             std::to_string(grid[0]) + ", " + std::to_string(grid[1]) + ", " +
             std::to_string(grid[2]) + ") and block (" +
             std::to_string(block[0]) + ", " + std::to_string(block[1]) +
             ", " + std::to_string(block[2]) + ") is out of range");
      return;
    }
    g[d] = static_cast<uint32_t>(grid[d]);
    b[d] = static_cast<uint32_t>(block[d]);
  }
  pointerScratch_.resize(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    pointerScratch_[i] = &slots[i];
  std::string why;
  if (!cuda::launch(*context_, functions_[kernel], g, b,
                    static_cast<uint32_t>(sharedBytes), stream_.get(),
                    pointerScratch_.data(), &why)) {
    record("kernel " + kernelNames_[kernel] + ": " + why);
    return;
  }
  pending_ = true;
}

void GpuExecutor::sync() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (capturing_) {
    // Nothing ran: the host code would read what is not computed yet.
    waitWhileCapturing_ = true;
    return;
  }
  if (!pending_)
    return;
  if (currentExecutor.load() == this)
    hostWaited_ = true;
  pending_ = false;
  std::string why;
  if (!stream_->synchronize(&why))
    record(why);
}

uint64_t GpuExecutor::global(const void *host, size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = globals_.find(host);
  if (it != globals_.end() && it->second->size() == bytes)
    return it->second->address();
  if (failed_)
    return 0;
  std::string why;
  std::unique_ptr<cuda::Buffer> buffer =
      cuda::Buffer::allocate(*context_, bytes, &why);
  if (!buffer || !buffer->upload(host, bytes, &why)) {
    record(why);
    return 0;
  }
  uint64_t address = buffer->address();
  globals_[host] = std::move(buffer);
  return address;
}

} // namespace detail
} // namespace diffc

//===----------------------------------------------------------------------===//
// The ABI the host code of a GPU artifact calls (gpu_executor.h). Exported
// from every executable that runs generated code (-rdynamic).
//===----------------------------------------------------------------------===//

using diffc::detail::GpuExecutor;

extern "C" {

__attribute__((visibility("default"))) void
diffc_gpu_launch(int64_t kernel, int64_t gx, int64_t gy, int64_t gz,
                 int64_t bx, int64_t by, int64_t bz, int64_t sharedBytes,
                 int64_t slots, int64_t count) {
  if (GpuExecutor *e = GpuExecutor::current()) {
    const int64_t grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
    e->launch(kernel, grid, block, sharedBytes,
              reinterpret_cast<int64_t *>(static_cast<uintptr_t>(slots)),
              count);
  }
}

__attribute__((visibility("default"))) void diffc_gpu_sync() {
  if (GpuExecutor *e = GpuExecutor::current())
    e->sync();
}

__attribute__((visibility("default"))) uint64_t
diffc_gpu_global(int64_t host, int64_t bytes) {
  GpuExecutor *e = GpuExecutor::current();
  return e ? e->global(reinterpret_cast<const void *>(
                           static_cast<uintptr_t>(host)),
                       static_cast<size_t>(bytes))
           : 0;
}

__attribute__((visibility("default"))) void *diffc_gpu_alloc(size_t size) {
  GpuExecutor *e = GpuExecutor::current();
  return e ? e->allocate(size) : nullptr;
}

__attribute__((visibility("default"))) void *
diffc_gpu_aligned_alloc(size_t alignment, size_t size) {
  // Managed blocks are 256-byte aligned, more than MLIR asks for.
  (void)alignment;
  return diffc_gpu_alloc(size);
}

__attribute__((visibility("default"))) void diffc_gpu_free(void *memory) {
  if (GpuExecutor *e = GpuExecutor::current())
    e->release(memory);
}

} // extern "C"
