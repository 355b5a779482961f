//===- NormalizationGradients.cpp - gradient rules of normalization ops ---===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// GroupNorm and LayerNorm recompute their statistics from the input instead
// of saving them in the forward pass: xhat = (x - mean) * rstd over each
// normalized set of m elements, rstd = 1 / sqrt(var + eps). With
// dxhat = dy * gamma, the input gradient is the standard
//
//   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
//
// dgamma sums dy * xhat and dbeta sums dy over everything but the channel
// (feature) dimension. GroupNorm works on the input viewed as
// [N, G, C / G * spatial], a reshape that keeps a dynamic batch dynamic.
// Softmax's gradient is y * (dy - sum(dy * y)) along its axis.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/Gradients/GradientBuilder.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// The normalized input and the input gradient of a normalization over the
/// dimensions `dims` of `x`: xhat and rstd are recomputed from `x`, and
/// `dxhat` is the gradient arriving at xhat. Returns dx; `xhatOut` receives
/// xhat.
Value normalizedGradient(GradientBuilder &g, Value x, Value dxhat,
                         ArrayRef<int64_t> dims, double epsilon,
                         Value &xhatOut) {
  Value mean = g.reduce(ReduceKind::mean, x, dims, true);
  Value centered = g.sub(x, mean);
  Value var = g.reduce(ReduceKind::mean, g.mul(centered, centered), dims, true);
  Value rstd = g.rsqrt(g.add(var, g.scalar(epsilon, x)));
  Value xhat = g.mul(centered, rstd);
  xhatOut = xhat;
  Value meanDxhat = g.reduce(ReduceKind::mean, dxhat, dims, true);
  Value meanDxhatXhat =
      g.reduce(ReduceKind::mean, g.mul(dxhat, xhat), dims, true);
  return g.mul(rstd,
               g.sub(g.sub(dxhat, meanDxhat), g.mul(xhat, meanDxhatXhat)));
}

LogicalResult groupNormGrad(GroupNormOp op, GradientBuilder &g,
                            ArrayRef<Value> rg, MutableArrayRef<Value> og) {
  Value x = op.getInput(), gamma = op.getGamma(), dy = rg[0];
  RankedTensorType xt = typeOf(x);
  ArrayRef<int64_t> shape = xt.getShape();
  int64_t rank = xt.getRank(), groups = op.getNumGroups();
  // [N, C, spatial...] -> [N, G, C / G * spatial]: the reshape rule allows
  // one dynamic extent, the batch.
  if (llvm::any_of(shape.drop_front(), ShapedType::isDynamic))
    return op.emitOpError("has a gradient rule only for static channel and "
                          "spatial extents (a dynamic batch is fine), got ")
           << xt;
  int64_t perGroup = 1;
  for (int64_t d : shape.drop_front())
    perGroup *= d;
  perGroup /= groups;
  SmallVector<int64_t> grouped = {shape[0], groups, perGroup};

  // Per-channel vectors as [C, 1, ...] broadcast against [N, C, ...].
  SmallVector<int64_t> channelShape(rank - 1, 1);
  channelShape[0] = shape[1];
  SmallVector<int64_t> notChannel = {0};
  for (int64_t d = 2; d < rank; ++d)
    notChannel.push_back(d);

  Value dxhat = g.mul(dy, g.reshape(gamma, channelShape));
  Value xhat;
  Value dx =
      normalizedGradient(g, g.reshape(x, grouped), g.reshape(dxhat, grouped),
                         {2}, op.getEpsilon().convertToDouble(), xhat);
  og[0] = g.reshape(dx, xt);
  Value xhatFull = g.reshape(xhat, xt);
  og[1] = g.reshape(
      g.reduce(ReduceKind::sum, g.mul(dy, xhatFull), notChannel, false),
      typeOf(gamma));
  og[2] = g.reshape(g.reduce(ReduceKind::sum, dy, notChannel, false),
                    typeOf(op.getBeta()));
  return success();
}

LogicalResult layerNormGrad(LayerNormOp op, GradientBuilder &g,
                            ArrayRef<Value> rg, MutableArrayRef<Value> og) {
  Value x = op.getInput(), gamma = op.getGamma(), dy = rg[0];
  int64_t last = typeOf(x).getRank() - 1;
  Value xhat;
  og[0] = normalizedGradient(g, x, g.mul(dy, gamma), {last},
                             op.getEpsilon().convertToDouble(), xhat);
  og[1] = g.sumToType(g.mul(dy, xhat), typeOf(gamma));
  og[2] = g.sumToType(dy, typeOf(op.getBeta()));
  return success();
}

LogicalResult softmaxGrad(SoftmaxOp op, GradientBuilder &g, ArrayRef<Value> rg,
                          MutableArrayRef<Value> og) {
  Value y = op.getResult(), dy = rg[0];
  int64_t rank = typeOf(y).getRank();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
  Value dot = g.reduce(ReduceKind::sum, g.mul(dy, y), {axis}, true);
  og[0] = g.mul(y, g.sub(dy, dot));
  return success();
}

} // namespace

void mlir::diffc::registerNormalizationGradients(MLIRContext *ctx) {
  attachGradient<GroupNormOp, groupNormGrad>(ctx);
  attachGradient<LayerNormOp, layerNormGrad>(ctx);
  attachGradient<SoftmaxOp, softmaxGrad>(ctx);
}
