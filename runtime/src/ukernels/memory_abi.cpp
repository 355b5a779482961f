//===- memory_abi.cpp - The allocator generated code calls ----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Generated code allocates its buffers (the planned arenas, results, loop
// temporaries) through MLIR's generic allocation functions
// (`finalize-memref-to-llvm{use-generic-functions}`), implemented here:
//
//   _mlir_memref_to_llvm_alloc(size)
//   _mlir_memref_to_llvm_aligned_alloc(alignment, size)
//   _mlir_memref_to_llvm_free(pointer)
//
// Small requests go straight to malloc / aligned_alloc / free. Large ones
// (>= 256 KiB) are what glibc serves with a fresh mmap and returns to the
// kernel with munmap on free, so every call of an entry point page-faults
// its whole arena in again. Freed large blocks are kept instead, per exact
// size, and handed out again to the next request of that size: the same
// entry point called again (every sampling step, every training step) finds
// its arena already mapped. At most kCacheBytes stay cached; the oldest
// sizes go first.
//
// The cache never holds more than kCacheBytes, and a miss first evicts the
// oldest cached blocks until live + cached memory fits within the largest
// live total seen so far: peak memory stays what it would be without the
// cache. The runtime releases returned results through
// _mlir_memref_to_llvm_free too (session.cpp), so they are reused as well;
// a pointer this allocator did not hand out large is passed to free().
//
//===----------------------------------------------------------------------===//

#include "memory.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kLargeBytes = size_t(256) << 10;
constexpr size_t kCacheBytes = size_t(4) << 30;
constexpr size_t kAlignment = 64; // covers every alignment MLIR asks for

class BlockCache {
public:
  void *allocate(size_t size, size_t alignment) {
    if (size < kLargeBytes || alignment > kAlignment)
      return fallback(size, alignment);
    std::vector<void *> evicted;
    void *block = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // The most recently cached block of exactly this size.
      for (auto it = cached_.rbegin(); it != cached_.rend(); ++it)
        if (it->size == size) {
          block = it->pointer;
          cached_.erase(std::next(it).base());
          cachedBytes_ -= size;
          break;
        }
      if (!block) {
        // A miss maps new memory. Keep live + cached within the largest
        // live total seen so far (what memory would peak at without the
        // cache), evicting the oldest cached blocks first.
        const size_t peak = std::max(peakLiveBytes_, liveBytes_ + size);
        while (!cached_.empty() &&
               (liveBytes_ + cachedBytes_ + size > peak ||
                cachedBytes_ > kCacheBytes)) {
          evicted.push_back(cached_.front().pointer);
          cachedBytes_ -= cached_.front().size;
          cached_.pop_front();
        }
      }
    }
    for (void *p : evicted)
      std::free(p);
    if (!block)
      block = std::aligned_alloc(kAlignment, roundUp(size));
    if (block) {
      std::lock_guard<std::mutex> lock(mutex_);
      live_[block] = size;
      liveBytes_ += size;
      peakLiveBytes_ = std::max(peakLiveBytes_, liveBytes_);
    }
    return block;
  }

  void release(void *block) {
    if (!block)
      return;
    std::vector<void *> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = live_.find(block);
      if (it != live_.end()) {
        const size_t size = it->second;
        live_.erase(it);
        liveBytes_ -= size;
        cached_.push_back({size, block});
        cachedBytes_ += size;
        block = nullptr;
        while (cachedBytes_ > kCacheBytes) {
          evicted.push_back(cached_.front().pointer);
          cachedBytes_ -= cached_.front().size;
          cached_.pop_front();
        }
      }
    }
    // Not one of ours (small, or over-aligned): plain free.
    if (block)
      std::free(block);
    for (void *p : evicted)
      std::free(p);
  }

  size_t cachedBytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return cachedBytes_;
  }

private:
  struct Block {
    size_t size;
    void *pointer;
  };

  static size_t roundUp(size_t size) {
    return (size + kAlignment - 1) / kAlignment * kAlignment;
  }

  static void *fallback(size_t size, size_t alignment) {
    if (alignment <= alignof(std::max_align_t))
      return std::malloc(size);
    // aligned_alloc wants a multiple of the alignment as the size.
    size_t rounded = (size + alignment - 1) / alignment * alignment;
    return std::aligned_alloc(alignment, rounded);
  }

  std::mutex mutex_;
  std::unordered_map<void *, size_t> live_; // large blocks handed out
  std::list<Block> cached_;                 // oldest first
  size_t liveBytes_ = 0, peakLiveBytes_ = 0, cachedBytes_ = 0;
};

/// Never destroyed: generated code may free buffers during static
/// destruction at exit.
BlockCache &cache() {
  static BlockCache *c = new BlockCache();
  return *c;
}

} // namespace

namespace diffc {
namespace ukernels {
size_t cachedAllocationBytes() { return cache().cachedBytes(); }
void *allocateBlock(size_t bytes) { return cache().allocate(bytes, 64); }
void releaseBlock(void *block) { cache().release(block); }
} // namespace ukernels
} // namespace diffc

extern "C" {

__attribute__((visibility("default"))) void *
_mlir_memref_to_llvm_alloc(size_t size) {
  return cache().allocate(size, alignof(std::max_align_t));
}

__attribute__((visibility("default"))) void *
_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return cache().allocate(size, alignment);
}

__attribute__((visibility("default"))) void
_mlir_memref_to_llvm_free(void *block) {
  cache().release(block);
}

} // extern "C"
