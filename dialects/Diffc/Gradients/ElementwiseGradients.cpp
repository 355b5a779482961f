//===- ElementwiseGradients.cpp - gradient rules of elementwise ops -------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Binary ops broadcast, so each operand's gradient is computed at the result
// shape and summed back to the operand's shape (sumToType). Piecewise ops
// (relu, clamp, maximum, minimum, abs) follow PyTorch at the kinks: relu'(0)
// = 0, clamp passes the gradient on [min, max] inclusive, maximum/minimum
// split it equally between tied operands, abs'(0) = 0.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/Gradients/GradientBuilder.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Stores the gradients of a binary op, summed back to the operand shapes.
template <typename OpTy>
LogicalResult setBinary(OpTy op, GradientBuilder &g,
                        MutableArrayRef<Value> grads, Value dl, Value dr) {
  if (dl)
    grads[0] = g.sumToType(g.broadcastLike(dl, op.getResult()),
                           typeOf(op.getLhs()));
  if (dr)
    grads[1] = g.sumToType(g.broadcastLike(dr, op.getResult()),
                           typeOf(op.getRhs()));
  return success();
}

LogicalResult addGrad(AddOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  return setBinary(op, g, og, rg[0], rg[0]);
}

LogicalResult subGrad(SubOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  Value dr = g.neg(rg[0]);
  return setBinary(op, g, og, rg[0], dr);
}

LogicalResult mulGrad(MulOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  // Locals fix the order of the emitted ops (argument order is unspecified).
  Value dl = g.mul(rg[0], op.getRhs());
  Value dr = g.mul(rg[0], op.getLhs());
  return setBinary(op, g, og, dl, dr);
}

LogicalResult divGrad(DivOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  // d(l / r)/dr = -(l / r) / r.
  Value dl = g.div(rg[0], op.getRhs());
  Value dr = g.neg(g.div(g.mul(rg[0], op.getResult()), op.getRhs()));
  return setBinary(op, g, og, dl, dr);
}

LogicalResult powGrad(PowOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  Value l = op.getLhs(), r = op.getRhs();
  Value dl = g.mul(rg[0], g.mul(r, g.pow(l, g.sub(r, g.scalar(1.0, r)))));
  Value dr = g.mul(rg[0], g.mul(op.getResult(), g.log(l)));
  return setBinary(op, g, og, dl, dr);
}

/// The share of the gradient of max(l, r) (min when `isMax` is false) going
/// to l: 1 where l wins, 1/2 at ties, 0 where r wins.
Value winnerShare(GradientBuilder &g, Value l, Value r, bool isMax) {
  Value lWins = g.heaviside(isMax ? g.sub(l, r) : g.sub(r, l));
  Value rWins = g.heaviside(isMax ? g.sub(r, l) : g.sub(l, r));
  Value tie = g.sub(g.sub(g.scalar(1.0, l), lWins), rWins);
  return g.add(lWins, g.mul(tie, g.scalar(0.5, l)));
}

template <typename OpTy, bool IsMax>
LogicalResult extremumGrad(OpTy op, GradientBuilder &g, ArrayRef<Value> rg,
                           MutableArrayRef<Value> og) {
  Value l = op.getLhs(), r = op.getRhs();
  Value dl = g.mul(rg[0], winnerShare(g, l, r, IsMax));
  Value dr = g.mul(rg[0], winnerShare(g, r, l, IsMax));
  return setBinary(op, g, og, dl, dr);
}

LogicalResult negGrad(NegOp, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  og[0] = g.neg(rg[0]);
  return success();
}

LogicalResult expGrad(ExpOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  og[0] = g.mul(rg[0], op.getResult());
  return success();
}

LogicalResult logGrad(LogOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  og[0] = g.div(rg[0], op.getInput());
  return success();
}

LogicalResult sqrtGrad(SqrtOp op, GradientBuilder &g, ArrayRef<Value> rg,
                       MutableArrayRef<Value> og) {
  og[0] = g.div(g.mul(rg[0], g.scalar(0.5, rg[0])), op.getResult());
  return success();
}

LogicalResult rsqrtGrad(RsqrtOp op, GradientBuilder &g, ArrayRef<Value> rg,
                        MutableArrayRef<Value> og) {
  // d x^(-1/2) = -1/2 x^(-3/2) = -1/2 y^3.
  Value y = op.getResult();
  og[0] = g.mul(g.mul(rg[0], g.scalar(-0.5, y)), g.mul(y, g.mul(y, y)));
  return success();
}

LogicalResult tanhGrad(TanhOp op, GradientBuilder &g, ArrayRef<Value> rg,
                       MutableArrayRef<Value> og) {
  Value y = op.getResult();
  og[0] = g.mul(rg[0], g.sub(g.scalar(1.0, y), g.mul(y, y)));
  return success();
}

LogicalResult sigmoidGrad(SigmoidOp op, GradientBuilder &g, ArrayRef<Value> rg,
                          MutableArrayRef<Value> og) {
  Value y = op.getResult();
  og[0] = g.mul(rg[0], g.mul(y, g.sub(g.scalar(1.0, y), y)));
  return success();
}

