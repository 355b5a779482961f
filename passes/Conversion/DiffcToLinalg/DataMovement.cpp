//===- DataMovement.cpp - diffc layout and resampling ops to linalg -------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// concat, slice, reshape, transpose, upsample_nearest and avg_pool2d.
//
// Copies are linalg.copy ops, never a tensor op that bufferizes to a
// strided `memref.copy`: that one lowers to a call of `memrefCopy` from
// MLIR's runner-utils library, which the artifact's code object does not
// link, while linalg.copy becomes loops. So a slice is a linalg.copy of an
// `extract_slice` view, and concat and padding copy each piece into an
// `extract_slice` of the destination, which one-shot bufferization turns
// into a write in place through a subview.
//
// Reshapes are views: tensor.collapse_shape / tensor.expand_shape, through
// the finest grouping common to both shapes when neither is a regrouping of
// the other (?x6x4 -> ?x4x6 goes through ?x24).
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"
#include "dialects/Diffc/IR/DiffcShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// `a + b` on index values, folded when both are constants.
OpFoldResult addIndex(OpBuilder &b, Location loc, OpFoldResult x,
                      OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx + *cy);
  return Value(
      arith::AddIOp::create(b, loc, getValueOrCreateConstantIndexOp(b, loc, x),
                            getValueOrCreateConstantIndexOp(b, loc, y)));
}

/// `src` copied into `dest` (same shape) by linalg.copy. A copy
/// linalg.generic would be folded away by linalg's canonicalization (an
/// identity generic is replaced by its input), bringing the tensor-level
/// copy, and so `memrefCopy`, back.
Value copyInto(OpBuilder &b, Location loc, Value src, Value dest) {
  return linalg::CopyOp::create(b, loc, TypeRange{dest.getType()}, src, dest)
      .getResult(0);
}

/// `dest` with `src` written at `offsets` (unit strides): extract_slice,
/// linalg.copy, insert_slice, which bufferizes to a copy loop into a subview
/// of the destination.
Value insertByCopy(OpBuilder &b, Location loc, Value src, Value dest,
                   ArrayRef<OpFoldResult> offsets,
                   ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  Value slice =
      tensor::ExtractSliceOp::create(b, loc, dest, offsets, sizes, strides);
  Value copied = copyInto(b, loc, src, slice);
  return tensor::InsertSliceOp::create(b, loc, copied, dest, offsets, sizes,
                                       strides);
}

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

struct ConcatPattern : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange inputs = op.getInputs();
    auto firstType = cast<RankedTensorType>(inputs[0].getType());
    unsigned rank = firstType.getRank();
    int64_t dim = *normalizeAxis(op.getDim(), rank);

    // Extents: the concatenated one is the sum; any other is taken from an
    // input that knows it statically, else from the first input.
    SmallVector<SmallVector<OpFoldResult>> inputSizes;
    for (Value in : inputs)
      inputSizes.push_back(tensor::getMixedSizes(rewriter, loc, in));
    SmallVector<OpFoldResult> sizes = inputSizes[0];
    for (unsigned d = 0; d < rank; ++d) {
      if (d == dim)
        continue;
      for (Value in : inputs) {
        auto t = cast<RankedTensorType>(in.getType());
        if (!t.isDynamicDim(d)) {
          sizes[d] = rewriter.getIndexAttr(t.getDimSize(d));
          break;
        }
      }
    }
    for (auto &in : ArrayRef(inputSizes).drop_front())
      sizes[dim] = addIndex(rewriter, loc, sizes[dim], in[dim]);

    Value result = tensor::EmptyOp::create(rewriter, loc, sizes,
                                           firstType.getElementType());
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    for (auto [in, inSizes] : llvm::zip(inputs, inputSizes)) {
      SmallVector<OpFoldResult> pieceSizes = sizes;
      pieceSizes[dim] = inSizes[dim];
      result = insertByCopy(rewriter, loc, in, result, offsets, pieceSizes);
      offsets[dim] = addIndex(rewriter, loc, offsets[dim], inSizes[dim]);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

/// A strided tensor.extract_slice (a subview after bufferization) copied
/// into a fresh, contiguous tensor.
struct SlicePattern : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (unsigned d = 0; d < rank; ++d) {
      int64_t offset = op.getOffsets()[d], size = op.getSizes()[d];
      offsets.push_back(rewriter.getIndexAttr(offset));
      strides.push_back(rewriter.getIndexAttr(op.getStrides()[d]));
      if (size != -1) {
        sizes.push_back(rewriter.getIndexAttr(size));
      } else if (!type.isDynamicDim(d)) {
        sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d) - offset));
      } else {
        // The rest of a dynamic dimension (the batch).
        Value extent = tensor::DimOp::create(rewriter, loc, x, d);
        Value off = arith::ConstantIndexOp::create(rewriter, loc, offset);
        sizes.push_back(
            Value(arith::SubIOp::create(rewriter, loc, extent, off)));
      }
    }
    Value slice = tensor::ExtractSliceOp::create(rewriter, loc, x, offsets,
                                                 sizes, strides);
    Value init =
        tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
    Value y = copyInto(rewriter, loc, slice, init);
    rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

