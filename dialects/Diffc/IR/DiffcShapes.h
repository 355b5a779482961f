//===- DiffcShapes.h - shape rules shared by diffc verifiers ----*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// One place for the shape arithmetic the verifiers share (StableHLO keeps its
// in TypeInference.cpp for the same reason): dynamic-extent compatibility,
// broadcasting, window sizes, axis normalization, and the diagnostics that
// report a mismatch.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_DIALECTS_DIFFC_IR_DIFFCSHAPES_H
#define DIFFC_DIALECTS_DIFFC_IR_DIFFCSHAPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/ValueRange.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::diffc {

/// The dynamic extent marker, re-exported for brevity.
constexpr int64_t kDynamic = ShapedType::kDynamic;

/// True when two extents may be equal at run time (either is dynamic, or they
/// are equal).
inline bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Formats a shape as `[2, ?, 3]` for diagnostics.
std::string formatShape(ArrayRef<int64_t> shape);

/// Emits "result shape [..] vs expected [..]" unless `result` is compatible
/// with `expected` (same rank, each extent compatible).
LogicalResult verifyResultShape(Operation *op, Type result,
                                ArrayRef<int64_t> expected);

/// Emits "element types differ" unless every value (null values skipped) is a
/// shaped value with the same element type.
LogicalResult verifySameElementType(Operation *op, ValueRange values);

/// Output extent of a sliding window (convolution or pooling) with the
/// PyTorch formula; dynamic input stays dynamic. May return a value <= 0 when
/// the window does not fit, which callers report.
int64_t windowOutputDim(int64_t in, int64_t kernel, int64_t stride,
                        int64_t padding, int64_t dilation);

/// NumPy broadcast of two shapes; failure when an extent pair is neither
/// equal nor 1. A dynamic extent against 1 stays dynamic.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                ArrayRef<int64_t> b);

/// Maps `axis` in [-rank, rank) to [0, rank); failure when out of range.
FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Emits "expects <what> with <n> entries, got <m>" when sizes differ.
LogicalResult verifyEntryCount(Operation *op, ArrayRef<int64_t> values,
                               size_t n, StringRef what);

/// Emits "expects positive <what>" unless every entry is > 0.
LogicalResult verifyAllPositive(Operation *op, ArrayRef<int64_t> values,
                                StringRef what);

/// Emits "expects a 1-D table of floats, got ..." unless `table` is rank 1.
/// Sampler ops index such tables with timesteps.
LogicalResult verifyTimestepTable(Operation *op, Type table,
                                  int64_t minSize = 1);

} // namespace mlir::diffc

#endif // DIFFC_DIALECTS_DIFFC_IR_DIFFCSHAPES_H
