//===- ReductionGradients.cpp - gradient rules of reductions and losses ---===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// A reduction's gradient is its result gradient broadcast back over the
// reduced dimensions (divided by the count for a mean; shared equally among
// tied maxima, as torch.amax does). A loss is an elementwise term followed by
// its reduction, so its gradient is the term's derivative times the
// broadcast result gradient.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/Gradients/GradientBuilder.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

SmallVector<int64_t> allDims(Value v) {
  return llvm::to_vector(
      llvm::seq<int64_t>(0, cast<RankedTensorType>(v.getType()).getRank()));
}

LogicalResult reduceGrad(ReduceOp op, GradientBuilder &g, ArrayRef<Value> rg,
                         MutableArrayRef<Value> og) {
  Value x = op.getInput();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> dims;
  for (int64_t d : op.getDims())
    dims.push_back(d < 0 ? d + rank : d);
  llvm::sort(dims);
  Value spread = g.broadcastLike(g.keepDimsForm(rg[0], x, dims), x);
  switch (op.getKind()) {
  case ReduceKind::sum:
    og[0] = spread;
    break;
  case ReduceKind::mean:
    og[0] = g.div(spread, g.elementCount(x, dims));
    break;
  case ReduceKind::max: {
    Value m = g.broadcastLike(g.keepDimsForm(op.getResult(), x, dims), x);
    Value one = g.scalar(1.0, x);
    Value isMax = g.sub(g.sub(one, g.heaviside(g.sub(x, m))),
                        g.heaviside(g.sub(m, x)));
    Value ties = g.broadcastLike(g.reduce(ReduceKind::sum, isMax, dims, true),
                                 x);
    og[0] = g.mul(spread, g.div(isMax, ties));
    break;
  }
  }
  return success();
}

/// The gradient of a loss's elementwise term: the loss's result gradient
/// broadcast over the elements, divided by their count for `mean`.
Value termGradient(GradientBuilder &g, Value resultGrad, Value input,
                   LossReduction reduction) {
  if (reduction == LossReduction::none)
    return resultGrad;
  Value spread = g.broadcastLike(resultGrad, input);
  if (reduction == LossReduction::sum)
    return spread;
  return g.div(spread, g.elementCount(input, allDims(input)));
}

LogicalResult mseGrad(MseLossOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  Value x = op.getInput(), t = op.getTarget();
  Value ge = termGradient(g, rg[0], x, op.getReduction());
  Value d = g.mul(g.mul(g.scalar(2.0, x), g.sub(x, t)), ge);
  og[0] = d;
  og[1] = g.neg(d);
  return success();
}

LogicalResult gaussianKLGrad(GaussianKLOp op, GradientBuilder &g,
                             ArrayRef<Value> rg, MutableArrayRef<Value> og) {
  // term = (-lv + exp(lv) + mu^2 - 1) / 2.
  Value mu = op.getMean(), lv = op.getLogvar();
  Value ge = termGradient(g, rg[0], mu, op.getReduction());
  og[0] = g.mul(mu, ge);
  og[1] = g.mul(g.mul(g.scalar(0.5, lv), g.sub(g.exp(lv), g.scalar(1.0, lv))),
                ge);
  return success();
}

LogicalResult bceGrad(BceWithLogitsLossOp op, GradientBuilder &g,
                      ArrayRef<Value> rg, MutableArrayRef<Value> og) {
  // term = max(x, 0) - x y + log(1 + exp(-|x|)): d/dx = s(x) - y, d/dy = -x.
  Value x = op.getInput(), y = op.getTarget();
  Value ge = termGradient(g, rg[0], x, op.getReduction());
  og[0] = g.mul(g.sub(g.sigmoid(x), y), ge);
  og[1] = g.neg(g.mul(x, ge));
  return success();
}

LogicalResult hingeGrad(HingeLossOp op, GradientBuilder &g, ArrayRef<Value> rg,
                        MutableArrayRef<Value> og) {
  Value x = op.getInput(), one = g.scalar(1.0, x);
  Value ge = termGradient(g, rg[0], x, op.getReduction());
  switch (op.getTarget()) {
  case GanTarget::real: // relu(1 - x)
    og[0] = g.neg(g.mul(g.heaviside(g.sub(one, x)), ge));
    break;
  case GanTarget::fake: // relu(1 + x)
    og[0] = g.mul(g.heaviside(g.add(one, x)), ge);
    break;
  case GanTarget::generator: // -x
    og[0] = g.neg(g.broadcastLike(ge, x));
    break;
  }
  return success();
}

} // namespace

void mlir::diffc::registerReductionGradients(MLIRContext *ctx) {
  attachGradient<ReduceOp, reduceGrad>(ctx);
  attachGradient<MseLossOp, mseGrad>(ctx);
  attachGradient<GaussianKLOp, gaussianKLGrad>(ctx);
  attachGradient<BceWithLogitsLossOp, bceGrad>(ctx);
  attachGradient<HingeLossOp, hingeGrad>(ctx);
}