/// A prefix product of extents: how many dynamic extents it holds and the
/// product of the static ones. The verifier guarantees the dynamic extent
/// (at most one per side) is the same value on both sides, so two prefixes
/// cover the same elements exactly when these are equal.
struct Extent {
  int64_t dynamic = 0;
  int64_t product = 1;
  void mul(int64_t size) {
    if (ShapedType::isDynamic(size))
      ++dynamic;
    else
      product *= size;
  }
  bool operator==(const Extent &o) const {
    return dynamic == o.dynamic && product == o.product;
  }
  bool operator<(const Extent &o) const {
    return dynamic != o.dynamic ? dynamic < o.dynamic : product < o.product;
  }
};

/// Groups consecutive dimensions of `in` and `out` into the finest pairs of
/// groups covering the same elements: the reshape is then a collapse of each
/// input group and an expansion into the output group. Trailing size-1
/// dimensions join the last group.
void commonGroups(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                  SmallVector<ReassociationIndices> &inGroups,
                  SmallVector<ReassociationIndices> &outGroups) {
  size_t i = 0, j = 0;
  while (i < in.size() && j < out.size()) {
    ReassociationIndices gi = {(int64_t)i}, go = {(int64_t)j};
    Extent pi, po;
    pi.mul(in[i++]);
    po.mul(out[j++]);
    while (!(pi == po)) {
      if (pi < po && i < in.size()) {
        gi.push_back(i);
        pi.mul(in[i++]);
      } else if (po < pi && j < out.size()) {
        go.push_back(j);
        po.mul(out[j++]);
      } else {
        break; // unreachable for a verified op
      }
    }
    inGroups.push_back(gi);
    outGroups.push_back(go);
  }
  for (; i < in.size(); ++i)
    inGroups.back().push_back(i);
  for (; j < out.size(); ++j)
    outGroups.back().push_back(j);
}

struct ReshapePattern : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    RankedTensorType outType = op.getType();
    ArrayRef<int64_t> in = inType.getShape(), out = outType.getShape();

    // The dynamic extent of the result is the input's.
    SmallVector<OpFoldResult> outSizes;
    for (int64_t size : out) {
      if (!ShapedType::isDynamic(size)) {
        outSizes.push_back(rewriter.getIndexAttr(size));
        continue;
      }
      int64_t d = llvm::find_if(in, ShapedType::isDynamic) - in.begin();
      outSizes.push_back(tensor::getMixedSize(rewriter, loc, x, d));
    }

    SmallVector<ReassociationIndices> inGroups, outGroups;
    if (!in.empty() && !out.empty())
      commonGroups(in, out, inGroups, outGroups);
    auto trivial = [](ArrayRef<ReassociationIndices> groups, size_t rank) {
      return groups.size() == rank;
    };
    Value v = x;
    if (!trivial(inGroups, in.size()))
      v = tensor::CollapseShapeOp::create(rewriter, loc, v, inGroups);
    if (!trivial(outGroups, out.size()))
      v = expandShape(rewriter, loc, v, outGroups, outSizes);
    rewriter.replaceOp(op, castTo(rewriter, loc, v, outType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

struct TransposePattern : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    SmallVector<OpFoldResult> inSizes = tensor::getMixedSizes(rewriter, loc, x);
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : op.getPermutation())
      sizes.push_back(inSizes[p]);
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                         op.getType().getElementType());
    Value y = linalg::TransposeOp::create(rewriter, loc, x, init,
                                          op.getPermutationAttr())
                  .getResult()[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Upsampling and pooling
//===----------------------------------------------------------------------===//

/// Spatial extent `d` of `x` scaled by `factor` (nearest upsampling).
OpFoldResult scaledExtent(OpBuilder &b, Location loc, Value x, unsigned d,
                          int64_t factor) {
  auto type = cast<RankedTensorType>(x.getType());
  if (!type.isDynamicDim(d))
    return b.getIndexAttr(type.getDimSize(d) * factor);
  Value size = tensor::DimOp::create(b, loc, x, d);
  return Value(arith::MulIOp::create(
      b, loc, size, arith::ConstantIndexOp::create(b, loc, factor)));
}

/// y[n, c, h, w] = x[n, c, h floordiv sH, w floordiv sW].
struct UpsampleNearestPattern : OpRewritePattern<UpsampleNearestOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(UpsampleNearestOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput();
    ArrayRef<int64_t> scale = op.getScale();
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
    sizes[2] = scaledExtent(rewriter, loc, x, 2, scale[0]);
    sizes[3] = scaledExtent(rewriter, loc, x, 3, scale[1]);
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                         op.getType().getElementType());
    AffineMap read =
        AffineMap::get(4, 0,
                       {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx),
                        getAffineDimExpr(2, ctx).floorDiv(scale[0]),
                        getAffineDimExpr(3, ctx).floorDiv(scale[1])},
                       ctx);
    Value y = linalg::GenericOp::create(
                  rewriter, loc, init.getType(), x, init,
                  ArrayRef<AffineMap>{read, rewriter.getMultiDimIdentityMap(4)},
                  parallelIterators(4),
                  [](OpBuilder &b, Location l, ValueRange a) {
                    linalg::YieldOp::create(b, l, a[0]);
                  })
                  .getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
    return success();
  }
};

