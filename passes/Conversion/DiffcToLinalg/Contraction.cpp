//===- Contraction.cpp - diffc matrix products and convolutions to linalg -===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Linear layers, matmuls and convolutions become linalg's named contraction
// and convolution ops wherever one fits, because those are what the CPU
// pipeline's microkernel pass (diffc-cpu-microkernels) recognizes after
// bufferization and hands to the runtime's SGEMM and convolution kernels;
// anything else still runs, through convert-linalg-to-loops.
//
// - linear: the input flattened to [M, in] and one linalg.matmul whose
//   indexing maps read the PyTorch weight [out, in] transposed, so no
//   transpose is materialized.
// - matmul: linalg.matmul, or linalg.batch_matmul over the collapsed batch
//   dimensions when both sides have the same batch shape; batch dimensions
//   that broadcast take a linalg.generic contraction with constant-0 maps.
// - conv2d / conv3d: tensor.pad for the symmetric padding, then
//   linalg.conv_2d_nchw_fchw / conv_3d_ncdhw_fcdhw, or, for groups > 1,
//   conv_2d_ngchw_gfchw over views with the group split out (3-D grouped
//   convolutions have no named op: a linalg.generic).
// A bias is the accumulator's initial value (broadcast along the channel or
// feature dimension), so the contraction adds into it and no separate pass
// over the result is needed.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

/// The maps of `C(m, n) += A(m, k) * B(n, k)`: a matmul reading B (PyTorch's
/// [out, in] linear weight) transposed.
ArrayAttr transposedBMatmulMaps(OpBuilder &b) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  return b.getAffineMapArrayAttr({AffineMap::get(3, 0, {m, k}, ctx),
                                  AffineMap::get(3, 0, {n, k}, ctx),
                                  AffineMap::get(3, 0, {m, n}, ctx)});
}

/// The body of every contraction here: `acc + lhs * rhs`.
void multiplyAccumulate(OpBuilder &b, Location loc, ValueRange args) {
  Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
  linalg::YieldOp::create(b, loc,
                          ValueRange{arith::AddFOp::create(b, loc, args[2],
                                                           product)});
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

/// `y = x W^T + b`: x flattened to [M, in], one matmul with transposed-B maps
/// accumulating into the broadcast bias, and the result unflattened.
struct LinearPattern : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput(), w = op.getWeight();
    auto xType = cast<RankedTensorType>(x.getType());
    Type elementType = xType.getElementType();
    int64_t rank = xType.getRank();
    SmallVector<OpFoldResult> xSizes = tensor::getMixedSizes(rewriter, loc, x);
    OpFoldResult outFeatures = tensor::getMixedSize(rewriter, loc, w, 0);

    // [..., in] -> [M, in]; a vector is one row.
    Value rows = x;
    if (rank == 1) {
      rows = expandShape(rewriter, loc, x, {{0, 1}},
                         {rewriter.getIndexAttr(1), xSizes[0]});
    } else if (rank > 2) {
      ReassociationIndices lead = llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
      rows = tensor::CollapseShapeOp::create(rewriter, loc, x,
                                             {lead, {rank - 1}});
    }
    OpFoldResult m = tensor::getMixedSize(rewriter, loc, rows, 0);
    Value acc = createAccumulator(rewriter, loc, {m, outFeatures}, elementType,
                                  op.getBias(), /*biasDim=*/1);
    auto matmul = linalg::MatmulOp::create(rewriter, loc,
                                           TypeRange{acc.getType()},
                                           ValueRange{rows, w}, acc);
    matmul.setIndexingMapsAttr(transposedBMatmulMaps(rewriter));
    Value y = matmul.getResult(0);

    if (rank == 1) {
      y = tensor::CollapseShapeOp::create(rewriter, loc, y, {{0, 1}});
    } else if (rank > 2) {
      SmallVector<OpFoldResult> sizes(xSizes.begin(), xSizes.end() - 1);
      sizes.push_back(outFeatures);
      ReassociationIndices lead = llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
      y = expandShape(rewriter, loc, y, {lead, {rank - 1}}, sizes);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

/// True when batch extents `a` and `b` are the same at run time without
/// broadcasting: equal static extents, or a dynamic one against anything but
/// a static 1 (which would mean broadcasting).
bool sameBatchExtent(int64_t a, int64_t b) {
  if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b))
    return a == b;
  return a != 1 && b != 1;
}

