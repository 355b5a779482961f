//===- Embeddings.cpp - diffc embeddings and quantization to linalg -------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// timestep_embedding, embedding and vector_quantize. The table lookups are
// linalg.generic ops over the result whose bodies `tensor.extract` a table
// element at an index read from an operand; every extract stays in bounds.
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

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::diffc;

namespace {


/// An index value as a float of type `t`.
Value indexToFloat(OpBuilder &b, Location loc, Value i, Type t) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
  return arith::SIToFPOp::create(b, loc, t, i64);
}

/// A tensor of `sizes` filled with the integer `value` of type `t`.
Value createFilledIntTensor(OpBuilder &b, Location loc,
                            ArrayRef<OpFoldResult> sizes, Type t,
                            int64_t value) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, t);
  Value fill = arith::ConstantIntOp::create(b, loc, t, value);
  return linalg::FillOp::create(b, loc, fill, empty).getResult(0);
}

//===----------------------------------------------------------------------===//
// Timestep embedding
//===----------------------------------------------------------------------===//

/// diffusers' get_timestep_embedding as one generic over [N, dim]: column j
/// uses frequency k = j mod half,
///   f_k = exp(-ln(max_period) * k / (half - downscale_freq_shift)),
/// and holds sin(scale * t * f_k) for j < half and cos(...) for
/// half <= j < 2 half (swapped by flip_sin_to_cos), 0 in the odd-dim pad.
///
/// The phase and sin / cos are evaluated in f64 and rounded once to the
/// result type. diffusers computes them in f32, where a phase of several
/// hundred (t near the last training step) is off by a few ulps, and so is
/// its sine (2.8e-5 absolute at t = 999, dim = 64); the f64 phase gives the
/// value of the same formula to the result's precision. The cost is
/// [N, dim] scalars once per network evaluation.
struct TimestepEmbeddingPattern : OpRewritePattern<TimestepEmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TimestepEmbeddingOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value t = op.getTimesteps();
    RankedTensorType type = op.getType();
    Type et = type.getElementType();
    Type f64 = rewriter.getF64Type();
    int64_t dim = op.getDim();
    int64_t half = dim / 2;
    double exponent = -std::log(op.getMaxPeriod().convertToDouble()) /
                      (static_cast<double>(half) -
                       op.getDownscaleFreqShift().convertToDouble());
    double scale = op.getScale().convertToDouble();
    bool flip = op.getFlipSinToCos();

    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, t, 0), rewriter.getIndexAttr(dim)};
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes, et);
    MLIRContext *ctx = rewriter.getContext();
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), t, init,
            ArrayRef<AffineMap>{leadingDims(ctx, 2, 1),
                                rewriter.getMultiDimIdentityMap(2)},
            parallelIterators(2),
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value ts = a[0];
              if (isa<IntegerType>(ts.getType()))
                ts = arith::SIToFPOp::create(b, l, f64, ts);
              else
                ts = convertFloat(b, l, ts, f64);
              Value j = linalg::IndexOp::create(b, l, 1);
              Value halfIdx = arith::ConstantIndexOp::create(b, l, half);
              Value first = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::ult, j, halfIdx);
              Value k = arith::SelectOp::create(
                  b, l, first, j, arith::SubIOp::create(b, l, j, halfIdx));
              Value freq = math::ExpOp::create(
                  b, l,
                  arith::MulFOp::create(b, l, indexToFloat(b, l, k, f64),
                                        floatConstant(b, l, f64, exponent)));
              Value phase =
                  arith::MulFOp::create(b, l, floatConstant(b, l, f64, scale),
                                        arith::MulFOp::create(b, l, ts, freq));
              Value sin = math::SinOp::create(b, l, phase);
              Value cos = math::CosOp::create(b, l, phase);
              Value v = flip ? arith::SelectOp::create(b, l, first, cos, sin)
                             : arith::SelectOp::create(b, l, first, sin, cos);
              if (dim % 2 == 1) {
                Value inside = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::ult, j,
                    arith::ConstantIndexOp::create(b, l, 2 * half));
                v = arith::SelectOp::create(b, l, inside, v,
                                            floatConstant(b, l, f64, 0.0));
              }
              linalg::YieldOp::create(b, l, convertFloat(b, l, v, et));
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, y, type));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

