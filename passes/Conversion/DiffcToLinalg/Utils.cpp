//===- Utils.cpp - helpers shared by the diffc-to-linalg patterns ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

Value diffc::createEmptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                             ValueRange sources) {
  SmallVector<Value> dynamicSizes;
  int64_t rank = type.getRank();
  for (int64_t d = 0; d < rank; ++d) {
    if (!type.isDynamicDim(d))
      continue;
    Value size;
    for (Value src : sources) {
      auto srcType = cast<RankedTensorType>(src.getType());
      int64_t sd = d - (rank - srcType.getRank());
      if (sd >= 0 && srcType.isDynamicDim(sd)) {
        size = tensor::DimOp::create(b, loc, src, sd);
        break;
      }
    }
    assert(size && "verifier guarantees a source for every dynamic extent");
    dynamicSizes.push_back(size);
  }
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

AffineMap diffc::broadcastIndexingMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                                      ArrayRef<int64_t> resultShape) {
  unsigned resultRank = resultShape.size();
  unsigned lead = resultRank - shape.size();
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < shape.size(); ++i) {
    bool broadcast = shape[i] == 1 && resultShape[lead + i] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(lead + i, ctx));
  }
  return AffineMap::get(resultRank, 0, exprs, ctx);
}

SmallVector<utils::IteratorType> diffc::parallelIterators(unsigned rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

Value diffc::floatConstant(OpBuilder &b, Location loc, Type type,
                           double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

SmallVector<int64_t> diffc::staticExtents(ArrayRef<OpFoldResult> sizes) {
  return llvm::map_to_vector(sizes, [](OpFoldResult size) -> int64_t {
    std::optional<int64_t> c = getConstantIntValue(size);
    return c ? *c : ShapedType::kDynamic;
  });
}

Value diffc::createFilledTensor(OpBuilder &b, Location loc,
                                ArrayRef<OpFoldResult> sizes, Type elementType,
                                double value) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elementType);
  Value fill = floatConstant(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, fill, empty).getResult(0);
}

Value diffc::expandShape(OpBuilder &b, Location loc, Value src,
                         ArrayRef<ReassociationIndices> reassociation,
                         ArrayRef<OpFoldResult> sizes) {
  auto type = RankedTensorType::get(
      staticExtents(sizes), cast<RankedTensorType>(src.getType()).getElementType());
  return tensor::ExpandShapeOp::create(b, loc, type, src, reassociation, sizes);
}

Value diffc::castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

Type diffc::accumulatorType(Type elementType) {
  if (elementType.isF16() || elementType.isBF16())
    return Float32Type::get(elementType.getContext());
  return elementType;
}

Value diffc::convertFloat(OpBuilder &b, Location loc, Value v, Type t) {
  auto from = cast<FloatType>(v.getType());
  if (from == t)
    return v;
  if (from.getWidth() < cast<FloatType>(t).getWidth())
    return arith::ExtFOp::create(b, loc, t, v);
  return arith::TruncFOp::create(b, loc, t, v);
}

Value diffc::elementCount(OpBuilder &b, Location loc, Value tensor,
                          ArrayRef<int64_t> dims, Type t) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t known = 1;
  Value dynamic;
  for (int64_t d : dims) {
    if (!type.isDynamicDim(d)) {
      known *= type.getDimSize(d);
      continue;
    }
    Value size = tensor::DimOp::create(b, loc, tensor, d);
    dynamic = dynamic ? arith::MulIOp::create(b, loc, dynamic, size) : size;
  }
  Value count = floatConstant(b, loc, t, static_cast<double>(known));
  if (!dynamic)
    return count;
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), dynamic);
  Value f = arith::SIToFPOp::create(b, loc, t, i64);
  return known == 1 ? f : arith::MulFOp::create(b, loc, f, count);
}

Value diffc::buildElementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  Value init = createEmptyLike(b, loc, resultType, inputs);
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastIndexingMap(
        b.getContext(), cast<ShapedType>(in.getType()).getShape(),
        resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  return linalg::GenericOp::create(
             b, loc, resultType, inputs, init, maps,
             parallelIterators(resultType.getRank()),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, fn(nb, l, args.drop_back()));
             })
      .getResult(0);
}

AffineMap diffc::leadingDims(MLIRContext *ctx, unsigned rank, unsigned k) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < k; ++d)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value diffc::createAccumulator(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> sizes, Type elementType,
                               Value bias, unsigned biasDim, bool freshBuffer) {
  unsigned rank = sizes.size();
  Value empty;
  if (freshBuffer) {
    SmallVector<Value> dynamic;
    for (OpFoldResult size : sizes)
      if (auto v = dyn_cast<Value>(size))
        dynamic.push_back(v);
    auto type = RankedTensorType::get(staticExtents(sizes), elementType);
    empty = bufferization::AllocTensorOp::create(b, loc, type, dynamic);
  } else {
    empty = tensor::EmptyOp::create(b, loc, sizes, elementType);
  }
  if (!bias) {
    Value zero = floatConstant(b, loc, elementType, 0.0);
    return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  }
  // A named broadcast, not a generic: elementwise fusion replaces the init
  // of a generic that does not read it with a (CSE-able) tensor.empty.
  SmallVector<int64_t> added;
  for (unsigned d = 0; d < rank; ++d)
    if (d != biasDim)
      added.push_back(d);
  return linalg::BroadcastOp::create(b, loc, bias, empty, added)->getResult(0);
}

OpFoldResult diffc::divideSize(OpBuilder &b, Location loc, OpFoldResult size,
                               int64_t divisor) {
  if (std::optional<int64_t> c = getConstantIntValue(size))
    return b.getIndexAttr(*c / divisor);
  Value d = arith::ConstantIndexOp::create(b, loc, divisor);
  return arith::DivUIOp::create(b, loc, cast<Value>(size), d).getResult();
}

Value diffc::splitGroups(OpBuilder &b, Location loc, Value v, unsigned dim,
                         int64_t groups,
                         SmallVectorImpl<ReassociationIndices> *reassociation) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  SmallVector<OpFoldResult> expanded;
  reassociation->clear();
  int64_t next = 0;
  for (unsigned i = 0; i < sizes.size(); ++i) {
    if (i == dim) {
      reassociation->push_back({next, next + 1});
      expanded.push_back(b.getIndexAttr(groups));
      expanded.push_back(divideSize(b, loc, sizes[i], groups));
      next += 2;
    } else {
      reassociation->push_back({next++});
      expanded.push_back(sizes[i]);
    }
  }
  return expandShape(b, loc, v, *reassociation, expanded);
}