/// The general case: one linalg.generic over (batch..., m, n, k) whose maps
/// right-align each operand's batch dimensions and read index 0 in the ones
/// it broadcasts.
Value broadcastingMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         RankedTensorType resultType) {
  auto lType = cast<RankedTensorType>(lhs.getType());
  auto rType = cast<RankedTensorType>(rhs.getType());
  unsigned rank = resultType.getRank(), batch = rank - 2;
  unsigned loops = rank + 1; // batch..., m, n, k
  MLIRContext *ctx = b.getContext();
  AffineExpr m = getAffineDimExpr(batch, ctx), n = getAffineDimExpr(batch + 1, ctx),
             k = getAffineDimExpr(batch + 2, ctx);

  // The batch part of an operand's map, and its dynamic batch extents.
  SmallVector<OpFoldResult> sizes(rank);
  auto batchExprs = [&](Value v, RankedTensorType t) {
    SmallVector<AffineExpr> exprs;
    unsigned own = t.getRank() - 2, lead = batch - own;
    for (unsigned i = 0; i < own; ++i) {
      bool broadcast = t.getDimSize(i) == 1 && resultType.getDimSize(lead + i) != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(lead + i, ctx));
      if (!broadcast && !sizes[lead + i] && t.getDimSize(i) != 1)
        sizes[lead + i] = tensor::getMixedSize(b, loc, v, i);
    }
    return exprs;
  };
  SmallVector<AffineExpr> lExprs = batchExprs(lhs, lType);
  SmallVector<AffineExpr> rExprs = batchExprs(rhs, rType);
  lExprs.append({m, k});
  rExprs.append({k, n});
  SmallVector<AffineExpr> oExprs;
  for (unsigned i = 0; i < batch; ++i) {
    oExprs.push_back(getAffineDimExpr(i, ctx));
    if (!sizes[i]) // every operand has 1 here (or lacks the dimension)
      sizes[i] = b.getIndexAttr(1);
  }
  oExprs.append({m, n});
  sizes[batch] = tensor::getMixedSize(b, loc, lhs, lType.getRank() - 2);
  sizes[batch + 1] = tensor::getMixedSize(b, loc, rhs, rType.getRank() - 1);

  Value acc = createFilledTensor(b, loc, sizes, resultType.getElementType(), 0.0);
  SmallVector<utils::IteratorType> iterators = parallelIterators(rank);
  iterators.push_back(utils::IteratorType::reduction);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, lExprs, ctx),
                                 AffineMap::get(loops, 0, rExprs, ctx),
                                 AffineMap::get(loops, 0, oExprs, ctx)};
  return linalg::GenericOp::create(b, loc, acc.getType(), ValueRange{lhs, rhs},
                                   acc, maps, iterators, multiplyAccumulate)
      .getResult(0);
}

