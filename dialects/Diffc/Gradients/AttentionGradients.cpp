//===- AttentionGradients.cpp - gradient rules of attention ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The attention probabilities are recomputed per head rather than saved:
// with the heads split out ([B, L, E] -> [B, h, L, E / h]),
//
//   P  = softmax(Q K^T * scale + mask)
//   dV = P^T dO
//   dP = dO V^T
//   dS = P * (dP - rowsum(dP * P))
//   dQ = dS K * scale,  dK = dS^T Q * scale
//
// and a float mask, added to the scores, receives dS summed over the heads
// and over the dimensions it broadcasts. An i1 mask (false = masked out)
// is first turned into the additive form 0 / -big with the forward op's own
// semantics: attention of all-zero queries and keys over identity values
// is 1 / (number kept) where the mask keeps a position and 0 where it does
// not, and heaviside of that is the mask. That costs one attention over the
// mask's extents with Lk-wide values, cheap for the key-padding masks
// [B, 1, Lk] of cross-attention. A fully masked row is NaN in the forward
// op (as in PyTorch); its gradient here is that of a uniform row instead.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/Gradients/GradientBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::diffc;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// `[B, L, E] -> [B, h, L, E / h]`.
Value splitHeads(GradientBuilder &g, Value v, int64_t heads) {
  ArrayRef<int64_t> s = typeOf(v).getShape();
  Value split = g.reshape(v, {s[0], s[1], heads, s[2] / heads});
  return g.transpose(split, {0, 2, 1, 3});
}

/// `[B, h, L, E / h] -> type` (`[B, L, E]`).
Value mergeHeads(GradientBuilder &g, Value v, RankedTensorType type) {
  return g.reshape(g.transpose(v, {0, 2, 1, 3}), type);
}

/// The i1 `mask` [Bm, Lqm, Lk] as an additive float mask: 0 where it keeps
/// a score, -big where it drops one.
Value additiveMask(GradientBuilder &g, AttentionOp op, Value mask) {
  Value q = op.getQuery(), k = op.getKey();
  RankedTensorType mt = typeOf(mask);
  Type element = typeOf(q).getElementType();
  int64_t keys = mt.getDimSize(2);
  auto sizeOf = [](int64_t extent) { return extent == 1 ? 1 : -1; };
  // All-zero queries [Bm, Lqm, 1] and keys [Bm, Lk, 1], shaped by slices of
  // the real ones so that dynamic extents follow them.
  SmallVector<int64_t> zero3(3, 0), one3(3, 1);
  Value zero = g.scalar(0.0, q);
  Value q0 = g.broadcastLike(
      zero,
      g.slice(q, zero3, {sizeOf(mt.getDimSize(0)), sizeOf(mt.getDimSize(1)), 1},
              one3));
  Value k0 = g.broadcastLike(
      zero, g.slice(k, zero3, {sizeOf(mt.getDimSize(0)), -1, 1}, one3));
  // Identity values [Bm, Lk, Lk]: the [1, Lk, Lk] identity plus zeros.
  auto eyeType = RankedTensorType::get({1, keys, keys}, element);
  SmallVector<APFloat> entries;
  for (int64_t i = 0; i < keys; ++i)
    for (int64_t j = 0; j < keys; ++j)
      entries.push_back(FloatAttr::get(element, i == j ? 1.0 : 0.0).getValue());
  Value eye =
      arith::ConstantOp::create(g.builder(), g.location(), eyeType,
                                DenseElementsAttr::get(eyeType, entries));
  Value v = g.add(eye, k0);
  ArrayRef<int64_t> q0Shape = typeOf(q0).getShape();
  auto shareType =
      RankedTensorType::get({q0Shape[0], q0Shape[1], keys}, element);
  Value share =
      AttentionOp::create(g.builder(), g.location(), shareType, q0, k0, v, mask,
                          uint64_t(1), g.builder().getF64FloatAttr(1.0));
  Value kept = g.heaviside(share);
  // -big, not -inf: (kept - 1) * -inf would be NaN where kept is 1.
  const llvm::fltSemantics &sem = cast<FloatType>(element).getFloatSemantics();
  double big = std::min(1e30, APFloat::getLargest(sem).convertToDouble() / 2.0);
  return g.mul(g.sub(kept, g.scalar(1.0, q)), g.scalar(big, q));
}

LogicalResult attentionGrad(AttentionOp op, GradientBuilder &g,
                            ArrayRef<Value> rg, MutableArrayRef<Value> og) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  Value mask = op.getMask();
  int64_t heads = op.getNumHeads();
  for (Value t : {q, k, v}) {
    RankedTensorType type = typeOf(t);
    if (type.isDynamicDim(2) ||
        llvm::count_if(type.getShape(), ShapedType::isDynamic) > 1)
      return op.emitOpError("has a gradient rule only for static feature "
                            "extents and at most one dynamic extent per "
                            "operand, got ")
             << type;
  }
  bool boolMask = mask && typeOf(mask).getElementType().isInteger(1);
  if (boolMask && typeOf(mask).isDynamicDim(2))
    return op.emitOpError("has a gradient rule for an i1 mask only with a "
                          "static key length, got ")
           << typeOf(mask);
  int64_t perHead = typeOf(q).getDimSize(2) / heads;
  double scale = op.getScale() ? op.getScale()->convertToDouble()
                               : 1.0 / std::sqrt(double(perHead));
  Value scaleValue = g.scalar(scale, q);

  Value qh = splitHeads(g, q, heads), kh = splitHeads(g, k, heads),
        vh = splitHeads(g, v, heads);
  Value scores = g.mul(g.matmul(qh, g.transposeLast2(kh)), scaleValue);
  RankedTensorType maskHeadType;
  if (mask) {
    // [Bm, Lqm, Lk] -> [Bm, 1, Lqm, Lk], broadcast over the heads.
    Value additive = boolMask ? additiveMask(g, op, mask) : mask;
    ArrayRef<int64_t> m = typeOf(additive).getShape();
    maskHeadType = RankedTensorType::get({m[0], 1, m[1], m[2]},
                                         typeOf(q).getElementType());
    scores = g.add(scores, g.reshape(additive, maskHeadType));
  }
  Value p = g.softmax(scores, 3);

  Value doh = splitHeads(g, rg[0], heads);
  Value dvh = g.matmul(g.transposeLast2(p), doh);
  Value dp = g.matmul(doh, g.transposeLast2(vh));
  Value ds =
      g.mul(p, g.sub(dp, g.reduce(ReduceKind::sum, g.mul(dp, p), {3}, true)));
  Value dqh = g.mul(g.matmul(ds, kh), scaleValue);
  Value dkh = g.mul(g.matmul(g.transposeLast2(ds), qh), scaleValue);
  og[0] = mergeHeads(g, dqh, typeOf(q));
  og[1] = mergeHeads(g, dkh, typeOf(k));
  og[2] = mergeHeads(g, dvh, typeOf(v));
  if (mask && !boolMask)
    og[3] = g.reshape(g.sumToType(ds, maskHeadType), typeOf(mask));
  return success();
}

} // namespace

void mlir::diffc::registerAttentionGradients(MLIRContext *ctx) {
  attachGradient<AttentionOp, attentionGrad>(ctx);
}
