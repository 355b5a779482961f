//===- memory.h - The kernels' block allocator ------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The allocator generated code uses (memory_abi.cpp), for the kernels' own
// per-call buffers too: a large block freed after one call is handed back
// to the next call of the same size, already mapped, instead of being
// unmapped and page-faulted in again.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_SRC_UKERNELS_MEMORY_H
#define DIFFC_RUNTIME_SRC_UKERNELS_MEMORY_H

#include <cstddef>

namespace diffc {
namespace ukernels {

/// `bytes` bytes aligned to 64, or null.
void *allocateBlock(size_t bytes);

/// Releases a block of allocateBlock (large ones are kept for reuse).
void releaseBlock(void *block);

/// Bytes currently cached for reuse (for tests).
size_t cachedAllocationBytes();

} // namespace ukernels
} // namespace diffc

#endif // DIFFC_RUNTIME_SRC_UKERNELS_MEMORY_H
