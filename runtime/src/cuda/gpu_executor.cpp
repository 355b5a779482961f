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

/// Freed blocks are kept for reuse up to this many bytes, then returned to
/// the driver (unless a recorded graph may use them).
constexpr size_t kCacheBytes = size_t(8) << 30;
/// Bytes freed since the last wait after which an allocation waits once.
constexpr size_t kRetireBytes = size_t(512) << 20;
/// Recorded graphs kept, and call kinds remembered without a graph.
constexpr size_t kMaxGraphs = 8;
constexpr size_t kMaxRecords = 64;
std::atomic<uint64_t> nextExecutorId{1};

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
  e->id_ = nextExecutorId.fetch_add(1);
  const cuda::DeviceInfo &device = e->context_->device();
  if (!device.concurrentManagedAccess) {
    *error = "--device=cuda: " + device.name + " (" + device.target() +
             ") cannot share managed memory with the host while kernels run "
             "(CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS is 0, as on "
             "Windows, WSL and some Tegra boards); diffc's GPU path needs a "
             "Linux machine with a discrete GPU";
    return nullptr;
  }
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
  if (!context_)
    return; // create() failed before there was a context: nothing to free
  std::string ignored;
  ensureCurrent();
  if (stream_)
    stream_->synchronize(&ignored);
  graphs_.clear();
  for (auto &[block, size] : retiring_)
    cuda::freeManaged(*context_, block);
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

void GpuExecutor::ensureCurrent() {
  // The driver's current context is per thread: the session may be called,
  // and generated host loops may allocate, on other threads than its own.
  thread_local uint64_t currentId = 0;
  if (currentId == id_)
    return;
  std::string why;
  if (context_->makeCurrent(&why))
    currentId = id_;
  else
    record(why);
}

GpuExecutor *GpuExecutor::current() { return currentExecutor.load(); }

