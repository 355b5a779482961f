//===- gpu_plan.h - Checks on the artifact's GPU kernel table ---*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Shared by the artifact reader and writer so that what one writes the other
// accepts (artifact.fbs, table GpuKernel).
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_GPU_PLAN_H
#define DIFFC_RUNTIME_GPU_PLAN_H

#include <cstdint>
#include <string>

namespace diffc {
namespace detail {

/// The most threads a CUDA block may have on every target diffc supports.
constexpr uint64_t kMaxThreadsPerBlock = 1024;

/// Empty if `block` (x, y, z) is a valid CUDA block shape, else why not.
inline std::string checkGpuBlock(const uint32_t block[3]) {
  uint64_t threads = 1;
  for (int i = 0; i < 3; ++i) {
    if (block[i] == 0)
      return "block extent " + std::to_string(i) + " is 0";
    threads *= block[i];
  }
  if (threads > kMaxThreadsPerBlock)
    return "block of " + std::to_string(threads) +
           " threads, more than the limit of " +
           std::to_string(kMaxThreadsPerBlock);
  return {};
}

} // namespace detail
} // namespace diffc

#endif // DIFFC_RUNTIME_GPU_PLAN_H
