//===- Training.cpp - diffc optimizer and EMA updates to linalg -----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The parameter updates of a training step are elementwise: Adam / AdamW is
// one linalg.generic with three results (parameter, first and second
// moment), the EMA of weights one with a single result.
//
// The formulas are PyTorch's single-tensor torch.optim.Adam / AdamW
// (_single_tensor_adam): the bias corrections, the step size and the AdamW
// decay factor are Python floats there, computed once per step in double
// precision; here they are f64 scalars computed once outside the loop nest
// and rounded to the element type, which is what PyTorch does when it
// multiplies a float tensor by a Python scalar. Per element:
//
//   adam:   g = g + weight_decay * p
//   adamw:  p = p * (1 - lr * weight_decay)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   p = p - step_size * m / (sqrt(v) / sqrt(1 - beta2^step) + epsilon)
//   with step_size = lr / (1 - beta1^step)
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// Scalar f64 arithmetic for the per-step coefficients.
struct Scalars {
  OpBuilder &b;
  Location loc;
  Type t;
  Value c(double v) { return floatConstant(b, loc, t, v); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  Value pow(Value x, Value y) { return math::PowFOp::create(b, loc, x, y); }
};

struct AdamUpdatePattern : OpRewritePattern<AdamUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdamUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getParam().getType());
    Type et = type.getElementType();
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    double epsilon = op.getEpsilon().convertToDouble();
    double decay = op.getWeightDecay().convertToDouble();
    bool adamw = op.getOptimizer() == OptimizerKind::adamw;

    // Per-step scalars in double precision, as Python computes them.
    Type f64 = rewriter.getF64Type();
    Scalars d{rewriter, loc, f64};
    Value step = arith::SIToFPOp::create(rewriter, loc, f64, op.getStep());
    Value lr = convertFloat(rewriter, loc, op.getLr(), f64);
    Value bias1 = d.sub(d.c(1.0), d.pow(d.c(beta1), step));
    Value bias2 = d.sub(d.c(1.0), d.pow(d.c(beta2), step));
    auto toElement = [&](Value v) {
      return convertFloat(rewriter, loc, v, et);
    };
    Value stepSize = toElement(d.div(lr, bias1));
    Value bias2Sqrt = toElement(d.sqrt(bias2));
    Value decayFactor = toElement(d.sub(d.c(1.0), d.mul(lr, d.c(decay))));

    unsigned rank = type.getRank();
    Value src = op.getParam();
    SmallVector<Value> inits(3, createEmptyLike(rewriter, loc, type, {src}));
    SmallVector<AffineMap> maps(7, rewriter.getMultiDimIdentityMap(rank));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type, type, type},
        ValueRange{op.getParam(), op.getGrad(), op.getExpAvg(),
                   op.getExpAvgSq()},
        inits, maps, parallelIterators(rank),
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Scalars e{nb, l, et};
          Value p = a[0], g = a[1], m = a[2], v = a[3];
          if (decay != 0.0) {
            if (adamw)
              p = e.mul(p, decayFactor);
            else
              g = e.add(g, e.mul(p, e.c(decay)));
          }
          Value m1 = e.add(e.mul(m, e.c(beta1)), e.mul(e.c(1.0 - beta1), g));
          // addcmul_(g, g, value=1 - beta2): v + (1 - beta2) * g * g.
          Value v1 =
              e.add(e.mul(v, e.c(beta2)), e.mul(e.mul(e.c(1.0 - beta2), g), g));
          Value denom = e.add(e.div(e.sqrt(v1), bias2Sqrt), e.c(epsilon));
          Value p1 = e.sub(p, e.mul(stepSize, e.div(m1, denom)));
          linalg::YieldOp::create(nb, l, ValueRange{p1, m1, v1});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct EmaUpdatePattern : OpRewritePattern<EmaUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmaUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type et = type.getElementType();
    // ema.mul_(decay).add_(param, alpha=1 - decay), with 1 - decay rounded
    // to the element type once.
    Value decay = convertFloat(rewriter, loc, op.getDecay(), et);
    Value rest = arith::SubFOp::create(
        rewriter, loc, floatConstant(rewriter, loc, et, 1.0), decay);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, {op.getEma(), op.getParam()},
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value kept = arith::MulFOp::create(b, l, a[0], decay);
                  Value added = arith::MulFOp::create(b, l, a[1], rest);
                  return arith::AddFOp::create(b, l, kept, added).getResult();
                }));
    return success();
  }
};

} // namespace

void mlir::diffc::populateTrainingToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AdamUpdatePattern, EmaUpdatePattern>(patterns.getContext());
}
