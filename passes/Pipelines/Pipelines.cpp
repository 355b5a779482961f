//===- Pipelines.cpp - diffc compile pipelines ----------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipelines/Pipelines.h"

#include "passes/Conversion/Passes.h"
#include "passes/Diffc/Passes.h"
#include "passes/Gpu/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

#include <cstdlib>

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
  addCpuLoweringFromBuffers(pm, stopAfter);
}

void diffc::addCpuLoweringFromBuffers(OpPassManager &pm, CpuStage stopAfter) {
  // Parallel dimensions become scf.parallel; the large outermost ones run
  // on the runtime's threads through OpenMP's ABI (docs/cpu-parallel-loops.md),
  // the rest become scf.for.
  // SiLU's and softmax's exp as an inline polynomial that vectorizes.
  pm.addPass(createApproximateMathPass());
  addPasses(pm, "convert-linalg-to-parallel-loops,canonicalize");
  pm.addNestedPass<func::FuncOp>(createParallelizeLoopsPass());
  if (stopAfter == CpuStage::Loops)
    return;
  // The memref.alloca_scope scf-to-openmp wraps each body in is empty and
  // canonicalizes away (it would otherwise hold several blocks after
  // convert-scf-to-cf). Buffers come from the runtime's allocator (MLIR's
  // generic functions; runtime/src/ukernels/memory_abi.cpp caches large
  // blocks, so a repeated call does not page-fault its arena in again).
  addPasses(pm, "convert-scf-to-openmp,canonicalize,"
                "convert-bufferization-to-memref,convert-scf-to-cf,"
                "expand-strided-metadata,lower-affine,"
                "finalize-memref-to-llvm{use-generic-functions},"
                "convert-math-to-llvm,"
                "convert-math-to-libm,convert-arith-to-llvm,"
                "convert-cf-to-llvm,convert-openmp-to-llvm,"
                "convert-func-to-llvm,reconcile-unrealized-casts");
}

std::string diffc::ptxFeatureFor(StringRef target) {
  // The first PTX ISA version of each chip (PTX ISA manual, "Release
  // notes"); LLVM 22's default (+ptx60) is too old for all of them.
  return llvm::StringSwitch<std::string>(target)
      .Case("sm_80", "+ptx70")
      .Case("sm_86", "+ptx71")
      .Case("sm_89", "+ptx78")
      .Case("sm_90", "+ptx78")
      .Case("sm_100", "+ptx86")
      .Case("sm_120", "+ptx87")
      .Default("");
}

std::string diffc::supportedGpuTargets() {
  return "sm_80, sm_86, sm_89, sm_90, sm_100, sm_120";
}

void diffc::buildDiffcGpuPipeline(OpPassManager &pm, bool hostLoops,
                                  ArrayRef<std::string> targets,
                                  StringRef toolkit, int64_t coarsen) {
  buildDiffcCpuPipeline(pm, CpuStage::Bufferized, /*cpuKernels=*/false);
  // For the host-loop check, ops without a GPU lowering stay CPU loops so
  // that whole test files compile; for GPU targets they are errors.
  GpuMapElementwisePassOptions mapOptions;
  mapOptions.verify = false;
  pm.addNestedPass<func::FuncOp>(createGpuMapElementwisePass(mapOptions));
  pm.addNestedPass<func::FuncOp>(createGpuMapBlockReductionsPass());
  GpuMapReductionsPassOptions reductionOptions;
  reductionOptions.verify = !hostLoops;
  reductionOptions.coarsen = coarsen;
  pm.addNestedPass<func::FuncOp>(createGpuMapReductionsPass(reductionOptions));
  pm.addPass(createCanonicalizerPass());
  if (hostLoops) {
    pm.addNestedPass<func::FuncOp>(createGpuLaunchToLoopsPass());
    addCpuLoweringFromBuffers(pm, CpuStage::LLVM);
    return;
  }
  if (!targets.empty())
    buildDiffcGpuToPtxPipeline(pm, targets, toolkit);
}

void diffc::buildDiffcGpuToPtxPipeline(OpPassManager &pm,
                                       ArrayRef<std::string> targets,
                                       StringRef toolkit) {
  // Constants and index arithmetic move into the kernels: fewer parameters,
  // and the delinearization divides by constants (multiply-shift in PTX).
  addPasses(pm, "func.func(gpu-launch-sink-index-computations)");
  addPasses(pm, "gpu-kernel-outlining");
  pm.addPass(createGpuMergeModulesPass());
  for (const std::string &target : targets)
    addPasses(pm, "nvvm-attach-target{chip=" + target +
                      " features=" + ptxFeatureFor(target) + " O=3}");
  addPasses(pm, "gpu.module(lower-affine,arith-expand,convert-scf-to-cf,"
                "convert-gpu-to-nvvm{index-bitwidth=64},canonicalize,cse,"
                "reconcile-unrealized-casts)");
  std::string path = toolkit.str();
  if (path.empty()) {
    const char *home = std::getenv("CUDA_HOME");
    path = home && *home ? home : "/usr/local/cuda";
  }
  addPasses(pm, "gpu-module-to-binary{format=isa toolkit=" + path + "}");
}

void diffc::buildDiffcGpuHostPipeline(OpPassManager &pm) {
  // Launches become calls of the runtime, host accesses wait for the GPU,
  // then the host code is compiled like the CPU code, its allocations going
  // to the runtime's GPU allocator (docs/gpu.md, "Host code").
  pm.addPass(createGpuLaunchToCallsPass());
  pm.addPass(createGpuHostSyncPass());
  pm.addPass(createCanonicalizerPass());
  addCpuLoweringFromBuffers(pm, CpuStage::LLVM);
  pm.addPass(createGpuHostAllocationsPass());
}

void diffc::registerDiffcPipelines() {
  PassPipelineRegistration<GpuPipelineOptions>(
      "diffc-gpu-pipeline",
      "Lower diffc to GPU kernels (the `diffc compile --target=sm_XX` "
      "pipeline): host functions with gpu.launch kernels; with targets=, "
      "PTX per target; with host-loops, the kernels as host loops in LLVM",
      [](OpPassManager &pm, const GpuPipelineOptions &options) {
        std::vector<std::string> targets(options.targets.begin(),
                                         options.targets.end());
        buildDiffcGpuPipeline(pm, options.hostLoops, targets, options.toolkit);
      });
  PassPipelineRegistration<CpuPipelineOptions>(
      "diffc-cpu-pipeline",
      "Lower diffc to the LLVM dialect for x86-64 (the `diffc compile "
      "--target=x86_64` pipeline)",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildDiffcCpuPipeline(pm, options.stopAfter, options.cpuKernels);
      });
}
