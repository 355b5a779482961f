//===- Pipelines.cpp - diffc compile pipelines ----------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipelines/Pipelines.h"

#include "passes/Conversion/Passes.h"
#include "passes/Diffc/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

bool diffc::parseCpuStage(StringRef name, CpuStage &stage) {
  std::optional<CpuStage> s = llvm::StringSwitch<std::optional<CpuStage>>(name)
                                  .Case("linalg", CpuStage::Linalg)
                                  .Case("fused", CpuStage::Fused)
                                  .Case("bufferized", CpuStage::Bufferized)
                                  .Case("loops", CpuStage::Loops)
                                  .Case("llvm", CpuStage::LLVM)
                                  .Default(std::nullopt);
  if (s)
    stage = *s;
  return s.has_value();
}

std::string diffc::cpuStageNames() {
  return "linalg, fused, bufferized, loops, llvm";
}

/// Upstream passes are added by their registered names: the textual form is
/// stable across MLIR releases where the C++ factory names are not.
static void addPasses(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error(llvm::Twine("diffc: malformed built-in pipeline: ") +
                             pipeline);
}

void diffc::buildDiffcCpuPipeline(OpPassManager &pm, CpuStage stopAfter,
                                  bool cpuKernels) {
  // Gradient functions of every function marked diffc.differentiate.
  pm.addPass(createAutodiffPass());
  pm.addPass(createParametersToGlobalsPass());
  pm.addPass(createConvertDiffcToLinalgPass());
  pm.addPass(createVerifyLoweredPass());
  pm.addPass(createCanonicalizerPass());
  if (stopAfter == CpuStage::Linalg)
    return;
  pm.addPass(createFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (stopAfter == CpuStage::Fused)
    return;
  addPasses(pm, "one-shot-bufferize{bufferize-function-boundaries "
                "function-boundary-type-conversion=identity-layout-map "
                "allow-return-allocs-from-loops}");
  // Before deallocation is placed, so that the padded copies it removes
  // never get deallocations (docs/cpu-kernels.md).
  if (cpuKernels)
    pm.addPass(createCpuMicrokernelsPass());
  // Folding dims of allocations and CSE leave one SSA value for the batch
  // extent, which is what the planner groups buffers by.
  addPasses(pm, "resolve-ranked-shaped-type-result-dims");
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createPlanMemoryPass());
  addPasses(pm, "buffer-deallocation-pipeline");
  if (stopAfter == CpuStage::Bufferized)
    return;
  addPasses(pm, "convert-linalg-to-loops,canonicalize");
  if (stopAfter == CpuStage::Loops)
    return;
  addPasses(pm, "convert-bufferization-to-memref,convert-scf-to-cf,"
                "expand-strided-metadata,lower-affine,"
                "finalize-memref-to-llvm,convert-math-to-llvm,"
                "convert-math-to-libm,convert-arith-to-llvm,"
                "convert-cf-to-llvm,convert-func-to-llvm,"
                "reconcile-unrealized-casts");
}

void diffc::registerDiffcPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "diffc-cpu-pipeline",
      "Lower diffc to the LLVM dialect for x86-64 (the `diffc compile "
      "--target=x86_64` pipeline)",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildDiffcCpuPipeline(pm, options.stopAfter, options.cpuKernels);
      });
}