LogicalResult siluGrad(SiluOp op, GradientBuilder &g, ArrayRef<Value> rg,
                       MutableArrayRef<Value> og) {
  // d(x s(x)) = s (1 + x (1 - s)).
  Value x = op.getInput(), s = g.sigmoid(x), one = g.scalar(1.0, x);
  og[0] = g.mul(rg[0], g.mul(s, g.add(one, g.mul(x, g.sub(one, s)))));
  return success();
}

LogicalResult reluGrad(ReluOp op, GradientBuilder &g, ArrayRef<Value> rg,
                       MutableArrayRef<Value> og) {
  og[0] = g.mul(rg[0], g.heaviside(op.getInput()));
  return success();
}

LogicalResult absGrad(AbsOp op, GradientBuilder &g, ArrayRef<Value> rg,
                      MutableArrayRef<Value> og) {
  Value x = op.getInput();
  og[0] = g.mul(rg[0], g.sub(g.heaviside(x), g.heaviside(g.neg(x))));
  return success();
}

LogicalResult clampGrad(ClampOp op, GradientBuilder &g, ArrayRef<Value> rg,
                        MutableArrayRef<Value> og) {
  Value x = op.getInput(), one = g.scalar(1.0, x);
  Value lo = g.scalar(op.getMin().convertToDouble(), x);
  Value hi = g.scalar(op.getMax().convertToDouble(), x);
  Value inside = g.mul(g.sub(one, g.heaviside(g.sub(lo, x))),
                       g.sub(one, g.heaviside(g.sub(x, hi))));
  og[0] = g.mul(rg[0], inside);
  return success();
}

LogicalResult geluGrad(GeluOp op, GradientBuilder &g, ArrayRef<Value> rg,
                       MutableArrayRef<Value> og) {
  if (op.getApproximation() != GeluApproximation::tanh)
    return op.emitOpError(
        "has no gradient rule for approximate = none (erf); use tanh");
  // y = x/2 (1 + tanh u), u = c (x + k x^3):
  // y' = (1 + t)/2 + x/2 (1 - t^2) c (1 + 3 k x^2).
  const double c = 0.7978845608028654, k = 0.044715;
  Value x = op.getInput(), one = g.scalar(1.0, x), half = g.scalar(0.5, x);
  Value x2 = g.mul(x, x);
  Value t = g.tanh(g.mul(g.scalar(c, x), g.add(x, g.mul(g.scalar(k, x),
                                                       g.mul(x2, x)))));
  Value du = g.mul(g.scalar(c, x), g.add(one, g.mul(g.scalar(3 * k, x), x2)));
  Value d = g.add(g.mul(half, g.add(one, t)),
                  g.mul(g.mul(half, x), g.mul(g.sub(one, g.mul(t, t)), du)));
  og[0] = g.mul(rg[0], d);
  return success();
}

LogicalResult stopGradientGrad(StopGradientOp, GradientBuilder &,
                               ArrayRef<Value>, MutableArrayRef<Value>) {
  return success(); // no gradient flows
}

LogicalResult heavisideGrad(HeavisideOp, GradientBuilder &, ArrayRef<Value>,
                            MutableArrayRef<Value>) {
  return success(); // zero almost everywhere
}

LogicalResult broadcastLikeGrad(BroadcastLikeOp op, GradientBuilder &g,
                                ArrayRef<Value> rg, MutableArrayRef<Value> og) {
  og[0] = g.sumToType(rg[0], typeOf(op.getInput()));
  return success(); // `like` contributes only its shape
}

} // namespace

void mlir::diffc::registerElementwiseGradients(MLIRContext *ctx) {
  attachGradient<AddOp, addGrad>(ctx);
  attachGradient<SubOp, subGrad>(ctx);
  attachGradient<MulOp, mulGrad>(ctx);
  attachGradient<DivOp, divGrad>(ctx);
  attachGradient<PowOp, powGrad>(ctx);
  attachGradient<MaximumOp, extremumGrad<MaximumOp, true>>(ctx);
  attachGradient<MinimumOp, extremumGrad<MinimumOp, false>>(ctx);
  attachGradient<NegOp, negGrad>(ctx);
  attachGradient<ExpOp, expGrad>(ctx);
  attachGradient<LogOp, logGrad>(ctx);
  attachGradient<SqrtOp, sqrtGrad>(ctx);
  attachGradient<RsqrtOp, rsqrtGrad>(ctx);
  attachGradient<TanhOp, tanhGrad>(ctx);
  attachGradient<SigmoidOp, sigmoidGrad>(ctx);
  attachGradient<SiluOp, siluGrad>(ctx);
  attachGradient<ReluOp, reluGrad>(ctx);
  attachGradient<AbsOp, absGrad>(ctx);
  attachGradient<ClampOp, clampGrad>(ctx);
  attachGradient<GeluOp, geluGrad>(ctx);
  attachGradient<StopGradientOp, stopGradientGrad>(ctx);
  attachGradient<HeavisideOp, heavisideGrad>(ctx);
  attachGradient<BroadcastLikeOp, broadcastLikeGrad>(ctx);
}