void GpuExecutor::begin(bool capture) {
  callMutex.lock();
  std::string why;
  ensureCurrent();
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
  ensureCurrent();
  std::lock_guard<std::mutex> lock(mutex_);
  size_t size = bytes ? (bytes + 255) / 256 * 256 : 256;
  auto take = [&]() -> void * {
    auto cached = cachedBlocks_.find(size);
    if (cached == cachedBlocks_.end() || cached->second.empty())
      return nullptr;
    void *block = cached->second.back();
    cached->second.pop_back();
    cachedBytes_ -= size;
    liveBlocks_[block] = size;
    return block;
  };
  if (void *block = take())
    return block;
  // Many blocks freed since the last wait: wait once so they can be reused
  // (bounds the memory of a long sampling loop without waits).
  if (retiringBytes_ >= kRetireBytes && !capturing_) {
    syncLocked(/*hostWait=*/false);
    if (void *block = take())
      return block;
  }
  std::string why;
  void *block = failed_ ? nullptr : cuda::allocateManaged(*context_, size, &why);
  if (!block && !failed_ && !capturing_) {
    // Give the cache back and try once more before failing: the recorded
    // graphs go first (their blocks may be among the cached ones).
    syncLocked(/*hostWait=*/false);
    dropGraphsLocked();
    for (auto &[s, blocks] : cachedBlocks_)
      for (void *b : blocks)
        cuda::freeManaged(*context_, b);
    cachedBlocks_.clear();
    cachedBytes_ = 0;
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
  ensureCurrent();
  std::lock_guard<std::mutex> lock(mutex_);
  releaseLocked(memory);
}

void GpuExecutor::releaseLocked(void *memory) {
  if (hostFallbacks_.erase(memory)) {
    std::free(memory);
    return;
  }
  auto live = liveBlocks_.find(memory);
  if (live == liveBlocks_.end())
    return; // not ours (an argument, a global): nothing to free
  size_t size = live->second;
  liveBlocks_.erase(live);
  if (pending_ && !capturing_) {
    // A launched kernel may still use it, and the host code may write
    // whatever it gets next without waiting (deallocation bookkeeping):
    // reuse only after the next wait. (While recording nothing runs, and
    // kernels reusing a block stay in stream order.)
    retiring_.push_back({memory, size});
    retiringBytes_ += size;
    return;
  }
  cacheLocked(memory, size);
}

void GpuExecutor::cacheLocked(void *block, size_t size) {
  // Over the cache limit a block goes back to the driver, unless a recorded
  // graph may use it (graphs keep the addresses of their scratch blocks).
  bool graphs = false;
  for (auto &[key, record] : graphs_)
    graphs |= record.graph != nullptr;
  if (cachedBytes_ + size > kCacheBytes && !graphs && !capturing_) {
    cuda::freeManaged(*context_, block);
    return;
  }
  cachedBlocks_[size].push_back(block);
  cachedBytes_ += size;
}

void GpuExecutor::dropGraphsLocked() {
  std::vector<void *> owned;
  for (auto &[key, record] : graphs_)
    owned.insert(owned.end(), record.ownedBlocks.begin(),
                 record.ownedBlocks.end());
  graphs_.clear();
  std::sort(owned.begin(), owned.end());
  owned.erase(std::unique(owned.begin(), owned.end()), owned.end());
  for (void *block : owned)
    releaseLocked(block);
}

void GpuExecutor::forgetGlobals() {
  ensureCurrent();
  std::lock_guard<std::mutex> lock(mutex_);
  syncLocked(/*hostWait=*/false);
  // Recordings read the device copies of the old values.
  dropGraphsLocked();
  globals_.clear();
}

GpuExecutor::GraphRecord &GpuExecutor::graphRecord(const std::string &key) {
  std::lock_guard<std::mutex> lock(mutex_);
  GraphRecord &record = graphs_[key];
  record.lastUse = ++graphUses_;
  // Bound the table: a few graphs (each pins its inputs and results), and
  // a few more call kinds seen once; the least recently used go first.
  auto evict = [&](bool withGraph, size_t most) {
    size_t count = 0;
    for (auto &[k, r] : graphs_)
      count += (r.graph != nullptr) == withGraph;
    while (count > most) {
      auto oldest = graphs_.end();
      for (auto it = graphs_.begin(); it != graphs_.end(); ++it)
        if ((it->second.graph != nullptr) == withGraph && it->first != key &&
            (oldest == graphs_.end() ||
             it->second.lastUse < oldest->second.lastUse))
          oldest = it;
      if (oldest == graphs_.end())
        break;
      eraseRecordLocked(oldest);
      --count;
    }
  };
  evict(/*withGraph=*/true, kMaxGraphs);
  evict(/*withGraph=*/false, kMaxRecords);
  return graphs_[key];
}

void GpuExecutor::dropGraph(const std::string &key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = graphs_.find(key);
  if (it != graphs_.end())
    eraseRecordLocked(it);
}

void GpuExecutor::eraseRecordLocked(
    std::map<std::string, GraphRecord>::iterator record) {
  std::vector<void *> owned = record->second.ownedBlocks;
  graphs_.erase(record);
  for (void *block : owned)
    releaseLocked(block);
}

void GpuExecutor::launch(int64_t kernel, const int64_t grid[3],
                         const int64_t block[3], int64_t sharedBytes,
                         int64_t *slots, int64_t count) {
  ensureCurrent();
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
  ensureCurrent();
  std::lock_guard<std::mutex> lock(mutex_);
  syncLocked(/*hostWait=*/true);
}

void GpuExecutor::syncLocked(bool hostWait) {
  if (capturing_) {
    // Nothing ran: the host code would read what is not computed yet.
    if (hostWait)
      waitWhileCapturing_ = true;
    return;
  }
  if (!pending_)
    return;
  if (hostWait && currentExecutor.load() == this)
    hostWaited_ = true;
  pending_ = false;
  std::string why;
  if (!stream_->synchronize(&why))
    record(why);
  // Everything launched so far has finished: freed blocks are free.
  for (auto &[block, size] : retiring_)
    cacheLocked(block, size);
  retiring_.clear();
  retiringBytes_ = 0;
}

uint64_t GpuExecutor::global(const void *host, size_t bytes) {
  ensureCurrent();
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
