//===- Attention.cpp - diffc.attention to linalg --------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Multi-head attention as six linalg ops over views with the heads split out
// of the feature dimension ([B, L, E] -> [B, L, h, E/h], a reshape, no copy):
//
//   S[b, h, i, j] = sum_e Q[b, i, h, e] K[b, j, h, e]      contraction
//   M[b, h, i]    = max_j  (S * scale (+ mask))            reduction
//   P[b, h, i, j] = exp(S * scale (+ mask) - M)            elementwise
//   Z[b, h, i]    = sum_j P                                reduction
//   O[b, i, h, e] = sum_j P[b, h, i, j] V[b, j, h, e]      contraction
//   O             = O / Z                                  elementwise
//
// Subtracting the row maximum keeps exp in range (the stable softmax), and
// dividing after the second product costs Lq * Ev divisions instead of
// Lq * Lk. O is produced in [B, Lq, h, Ev/h] order, so concatenating the
// heads back into [B, Lq, Ev] is again a reshape. Both products are
// contractions with batch dimensions (b, h), which the CPU microkernel pass
// hands to the SGEMM through strided views.
//
// Masks: an i1 mask puts -inf where it is false; a float mask is added to the
// scaled scores. A row masked out entirely gives NaN, as in PyTorch.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// `[B, L, E] -> [B, L, h, E / h]`.
Value splitHeads(OpBuilder &b, Location loc, Value v, int64_t heads) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  OpFoldResult perHead;
  if (std::optional<int64_t> c = getConstantIntValue(sizes[2])) {
    perHead = b.getIndexAttr(*c / heads);
  } else {
    Value h = arith::ConstantIndexOp::create(b, loc, heads);
    perHead = arith::DivUIOp::create(b, loc, cast<Value>(sizes[2]), h)
                  .getResult();
  }
  return expandShape(b, loc, v, {{0}, {1}, {2, 3}},
                     {sizes[0], sizes[1], b.getIndexAttr(heads), perHead});
}

