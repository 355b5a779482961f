//===- ConvBackward.cpp - conv2d gradients to linalg ----------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The two vector-Jacobian products of conv2d, each one linalg.generic over
// views with the group split out of the channels ([N, G, C/G, H, W] and
// [G, O/G, C/G, kH, kW]; G = 1 included, so one form serves every case):
//
// - conv2d_backward_weight: affine in the zero-padded input,
//     dw[g, o, c, i, j] += x_pad[n, g, c, ho sH + i dH, wo sW + j dW]
//                          * dy[n, g, o, ho, wo]
//   over the loops (g, o, c, i, j | n, ho, wo).
// - conv2d_backward_input: the output gradient is spread into a zero buffer
//   at stride (sH, sW) (tensor.insert_slice with strides), which makes the
//   product a stride-1 correlation with the kernel read backwards:
//     dx[n, g, c, h, w] += dy_spread[n, g, o, h - i dH + c0H, w - j dW + c0W]
//                          * weight[g, o, c, i, j]
//   over (n, g, c, h, w | o, i, j), where dy[.., ho, wo] sits at
//   (ho sH + c0H - pH, wo sW + c0W - pW) and c0 = max(d (k - 1), p) keeps
//   every index in bounds. No flipped or transposed weight is materialized.
//   When the spread buffer would equal dy (stride 1 and c0 = p, e.g. an
//   unpadded 1x1 kernel) dy is read directly.
//
// f16 and bf16 accumulate in f32 (accumulatorType) and are narrowed by one
// elementwise generic at the end: a weight gradient sums N Ho Wo products.
// Every accumulator is a fresh zero-filled buffer right before its generic,
// the form diffc-cpu-microkernels recognizes after bufferization to call the
// runtime's backward convolution kernels for f32 (the padded and the spread
// copies then fold into the kernels' arguments).
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// `acc + a * b` in the accumulator type of the block's last argument,
/// widening the operands first when they are narrower (f16, bf16).
void widenMultiplyAccumulate(OpBuilder &b, Location loc, ValueRange args) {
  Type acc = args[2].getType();
  Value lhs = convertFloat(b, loc, args[0], acc);
  Value rhs = convertFloat(b, loc, args[1], acc);
  Value product = arith::MulFOp::create(b, loc, lhs, rhs);
  linalg::YieldOp::create(
      b, loc, ValueRange{arith::AddFOp::create(b, loc, args[2], product)});
}

/// A zero accumulator of `sizes` in its own buffer, viewed with the group
/// split out of dimension `groupDim`.
Value groupedAccumulator(OpBuilder &b, Location loc,
                         ArrayRef<OpFoldResult> sizes, Type type,
                         unsigned groupDim, int64_t groups,
                         SmallVectorImpl<ReassociationIndices> *reassociation) {
  Value acc = createAccumulator(b, loc, sizes, type, /*bias=*/Value(),
                                /*biasDim=*/0, /*freshBuffer=*/true);
  return splitGroups(b, loc, acc, groupDim, groups, reassociation);
}

/// The grouped result collapsed back to the op's layout and narrowed to its
/// element type.
Value finishResult(OpBuilder &b, Location loc, Value grouped,
                   ArrayRef<ReassociationIndices> reassociation,
                   RankedTensorType resultType) {
  Value y = tensor::CollapseShapeOp::create(b, loc, grouped, reassociation);
  auto accType = cast<RankedTensorType>(y.getType());
  if (accType.getElementType() == resultType.getElementType())
    return y;
  auto narrowType = accType.clone(resultType.getElementType());
  return buildElementwise(
      b, loc, narrowType, {y}, [&](OpBuilder &nb, Location l, ValueRange a) {
        return convertFloat(nb, l, a[0], resultType.getElementType());
      });
}

//===----------------------------------------------------------------------===//
// Conv2DBackwardWeightOp
//===----------------------------------------------------------------------===//

