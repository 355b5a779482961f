//===- GradientBuilder.cpp - building blocks of gradient rules ------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/Gradients/GradientBuilder.h"
#include "dialects/Diffc/IR/DiffcShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::diffc;

static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value GradientBuilder::scalar(double v, Value like) {
  Type element = tensorType(like).getElementType();
  auto type = RankedTensorType::get({}, element);
  auto attr = DenseElementsAttr::get(
      type, FloatAttr::get(element, v).getValue());
  return arith::ConstantOp::create(b, loc, type, attr);
}

Value GradientBuilder::zerosLike(Value like) {
  return broadcastLike(scalar(0.0, like), like);
}

template <typename OpTy> Value GradientBuilder::binary(Value a, Value c) {
  RankedTensorType ta = tensorType(a), tc = tensorType(c);
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(ta.getShape(), tc.getShape());
  assert(succeeded(shape) && "gradient rule combines unbroadcastable shapes");
  auto type = RankedTensorType::get(*shape, ta.getElementType());
  return OpTy::create(b, loc, type, a, c);
}

template <typename OpTy> Value GradientBuilder::unary(Value a) {
  return OpTy::create(b, loc, a.getType(), a);
}

Value GradientBuilder::add(Value a, Value c) { return binary<AddOp>(a, c); }
Value GradientBuilder::sub(Value a, Value c) { return binary<SubOp>(a, c); }
Value GradientBuilder::mul(Value a, Value c) { return binary<MulOp>(a, c); }
Value GradientBuilder::div(Value a, Value c) { return binary<DivOp>(a, c); }
Value GradientBuilder::pow(Value a, Value c) { return binary<PowOp>(a, c); }
Value GradientBuilder::neg(Value a) { return unary<NegOp>(a); }
Value GradientBuilder::exp(Value a) { return unary<ExpOp>(a); }
Value GradientBuilder::log(Value a) { return unary<LogOp>(a); }
Value GradientBuilder::sqrt(Value a) { return unary<SqrtOp>(a); }
Value GradientBuilder::rsqrt(Value a) { return unary<RsqrtOp>(a); }
Value GradientBuilder::tanh(Value a) { return unary<TanhOp>(a); }
Value GradientBuilder::sigmoid(Value a) { return unary<SigmoidOp>(a); }
Value GradientBuilder::heaviside(Value a) { return unary<HeavisideOp>(a); }

Value GradientBuilder::broadcastLike(Value a, Value like) {
  RankedTensorType ta = tensorType(a), tl = tensorType(like);
  if (ta == tl)
    return a;
  auto type = RankedTensorType::get(tl.getShape(), ta.getElementType());
  return BroadcastLikeOp::create(b, loc, type, a, like);
}

Value GradientBuilder::sumToType(Value g, RankedTensorType target) {
  RankedTensorType tg = tensorType(g);
  if (tg == target)
    return g;
  int64_t rank = tg.getRank(), lead = rank - target.getRank();
  assert(lead >= 0 && "gradient of lower rank than its operand");
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d)
    if (d < lead || (target.getDimSize(d - lead) == 1 && tg.getDimSize(d) != 1))
      dims.push_back(d);
  Value summed = dims.empty() ? g : reduce(ReduceKind::sum, g, dims, true);
  if (tensorType(summed) == target)
    return summed;
  return reshape(summed, target);
}

Value GradientBuilder::reduce(ReduceKind kind, Value a, ArrayRef<int64_t> dims,
                              bool keepDims) {
  RankedTensorType ta = tensorType(a);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < ta.getRank(); ++d) {
    bool reduced = llvm::is_contained(dims, d);
    if (!reduced)
      shape.push_back(ta.getDimSize(d));
    else if (keepDims)
      shape.push_back(1);
  }
  auto type = RankedTensorType::get(shape, ta.getElementType());
  return ReduceOp::create(b, loc, type, a, kind, dims, keepDims);
}

Value GradientBuilder::reshape(Value a, RankedTensorType type) {
  if (a.getType() == type)
    return a;
  return ReshapeOp::create(b, loc, type, a);
}

Value GradientBuilder::reshape(Value a, ArrayRef<int64_t> shape) {
  return reshape(a,
                 RankedTensorType::get(shape, tensorType(a).getElementType()));
}

