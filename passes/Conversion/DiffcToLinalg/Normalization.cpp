//===- Normalization.cpp - diffc group_norm and layer_norm to linalg ------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Both norms normalize over trailing dimensions of some view of the input:
// layer_norm over the last dimension, group_norm over [C / G, spatial...] of
// the input expanded to [N, G, C / G, spatial...]. The statistics are PyTorch's
// (mean and biased variance, `1 / sqrt(var + eps)`), computed in two passes
// (sum, then sum of squared deviations) rather than as E[x^2] - E[x]^2, which
// cancels badly when |mean| >> std. They accumulate in f32 for f16 and bf16.
//
// Four linalg.generic ops per norm (g: a group or row, r: its elements):
//   sum[g]     = sum_r x[g, r]                      reduction
//   sq[g]      = sum_r (x[g, r] - sum[g] / n)^2     reduction
//   mean, rstd = sum / n, 1 / sqrt(sq / n + eps)    parallel, two results
//   y          = (x - mean) * rstd * gamma + beta   parallel
// The last one is an ordinary elementwise generic over the input's shape, so
// diffc-fuse-elementwise merges it with a following SiLU (GroupNorm + SiLU
// is one kernel). The statistics generic has two results used by it, which
// keeps the per-group rsqrt from being fused into (and recomputed by) every
// element.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {


/// Per-row statistics of a normalization.
struct Statistics {
  Value mean; ///< tensor of x.shape[:k], accumulator type
  Value rstd; ///< 1 / sqrt(var + eps), same type
};

/// Mean and reciprocal standard deviation of `x` over its dimensions
/// `k..rank-1`, as tensors of shape `x.shape[:k]` in `acc`.
Statistics trailingStatistics(OpBuilder &b, Location loc, Value x, unsigned k,
                              Type acc, double epsilon) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(x.getType());
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  SmallVector<OpFoldResult> statSizes(sizes.begin(), sizes.begin() + k);
  SmallVector<int64_t> reduced = llvm::to_vector(llvm::seq<int64_t>(k, rank));
  Value count = elementCount(b, loc, x, reduced, acc);
  // The reduced dimensions are contiguous: one long inner loop (C / G x H x
  // W for GroupNorm) instead of a nest of short ones.
  if (rank - k > 1) {
    SmallVector<ReassociationIndices> collapse;
    for (unsigned d = 0; d < k; ++d)
      collapse.push_back({d});
    collapse.push_back(llvm::to_vector(llvm::seq<int64_t>(k, rank)));
    x = tensor::CollapseShapeOp::create(b, loc, x, collapse);
    rank = k + 1;
  }
  // The sums may be reassociated, so LLVM vectorizes them (several partial
  // sums in vector lanes instead of one strictly ordered chain).
  auto reassoc = arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::reassoc);

  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap stat = leadingDims(ctx, rank, k);
  SmallVector<utils::IteratorType> iterators = parallelIterators(rank);
  for (unsigned d = k; d < rank; ++d)
    iterators[d] = utils::IteratorType::reduction;

  Value sumInit = createFilledTensor(b, loc, statSizes, acc, 0.0);
  Value sum = linalg::GenericOp::create(
                  b, loc, sumInit.getType(), x, sumInit,
                  ArrayRef<AffineMap>{id, stat}, iterators,
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    Value v = convertFloat(nb, l, a[0], acc);
                    linalg::YieldOp::create(
                        nb, l,
                        Value(arith::AddFOp::create(nb, l, a[1], v, reassoc)));
                  })
                  .getResult(0);

  Value sqInit = createFilledTensor(b, loc, statSizes, acc, 0.0);
  Value sq = linalg::GenericOp::create(
                 b, loc, sqInit.getType(), ValueRange{x, sum}, sqInit,
                 ArrayRef<AffineMap>{id, stat, stat}, iterators,
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   Value v = convertFloat(nb, l, a[0], acc);
                   Value mean = arith::DivFOp::create(nb, l, a[1], count);
                   Value d = arith::SubFOp::create(nb, l, v, mean);
                   Value d2 = arith::MulFOp::create(nb, l, d, d);
                   linalg::YieldOp::create(
                       nb, l,
                       Value(arith::AddFOp::create(nb, l, a[2], d2, reassoc)));
                 })
                 .getResult(0);

  AffineMap statId = b.getMultiDimIdentityMap(k);
  Value meanInit = tensor::EmptyOp::create(b, loc, statSizes, acc);
  Value rstdInit = tensor::EmptyOp::create(b, loc, statSizes, acc);
  auto finalize = linalg::GenericOp::create(
      b, loc, TypeRange{meanInit.getType(), rstdInit.getType()},
      ValueRange{sum, sq}, ValueRange{meanInit, rstdInit},
      ArrayRef<AffineMap>{statId, statId, statId, statId}, parallelIterators(k),
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value mean = arith::DivFOp::create(nb, l, a[0], count);
        Value var = arith::DivFOp::create(nb, l, a[1], count);
        Value shifted = arith::AddFOp::create(
            nb, l, var, floatConstant(nb, l, acc, epsilon));
        Value rstd = math::RsqrtOp::create(nb, l, shifted);
        linalg::YieldOp::create(nb, l, ValueRange{mean, rstd});
      });
  return {finalize.getResult(0), finalize.getResult(1)};
}

