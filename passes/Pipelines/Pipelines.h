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

/// Registers `diffc-cpu-pipeline` with the pass registry.
void registerDiffcPipelines();

} // namespace mlir::diffc

#endif // DIFFC_PASSES_PIPELINES_PIPELINES_H
