//===- Devices.h - diffc-run devices and --device ---------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// `diffc-run devices` lists what the runtime can run on; `--device=auto|cpu|
// cuda` picks where a command runs (docs/gpu.md). Running entry points on a
// CUDA device needs the GPU execution plan, the next step of issue 4: until
// then --device=cuda checks everything up to loading the artifact's GPU code
// on the device and then says so, and auto means the CPU.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_RUN_DEVICES_H
#define DIFFC_TOOLS_DIFFC_RUN_DEVICES_H

#include <string>

namespace diffc {

/// Prints the devices: the CPU (with its code target) and each CUDA device
/// (name, compute capability, memory, SMs), or why there is none (e.g. "no
/// NVIDIA driver (libcuda.so.1 not found)"). Returns the exit status: 0.
int listDevices();

/// True if `name` is auto, cpu or cuda.
bool isDeviceName(const std::string &name);

/// For --device=cuda: loads the driver, device 0's context, picks the
/// artifact's code object for it and loads it on the device. Returns false
/// with *error (one line) on any failure, and also after success, saying
/// that running on the GPU is not implemented yet.
bool prepareCudaDevice(const std::string &artifactPath, std::string *error);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_RUN_DEVICES_H
