//===- MemoryAbiTest.cpp - the allocator generated code calls -------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// runtime/src/ukernels/memory_abi.cpp: large blocks come back for the next
// request of the same size, alignment holds, small and foreign pointers go
// to malloc/free, and a miss evicts cached blocks so that live + cached
// memory stays within the largest live total seen.
//
//===----------------------------------------------------------------------===//

#include "gtest/gtest.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t);
void *_mlir_memref_to_llvm_aligned_alloc(size_t, size_t);
void _mlir_memref_to_llvm_free(void *);
}

#include "memory.h"

namespace {

using diffc::ukernels::cachedAllocationBytes;
constexpr size_t kMiB = size_t(1) << 20;

bool aligned(void *p, size_t alignment) {
  return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

TEST(MemoryAbi, LargeBlockIsReusedForTheSameSize) {
  void *a = _mlir_memref_to_llvm_aligned_alloc(64, 3 * kMiB + 8);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(aligned(a, 64));
  std::memset(a, 1, 3 * kMiB + 8);
  const size_t before = cachedAllocationBytes();
  _mlir_memref_to_llvm_free(a);
  EXPECT_EQ(cachedAllocationBytes(), before + 3 * kMiB + 8);
  void *b = _mlir_memref_to_llvm_aligned_alloc(16, 3 * kMiB + 8);
  EXPECT_EQ(b, a) << "the cached block of that size comes back";
  EXPECT_EQ(cachedAllocationBytes(), before);
  _mlir_memref_to_llvm_free(b);
}

TEST(MemoryAbi, SmallAndOverAlignedRequestsBypassTheCache) {
  const size_t before = cachedAllocationBytes();
  void *small = _mlir_memref_to_llvm_alloc(1000);
  ASSERT_NE(small, nullptr);
  _mlir_memref_to_llvm_free(small);
  void *page = _mlir_memref_to_llvm_aligned_alloc(4096, 2 * kMiB);
  ASSERT_NE(page, nullptr);
  EXPECT_TRUE(aligned(page, 4096));
  _mlir_memref_to_llvm_free(page);
  EXPECT_EQ(cachedAllocationBytes(), before);
  // A malloc block the allocator never saw is freed, not cached.
  void *foreign = std::malloc(5 * kMiB);
  _mlir_memref_to_llvm_free(foreign);
  EXPECT_EQ(cachedAllocationBytes(), before);
  _mlir_memref_to_llvm_free(nullptr);
}

TEST(MemoryAbi, MissesEvictSoLiveAndCachedStayWithinThePeak) {
  // Peak live so far in this test: 8 + 8 MiB.
  void *a = _mlir_memref_to_llvm_alloc(8 * kMiB);
  void *b = _mlir_memref_to_llvm_alloc(8 * kMiB + 64);
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(b);
  const size_t cached = cachedAllocationBytes();
  EXPECT_GE(cached, 16 * kMiB);
  // A new size that fits nothing cached: older blocks make room, so the
  // cache shrinks instead of holding 16 MiB beside 12 MiB of new memory.
  void *c = _mlir_memref_to_llvm_alloc(12 * kMiB);
  ASSERT_NE(c, nullptr);
  EXPECT_LE(cachedAllocationBytes(), cached - 8 * kMiB);
  _mlir_memref_to_llvm_free(c);
}

} // namespace