/// y[s..., d] = table[indices[s...], d]. PyTorch raises an error for an
/// index outside [0, V); compiled code has no error channel, so such an
/// index gives a row of NaN (documented on the op): the read itself uses
/// row 0 and never leaves the table, and the NaN makes the bad index visible
/// in every value computed from it instead of silently reading a
/// neighbouring row.
struct EmbeddingPattern : OpRewritePattern<EmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value table = op.getTable(), indices = op.getIndices();
    RankedTensorType type = op.getType();
    Type et = type.getElementType();
    auto indexType = cast<RankedTensorType>(indices.getType());
    Type it = indexType.getElementType();
    unsigned k = indexType.getRank();

    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, indices);
    sizes.push_back(tensor::getMixedSize(rewriter, loc, table, 1));
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes, et);
    Value rows = arith::IndexCastOp::create(
        rewriter, loc, it, tensor::DimOp::create(rewriter, loc, table, 0));
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), indices, init,
            ArrayRef<AffineMap>{leadingDims(ctx, k + 1, k),
                                rewriter.getMultiDimIdentityMap(k + 1)},
            parallelIterators(k + 1),
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value i = a[0];
              Value zero = arith::ConstantIntOp::create(b, l, it, 0);
              Value valid = arith::AndIOp::create(
                  b, l,
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, i,
                                        zero),
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i,
                                        rows));
              Value row = arith::IndexCastOp::create(
                  b, l, b.getIndexType(),
                  arith::SelectOp::create(b, l, valid, i, zero));
              Value col = linalg::IndexOp::create(b, l, k);
              Value v =
                  tensor::ExtractOp::create(b, l, table, ValueRange{row, col});
              Value nan = floatConstant(
                  b, l, et, std::numeric_limits<double>::quiet_NaN());
              linalg::YieldOp::create(
                  b, l, Value(arith::SelectOp::create(b, l, valid, v, nan)));
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, y, type));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Vector quantization
//===----------------------------------------------------------------------===//

