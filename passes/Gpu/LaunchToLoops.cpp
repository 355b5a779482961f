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

/// The launch body's ops split at its top-level barriers: the phases every
/// thread of a block finishes before any thread starts the next.
SmallVector<SmallVector<Operation *>> phasesOf(gpu::LaunchOp launch) {
  SmallVector<SmallVector<Operation *>> phases(1);
  for (Operation &op : launch.getBody().front().without_terminator()) {
    if (isa<gpu::BarrierOp>(op))
      phases.emplace_back();
    else
      phases.back().push_back(&op);
  }
  return phases;
}

LogicalResult launchToLoops(gpu::LaunchOp launch) {
  if (!launch.getBody().hasOneBlock())
    return launch.emitError("cannot run a gpu.launch with several blocks in "
                            "its body as host loops");
  if (launch.getDynamicSharedMemorySize() ||
      !launch.getPrivateAttributions().empty() ||
      !launch.getAsyncDependencies().empty())
    return launch.emitError("cannot run a gpu.launch with dynamic shared "
                            "memory, private attributions or async "
                            "dependencies as host loops");
  // Barriers at the top level of the body split it into phases, run one
  // after the other for all threads of a block; a barrier anywhere else
  // (under a condition, in a loop) has no such reading.
  for (Operation &op : launch.getBody().front())
    for (Region &region : op.getRegions())
      if (region
              .walk([](gpu::BarrierOp) { return WalkResult::interrupt(); })
              .wasInterrupted())
        return launch.emitError("cannot run a gpu.launch as host loops: a "
                                "barrier is nested in its body's control "
                                "flow");
  SmallVector<SmallVector<Operation *>> phases = phasesOf(launch);
  // Threads of a phase share only memory with later phases: a value
  // defined in one phase and used in another would be every thread's own.
  llvm::DenseMap<Operation *, size_t> phaseOf;
  for (auto [p, ops] : llvm::enumerate(phases))
    for (Operation *op : ops)
      phaseOf[op] = p;
  for (auto [p, ops] : llvm::enumerate(phases))
    for (Operation *op : ops) {
      WalkResult crossing = op->walk([&](Operation *inner) {
        for (Value v : inner->getOperands()) {
          Operation *def = v.getDefiningOp();
          while (def && def->getParentOp() != launch)
            def = def->getParentOp();
          auto it = def ? phaseOf.find(def) : phaseOf.end();
          if (it != phaseOf.end() && it->second != p)
            return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      if (crossing.wasInterrupted())
        return op->emitError("cannot run this gpu.launch as host loops: a "
                             "value crosses a barrier");
    }

  OpBuilder b(launch);
  Location loc = launch.getLoc();
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  IRMapping mapping;
  // Workgroup memory: one host buffer, reused by every block in turn.
  SmallVector<Value> workgroup;
  for (BlockArgument attribution : launch.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(attribution.getType());
    if (!type.hasStaticShape())
      return launch.emitError("cannot run a gpu.launch with dynamically "
                              "sized workgroup memory as host loops");
    Value buffer = memref::AllocOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()));
    mapping.map(attribution, buffer);
    workgroup.push_back(buffer);
  }
  OpBuilder::InsertPoint after = b.saveInsertionPoint();
  auto loop = [&](Value upper, Value regionArg) {
    auto f = scf::ForOp::create(b, loc, c0, upper, c1);
    b.setInsertionPoint(f.getBody()->getTerminator());
    mapping.map(regionArg, f.getInductionVar());
  };
  loop(grid.z, launch.getBlockIds().z);
  loop(grid.y, launch.getBlockIds().y);
  loop(grid.x, launch.getBlockIds().x);
  mapping.map(launch.getGridSize().x, grid.x);
  mapping.map(launch.getGridSize().y, grid.y);
  mapping.map(launch.getGridSize().z, grid.z);
  mapping.map(launch.getBlockSize().x, block.x);
  mapping.map(launch.getBlockSize().y, block.y);
  mapping.map(launch.getBlockSize().z, block.z);
  OpBuilder::InsertPoint inBlock = b.saveInsertionPoint();
  for (const SmallVector<Operation *> &phase : phases) {
    b.restoreInsertionPoint(inBlock);
    loop(block.z, launch.getThreadIds().z);
    loop(block.y, launch.getThreadIds().y);
    loop(block.x, launch.getThreadIds().x);
    for (Operation *op : phase)
      b.clone(*op, mapping);
  }
  b.restoreInsertionPoint(after);
  b.setInsertionPointAfter(launch);
  for (Value buffer : workgroup)
    memref::DeallocOp::create(b, loc, buffer);
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
