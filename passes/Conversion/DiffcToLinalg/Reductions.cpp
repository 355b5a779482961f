//===- Reductions.cpp - diffc softmax, reduce and losses to linalg --------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Reductions are linalg.generic ops with `reduction` iterators over a filled
// accumulator; a reduced result that needs a final scale (mean) or a
// narrowing (f16 / bf16 accumulate in f32) gets one small parallel generic
// after it, which diffc-fuse-elementwise can merge into its consumers.
// Losses compute their elementwise formula inside the reduction's body, so
// `mean` and `sum` losses never materialize the per-element tensor.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"
#include "dialects/Diffc/IR/DiffcShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::diffc;

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// Loops over `rank` dimensions, `reduced[d]` marking the reduction ones,
/// and the map from them to the kept dimensions.
struct ReductionLoops {
  SmallVector<utils::IteratorType> iterators;
  AffineMap kept;
};

ReductionLoops reductionLoops(MLIRContext *ctx, ArrayRef<bool> reduced) {
  ReductionLoops loops;
  SmallVector<AffineExpr> exprs;
  for (auto [d, r] : llvm::enumerate(reduced)) {
    loops.iterators.push_back(r ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!r)
      exprs.push_back(getAffineDimExpr(d, ctx));
  }
  loops.kept = AffineMap::get(reduced.size(), 0, exprs, ctx);
  return loops;
}

/// The extents of `x` in its unreduced dimensions.
SmallVector<OpFoldResult> keptSizes(OpBuilder &b, Location loc, Value x,
                                    ArrayRef<bool> reduced) {
  SmallVector<OpFoldResult> sizes;
  for (auto [d, size] : llvm::enumerate(tensor::getMixedSizes(b, loc, x)))
    if (!reduced[d])
      sizes.push_back(size);
  return sizes;
}

/// Reduces `inputs` (all of `x`'s shape, identity-indexed) over the
/// `reduced` dimensions into an accumulator of type `acc` starting at
/// `init`; `combine(b, l, {inputs..., accumulator})` is the new accumulator.
Value reduce(OpBuilder &b, Location loc, ValueRange inputs,
             ArrayRef<bool> reduced, Type acc, double init, BodyFn combine) {
  MLIRContext *ctx = b.getContext();
  Value x = inputs.front();
  unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
  ReductionLoops loops = reductionLoops(ctx, reduced);
  Value out =
      createFilledTensor(b, loc, keptSizes(b, loc, x, reduced), acc, init);
  SmallVector<AffineMap> maps(inputs.size(), b.getMultiDimIdentityMap(rank));
  maps.push_back(loops.kept);
  return linalg::GenericOp::create(
             b, loc, out.getType(), inputs, out, maps, loops.iterators,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, combine(nb, l, a));
             })
      .getResult(0);
}

/// One parallel generic over `v`'s shape computing `fn` into `elementType`.
Value mapScalars(OpBuilder &b, Location loc, Value v, Type elementType,
                 BodyFn fn) {
  auto type = cast<RankedTensorType>(v.getType());
  unsigned rank = type.getRank();
  Value init = tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, v),
                                       elementType);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  return linalg::GenericOp::create(
             b, loc, init.getType(), v, init, ArrayRef<AffineMap>{id, id},
             parallelIterators(rank),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, fn(nb, l, a.take_front()));
             })
      .getResult(0);
}

