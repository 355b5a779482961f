//===- SamplerLoop.cpp - diffc.sampler_loop to scf.for --------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The loop stays a loop: one scf.for over the timestep tensor whose body is
// the sampler_loop's body, with the current and next timestep read from the
// tensor (the next one is -1 after the last step).
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

struct SamplerLoopPattern : OpRewritePattern<SamplerLoopOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SamplerLoopOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value timesteps = op.getTimesteps();
    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value one = arith::ConstantIndexOp::create(b, 1);
    Value count = tensor::DimOp::create(b, timesteps, 0);
    Type i64 = b.getI64Type();
    SmallVector<Value> args;
    // The body's prologue reads t and t_next; a placeholder scf.yield keeps
    // the block well formed until the sampler body is moved in front of it.
    auto loop = scf::ForOp::create(
        b, zero, count, one, op.getInits(),
        [&](OpBuilder &nb, Location loc, Value step, ValueRange iterArgs) {
          ImplicitLocOpBuilder e(loc, nb);
          auto readTimestep = [&](Value index) -> Value {
            Value t = tensor::ExtractOp::create(e, timesteps, ValueRange{index});
            if (t.getType() != i64)
              t = arith::ExtSIOp::create(e, i64, t);
            return t;
          };
          Value t = readTimestep(step);
          Value next = arith::AddIOp::create(e, step, one);
          Value hasNext =
              arith::CmpIOp::create(e, arith::CmpIPredicate::ult, next, count);
          Value safeNext = arith::SelectOp::create(e, hasNext, next, zero);
          Value tNext = arith::SelectOp::create(
              e, hasNext, readTimestep(safeNext),
              arith::ConstantIntOp::create(e, i64, -1));
          args = {step, t, tNext};
          llvm::append_range(args, iterArgs);
          scf::YieldOp::create(e, iterArgs);
        });
    Block *body = loop.getBody();

    // Move the loop body in, then swap diffc.yield for scf.yield.
    Operation *forYield = body->getTerminator();
    rewriter.inlineBlockBefore(&op.getBody().front(), forYield, args);
    auto yield = cast<YieldOp>(forYield->getPrevNode());
    rewriter.setInsertionPoint(yield);
    scf::YieldOp::create(rewriter, yield.getLoc(), yield.getValues());
    rewriter.eraseOp(yield);
    rewriter.eraseOp(forYield);
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

} // namespace

void mlir::diffc::populateSamplerLoopToSCFPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SamplerLoopPattern>(patterns.getContext());
}
