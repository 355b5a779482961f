//===- code_selection.cpp - Which GPU code object a device runs -----------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Pure logic, no driver: unit-tested on machines without a GPU.
//
//===----------------------------------------------------------------------===//

#include "diffc/cuda.h"

#include <cstdlib>

namespace diffc {
namespace cuda {

std::string DeviceInfo::target() const {
  return "sm_" + std::to_string(major * 10 + minor);
}

int parseSmTarget(const std::string &target) {
  if (target.size() < 5 || target.size() > 6 || target.compare(0, 3, "sm_"))
    return -1;
  int value = 0;
  for (size_t i = 3; i < target.size(); ++i) {
    if (target[i] < '0' || target[i] > '9')
      return -1;
    value = value * 10 + (target[i] - '0');
  }
  return value >= 10 ? value : -1;
}

const CodeObjectRef *selectGpuCode(const std::vector<CodeObjectRef> &codeObjects,
                                   int major, int minor,
                                   const std::string &deviceName,
                                   const std::string &artifactName, bool *jit,
                                   std::string *error) {
  const int device = major * 10 + minor;
  const CodeObjectRef *bestCubin = nullptr, *bestPtx = nullptr;
  int bestCubinSm = -1, bestPtxSm = -1;
  std::string available;
  for (const CodeObjectRef &code : codeObjects) {
    int sm = parseSmTarget(code.target);
    if (sm < 0)
      continue;
    if (code.format == CodeFormat::cubin || code.format == CodeFormat::ptx)
      available += (available.empty() ? "" : ", ") + code.target + " (" +
                   codeFormatName(code.format) + ")";
    if (code.format == CodeFormat::cubin && sm / 10 == major && sm <= device &&
        sm > bestCubinSm) {
      bestCubin = &code;
      bestCubinSm = sm;
    }
    if (code.format == CodeFormat::ptx && sm <= device && sm > bestPtxSm) {
      bestPtx = &code;
      bestPtxSm = sm;
    }
  }
  if (bestCubin) {
    *jit = false;
    return bestCubin;
  }
  if (bestPtx) {
    *jit = true;
    return bestPtx;
  }
  if (error) {
    std::string target = "sm_" + std::to_string(device);
    *error = artifactName + " has no code for " + deviceName + " (" + target +
             "): " +
             (available.empty() ? std::string("it has no GPU code objects")
                                : "its GPU targets are " + available) +
             "; recompile with --target=" + target;
  }
  return nullptr;
}

std::string driverLibraryName() {
  const char *over = std::getenv("DIFFC_LIBCUDA");
  return over && *over ? over : "libcuda.so.1";
}

} // namespace cuda
} // namespace diffc