struct Conv2DBackwardWeightPattern : OpRewritePattern<Conv2DBackwardWeightOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DBackwardWeightOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    Type accType = accumulatorType(elementType);
    int64_t g = op.getGroups();
    ArrayRef<int64_t> s = op.getStride(), p = op.getPadding(),
                      d = op.getDilation();
    SmallVector<ReassociationIndices> reassociation;

    // [N, C, H, W] -> [N, G, C/G, H, W], zero-padded spatially.
    Value x = splitGroups(rewriter, loc, op.getInput(), 1, g, &reassociation);
    if (p[0] != 0 || p[1] != 0) {
      SmallVector<OpFoldResult> pad(3, rewriter.getIndexAttr(0));
      pad.push_back(rewriter.getIndexAttr(p[0]));
      pad.push_back(rewriter.getIndexAttr(p[1]));
      Value zero = floatConstant(rewriter, loc, elementType, 0.0);
      x = tensor::PadOp::create(rewriter, loc, Type(), x, pad, pad, zero);
    }
    Value dy =
        splitGroups(rewriter, loc, op.getOutputGrad(), 1, g, &reassociation);

    // [O, C/G, kH, kW] -> [G, O/G, C/G, kH, kW], last before the generic.
    SmallVector<OpFoldResult> sizes;
    for (int64_t e : resultType.getShape())
      sizes.push_back(rewriter.getIndexAttr(e));
    Value acc =
        groupedAccumulator(rewriter, loc, sizes, accType, 0, g, &reassociation);

    // Loops: g o c i j | n ho wo.
    MLIRContext *ctx = getContext();
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps = {
        AffineMap::get(8, 0,
                       {dim(5), dim(0), dim(2), dim(6) * s[0] + dim(3) * d[0],
                        dim(7) * s[1] + dim(4) * d[1]},
                       ctx),
        AffineMap::get(8, 0, {dim(5), dim(0), dim(1), dim(6), dim(7)}, ctx),
        AffineMap::get(8, 0, {dim(0), dim(1), dim(2), dim(3), dim(4)}, ctx)};
    SmallVector<utils::IteratorType> iterators = parallelIterators(5);
    iterators.append(3, utils::IteratorType::reduction);
    Value dw = linalg::GenericOp::create(rewriter, loc, acc.getType(),
                                         ValueRange{x, dy}, acc, maps,
                                         iterators, widenMultiplyAccumulate)
                   .getResult(0);
    rewriter.replaceOp(
        op, finishResult(rewriter, loc, dw, reassociation, resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Conv2DBackwardInputOp
//===----------------------------------------------------------------------===//

struct Conv2DBackwardInputPattern : OpRewritePattern<Conv2DBackwardInputOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DBackwardInputOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    Type accType = accumulatorType(elementType);
    int64_t g = op.getGroups();
    ArrayRef<int64_t> s = op.getStride(), p = op.getPadding(),
                      d = op.getDilation();
    ArrayRef<int64_t> kernel =
        op.getWeight().getType().getShape().drop_front(2);
    ArrayRef<int64_t> in = resultType.getShape().drop_front(2);
    ArrayRef<int64_t> out =
        op.getOutputGrad().getType().getShape().drop_front(2);
    SmallVector<ReassociationIndices> reassociation;

    // dy [N, O, Ho, Wo] -> [N, G, O/G, Ho, Wo], spread at the stride into a
    // zero buffer [N, G, O/G, U0, U1] where the kernel's reads all land.
    Value dy =
        splitGroups(rewriter, loc, op.getOutputGrad(), 1, g, &reassociation);
    int64_t c0[2], offset[2], extent[2];
    for (int i = 0; i < 2; ++i) {
      c0[i] = std::max(d[i] * (kernel[i] - 1), p[i]);
      offset[i] = c0[i] - p[i];
      extent[i] = std::max(c0[i] + in[i], offset[i] + (out[i] - 1) * s[i] + 1);
    }
    bool spread = s[0] != 1 || s[1] != 1 || offset[0] != 0 || offset[1] != 0 ||
                  extent[0] != out[0] || extent[1] != out[1];
    if (spread) {
      SmallVector<OpFoldResult> dySizes =
          tensor::getMixedSizes(rewriter, loc, dy);
      SmallVector<OpFoldResult> sizes(dySizes.begin(), dySizes.begin() + 3);
      sizes.push_back(rewriter.getIndexAttr(extent[0]));
      sizes.push_back(rewriter.getIndexAttr(extent[1]));
      Value zeros = createAccumulator(rewriter, loc, sizes, elementType,
                                      /*bias=*/Value(), /*biasDim=*/0,
                                      /*freshBuffer=*/true);
      SmallVector<OpFoldResult> offsets(3, rewriter.getIndexAttr(0));
      offsets.push_back(rewriter.getIndexAttr(offset[0]));
      offsets.push_back(rewriter.getIndexAttr(offset[1]));
      SmallVector<OpFoldResult> strides(3, rewriter.getIndexAttr(1));
      strides.push_back(rewriter.getIndexAttr(s[0]));
      strides.push_back(rewriter.getIndexAttr(s[1]));
      dy = tensor::InsertSliceOp::create(rewriter, loc, dy, zeros, offsets,
                                         dySizes, strides);
    }
    Value w = splitGroups(rewriter, loc, op.getWeight(), 0, g, &reassociation);

    // [N, C, H, W] -> [N, G, C/G, H, W], last before the generic.
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, op.getOutputGrad(), 0)};
    for (int64_t e : resultType.getShape().drop_front())
      sizes.push_back(rewriter.getIndexAttr(e));
    Value acc =
        groupedAccumulator(rewriter, loc, sizes, accType, 1, g, &reassociation);

    // Loops: n g c h w | o i j.
    MLIRContext *ctx = getContext();
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps = {
        AffineMap::get(8, 0,
                       {dim(0), dim(1), dim(5), dim(3) - dim(6) * d[0] + c0[0],
                        dim(4) - dim(7) * d[1] + c0[1]},
                       ctx),
        AffineMap::get(8, 0, {dim(1), dim(5), dim(2), dim(6), dim(7)}, ctx),
        AffineMap::get(8, 0, {dim(0), dim(1), dim(2), dim(3), dim(4)}, ctx)};
    SmallVector<utils::IteratorType> iterators = parallelIterators(5);
    iterators.append(3, utils::IteratorType::reduction);
    Value dx = linalg::GenericOp::create(rewriter, loc, acc.getType(),
                                         ValueRange{dy, w}, acc, maps,
                                         iterators, widenMultiplyAccumulate)
                   .getResult(0);
    rewriter.replaceOp(
        op, finishResult(rewriter, loc, dx, reassociation, resultType));
    return success();
  }
};

} // namespace

void mlir::diffc::populateConvBackwardToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<Conv2DBackwardInputPattern, Conv2DBackwardWeightPattern>(
      patterns.getContext());
}
