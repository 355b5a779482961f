//===- PointLaunch.cpp - one GPU thread per point of a loop space ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/PointLaunch.h"

#include "passes/Gpu/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::diffc;

SmallVector<Value> mlir::diffc::operandIndices(OpBuilder &b, Location loc,
                                               AffineMap map,
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

PointLaunch mlir::diffc::createPointLaunch(OpBuilder &b, Location loc,
                                           ArrayRef<Value> sizes,
                                           int64_t blockSize) {
  int64_t staticElements = 1;
  for (Value s : sizes) {
    std::optional<int64_t> c = getConstantIntValue(s);
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
  OpBuilder::InsertionGuard restore(b);
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

  Builder attrs(b.getContext());
  launch->setAttr(
      kGpuKernelAttrName,
      attrs.getDictionaryAttr(
          {attrs.getNamedAttr("block",
                              attrs.getDenseI64ArrayAttr({blockSize, 1, 1})),
           attrs.getNamedAttr("elements",
                              attrs.getI64IntegerAttr(staticElements))}));
  return {launch, b.saveInsertionPoint(), ivs};
}

SmallVector<Value> mlir::diffc::emitPayload(OpBuilder &b, Location loc,
                                            linalg::LinalgOp op,
                                            ArrayRef<Value> ivs,
                                            ValueRange outputValues) {
  IRMapping mapping;
  for (OpOperand &operand : op->getOpOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(&operand);
    if (!arg)
      continue;
    if (!outputValues.empty() && op.isDpsInit(&operand)) {
      mapping.map(arg, outputValues[operand.getOperandNumber() -
                                    op.getNumDpsInputs()]);
      continue;
    }
    if (arg.use_empty())
      continue;
    Value value = operand.get();
    if (!isa<MemRefType>(value.getType())) {
      mapping.map(arg, value);
      continue;
    }
    mapping.map(arg, memref::LoadOp::create(
                         b, loc, value,
                         operandIndices(b, loc,
                                        op.getMatchingIndexingMap(&operand),
                                        ivs)));
  }
  Block *payload = op.getBlock();
  for (Operation &inner : payload->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
  SmallVector<Value> yielded;
  for (Value v : payload->getTerminator()->getOperands())
    yielded.push_back(mapping.lookupOrDefault(v));
  return yielded;
}

LogicalResult mlir::diffc::checkBlockSize(Operation *root, int64_t blockSize) {
  if (blockSize >= 1 && blockSize <= 1024)
    return success();
  return root->emitError() << "block-size " << blockSize
                           << " is outside 1..1024";
}

bool mlir::diffc::isMappableLinalgOp(linalg::LinalgOp op) {
  return !op->getParentOfType<gpu::LaunchOp>() &&
         op.hasPureBufferSemantics() && op.getShapesToLoopsMap();
}

LogicalResult mlir::diffc::verifyAllMapped(
    Operation *root, function_ref<std::string(linalg::LinalgOp)> why) {
  WalkResult result = root->walk([&](Operation *op) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      op->emitError() << "'" << op->getName()
                      << "' is not lowered for GPU targets: " << why(linalgOp);
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
  return failure(result.wasInterrupted());
}
