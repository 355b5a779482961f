//===- Elementwise.cpp - diffc elementwise ops to linalg.generic ----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Every elementwise op becomes one linalg.generic whose body is the scalar
// formula; broadcasting is expressed in the indexing maps. Chains of these
// generics are what linalg's elementwise fusion merges later.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include <cmath>

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// Builds the scalar result of an elementwise op from its scalar operands.
using ScalarFn = std::function<Value(OpBuilder &, Location, ValueRange)>;

/// Replaces `op` (results: one ranked tensor) by a linalg.generic over its
/// tensor operands computing `fn` per element.
LogicalResult lowerElementwise(Operation *op, PatternRewriter &rewriter,
                               const ScalarFn &fn) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  rewriter.replaceOp(op, buildElementwise(rewriter, op->getLoc(), resultType,
                                          op->getOperands(), fn));
  return success();
}

Value sigmoid(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  Value one = floatConstant(b, l, t, 1.0);
  return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
}

template <typename OpTy>
struct ElementwisePattern : OpRewritePattern<OpTy> {
  ElementwisePattern(MLIRContext *ctx, ScalarFn fn)
      : OpRewritePattern<OpTy>(ctx), fn(std::move(fn)) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    return lowerElementwise(op, rewriter, fn);
  }
  ScalarFn fn;
};

/// A pattern whose scalar formula is one op of type ScalarOpTy.
template <typename OpTy, typename ScalarOpTy>
void addDirect(RewritePatternSet &patterns) {
  patterns.add<ElementwisePattern<OpTy>>(
      patterns.getContext(), [](OpBuilder &b, Location l, ValueRange a) {
        return ScalarOpTy::create(b, l, a).getResult();
      });
}

template <typename OpTy>
void addFormula(RewritePatternSet &patterns, ScalarFn fn) {
  patterns.add<ElementwisePattern<OpTy>>(patterns.getContext(), std::move(fn));
}

/// GELU and clamp read attributes, so they get their own patterns.
struct GeluPattern : OpRewritePattern<GeluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeluOp op,
                                PatternRewriter &rewriter) const override {
    bool tanhApprox = op.getApproximation() == GeluApproximation::tanh;
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0];
          Type t = x.getType();
          Value half = floatConstant(b, l, t, 0.5);
          Value one = floatConstant(b, l, t, 1.0);
          Value inner;
          if (tanhApprox) {
            // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
            Value x3 = arith::MulFOp::create(
                b, l, x, arith::MulFOp::create(b, l, x, x));
            Value poly = arith::AddFOp::create(
                b, l, x,
                arith::MulFOp::create(b, l, floatConstant(b, l, t, 0.044715),
                                      x3));
            inner = math::TanhOp::create(
                b, l,
                arith::MulFOp::create(
                    b, l, floatConstant(b, l, t, std::sqrt(2.0 / M_PI)), poly));
          } else {
            // 0.5 x (1 + erf(x / sqrt(2)))
            inner = math::ErfOp::create(
                b, l,
                arith::MulFOp::create(b, l, x,
                                      floatConstant(b, l, t, M_SQRT1_2)));
          }
          return arith::MulFOp::create(
              b, l, arith::MulFOp::create(b, l, half, x),
              arith::AddFOp::create(b, l, one, inner));
        });
  }
};

struct ClampPattern : OpRewritePattern<ClampOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClampOp op,
                                PatternRewriter &rewriter) const override {
    double lo = op.getMin().convertToDouble();
    double hi = op.getMax().convertToDouble();
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value v = arith::MaximumFOp::create(b, l, a[0],
                                              floatConstant(b, l, t, lo));
          return arith::MinimumFOp::create(b, l, v, floatConstant(b, l, t, hi));
        });
  }
};

/// broadcast_like: a generic reading only the input; `like` gives the
/// dynamic extents of the result and is not read.
struct BroadcastLikePattern : OpRewritePattern<BroadcastLikeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BroadcastLikeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value init = createEmptyLike(rewriter, loc, type, {op.getLike()});
    SmallVector<AffineMap> maps = {
        broadcastIndexingMap(getContext(), op.getInput().getType().getShape(),
                             type.getShape()),
        rewriter.getMultiDimIdentityMap(type.getRank())};
    rewriter.replaceOpWithNewOp<linalg::GenericOp>(
        op, type, ValueRange{op.getInput()}, init, maps,
        parallelIterators(type.getRank()),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    return success();
  }
};

} // namespace

void mlir::diffc::populateElementwiseToLinalgPatterns(
    RewritePatternSet &patterns) {
  addDirect<AddOp, arith::AddFOp>(patterns);
  addDirect<SubOp, arith::SubFOp>(patterns);
  addDirect<MulOp, arith::MulFOp>(patterns);
  addDirect<DivOp, arith::DivFOp>(patterns);
  addDirect<MaximumOp, arith::MaximumFOp>(patterns);
  addDirect<MinimumOp, arith::MinimumFOp>(patterns);
  addDirect<PowOp, math::PowFOp>(patterns);
  addDirect<TanhOp, math::TanhOp>(patterns);
  addDirect<ExpOp, math::ExpOp>(patterns);
  addDirect<LogOp, math::LogOp>(patterns);
  addDirect<SqrtOp, math::SqrtOp>(patterns);
  addDirect<RsqrtOp, math::RsqrtOp>(patterns);
  addDirect<NegOp, arith::NegFOp>(patterns);
  addDirect<AbsOp, math::AbsFOp>(patterns);
  addFormula<SigmoidOp>(patterns, [](OpBuilder &b, Location l, ValueRange a) {
    return sigmoid(b, l, a[0]);
  });
  addFormula<SiluOp>(patterns, [](OpBuilder &b, Location l, ValueRange a) {
    return arith::MulFOp::create(b, l, a[0], sigmoid(b, l, a[0])).getResult();
  });
  addFormula<ReluOp>(patterns, [](OpBuilder &b, Location l, ValueRange a) {
    Value zero = floatConstant(b, l, a[0].getType(), 0.0);
    return arith::MaximumFOp::create(b, l, a[0], zero).getResult();
  });
  addFormula<HeavisideOp>(patterns, [](OpBuilder &b, Location l, ValueRange a) {
    Type t = a[0].getType();
    Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                           a[0], floatConstant(b, l, t, 0.0));
    return arith::SelectOp::create(b, l, positive, floatConstant(b, l, t, 1.0),
                                   floatConstant(b, l, t, 0.0))
        .getResult();
  });
  addFormula<StopGradientOp>(
      patterns, [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  patterns.add<GeluPattern, ClampPattern, BroadcastLikePattern>(
      patterns.getContext());
}
