//===- Devices.h - diffc-run devices and --device ---------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// `diffc-run devices` lists what the runtime can run on; `--device=auto|cpu|
// cuda` picks where a command runs (docs/gpu.md): cuda runs the artifact's
// GPU host code with its kernels on CUDA device 0; auto does so when the
// artifact has GPU code and a CUDA device is present, else runs on the CPU.
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

class Artifact;

/// The SessionOptions::device for --device=`requested`: "cpu" or "cuda" as
/// asked; for "auto", "cuda" if `artifact` has host code for GPUs and the
/// NVIDIA driver finds a device, else "cpu".
std::string resolveDevice(const std::string &requested,
                          const Artifact &artifact);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_RUN_DEVICES_H