/// The elementwise step `(x - mean) * rstd * gamma + beta` over `x`'s shape,
/// reading the statistics through `statMap` and the affine parameters
/// through `paramMap`.
Value normalize(OpBuilder &b, Location loc, Value x, const Statistics &stats,
                AffineMap statMap, Value gamma, Value beta, AffineMap paramMap,
                Type acc) {
  auto type = cast<RankedTensorType>(x.getType());
  unsigned rank = type.getRank();
  Value init = createEmptyLike(b, loc, type, x);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  Type et = type.getElementType();
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{x, stats.mean, stats.rstd, gamma, beta},
             init,
             ArrayRef<AffineMap>{id, statMap, statMap, paramMap, paramMap, id},
             parallelIterators(rank),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value v = convertFloat(nb, l, a[0], acc);
               Value centered = arith::SubFOp::create(nb, l, v, a[1]);
               Value scale = arith::MulFOp::create(
                   nb, l, a[2], convertFloat(nb, l, a[3], acc));
               Value y = arith::AddFOp::create(
                   nb, l, arith::MulFOp::create(nb, l, centered, scale),
                   convertFloat(nb, l, a[4], acc));
               linalg::YieldOp::create(nb, l, convertFloat(nb, l, y, et));
             })
      .getResult(0);
}

struct LayerNormPattern : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    Type acc = accumulatorType(type.getElementType());
    Statistics stats = trailingStatistics(rewriter, loc, x, rank - 1, acc,
                                          op.getEpsilon().convertToDouble());
    MLIRContext *ctx = rewriter.getContext();
    AffineMap param =
        AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx);
    Value y =
        normalize(rewriter, loc, x, stats, leadingDims(ctx, rank, rank - 1),
                  op.getGamma(), op.getBeta(), param, acc);
    rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
    return success();
  }
};

/// Statistics over [N, G, C / G, spatial...]. With a static channel count
/// the normalization runs over the input's own shape and finds a channel's
/// group with `c floordiv (C / G)`, so it stays an ordinary elementwise
/// generic that fuses with its consumers; with a dynamic channel count the
/// quotient is not an affine constant, so it runs over the expanded shape
/// (gamma and beta expanded to [G, C / G]) and collapses back.
struct GroupNormPattern : OpRewritePattern<GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    Type acc = accumulatorType(type.getElementType());
    int64_t groups = op.getNumGroups();

    // [N, C, S...] -> [N, G, C / G, S...].
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
    OpFoldResult perGroup;
    if (!type.isDynamicDim(1)) {
      perGroup = rewriter.getIndexAttr(type.getDimSize(1) / groups);
    } else {
      Value g = arith::ConstantIndexOp::create(rewriter, loc, groups);
      perGroup = Value(arith::DivUIOp::create(
          rewriter, loc,
          getValueOrCreateConstantIndexOp(rewriter, loc, sizes[1]), g));
    }
    SmallVector<OpFoldResult> expandedSizes = {
        sizes[0], rewriter.getIndexAttr(groups), perGroup};
    SmallVector<ReassociationIndices> reassociation = {{0}, {1, 2}};
    for (unsigned d = 2; d < rank; ++d) {
      expandedSizes.push_back(sizes[d]);
      reassociation.push_back({d + 1});
    }
    Value expanded =
        expandShape(rewriter, loc, x, reassociation, expandedSizes);
    Statistics stats = trailingStatistics(rewriter, loc, expanded, 2, acc,
                                          op.getEpsilon().convertToDouble());

    Value y;
    if (!type.isDynamicDim(1)) {
      AffineExpr group =
          getAffineDimExpr(1, ctx).floorDiv(type.getDimSize(1) / groups);
      AffineMap stat =
          AffineMap::get(rank, 0, {getAffineDimExpr(0, ctx), group}, ctx);
      AffineMap param = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx);
      y = normalize(rewriter, loc, x, stats, stat, op.getGamma(), op.getBeta(),
                    param, acc);
    } else {
      SmallVector<ReassociationIndices> paramGroups = {{0, 1}};
      SmallVector<OpFoldResult> paramSizes = {rewriter.getIndexAttr(groups),
                                              perGroup};
      Value gamma =
          expandShape(rewriter, loc, op.getGamma(), paramGroups, paramSizes);
      Value beta =
          expandShape(rewriter, loc, op.getBeta(), paramGroups, paramSizes);
      unsigned erank = rank + 1;
      AffineMap param = AffineMap::get(
          erank, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
      Value ye = normalize(rewriter, loc, expanded, stats,
                           leadingDims(ctx, erank, 2), gamma, beta, param, acc);
      y = tensor::CollapseShapeOp::create(rewriter, loc, ye, reassociation);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
    return success();
  }
};

} // namespace

void mlir::diffc::populateNormalizationToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<GroupNormPattern, LayerNormPattern>(patterns.getContext());
}