/// `sum` (of `count` elements, accumulated in `acc`) turned into a mean
/// when `mean`, and narrowed to `et`; no op when neither is needed.
Value finishSum(OpBuilder &b, Location loc, Value sum, Value count, bool mean,
                Type et) {
  Type acc = cast<RankedTensorType>(sum.getType()).getElementType();
  if (!mean && acc == et)
    return sum;
  return mapScalars(b, loc, sum, et,
                    [&](OpBuilder &nb, Location l, ValueRange a) {
                      Value v = a[0];
                      if (mean)
                        v = arith::DivFOp::create(nb, l, v, count);
                      return convertFloat(nb, l, v, et);
                    });
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// max over the axis, then sum of exp(x - max), then exp(x - max) / sum:
/// three generics, the last one elementwise over the input's shape.
struct SoftmaxPattern : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput();
    auto type = op.getType();
    unsigned rank = type.getRank();
    Type et = type.getElementType();
    Type acc = accumulatorType(et);
    int64_t axis = *normalizeAxis(op.getAxis(), rank);
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;

    Value max = reduce(rewriter, loc, x, reduced, acc,
                       -std::numeric_limits<double>::infinity(),
                       [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::MaximumFOp::create(
                             b, l, convertFloat(b, l, a[0], acc), a[1]);
                       });
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    ReductionLoops loops = reductionLoops(ctx, reduced);
    auto shiftedExp = [&](OpBuilder &b, Location l, Value v, Value m) {
      return math::ExpOp::create(
          b, l, arith::SubFOp::create(b, l, convertFloat(b, l, v, acc), m));
    };
    Value sumInit = createFilledTensor(
        rewriter, loc, keptSizes(rewriter, loc, x, reduced), acc, 0.0);
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, sumInit.getType(), ValueRange{x, max}, sumInit,
            ArrayRef<AffineMap>{id, loops.kept, loops.kept}, loops.iterators,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value e = shiftedExp(b, l, a[0], a[1]);
              linalg::YieldOp::create(
                  b, l, Value(arith::AddFOp::create(b, l, a[2], e)));
            })
            .getResult(0);
    Value init = createEmptyLike(rewriter, loc, type, x);
    Value y = linalg::GenericOp::create(
                  rewriter, loc, type, ValueRange{x, max, sum}, init,
                  ArrayRef<AffineMap>{id, loops.kept, loops.kept, id},
                  parallelIterators(rank),
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value e = shiftedExp(b, l, a[0], a[1]);
                    Value p = arith::DivFOp::create(b, l, e, a[2]);
                    linalg::YieldOp::create(b, l, convertFloat(b, l, p, et));
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reduce
//===----------------------------------------------------------------------===//

/// With `keep_dims` the reduced result is expanded with size-1 dimensions
/// (tensor.expand_shape, a view): each reduced dimension joins the group of
/// the nearest kept dimension before it (or after it, for leading ones).
Value keepReducedDims(OpBuilder &b, Location loc, Value v,
                      ArrayRef<bool> reduced) {
  SmallVector<ReassociationIndices> groups;
  SmallVector<OpFoldResult> sizes;
  SmallVector<OpFoldResult> kept = tensor::getMixedSizes(b, loc, v);
  unsigned next = 0;
  ReassociationIndices leading;
  for (auto [d, r] : llvm::enumerate(reduced)) {
    if (r) {
      sizes.push_back(b.getIndexAttr(1));
      if (groups.empty())
        leading.push_back(d);
      else
        groups.back().push_back(d);
      continue;
    }
    sizes.push_back(kept[next++]);
    ReassociationIndices group = leading;
    leading.clear();
    group.push_back(d);
    groups.push_back(group);
  }
  // Everything reduced: a rank-0 value expands with no groups.
  return expandShape(b, loc, v, groups, sizes);
}

struct ReducePattern : OpRewritePattern<ReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    Type et = type.getElementType();
    Type acc = accumulatorType(et);
    SmallVector<bool> reduced(rank, false);
    SmallVector<int64_t> dims;
    for (int64_t d : op.getDims()) {
      dims.push_back(*normalizeAxis(d, rank));
      reduced[dims.back()] = true;
    }
    ReduceKind kind = op.getKind();
    bool isMax = kind == ReduceKind::max;
    Value r = reduce(rewriter, loc, x, reduced, acc,
                     isMax ? -std::numeric_limits<double>::infinity() : 0.0,
                     [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                       Value v = convertFloat(b, l, a[0], acc);
                       if (isMax)
                         return arith::MaximumFOp::create(b, l, v, a[1]);
                       return arith::AddFOp::create(b, l, v, a[1]);
                     });
    bool mean = kind == ReduceKind::mean;
    Value count = mean ? elementCount(rewriter, loc, x, dims, acc) : Value();
    r = finishSum(rewriter, loc, r, count, mean, et);
    if (op.getKeepDims())
      r = keepReducedDims(rewriter, loc, r, reduced);
    rewriter.replaceOp(op, castTo(rewriter, loc, r, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// The per-element loss from the scalar inputs, in the accumulator type.
using LossFn = std::function<Value(OpBuilder &, Location, ValueRange)>;

/// `none`: one elementwise generic; `sum` / `mean`: one reduction over all
/// dimensions into a rank-0 accumulator computing `fn` in its body, then
/// the mean scale / narrowing.
LogicalResult lowerLoss(Operation *op, ValueRange inputs,
                        LossReduction reduction, PatternRewriter &rewriter,
                        const LossFn &fn) {
  Location loc = op->getLoc();
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Type et = resultType.getElementType();
  Type acc = accumulatorType(et);
  auto inType = cast<RankedTensorType>(inputs.front().getType());
  unsigned rank = inType.getRank();
  auto widened = [&](OpBuilder &b, Location l, ValueRange a) {
    return llvm::map_to_vector(
        a, [&](Value v) { return convertFloat(b, l, v, acc); });
  };
  Value result;
  if (reduction == LossReduction::none) {
    Value init = createEmptyLike(rewriter, loc, inType, inputs);
    SmallVector<AffineMap> maps(inputs.size() + 1,
                                rewriter.getMultiDimIdentityMap(rank));
    result = linalg::GenericOp::create(
                 rewriter, loc, init.getType(), inputs, init, maps,
                 parallelIterators(rank),
                 [&](OpBuilder &b, Location l, ValueRange a) {
                   Value v = fn(b, l, widened(b, l, a.drop_back()));
                   linalg::YieldOp::create(b, l, convertFloat(b, l, v, et));
                 })
                 .getResult(0);
  } else {
    SmallVector<bool> all(rank, true);
    Value sum = reduce(rewriter, loc, inputs, all, acc, 0.0,
                       [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                         Value v = fn(b, l, widened(b, l, a.drop_back()));
                         return arith::AddFOp::create(b, l, v, a.back());
                       });
    bool mean = reduction == LossReduction::mean;
    Value count =
        mean ? elementCount(rewriter, loc, inputs.front(),
                            llvm::to_vector(llvm::seq<int64_t>(0, rank)), acc)
             : Value();
    result = finishSum(rewriter, loc, sum, count, mean, et);
  }
  rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
  return success();
}

struct MseLossPattern : OpRewritePattern<MseLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MseLossOp op,
                                PatternRewriter &rewriter) const override {
    return lowerLoss(op, {op.getInput(), op.getTarget()}, op.getReduction(),
                     rewriter, [](OpBuilder &b, Location l, ValueRange a) {
                       Value d = arith::SubFOp::create(b, l, a[0], a[1]);
                       return Value(arith::MulFOp::create(b, l, d, d));
                     });
  }
};

/// 1/2 (-logvar + exp(logvar) + mu^2 - 1).
struct GaussianKLPattern : OpRewritePattern<GaussianKLOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GaussianKLOp op,
                                PatternRewriter &rewriter) const override {
    return lowerLoss(
        op, {op.getMean(), op.getLogvar()}, op.getReduction(), rewriter,
        [](OpBuilder &b, Location l, ValueRange a) {
          Type t = a[0].getType();
          Value mu2 = arith::MulFOp::create(b, l, a[0], a[0]);
          Value v = arith::SubFOp::create(b, l, math::ExpOp::create(b, l, a[1]),
                                          a[1]);
          v = arith::AddFOp::create(b, l, v, mu2);
          v = arith::SubFOp::create(b, l, v, floatConstant(b, l, t, 1.0));
          return Value(
              arith::MulFOp::create(b, l, v, floatConstant(b, l, t, 0.5)));
        });
  }
};