Value GradientBuilder::transpose(Value a, ArrayRef<int64_t> permutation) {
  RankedTensorType ta = tensorType(a);
  SmallVector<int64_t> shape;
  for (int64_t p : permutation)
    shape.push_back(ta.getDimSize(p));
  auto type = RankedTensorType::get(shape, ta.getElementType());
  return TransposeOp::create(b, loc, type, a,
                             b.getDenseI64ArrayAttr(permutation));
}

Value GradientBuilder::slice(Value a, ArrayRef<int64_t> offsets,
                             ArrayRef<int64_t> sizes,
                             ArrayRef<int64_t> strides) {
  RankedTensorType ta = tensorType(a);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < ta.getRank(); ++d) {
    int64_t extent = ta.getDimSize(d);
    if (sizes[d] != -1)
      shape.push_back(sizes[d]);
    else
      shape.push_back(ShapedType::isDynamic(extent) ? ShapedType::kDynamic
                                                    : extent - offsets[d]);
  }
  auto type = RankedTensorType::get(shape, ta.getElementType());
  return SliceOp::create(b, loc, type, a, offsets, sizes, strides);
}

Value GradientBuilder::concat(ArrayRef<Value> parts, int64_t dim) {
  RankedTensorType first = tensorType(parts.front());
  if (parts.size() == 1)
    return parts.front();
  // Other extents: any part that knows one statically; the concatenated
  // extent: the sum, dynamic when any part's is.
  SmallVector<int64_t> shape = llvm::to_vector(first.getShape());
  shape[dim] = 0;
  for (Value part : parts) {
    RankedTensorType t = tensorType(part);
    for (int64_t d = 0; d < t.getRank(); ++d) {
      int64_t extent = t.getDimSize(d);
      if (d == dim)
        shape[d] = ShapedType::isDynamic(shape[d]) ||
                           ShapedType::isDynamic(extent)
                       ? ShapedType::kDynamic
                       : shape[d] + extent;
      else if (ShapedType::isDynamic(shape[d]))
        shape[d] = extent;
    }
  }
  auto type = RankedTensorType::get(shape, first.getElementType());
  return ConcatOp::create(b, loc, type, parts, dim);
}

Value GradientBuilder::transposeLast2(Value a) {
  int64_t rank = tensorType(a).getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 2], perm[rank - 1]);
  return transpose(a, perm);
}

Value GradientBuilder::matmul(Value a, Value c) {
  RankedTensorType ta = tensorType(a), tc = tensorType(c);
  FailureOr<SmallVector<int64_t>> batch = broadcastShapes(
      ta.getShape().drop_back(2), tc.getShape().drop_back(2));
  assert(succeeded(batch) && "matmul batch dimensions do not broadcast");
  SmallVector<int64_t> shape = *batch;
  shape.push_back(ta.getDimSize(ta.getRank() - 2));
  shape.push_back(tc.getDimSize(tc.getRank() - 1));
  auto type = RankedTensorType::get(shape, ta.getElementType());
  return MatmulOp::create(b, loc, type, a, c);
}

Value GradientBuilder::softmax(Value a, int64_t axis) {
  return SoftmaxOp::create(b, loc, a.getType(), a, b.getI64IntegerAttr(axis));
}

Value GradientBuilder::elementCount(Value a, ArrayRef<int64_t> dims) {
  RankedTensorType ta = tensorType(a);
  int64_t staticCount = 1;
  Value dynamicCount;
  for (int64_t d : dims) {
    if (!ta.isDynamicDim(d)) {
      staticCount *= ta.getDimSize(d);
      continue;
    }
    Value extent = tensor::DimOp::create(b, loc, a, d);
    dynamicCount = dynamicCount
                       ? arith::MulIOp::create(b, loc, dynamicCount, extent)
                       : extent;
  }
  if (!dynamicCount)
    return scalar(static_cast<double>(staticCount), a);
  Type element = ta.getElementType();
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), dynamicCount);
  Value asFloat = arith::SIToFPOp::create(b, loc, element, asInt);
  Value count = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, element), ValueRange{asFloat});
  return staticCount == 1 ? count : mul(count, scalar(staticCount, a));
}

Value GradientBuilder::keepDimsForm(Value g, Value input,
                                    ArrayRef<int64_t> dims) {
  RankedTensorType ti = tensorType(input);
  SmallVector<int64_t> shape = llvm::to_vector(ti.getShape());
  for (int64_t d : dims)
    shape[d] = 1;
  return reshape(g, shape);
}
