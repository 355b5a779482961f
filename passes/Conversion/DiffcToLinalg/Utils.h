//===- Utils.h - helpers shared by the diffc-to-linalg patterns -*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_UTILS_H
#define DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_UTILS_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

namespace mlir::diffc {

/// A `tensor.empty` of `type`, taking each dynamic extent from the first of
/// `sources` that has a dynamic extent at the same right-aligned position
/// (NumPy alignment), which is where broadcasting puts it.
Value createEmptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                      ValueRange sources);

/// Indexing map reading `operand` (shape `shape`) inside a loop nest over a
/// result of rank `resultRank`, with NumPy broadcasting: dimensions align on
/// the right and static size-1 dimensions read index 0.
AffineMap broadcastIndexingMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> resultShape);

/// `rank` parallel iterator types.
SmallVector<utils::IteratorType> parallelIterators(unsigned rank);

/// A float constant of type `type` (a scalar float type).
Value floatConstant(OpBuilder &b, Location loc, Type type, double value);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_UTILS_H
