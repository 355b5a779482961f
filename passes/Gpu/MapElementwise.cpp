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

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_GPUMAPELEMENTWISEPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

/// The indices of `operand` for loop indices `ivs`, through its indexing
/// map (broadcast dimensions and constants are common, general affine
/// expressions go through affine.apply).
SmallVector<Value> operandIndices(OpBuilder &b, Location loc, AffineMap map,
                                  ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(e)) {
      indices.push_back(ivs[dim.getPosition()]);
      continue;
    }
    if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      indices.push_back(arith::ConstantIndexOp::create(b, loc, c.getValue()));
      continue;
    }
    indices.push_back(affine::AffineApplyOp::create(
        b, loc, AffineMap::get(map.getNumDims(), map.getNumSymbols(), e),
        ivs));
  }
  return indices;
}

/// Replaces `op` by a gpu.launch computing the same thing.
void mapToLaunch(linalg::LinalgOp op, int64_t blockSize) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<Range> ranges = op.createLoopRanges(b, loc);
  SmallVector<Value> sizes;
  int64_t staticElements = 1;
  for (const Range &r : ranges) {
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    std::optional<int64_t> c = getConstantIntValue(r.size);
    staticElements = c && staticElements >= 0 ? staticElements * *c : -1;
  }
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  Value total = c1;
  for (auto [i, s] : llvm::enumerate(sizes))
    total = i == 0 ? s : arith::MulIOp::create(b, loc, total, s);
  Value threads = arith::ConstantIndexOp::create(b, loc, blockSize);
  // At least one block: a launch of zero blocks is an error on the device.
  Value grid = arith::MaxUIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, total, threads), c1);
  auto launch = gpu::LaunchOp::create(b, loc, grid, c1, c1, threads, c1, c1);
  Block &body = launch.getBody().front();
  if (body.empty() || !body.back().hasTrait<OpTrait::IsTerminator>()) {
    b.setInsertionPointToEnd(&body);
    gpu::TerminatorOp::create(b, loc);
  }
  b.setInsertionPoint(body.getTerminator());
  Value id = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, threads),
      launch.getThreadIds().x);
  Value inBounds =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, id, total);
  auto ifOp = scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());

  // Row-major delinearization: the innermost loop varies fastest.
  SmallVector<Value> ivs(sizes.size());
  Value rest = id;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    if (d == 0) {
      ivs[d] = rest;
      break;
    }
    ivs[d] = arith::RemUIOp::create(b, loc, rest, sizes[d]);
    rest = arith::DivUIOp::create(b, loc, rest, sizes[d]);
  }

  IRMapping mapping;
  Block *payload = op.getBlock();
  for (OpOperand &operand : op->getOpOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(&operand);
    if (!arg || arg.use_empty())
      continue;
    Value value = operand.get();
    if (!isa<MemRefType>(value.getType())) {
      mapping.map(arg, value);
      continue;
    }
    mapping.map(arg, memref::LoadOp::create(
                         b, loc, value,
                         operandIndices(b, loc, op.getMatchingIndexingMap(&operand),
                                        ivs)));
  }
  for (Operation &inner : payload->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
  Operation *yield = payload->getTerminator();
  for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable())) {
    Value result = mapping.lookupOrDefault(yield->getOperand(i));
    memref::StoreOp::create(
        b, loc, result, init.get(),
        operandIndices(b, loc, op.getMatchingIndexingMap(&init), ivs));
  }

  MLIRContext *ctx = op->getContext();
  Builder attrs(ctx);
  launch->setAttr(
      diffc::kGpuKernelAttrName,
      attrs.getDictionaryAttr(
          {attrs.getNamedAttr("block",
                              attrs.getDenseI64ArrayAttr({blockSize, 1, 1})),
           attrs.getNamedAttr("elements",
                              attrs.getI64IntegerAttr(staticElements))}));
  op->erase();
}

struct GpuMapElementwisePass
    : public diffc::impl::GpuMapElementwisePassBase<GpuMapElementwisePass> {
  using GpuMapElementwisePassBase::GpuMapElementwisePassBase;

  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError() << "block-size " << blockSize
                                 << " is outside 1..1024";
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      // The loop extents must follow from the operand shapes (an invertible
      // loops-to-shapes map), as for linalg's own loop lowering.
      if (op.hasPureBufferSemantics() &&
          op.getNumLoops() == op.getNumParallelLoops() &&
          op.getShapesToLoopsMap())
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates)
      mapToLaunch(op, blockSize);
    if (!verify)
      return;
    // What is left has no GPU lowering yet: say where it came from.
    WalkResult result = getOperation().walk([&](Operation *op) {
      if (isa<linalg::LinalgOp>(op)) {
        op->emitError()
            << "'" << op->getName()
            << "' is not yet lowered for GPU targets: so far only elementwise "
               "(all-parallel) ops become GPU kernels; matrix products, "
               "convolutions, reductions, normalizations, softmax and "
               "attention are next (docs/gpu.md)";
        return WalkResult::interrupt();
      }
      // Calls between the module's functions (and the deallocation helper)
      // are host code; a call of an external function is a CPU kernel or a
      // library routine, which has no GPU counterpart yet.
      if (auto call = dyn_cast<func::CallOp>(op)) {
        auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
            op, call.getCalleeAttr());
        if (!callee || callee.isExternal()) {
          op->emitError() << "call of @" << call.getCallee()
                          << " is not yet lowered for GPU targets";
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
