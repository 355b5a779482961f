//===- Devices.cpp - diffc-run devices and --device -----------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "Devices.h"

#include "diffc/artifact.h"
#include "diffc/cuda.h"

#include <cstdio>

namespace diffc {

bool isDeviceName(const std::string &name) {
  return name == "auto" || name == "cpu" || name == "cuda";
}

int listDevices() {
  std::printf("cpu: %s (runs the artifact's %s code)\n",
              hostTarget()[0] ? hostTarget() : "unknown architecture",
              hostTarget()[0] ? hostTarget() : "no");
  std::string why;
  std::shared_ptr<cuda::Driver> driver = cuda::Driver::load(&why);
  if (!driver) {
    std::printf("cuda: none: %s\n", why.c_str());
    return 0;
  }
  std::vector<cuda::DeviceInfo> devices;
  if (!driver->devices(&devices, &why)) {
    std::printf("cuda: none: %s\n", why.c_str());
    return 0;
  }
  int version = driver->version();
  if (devices.empty())
    std::printf("cuda: none: the NVIDIA driver (CUDA %d.%d) found no device\n",
                version / 1000, version % 1000 / 10);
  for (const cuda::DeviceInfo &d : devices)
    std::printf("cuda:%d: %s, compute capability %d.%d (%s), %.1f GiB, %d SMs, "
                "driver CUDA %d.%d\n",
                d.ordinal, d.name.c_str(), d.major, d.minor,
                d.target().c_str(), d.totalMemory / 1073741824.0,
                d.multiprocessors, version / 1000, version % 1000 / 10);
  return 0;
}

std::string resolveDevice(const std::string &requested,
                          const Artifact &artifact) {
  if (requested != "auto")
    return requested;
  bool hasGpuCode = false;
  for (const CodeObjectRef &code : artifact.codeObjects())
    hasGpuCode |= code.format == CodeFormat::cuda_host_shared_object;
  if (!hasGpuCode)
    return "cpu";
  std::string ignored;
  std::shared_ptr<cuda::Driver> driver = cuda::Driver::load(&ignored);
  std::vector<cuda::DeviceInfo> devices;
  if (!driver || !driver->devices(&devices, &ignored) || devices.empty())
    return "cpu";
  return "cuda";
}

} // namespace diffc
