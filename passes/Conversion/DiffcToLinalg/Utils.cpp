//===- Utils.cpp - helpers shared by the diffc-to-linalg patterns ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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
