//===- Utils.h - helpers shared by the diffc-to-linalg patterns -*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_UTILS_H
#define DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_UTILS_H

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
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

/// One all-parallel linalg.generic producing `resultType` from `inputs`
/// (NumPy-broadcast to it) with `fn` computing an element from the input
/// elements. The building block of every elementwise lowering.
Value buildElementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn);

/// `[d0, ..., d(k-1)]` as a map from `rank` loops.
AffineMap leadingDims(MLIRContext *ctx, unsigned rank, unsigned k);

/// `rank` parallel iterator types.
SmallVector<utils::IteratorType> parallelIterators(unsigned rank);

/// A float constant of type `type` (a scalar float type).
Value floatConstant(OpBuilder &b, Location loc, Type type, double value);

/// The static extents of `sizes`: ShapedType::kDynamic where a size is a
/// Value rather than a constant.
SmallVector<int64_t> staticExtents(ArrayRef<OpFoldResult> sizes);

/// A tensor of `sizes` and `elementType` filled with `value`
/// (tensor.empty + linalg.fill): the zero accumulator of a contraction, or
/// the -inf start of a max reduction.
Value createFilledTensor(OpBuilder &b, Location loc,
                         ArrayRef<OpFoldResult> sizes, Type elementType,
                         double value);

/// tensor.expand_shape of `src` into a tensor of `sizes` (static extents
/// taken from constant sizes), grouped by `reassociation`.
Value expandShape(OpBuilder &b, Location loc, Value src,
                  ArrayRef<ReassociationIndices> reassociation,
                  ArrayRef<OpFoldResult> sizes);

/// `value` with type `type` (a tensor.cast when the static information
/// differs, e.g. a dynamic extent the op's result type knows statically).
Value castTo(OpBuilder &b, Location loc, Value value, Type type);

/// The type a reduction accumulates in: f32 for f16 and bf16 (as PyTorch's
/// CPU kernels do), the element type itself otherwise.
Type accumulatorType(Type elementType);

/// The scalar float `v` converted to the float type `t` (extf or truncf).
Value convertFloat(OpBuilder &b, Location loc, Value v, Type t);

/// The number of elements in dimensions `dims` of `tensor`, as a scalar of
/// float type `t`: a constant when those extents are static, else computed
/// from `tensor.dim` at run time (a dynamic batch).
Value elementCount(OpBuilder &b, Location loc, Value tensor,
                   ArrayRef<int64_t> dims, Type t);

/// The accumulator of a contraction producing `sizes`: `bias` broadcast along
/// dimension `biasDim` (linalg.broadcast) when there is a bias, zeros
/// (linalg.fill) otherwise. With `freshBuffer` it starts from a
/// bufferization.alloc_tensor instead of a tensor.empty: CSE merges equal
/// tensor.empty ops, after which bufferization may place a convolution's
/// output in the buffer of its own (dead) input, and then
/// diffc-cpu-microkernels cannot let the kernel read that input in place of
/// its padded copy.
Value createAccumulator(OpBuilder &b, Location loc,
                        ArrayRef<OpFoldResult> sizes, Type elementType,
                        Value bias, unsigned biasDim,
                        bool freshBuffer = false);

/// `size / divisor` for an extent known to divide evenly (channels by groups,
/// features by heads).
OpFoldResult divideSize(OpBuilder &b, Location loc, OpFoldResult size,
                        int64_t divisor);

/// `v` with dimension `dim` split into [groups, size / groups] (the group
/// view of a grouped convolution's channels); `reassociation` receives the
/// grouping that collapses it back.
Value splitGroups(OpBuilder &b, Location loc, Value v, unsigned dim,
                  int64_t groups,
                  SmallVectorImpl<ReassociationIndices> *reassociation);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_UTILS_H