/// max(x, 0) - x y + log1p(exp(-|x|)): exp never overflows.
struct BceWithLogitsLossPattern : OpRewritePattern<BceWithLogitsLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BceWithLogitsLossOp op,
                                PatternRewriter &rewriter) const override {
    return lowerLoss(
        op, {op.getInput(), op.getTarget()}, op.getReduction(), rewriter,
        [](OpBuilder &b, Location l, ValueRange a) {
          Value x = a[0], y = a[1];
          Type t = x.getType();
          Value relu =
              arith::MaximumFOp::create(b, l, x, floatConstant(b, l, t, 0.0));
          Value negAbs =
              arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x));
          Value soft =
              math::Log1pOp::create(b, l, math::ExpOp::create(b, l, negAbs));
          Value v = arith::SubFOp::create(b, l, relu,
                                          arith::MulFOp::create(b, l, x, y));
          return Value(arith::AddFOp::create(b, l, v, soft));
        });
  }
};

/// real: relu(1 - x); fake: relu(1 + x); generator: -x.
struct HingeLossPattern : OpRewritePattern<HingeLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HingeLossOp op,
                                PatternRewriter &rewriter) const override {
    GanTarget target = op.getTarget();
    return lowerLoss(op, op.getInput(), op.getReduction(), rewriter,
                     [target](OpBuilder &b, Location l, ValueRange a) -> Value {
                       Value x = a[0];
                       Type t = x.getType();
                       Value one = floatConstant(b, l, t, 1.0);
                       Value zero = floatConstant(b, l, t, 0.0);
                       switch (target) {
                       case GanTarget::real:
                         return arith::MaximumFOp::create(
                             b, l, arith::SubFOp::create(b, l, one, x), zero);
                       case GanTarget::fake:
                         return arith::MaximumFOp::create(
                             b, l, arith::AddFOp::create(b, l, one, x), zero);
                       case GanTarget::generator:
                         return arith::NegFOp::create(b, l, x);
                       }
                       llvm_unreachable("unknown GAN target");
                     });
  }
};

} // namespace

void mlir::diffc::populateReductionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<BceWithLogitsLossPattern, GaussianKLPattern, HingeLossPattern,
               MseLossPattern, ReducePattern, SoftmaxPattern>(
      patterns.getContext());
}
