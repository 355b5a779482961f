//===- Pipelines.h - diffc compile pipelines --------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The pass pipelines from the diffc dialect to the LLVM dialect, as C++
// functions registered for diffc-opt so that lit tests and the `diffc
// compile` driver run exactly the same passes.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_PIPELINES_PIPELINES_H
#define DIFFC_PASSES_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::diffc {

/// The stages of the CPU pipeline, in order; `diffc compile --emit=mlir` can
/// stop after any of them.
enum class CpuStage {
  Linalg,     ///< diffc ops lowered to linalg/tensor/arith/math.
  Fused,      ///< elementwise chains fused.
  Bufferized, ///< tensors turned into memrefs, deallocations placed.
  Loops,      ///< structured ops lowered to scf loops.
  LLVM,       ///< everything in the LLVM dialect.
};

/// Parses "linalg", "fused", ...; returns false for an unknown name.
bool parseCpuStage(StringRef name, CpuStage &stage);

/// Stage names, comma separated, for help texts and errors.
std::string cpuStageNames();

struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<CpuStage> stopAfter{
      *this, "stop-after", llvm::cl::desc("Stop after this stage"),
      llvm::cl::init(CpuStage::LLVM),
      llvm::cl::values(
          clEnumValN(CpuStage::Linalg, "linalg", "diffc lowered to linalg"),
          clEnumValN(CpuStage::Fused, "fused", "elementwise chains fused"),
          clEnumValN(CpuStage::Bufferized, "bufferized", "tensors to memrefs"),
          clEnumValN(CpuStage::Loops, "loops", "linalg to scf loops"),
          clEnumValN(CpuStage::LLVM, "llvm", "all in the LLVM dialect"))};
  PassOptions::Option<bool> cpuKernels{
      *this, "cpu-kernels",
      llvm::cl::desc("Call the runtime's SGEMM and convolution kernels "
                     "(diffc-cpu-microkernels); off: generated loops only"),
      llvm::cl::init(true)};
};

/// Adds the passes from the diffc dialect to `stopAfter` (inclusive);
/// `cpuKernels` = false leaves matrix products and convolutions to
/// generated loops (for comparisons, docs/cpu-kernels.md).
void buildDiffcCpuPipeline(OpPassManager &pm, CpuStage stopAfter,
                           bool cpuKernels = true);

/// The lowering after the Bufferized stage down to the LLVM dialect for
/// x86-64 (linalg to loops, then everything to LLVM), up to `stopAfter`.
void addCpuLoweringFromBuffers(OpPassManager &pm, CpuStage stopAfter);

//===----------------------------------------------------------------------===//
// GPU (docs/gpu.md)
//===----------------------------------------------------------------------===//

struct GpuPipelineOptions : public PassPipelineOptions<GpuPipelineOptions> {
  PassOptions::Option<bool> hostLoops{
      *this, "host-loops",
      llvm::cl::desc("Run the GPU kernels' logic as host loops and lower "
                     "everything to the LLVM dialect for x86-64 (the "
                     "GPU-logic-on-CPU check)"),
      llvm::cl::init(false)};
  PassOptions::ListOption<std::string> targets{
      *this, "targets",
      llvm::cl::desc("GPU targets (sm_80, ...): outline the kernels and emit "
                     "PTX for each (gpu.binary with one object per target)")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit path (libdevice), default $CUDA_HOME or "
                     "/usr/local/cuda"),
      llvm::cl::init("")};
};

/// The PTX ISA version (LLVM feature "+ptxNN") a GPU target is compiled
/// with: the oldest one that supports the chip, so that the PTX runs on as
/// many drivers as possible. Empty for a target diffc does not support.
std::string ptxFeatureFor(StringRef target);

/// The GPU targets diffc supports, comma separated, for messages.
std::string supportedGpuTargets();

/// The CPU pipeline to the Bufferized stage with generated loops for every
/// op (no CPU kernel calls), then diffc-gpu-map-elementwise: host functions
/// that launch gpu.launch kernels. Then either (`hostLoops`) the kernels as
/// host loops, lowered to LLVM for x86-64, or (non-empty `targets`) the
/// NVVM path: outlining into one gpu.module, NVVM lowering with libdevice
/// and PTX for each target in a gpu.binary.
void buildDiffcGpuPipeline(OpPassManager &pm, bool hostLoops,
                           ArrayRef<std::string> targets = {},
                           StringRef toolkit = "", int64_t coarsen = 1);

/// The NVVM part of buildDiffcGpuPipeline alone, for a module that has been
/// through it without targets: outlining, merging into one gpu.module
/// (diffc_kernels), NVVM lowering, PTX per target.
void buildDiffcGpuToPtxPipeline(OpPassManager &pm,
                                ArrayRef<std::string> targets,
                                StringRef toolkit = "");

/// The host side of a GPU artifact, after buildDiffcGpuToPtxPipeline: each
/// gpu.launch_func becomes a call of the runtime's launch ABI, host memory
/// accesses wait for the GPU, and the host functions are lowered to the
/// LLVM dialect like the CPU code, allocating through the runtime's GPU
/// allocator.
void buildDiffcGpuHostPipeline(OpPassManager &pm);

/// Registers `diffc-cpu-pipeline` and `diffc-gpu-pipeline` with the pass
/// registry.
void registerDiffcPipelines();

} // namespace mlir::diffc

#endif // DIFFC_PASSES_PIPELINES_PIPELINES_H
