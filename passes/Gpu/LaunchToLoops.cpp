//===- LaunchToLoops.cpp - gpu.launch bodies as host loops ----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Lets the CPU test suite run the exact kernel bodies that are compiled for
// the GPU (after thread mapping, before NVVM): the launch's ids become loop
// variables. Sound only for kernels whose threads do not communicate, which
// the checks below enforce.
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_GPULAUNCHTOLOOPSPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

LogicalResult launchToLoops(gpu::LaunchOp launch) {
  if (!launch.getBody().hasOneBlock())
    return launch.emitError("cannot run a gpu.launch with several blocks in "
                            "its body as host loops");
  if (launch.getDynamicSharedMemorySize() ||
      !launch.getWorkgroupAttributions().empty() ||
      !launch.getPrivateAttributions().empty() ||
      !launch.getAsyncDependencies().empty())
    return launch.emitError("cannot run a gpu.launch with shared memory, "
                            "attributions or async dependencies as host "
                            "loops");
  if (launch.getBody()
          .walk([](gpu::BarrierOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return launch.emitError("cannot run a gpu.launch with barriers as host "
                            "loops: its threads communicate");

  OpBuilder b(launch);
  Location loc = launch.getLoc();
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  IRMapping mapping;
  auto loop = [&](Value upper, Value regionArg) {
    auto f = scf::ForOp::create(b, loc, c0, upper, c1);
    b.setInsertionPoint(f.getBody()->getTerminator());
    mapping.map(regionArg, f.getInductionVar());
  };
  loop(grid.z, launch.getBlockIds().z);
  loop(grid.y, launch.getBlockIds().y);
  loop(grid.x, launch.getBlockIds().x);
  loop(block.z, launch.getThreadIds().z);
  loop(block.y, launch.getThreadIds().y);
  loop(block.x, launch.getThreadIds().x);
  mapping.map(launch.getGridSize().x, grid.x);
  mapping.map(launch.getGridSize().y, grid.y);
  mapping.map(launch.getGridSize().z, grid.z);
  mapping.map(launch.getBlockSize().x, block.x);
  mapping.map(launch.getBlockSize().y, block.y);
  mapping.map(launch.getBlockSize().z, block.z);
  for (Operation &op : launch.getBody().front().without_terminator())
    b.clone(op, mapping);
  launch.erase();
  return success();
}

struct GpuLaunchToLoopsPass
    : public diffc::impl::GpuLaunchToLoopsPassBase<GpuLaunchToLoopsPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    for (gpu::LaunchOp launch : launches)
      if (failed(launchToLoops(launch)))
        return signalPassFailure();
  }
};

} // namespace