struct MatmulPattern : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = op.getLhs(), rhs = op.getRhs();
    auto lType = cast<RankedTensorType>(lhs.getType());
    auto rType = cast<RankedTensorType>(rhs.getType());
    int64_t lRank = lType.getRank(), rRank = rType.getRank();
    Type elementType = lType.getElementType();
    SmallVector<OpFoldResult> lSizes = tensor::getMixedSizes(rewriter, loc, lhs);
    OpFoldResult n = tensor::getMixedSize(rewriter, loc, rhs, rRank - 1);

    // [..., M, K] x [K, N]: the batch folds into the rows of one matmul.
    if (rRank == 2) {
      Value rows = lhs;
      if (lRank > 2) {
        ReassociationIndices lead = llvm::to_vector(llvm::seq<int64_t>(0, lRank - 1));
        rows = tensor::CollapseShapeOp::create(rewriter, loc, lhs,
                                               {lead, {lRank - 1}});
      }
      OpFoldResult m = tensor::getMixedSize(rewriter, loc, rows, 0);
      Value acc = createFilledTensor(rewriter, loc, {m, n}, elementType, 0.0);
      Value y = linalg::MatmulOp::create(rewriter, loc, TypeRange{acc.getType()},
                                         ValueRange{rows, rhs}, acc)
                    .getResult(0);
      if (lRank > 2) {
        SmallVector<OpFoldResult> sizes(lSizes.begin(), lSizes.end() - 1);
        sizes.push_back(n);
        ReassociationIndices lead = llvm::to_vector(llvm::seq<int64_t>(0, lRank - 1));
        y = expandShape(rewriter, loc, y, {lead, {lRank - 1}}, sizes);
      }
      rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
      return success();
    }

    // Same batch shape on both sides: one batch_matmul over the batch
    // dimensions collapsed into one.
    bool sameBatch = lRank == rRank && lRank > 2;
    for (int64_t i = 0; sameBatch && i < lRank - 2; ++i)
      sameBatch = sameBatchExtent(lType.getDimSize(i), rType.getDimSize(i));
    if (!sameBatch) {
      Value y = broadcastingMatmul(rewriter, loc, lhs, rhs, op.getType());
      rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
      return success();
    }
    int64_t batch = lRank - 2;
    auto toRank3 = [&](Value v) -> Value {
      if (batch == 1)
        return v;
      ReassociationIndices lead = llvm::to_vector(llvm::seq<int64_t>(0, batch));
      return tensor::CollapseShapeOp::create(rewriter, loc, v,
                                             {lead, {batch}, {batch + 1}});
    };
    Value l3 = toRank3(lhs), r3 = toRank3(rhs);
    // Static extents win over dynamic ones: they are the same at run time.
    auto batchSize = [&](Value l, Value r, int64_t i) {
      OpFoldResult size = tensor::getMixedSize(rewriter, loc, l, i);
      if (getConstantIntValue(size))
        return size;
      return tensor::getMixedSize(rewriter, loc, r, i);
    };
    OpFoldResult b3 = batchSize(l3, r3, 0);
    OpFoldResult m = lSizes[lRank - 2];
    Value acc = createFilledTensor(rewriter, loc, {b3, m, n}, elementType, 0.0);
    Value y = linalg::BatchMatmulOp::create(rewriter, loc,
                                            TypeRange{acc.getType()},
                                            ValueRange{l3, r3}, acc)
                  .getResult(0);
    if (batch > 1) {
      SmallVector<OpFoldResult> sizes;
      for (int64_t i = 0; i < batch; ++i)
        sizes.push_back(batchSize(lhs, rhs, i));
      sizes.append({m, n});
      ReassociationIndices lead = llvm::to_vector(llvm::seq<int64_t>(0, batch));
      y = expandShape(rewriter, loc, y, {lead, {batch}, {batch + 1}}, sizes);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Conv2DOp, Conv3DOp
//===----------------------------------------------------------------------===//

/// The parameters shared by conv2d and conv3d.
struct ConvolutionParams {
  Value input, weight, bias;
  ArrayRef<int64_t> stride, padding, dilation;
  int64_t groups;
  RankedTensorType resultType;
};

/// Output extent of one spatial dimension: (in + 2p - d (k - 1) - 1) / s + 1.
OpFoldResult windowOutputSize(OpBuilder &b, Location loc, OpFoldResult in,
                              OpFoldResult kernel, int64_t s, int64_t p,
                              int64_t d) {
  std::optional<int64_t> ci = getConstantIntValue(in);
  std::optional<int64_t> ck = getConstantIntValue(kernel);
  if (ci && ck)
    return b.getIndexAttr((*ci + 2 * p - d * (*ck - 1) - 1) / s + 1);
  auto value = [&](OpFoldResult v) -> Value {
    if (auto c = getConstantIntValue(v))
      return arith::ConstantIndexOp::create(b, loc, *c);
    return cast<Value>(v);
  };
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // (in + 2p - 1 + d - d k) / s + 1, all non-negative for verified shapes.
  Value span = arith::MulIOp::create(b, loc, value(kernel), cst(d));
  Value num = arith::AddIOp::create(b, loc, value(in), cst(2 * p - 1 + d));
  num = arith::SubIOp::create(b, loc, num, span);
  Value q = arith::DivUIOp::create(b, loc, num, cst(s));
  return arith::AddIOp::create(b, loc, q, cst(1)).getResult();
}

/// A grouped 3-D convolution as a linalg.generic over views with the group
/// split out: input [N, G, C, D, H, W], weight [G, O, C, kD, kH, kW], output
/// [N, G, O, oD, oH, oW].
Value groupedConv3D(OpBuilder &b, Location loc, Value input, Value weight,
                    Value acc, ArrayRef<int64_t> stride,
                    ArrayRef<int64_t> dilation) {
  MLIRContext *ctx = b.getContext();
  // Loops: n g o od oh ow | c kd kh kw.
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> in = {d(0), d(1), d(6)};
  for (unsigned i = 0; i < 3; ++i)
    in.push_back(d(3 + i) * stride[i] + d(7 + i) * dilation[i]);
  SmallVector<AffineMap> maps = {
      AffineMap::get(10, 0, in, ctx),
      AffineMap::get(10, 0, {d(1), d(2), d(6), d(7), d(8), d(9)}, ctx),
      AffineMap::get(10, 0, {d(0), d(1), d(2), d(3), d(4), d(5)}, ctx)};
  SmallVector<utils::IteratorType> iterators = parallelIterators(6);
  iterators.append(4, utils::IteratorType::reduction);
  return linalg::GenericOp::create(b, loc, acc.getType(),
                                   ValueRange{input, weight}, acc, maps,
                                   iterators, multiplyAccumulate)
      .getResult(0);
}

/// conv2d (spatial = 2) and conv3d (spatial = 3), NC(F)HW / OI(F)HW.
Value lowerConvolution(OpBuilder &b, Location loc, const ConvolutionParams &p,
                       unsigned spatial) {
  Value x = p.input, w = p.weight;
  Type elementType = p.resultType.getElementType();
  SmallVector<OpFoldResult> xSizes = tensor::getMixedSizes(b, loc, x);
  SmallVector<OpFoldResult> wSizes = tensor::getMixedSizes(b, loc, w);

  SmallVector<OpFoldResult> outSizes = {xSizes[0], wSizes[0]};
  for (unsigned i = 0; i < spatial; ++i)
    outSizes.push_back(windowOutputSize(b, loc, xSizes[2 + i], wSizes[2 + i],
                                        p.stride[i], p.padding[i],
                                        p.dilation[i]));

  // groups > 1: views with the group as its own dimension,
  // [N, C, ...] -> [N, G, C/G, ...], [O, C/G, ...] -> [G, O/G, C/G, ...].
  int64_t g = p.groups;
  SmallVector<ReassociationIndices> reassociation;
  if (g > 1) {
    x = splitGroups(b, loc, x, 1, g, &reassociation);
    w = splitGroups(b, loc, w, 0, g, &reassociation);
  }

  // Symmetric zero padding of the spatial dimensions (the trailing ones).
  // It comes after the group split so that the convolution reads the padded
  // buffer directly, the form diffc-cpu-microkernels folds back into the
  // kernel's padding argument.
  if (llvm::any_of(p.padding, [](int64_t v) { return v != 0; })) {
    unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
    SmallVector<OpFoldResult> pad(rank - spatial, b.getIndexAttr(0));
    for (int64_t v : p.padding)
      pad.push_back(b.getIndexAttr(v));
    Value zero = floatConstant(b, loc, elementType, 0.0);
    x = tensor::PadOp::create(b, loc, Type(), x, pad, pad, zero);
  }

  // The accumulator comes last, right before the convolution, where
  // diffc-cpu-microkernels looks for it.
  Value acc = createAccumulator(b, loc, outSizes, elementType, p.bias,
                                /*biasDim=*/1, /*freshBuffer=*/true);
  if (g > 1)
    acc = splitGroups(b, loc, acc, 1, g, &reassociation);

  auto i64Vector = [&](ArrayRef<int64_t> v) {
    return DenseIntElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()), v);
  };
  Attribute strides = i64Vector(p.stride), dilations = i64Vector(p.dilation);
  Type accType = acc.getType();
  Value y;
  if (g == 1 && spatial == 2)
    y = linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{accType}, ValueRange{x, w},
                                         acc, strides, dilations)
            .getResult(0);
  else if (g == 1)
    y = linalg::Conv3DNcdhwFcdhwOp::create(b, loc, TypeRange{accType},
                                           ValueRange{x, w}, acc, strides,
                                           dilations)
            .getResult(0);
  else if (spatial == 2)
    y = linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{accType},
                                           ValueRange{x, w}, acc, strides,
                                           dilations)
            .getResult(0);
  else
    y = groupedConv3D(b, loc, x, w, acc, p.stride, p.dilation);
  if (g > 1)
    y = tensor::CollapseShapeOp::create(b, loc, y, reassociation);
  return y;
}

template <typename OpTy, unsigned Spatial>
struct ConvolutionPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    ConvolutionParams p{op.getInput(),  op.getWeight(),   op.getBias(),
                        op.getStride(), op.getPadding(),  op.getDilation(),
                        static_cast<int64_t>(op.getGroups()), op.getType()};
    Value y = lowerConvolution(rewriter, op.getLoc(), p, Spatial);
    rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), y, op.getType()));
    return success();
  }
};

} // namespace

void mlir::diffc::populateContractionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LinearPattern, MatmulPattern, ConvolutionPattern<Conv2DOp, 2>,
               ConvolutionPattern<Conv3DOp, 3>>(patterns.getContext());
}