/// Zero padding (a filled tensor with the input copied into its interior),
/// linalg.pooling_nchw_sum accumulating in f32 for f16 / bf16, then one
/// elementwise generic dividing by kH * kW: with count_include_pad=True and
/// no ceil mode every window lies inside the padded input, so PyTorch's
/// divisor is always the kernel size.
struct AvgPool2DPattern : OpRewritePattern<AvgPool2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AvgPool2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    Type et = type.getElementType();
    Type acc = accumulatorType(et);
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                      padding = op.getPadding();

    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
    Value padded = x;
    if (padding[0] != 0 || padding[1] != 0) {
      SmallVector<OpFoldResult> paddedSizes = sizes;
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      for (int i = 0; i < 2; ++i) {
        paddedSizes[2 + i] = addIndex(rewriter, loc, sizes[2 + i],
                                      rewriter.getIndexAttr(2 * padding[i]));
        offsets[2 + i] = rewriter.getIndexAttr(padding[i]);
      }
      Value zeros = createFilledTensor(rewriter, loc, paddedSizes, et, 0.0);
      padded = insertByCopy(rewriter, loc, x, zeros, offsets, sizes);
    }

    // Output extents: (H + 2p - k) / s + 1.
    SmallVector<OpFoldResult> outSizes = {sizes[0], sizes[1]};
    for (int i = 0; i < 2; ++i) {
      int64_t known = op.getType().getDimSize(2 + i);
      if (!ShapedType::isDynamic(known)) {
        outSizes.push_back(rewriter.getIndexAttr(known));
        continue;
      }
      Value h = tensor::DimOp::create(rewriter, loc, padded, 2 + i);
      auto c = [&](int64_t v) {
        return arith::ConstantIndexOp::create(rewriter, loc, v);
      };
      Value span = arith::SubIOp::create(rewriter, loc, h, c(kernel[i]));
      Value steps = arith::DivUIOp::create(rewriter, loc, span, c(stride[i]));
      outSizes.push_back(
          Value(arith::AddIOp::create(rewriter, loc, steps, c(1))));
    }
    Value sumInit = createFilledTensor(rewriter, loc, outSizes, acc, 0.0);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, acc);
    auto i64x2 = [&](ArrayRef<int64_t> v) {
      return DenseIntElementsAttr::get(
          RankedTensorType::get({2}, rewriter.getI64Type()), v);
    };
    Value sum = linalg::PoolingNchwSumOp::create(
                    rewriter, loc, TypeRange{sumInit.getType()},
                    ValueRange{padded, window}, ValueRange{sumInit},
                    i64x2(stride), i64x2({1, 1}))
                    .getResult(0);

    Value init = tensor::EmptyOp::create(rewriter, loc, outSizes, et);
    AffineMap id = rewriter.getMultiDimIdentityMap(4);
    double area = static_cast<double>(kernel[0] * kernel[1]);
    Value y = linalg::GenericOp::create(
                  rewriter, loc, init.getType(), sum, init,
                  ArrayRef<AffineMap>{id, id}, parallelIterators(4),
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value v = arith::DivFOp::create(
                        b, l, a[0], floatConstant(b, l, acc, area));
                    linalg::YieldOp::create(b, l, convertFloat(b, l, v, et));
                  })
                  .getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, y, op.getType()));
    return success();
  }
};

} // namespace

void mlir::diffc::populateDataMovementToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AvgPool2DPattern, ConcatPattern, ReshapePattern, SlicePattern,
               TransposePattern, UpsampleNearestPattern>(patterns.getContext());
}
