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

bool prepareCudaDevice(const std::string &artifactPath, std::string *error) {
  std::string why;
  std::shared_ptr<cuda::Driver> driver = cuda::Driver::load(&why);
  if (!driver) {
    *error = "--device=cuda: " + why;
    return false;
  }
  std::unique_ptr<cuda::Context> context = cuda::Context::create(driver, 0, &why);
  if (!context) {
    *error = "--device=cuda: " + why;
    return false;
  }
  std::unique_ptr<Artifact> artifact = Artifact::load(artifactPath, &why);
  if (!artifact) {
    *error = why;
    return false;
  }
  const cuda::DeviceInfo &device = context->device();
  bool jit = false;
  const CodeObjectRef *code = cuda::selectGpuCode(
      artifact->codeObjects(), device.major, device.minor, device.name,
      artifact->name(), &jit, &why);
  if (!code) {
    *error = why;
    return false;
  }
  std::unique_ptr<cuda::Module> module = cuda::Module::load(*context, *code, &why);
  if (!module) {
    *error = artifact->name() + ": " + why;
    return false;
  }
  for (const GpuKernelInfo &kernel : artifact->gpuKernels())
    if (!module->function(kernel.name, &why)) {
      *error = artifact->name() + ": " + why;
      return false;
    }
  *error = artifact->name() + ": loaded the " + code->target + " " +
           codeFormatName(code->format) + (jit ? " (JIT-compiled)" : "") +
           " with " + std::to_string(artifact->gpuKernels().size()) +
           " kernel(s) on " + device.name + " (" + device.target() +
           "), but running entry points on a CUDA device is not implemented "
           "yet (docs/gpu.md); use --device=cpu";
  return false;
}

} // namespace diffc
