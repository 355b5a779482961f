//===- MapElementwise.cpp - all-parallel linalg ops to gpu.launch ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// One thread per point of the iteration space, linearized row-major so that
// thread i and i + 1 touch neighbouring innermost elements (coalesced global
// loads and stores for row-major buffers). This is the simplest mapping that
// is right for every all-parallel op and fast for bandwidth-bound kernels;
// vector loads and several points per thread are later refinements
// (docs/gpu.md).
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/Passes.h"
#include "passes/Gpu/PointLaunch.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_GPUMAPELEMENTWISEPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// Replaces `op` by a gpu.launch computing the same thing.
void mapToLaunch(linalg::LinalgOp op, int64_t blockSize) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<Value> sizes;
  for (const Range &r : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  PointLaunch point = createPointLaunch(b, loc, sizes, blockSize);
  b.restoreInsertionPoint(point.body);
  ArrayRef<Value> ivs = point.ivs;

  SmallVector<Value> results = emitPayload(b, loc, op, ivs, {});
  for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
    memref::StoreOp::create(
        b, loc, results[i], init.get(),
        operandIndices(b, loc, op.getMatchingIndexingMap(&init), ivs));
  op->erase();
}

struct GpuMapElementwisePass
    : public diffc::impl::GpuMapElementwisePassBase<GpuMapElementwisePass> {
  using GpuMapElementwisePassBase::GpuMapElementwisePassBase;

  void runOnOperation() override {
    if (failed(checkBlockSize(getOperation(), blockSize)))
      return signalPassFailure();
    // Copies bufferization made (padding interiors, loop-carried values,
    // inserted slices) run on the GPU too, not as host loops over memory
    // the kernels own: as linalg.copy they map like any elementwise op.
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isMappableLinalgOp(op) &&
          op.getNumLoops() == op.getNumParallelLoops())
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates)
      mapToLaunch(op, blockSize);
    auto why = [](linalg::LinalgOp op) -> std::string {
      if (op.getNumReductionLoops() > 0)
        return "this pass maps all-parallel ops only; ops with reductions "
               "are diffc-gpu-map-reductions' (docs/gpu.md)";
      return "its loop extents do not follow from its operand shapes";
    };
    if (verify && failed(verifyAllMapped(getOperation(), why)))
      signalPassFailure();
  }
};

} // namespace
