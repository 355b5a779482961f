//===- DataMovementGradients.cpp - gradient rules of data movement ops ----===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Layout ops move elements without arithmetic, so their gradients move the
// result gradient back: reshape reshapes it back, transpose applies the
// inverse permutation, concat slices it into the pieces. A slice's gradient
// is the result gradient placed into zeros of the input's shape, built from
// concats of zero blocks (broadcast_like of a scalar 0 to a slice of the
// input, which only lends its shape), so every extent the forward op knew
// at run time only (a dynamic batch) is known to the backward ops too;
// a strided slice first interleaves the gradient with stride - 1 zeros.
// upsample_nearest sums each sH x sW block (a reshape and a reduction);
// avg_pool2d spreads each output gradient over its window: an upsample when
// windows tile the input (kernel == stride), else the input gradient of a
// depthwise convolution with weights 1 / (kH kW).
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/Gradients/GradientBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::diffc;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

int64_t dynamicCount(RankedTensorType t) {
  return llvm::count_if(t.getShape(), ShapedType::isDynamic);
}

LogicalResult reshapeGrad(ReshapeOp op, GradientBuilder &g, ArrayRef<Value> rg,
                          MutableArrayRef<Value> og) {
  og[0] = g.reshape(rg[0], typeOf(op.getInput()));
  return success();
}

LogicalResult transposeGrad(TransposeOp op, GradientBuilder &g,
                            ArrayRef<Value> rg, MutableArrayRef<Value> og) {
  ArrayRef<int64_t> perm = op.getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  og[0] = TransposeOp::create(g.builder(), g.location(), typeOf(op.getInput()),
                              rg[0], inverse);
  return success();
}

LogicalResult concatGrad(ConcatOp op, GradientBuilder &g, ArrayRef<Value> rg,
                         MutableArrayRef<Value> og) {
  OperandRange inputs = op.getInputs();
  int64_t rank = typeOf(inputs[0]).getRank();
  int64_t dim = static_cast<int64_t>(op.getDim());
  if (dim < 0)
    dim += rank;
  // Each piece is a slice at a static offset, so only the last piece may
  // have a dynamic extent along `dim` (it takes the rest).
  int64_t offset = 0;
  for (auto [i, in] : llvm::enumerate(inputs)) {
    RankedTensorType t = typeOf(in);
    int64_t extent = t.getDimSize(dim);
    bool last = i + 1 == inputs.size();
    if (ShapedType::isDynamic(extent) && !last)
      return op.emitOpError("has no gradient rule for a dynamic extent along "
                            "the concatenated dimension ")
             << dim << " except in the last input; input #" << i << " is " << t;
    SmallVector<int64_t> offsets(rank, 0), sizes(rank, -1), strides(rank, 1);
    offsets[dim] = offset;
    sizes[dim] = last && ShapedType::isDynamic(extent) ? -1 : extent;
    og[i] = SliceOp::create(g.builder(), g.location(), t, rg[0], offsets, sizes,
                            strides);
    if (!ShapedType::isDynamic(extent))
      offset += extent;
  }
  return success();
}

