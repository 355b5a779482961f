//===- GpuCodegen.h - GPU kernels to PTX and cubins -------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The GPU half of `diffc compile --target=sm_XX,...` (docs/gpu.md): from a
// module that has been through the GPU pipeline (host functions launching
// gpu.launch kernels), outline the kernels into one gpu.module, lower it
// through NVVM with libdevice, emit PTX per target with LLVM's NVPTX backend
// (pinned PTX ISA version per chip), and assemble each PTX with ptxas into a
// cubin for that chip. The artifact keeps both: the cubin runs on the chip
// (and later minors of its major), the PTX is for newer chips' JIT.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_GPUCODEGEN_H
#define DIFFC_TOOLS_DIFFC_GPUCODEGEN_H

#include "diffc/artifact.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace diffc {

struct GpuCodegenOptions {
  /// "sm_80", "sm_90", ... (each supported by mlir::diffc::ptxFeatureFor).
  std::vector<std::string> targets;
  /// The CUDA toolkit: bin/ptxas and nvvm/libdevice. Empty: $CUDA_HOME, else
  /// /usr/local/cuda.
  std::string cudaPath;
};

/// One kernel of the artifact's table (artifact.fbs, GpuKernel).
struct GpuKernelRecord {
  std::string name;
  /// The function whose body launches it.
  std::string function;
  uint32_t block[3] = {1, 1, 1};
  int64_t elements = -1;
  /// The kernel's parameters and where the launching function gets them.
  std::vector<GpuKernelParam> params;
  /// What ptxas reported per target, with the occupancy it allows.
  std::vector<GpuKernelResources> resources;
};

/// The code for one target.
struct GpuTargetCode {
  std::string target;
  std::string ptx;
  std::vector<uint8_t> cubin;
};

/// The CUDA toolkit directory that `options` names or implies.
std::string cudaToolkitPath(const GpuCodegenOptions &options);

/// Compiles the kernels of `module` (after buildDiffcGpuPipeline without
/// targets; the module is changed) for every target of `options`. Returns
/// false with `error` set, or after the pipeline reported a located error
/// (then `error` is empty).
bool compileGpuKernels(mlir::ModuleOp module, const GpuCodegenOptions &options,
                       std::vector<GpuKernelRecord> &kernels,
                       std::vector<GpuTargetCode> &code, std::string &error);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_GPUCODEGEN_H