struct AttentionPattern : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType qType = op.getQuery().getType();
    Type t = qType.getElementType();
    int64_t heads = op.getNumHeads();
    int64_t features = qType.getDimSize(2);
    double scale = op.getScale() ? op.getScale()->convertToDouble()
                                 : 1.0 / std::sqrt(double(features / heads));
    if (!op.getScale() && ShapedType::isDynamic(features))
      return rewriter.notifyMatchFailure(
          op, "default scale needs a static feature size");

    Value q = splitHeads(rewriter, loc, op.getQuery(), heads);
    Value k = splitHeads(rewriter, loc, op.getKey(), heads);
    Value v = splitHeads(rewriter, loc, op.getValue(), heads);
    OpFoldResult batch = tensor::getMixedSize(rewriter, loc, q, 0);
    OpFoldResult lq = tensor::getMixedSize(rewriter, loc, q, 1);
    OpFoldResult lk = tensor::getMixedSize(rewriter, loc, k, 1);
    OpFoldResult ev = tensor::getMixedSize(rewriter, loc, v, 3);
    OpFoldResult h = rewriter.getIndexAttr(heads);
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    auto map = [&](unsigned loops, ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    auto red = utils::IteratorType::reduction;

    // S[b, h, i, j] = sum_e Q[b, i, h, e] K[b, j, h, e]; loops b h i j e.
    Value s = createFilledTensor(rewriter, loc, {batch, h, lq, lk}, t, 0.0);
    SmallVector<utils::IteratorType> sIters = parallelIterators(4);
    sIters.push_back(red);
    s = linalg::GenericOp::create(
            rewriter, loc, s.getType(), ValueRange{q, k}, s,
            {map(5, {d(0), d(2), d(1), d(4)}), map(5, {d(0), d(3), d(1), d(4)}),
             map(5, {d(0), d(1), d(2), d(3)})},
            sIters,
            [](OpBuilder &b, Location l, ValueRange a) {
              Value p = arith::MulFOp::create(b, l, a[0], a[1]);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, a[2], p)});
            })
            .getResult(0);

    // The scaled and masked score, read by the max and the exp: loops
    // b h i j over S, with the mask broadcast over heads (and over its
    // size-1 dimensions).
    Value mask = op.getMask();
    SmallVector<Value> scoreInputs = {s};
    SmallVector<AffineMap> scoreMaps = {map(4, {d(0), d(1), d(2), d(3)})};
    if (mask) {
      auto mType = cast<RankedTensorType>(mask.getType());
      AffineExpr loops[3] = {d(0), d(2), d(3)};
      int64_t full[3] = {qType.getDimSize(0), qType.getDimSize(1),
                         op.getKey().getType().getDimSize(1)};
      SmallVector<AffineExpr> exprs;
      for (unsigned i = 0; i < 3; ++i)
        exprs.push_back(mType.getDimSize(i) == 1 && full[i] != 1
                            ? getAffineConstantExpr(0, ctx)
                            : loops[i]);
      scoreInputs.push_back(mask);
      scoreMaps.push_back(map(4, exprs));
    }
    bool boolMask = mask && cast<ShapedType>(mask.getType())
                                .getElementType()
                                .isInteger(1);
    auto score = [=](OpBuilder &b, Location l, ValueRange a) -> Value {
      Value x = arith::MulFOp::create(b, l, a[0], floatConstant(b, l, t, scale));
      if (!mask)
        return x;
      if (boolMask)
        return arith::SelectOp::create(b, l, a[1], x,
                                       floatConstant(b, l, t, -INFINITY));
      return arith::AddFOp::create(b, l, x, a[1]);
    };
    unsigned numScoreInputs = scoreInputs.size();
    AffineMap rowMap = map(4, {d(0), d(1), d(2)});
    SmallVector<utils::IteratorType> rowIters = parallelIterators(3);
    rowIters.push_back(red);

    // M = max_j score.
    Value m = createFilledTensor(rewriter, loc, {batch, h, lq}, t, -INFINITY);
    SmallVector<AffineMap> mMaps = scoreMaps;
    mMaps.push_back(rowMap);
    m = linalg::GenericOp::create(
            rewriter, loc, m.getType(), scoreInputs, m, mMaps, rowIters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value x = score(b, l, a.take_front(numScoreInputs));
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::MaximumFOp::create(b, l, a.back(), x)});
            })
            .getResult(0);

    // P = exp(score - M).
    SmallVector<Value> pInputs = scoreInputs;
    pInputs.push_back(m);
    SmallVector<AffineMap> pMaps = scoreMaps;
    pMaps.append({rowMap, map(4, {d(0), d(1), d(2), d(3)})});
    Value pInit = tensor::EmptyOp::create(rewriter, loc,
                                          ArrayRef<OpFoldResult>{batch, h, lq, lk}, t);
    Value p = linalg::GenericOp::create(
                  rewriter, loc, pInit.getType(), pInputs, pInit, pMaps,
                  parallelIterators(4),
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value x = score(b, l, a.take_front(numScoreInputs));
                    Value shifted = arith::SubFOp::create(b, l, x, a[numScoreInputs]);
                    linalg::YieldOp::create(
                        b, l, ValueRange{math::ExpOp::create(b, l, shifted)});
                  })
                  .getResult(0);

    // Z = sum_j P.
    Value z = createFilledTensor(rewriter, loc, {batch, h, lq}, t, 0.0);
    z = linalg::GenericOp::create(
            rewriter, loc, z.getType(), p, z,
            {map(4, {d(0), d(1), d(2), d(3)}), rowMap}, rowIters,
            [](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, a[1], a[0])});
            })
            .getResult(0);

    // O[b, i, h, e] = sum_j P[b, h, i, j] V[b, j, h, e]; loops b i h e j.
    Value o = createFilledTensor(rewriter, loc, {batch, lq, h, ev}, t, 0.0);
    SmallVector<utils::IteratorType> oIters = parallelIterators(4);
    oIters.push_back(red);
    o = linalg::GenericOp::create(
            rewriter, loc, o.getType(), ValueRange{p, v}, o,
            {map(5, {d(0), d(2), d(1), d(4)}), map(5, {d(0), d(4), d(2), d(3)}),
             map(5, {d(0), d(1), d(2), d(3)})},
            oIters,
            [](OpBuilder &b, Location l, ValueRange a) {
              Value x = arith::MulFOp::create(b, l, a[0], a[1]);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, a[2], x)});
            })
            .getResult(0);

    // O / Z, then the heads concatenated: [B, Lq, h, Ev/h] -> [B, Lq, Ev].
    Value normInit = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{batch, lq, h, ev}, t);
    Value out = linalg::GenericOp::create(
                    rewriter, loc, normInit.getType(), ValueRange{o, z},
                    normInit,
                    {map(4, {d(0), d(1), d(2), d(3)}), map(4, {d(0), d(2), d(1)}),
                     map(4, {d(0), d(1), d(2), d(3)})},
                    parallelIterators(4),
                    [](OpBuilder &b, Location l, ValueRange a) {
                      linalg::YieldOp::create(
                          b, l, ValueRange{arith::DivFOp::create(b, l, a[0], a[1])});
                    })
                    .getResult(0);
    out = tensor::CollapseShapeOp::create(rewriter, loc, out, {{0}, {1}, {2, 3}});
    rewriter.replaceOp(op, castTo(rewriter, loc, out, op.getType()));
    return success();
  }
};

} // namespace

void mlir::diffc::populateAttentionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionPattern>(patterns.getContext());
}