/// Places `grad`, the gradient of the stride-1 window of `x` starting at
/// `offsets` with extents `spans` (-1: the rest of the dimension), into
/// zeros of `x`'s shape, one dimension at a time: zero blocks before and
/// after it, concatenated. A zero block is a scalar 0 broadcast like the
/// slice of `x` it stands for, so its extents are `x`'s at run time.
Value padToInput(GradientBuilder &g, Value grad, Value x,
                 ArrayRef<int64_t> offsets, ArrayRef<int64_t> spans) {
  RankedTensorType xt = typeOf(x);
  int64_t rank = xt.getRank();
  Value zero = g.scalar(0.0, x);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t extent = xt.getDimSize(d), off = offsets[d], span = spans[d];
    bool hasAfter =
        span != -1 && (ShapedType::isDynamic(extent) || off + span < extent);
    if (off == 0 && !hasAfter)
      continue;
    // The zero blocks' shape: x's extents in the dimensions already padded,
    // the window's in the ones still to pad.
    SmallVector<int64_t> blockOffsets(rank, 0), blockSizes(rank, -1),
        strides(rank, 1);
    for (int64_t k = d + 1; k < rank; ++k) {
      blockOffsets[k] = offsets[k];
      blockSizes[k] = spans[k];
    }
    SmallVector<Value> parts;
    if (off > 0) {
      blockSizes[d] = off;
      parts.push_back(
          g.broadcastLike(zero, g.slice(x, blockOffsets, blockSizes, strides)));
    }
    parts.push_back(grad);
    if (hasAfter) {
      blockOffsets[d] = off + span;
      blockSizes[d] = -1;
      parts.push_back(
          g.broadcastLike(zero, g.slice(x, blockOffsets, blockSizes, strides)));
    }
    grad = g.concat(parts, d);
  }
  return grad;
}

/// Undoes the stride `stride` of dimension `d` of `grad` (extent n): each
/// element followed by stride - 1 zeros ([.., n, 1, ..] concatenated with
/// zeros into [.., n, stride, ..], reshaped to [.., n stride, ..]), cut to
/// the (n - 1) stride + 1 elements of the window the slice read.
Value interleaveZeros(GradientBuilder &g, Value grad, int64_t d,
                      int64_t stride) {
  RankedTensorType t = typeOf(grad);
  int64_t n = t.getDimSize(d), rank = t.getRank();
  SmallVector<int64_t> split = llvm::to_vector(t.getShape());
  split.insert(split.begin() + d + 1, 1);
  Value column = g.reshape(grad, split);
  SmallVector<Value> parts = {column};
  Value zeros = g.broadcastLike(g.scalar(0.0, grad), column);
  parts.append(stride - 1, zeros);
  Value spread = g.concat(parts, d + 1);
  SmallVector<int64_t> merged = llvm::to_vector(t.getShape());
  merged[d] = n * stride;
  Value flat = g.reshape(spread, merged);
  SmallVector<int64_t> offsets(rank, 0), sizes(rank, -1), strides(rank, 1);
  sizes[d] = (n - 1) * stride + 1;
  return g.slice(flat, offsets, sizes, strides);
}

LogicalResult sliceGrad(SliceOp op, GradientBuilder &g, ArrayRef<Value> rg,
                        MutableArrayRef<Value> og) {
  Value x = op.getInput(), grad = rg[0];
  ArrayRef<int64_t> offsets = op.getOffsets(), sizes = op.getSizes(),
                    strides = op.getStrides();
  SmallVector<int64_t> spans;
  for (auto [size, stride] : llvm::zip(sizes, strides))
    spans.push_back(size == -1 || size == 0 ? size : (size - 1) * stride + 1);
  for (auto [d, stride] : llvm::enumerate(strides)) {
    if (stride == 1 || sizes[d] <= 1)
      continue;
    // The interleaving reshapes need the reshape rule: one dynamic extent.
    if (dynamicCount(typeOf(grad)) > 1)
      return op.emitOpError("has no gradient rule for a strided slice of a "
                            "tensor with more than one dynamic extent: ")
             << typeOf(x);
    grad = interleaveZeros(g, grad, d, stride);
  }
  og[0] = padToInput(g, grad, x, offsets, spans);
  return success();
}

LogicalResult upsampleNearestGrad(UpsampleNearestOp op, GradientBuilder &g,
                                  ArrayRef<Value> rg,
                                  MutableArrayRef<Value> og) {
  // dx[n, c, h, w] = sum over the sH x sW block of dy: dy as
  // [N, C, H, sH, W, sW], summed over the block dimensions.
  RankedTensorType xt = typeOf(op.getInput());
  if (xt.isDynamicDim(2) || xt.isDynamicDim(3) || dynamicCount(xt) > 1)
    return op.emitOpError("has a gradient rule only for static spatial "
                          "extents and at most one dynamic extent, got ")
           << xt;
  ArrayRef<int64_t> s = op.getScale(), in = xt.getShape();
  Value blocks = g.reshape(rg[0], {in[0], in[1], in[2], s[0], in[3], s[1]});
  og[0] = g.reduce(ReduceKind::sum, blocks, {3, 5}, false);
  return success();
}