/// Three generics over P = the input's positions (all dims but `axis`):
///   dist[p, k] = sum_d (x[p, d] - codebook[k, d])^2   reduction over d
///   idx[p]     = argmin_k dist[p, k]                 reduction over k
///   quantized  = codebook[idx[p], d]                 gather
/// The squared distance is computed directly rather than as
/// |x|^2 - 2 x.c + |c|^2, so equal distances compare equal and the tie
/// rule is torch.argmin's. The argmin combiner takes the lower index on
/// equal distances, so it does not depend on the loop order.
struct VectorQuantizePattern : OpRewritePattern<VectorQuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(VectorQuantizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput(), codebook = op.getCodebook();
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    unsigned p = rank - 1; // position dims
    int64_t axis = *normalizeAxis(op.getAxis(), rank);
    Type et = type.getElementType();
    Type acc = accumulatorType(et);
    Type it = op.getIndices().getType().getElementType();

    SmallVector<OpFoldResult> inSizes = tensor::getMixedSizes(rewriter, loc, x);
    SmallVector<OpFoldResult> posSizes;
    for (unsigned d = 0; d < rank; ++d)
      if (d != axis)
        posSizes.push_back(inSizes[d]);
    OpFoldResult codes = tensor::getMixedSize(rewriter, loc, codebook, 0);

    // Distances over loops [P..., K, D].
    SmallVector<AffineExpr> xRead;
    for (unsigned d = 0, q = 0; d < rank; ++d)
      xRead.push_back(d == axis ? getAffineDimExpr(p + 1, ctx)
                                : getAffineDimExpr(q++, ctx));
    unsigned loops = p + 2;
    AffineMap xMap = AffineMap::get(loops, 0, xRead, ctx);
    AffineMap cMap = AffineMap::get(
        loops, 0, {getAffineDimExpr(p, ctx), getAffineDimExpr(p + 1, ctx)},
        ctx);
    AffineMap distMap = leadingDims(ctx, loops, p + 1);
    SmallVector<utils::IteratorType> iterators = parallelIterators(loops);
    iterators.back() = utils::IteratorType::reduction;
    SmallVector<OpFoldResult> distSizes = posSizes;
    distSizes.push_back(codes);
    Value distInit = createFilledTensor(rewriter, loc, distSizes, acc, 0.0);
    Value dist =
        linalg::GenericOp::create(
            rewriter, loc, distInit.getType(), ValueRange{x, codebook},
            distInit, ArrayRef<AffineMap>{xMap, cMap, distMap}, iterators,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value diff =
                  arith::SubFOp::create(b, l, convertFloat(b, l, a[0], acc),
                                        convertFloat(b, l, a[1], acc));
              Value sq = arith::MulFOp::create(b, l, diff, diff);
              linalg::YieldOp::create(
                  b, l, Value(arith::AddFOp::create(b, l, a[2], sq)));
            })
            .getResult(0);

    // Argmin over loops [P..., K].
    Value bestInit = createFilledTensor(
        rewriter, loc, posSizes, acc, std::numeric_limits<double>::infinity());
    Value idxInit = createFilledIntTensor(rewriter, loc, posSizes, it, 0);
    SmallVector<utils::IteratorType> argIterators = parallelIterators(p + 1);
    argIterators.back() = utils::IteratorType::reduction;
    AffineMap pos = leadingDims(ctx, p + 1, p);
    auto argmin = linalg::GenericOp::create(
        rewriter, loc, TypeRange{bestInit.getType(), idxInit.getType()}, dist,
        ValueRange{bestInit, idxInit},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(p + 1), pos, pos},
        argIterators, [&](OpBuilder &b, Location l, ValueRange a) {
          Value d = a[0], best = a[1], bestIdx = a[2];
          Value k = arith::IndexCastOp::create(
              b, l, it, linalg::IndexOp::create(b, l, p));
          Value less =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, d, best);
          Value tie = arith::AndIOp::create(
              b, l,
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, d, best),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k,
                                    bestIdx));
          Value take = arith::OrIOp::create(b, l, less, tie);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, d, best),
                         arith::SelectOp::create(b, l, take, k, bestIdx)});
        });
    Value indices = argmin.getResult(1);

    // Gather the chosen rows back into the input's layout.
    SmallVector<AffineExpr> posRead;
    for (unsigned d = 0; d < rank; ++d)
      if (d != axis)
        posRead.push_back(getAffineDimExpr(d, ctx));
    Value init = createEmptyLike(rewriter, loc, type, x);
    Value quantized =
        linalg::GenericOp::create(
            rewriter, loc, type, indices, init,
            ArrayRef<AffineMap>{AffineMap::get(rank, 0, posRead, ctx),
                                rewriter.getMultiDimIdentityMap(rank)},
            parallelIterators(rank),
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value row =
                  arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
              Value col = linalg::IndexOp::create(b, l, axis);
              linalg::YieldOp::create(
                  b, l,
                  Value(tensor::ExtractOp::create(b, l, codebook,
                                                  ValueRange{row, col})));
            })
            .getResult(0);
    rewriter.replaceOp(
        op, {castTo(rewriter, loc, quantized, op.getQuantized().getType()),
             castTo(rewriter, loc, indices, op.getIndices().getType())});
    return success();
  }
};

} // namespace

void mlir::diffc::populateEmbeddingToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns
      .add<EmbeddingPattern, TimestepEmbeddingPattern, VectorQuantizePattern>(
          patterns.getContext());
}