LogicalResult avgPool2DGrad(AvgPool2DOp op, GradientBuilder &g,
                            ArrayRef<Value> rg, MutableArrayRef<Value> og) {
  Value x = op.getInput();
  RankedTensorType xt = typeOf(x);
  ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                    padding = op.getPadding();
  double area = static_cast<double>(kernel[0] * kernel[1]);
  if (xt.isDynamicDim(1) || xt.isDynamicDim(2) || xt.isDynamicDim(3))
    return op.emitOpError("has a gradient rule only for static channel and "
                          "spatial extents, got ")
           << xt;
  Value dy = rg[0];
  RankedTensorType dyt = typeOf(dy);

  if (kernel == stride) {
    // Windows tile the padded input: every padded position gets the
    // gradient of the one window holding it, over the area. Positions past
    // the last whole window (floor) and the padding get nothing.
    SmallVector<int64_t> upShape = llvm::to_vector(dyt.getShape());
    for (int i = 0; i < 2; ++i) {
      int64_t windows =
          (xt.getDimSize(2 + i) + 2 * padding[i] - kernel[i]) / stride[i] + 1;
      upShape[2 + i] = windows * kernel[i];
    }
    Value up = UpsampleNearestOp::create(
        g.builder(), g.location(),
        RankedTensorType::get(upShape, xt.getElementType()), dy, kernel);
    up = g.div(up, g.scalar(area, x));
    // The covered part of the input: padded rows [p, min(covered, p + H)).
    SmallVector<int64_t> offsets(4, 0), sizes(4, -1), strides(4, 1),
        spans(4, -1);
    bool crop = false;
    for (int i = 0; i < 2; ++i) {
      int64_t extent = xt.getDimSize(2 + i);
      int64_t covered = std::min(upShape[2 + i], padding[i] + extent);
      offsets[2 + i] = padding[i];
      sizes[2 + i] = covered - padding[i];
      spans[2 + i] = sizes[2 + i];
      crop |= padding[i] > 0 || covered < upShape[2 + i];
    }
    if (crop)
      up = g.slice(up, offsets, sizes, strides);
    SmallVector<int64_t> zeroOffsets(4, 0);
    og[0] = padToInput(g, up, x, zeroOffsets, spans);
    return success();
  }

  // The general window: avg_pool2d is a depthwise convolution (groups = C)
  // with every weight 1 / (kH kW), so its input gradient is that
  // convolution's.
  int64_t channels = xt.getDimSize(1);
  auto wType = RankedTensorType::get({channels, 1, kernel[0], kernel[1]},
                                     xt.getElementType());
  auto splat = DenseElementsAttr::get(
      wType, FloatAttr::get(xt.getElementType(), 1.0 / area).getValue());
  Value w = arith::ConstantOp::create(g.builder(), g.location(), wType, splat);
  og[0] = Conv2DBackwardInputOp::create(
      g.builder(), g.location(), xt, dy, w, stride, padding,
      ArrayRef<int64_t>{1, 1}, static_cast<uint64_t>(channels));
  return success();
}

} // namespace

void mlir::diffc::registerDataMovementGradients(MLIRContext *ctx) {
  attachGradient<ReshapeOp, reshapeGrad>(ctx);
  attachGradient<TransposeOp, transposeGrad>(ctx);
  attachGradient<ConcatOp, concatGrad>(ctx);
  attachGradient<SliceOp, sliceGrad>(ctx);
  attachGradient<UpsampleNearestOp, upsampleNearestGrad>(ctx);
  attachGradient<AvgPool2DOp, avgPool2DGrad>(ctx);
}
