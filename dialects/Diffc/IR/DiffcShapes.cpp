//===- DiffcShapes.cpp - shape rules shared by diffc verifiers ------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/IR/DiffcShapes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::string diffc::formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << '?';
    else
      os << d;
  });
  os << ']';
  return s;
}

LogicalResult diffc::verifyResultShape(Operation *op, Type result,
                                       ArrayRef<int64_t> expected) {
  auto shaped = cast<ShapedType>(result);
  ArrayRef<int64_t> got = shaped.getShape();
  bool ok = got.size() == expected.size() &&
            llvm::all_of(llvm::zip(got, expected), [](auto pair) {
              return dimsCompatible(std::get<0>(pair), std::get<1>(pair));
            });
  if (ok)
    return success();
  return op->emitOpError("result shape ")
         << formatShape(got) << " vs expected " << formatShape(expected);
}

LogicalResult diffc::verifySameElementType(Operation *op, ValueRange values) {
  Type first;
  for (Value v : values) {
    if (!v)
      continue;
    Type et = cast<ShapedType>(v.getType()).getElementType();
    if (!first) {
      first = et;
      continue;
    }
    if (et != first)
      return op->emitOpError("element types differ: ") << first << " vs " << et;
  }
  return success();
}

int64_t diffc::windowOutputDim(int64_t in, int64_t kernel, int64_t stride,
                               int64_t padding, int64_t dilation) {
  if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel))
    return kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t padded = in + 2 * padding;
  if (padded < span)
    return 0;
  return (padded - span) / stride + 1;
}

FailureOr<SmallVector<int64_t>> diffc::broadcastShapes(ArrayRef<int64_t> a,
                                                       ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1) {
      out[i] = db;
    } else if (db == 1) {
      out[i] = da;
    } else if (ShapedType::isDynamic(da)) {
      out[i] = db;
    } else if (ShapedType::isDynamic(db) || da == db) {
      out[i] = da;
    } else {
      return failure();
    }
  }
  return out;
}

FailureOr<int64_t> diffc::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return failure();
  return axis < 0 ? axis + rank : axis;
}

LogicalResult diffc::verifyEntryCount(Operation *op, ArrayRef<int64_t> values,
                                      size_t n, StringRef what) {
  if (values.size() == n)
    return success();
  return op->emitOpError("expects ")
         << what << " with " << n << " entries, got " << values.size();
}

LogicalResult diffc::verifyAllPositive(Operation *op, ArrayRef<int64_t> values,
                                       StringRef what) {
  if (llvm::all_of(values, [](int64_t v) { return v > 0; }))
    return success();
  return op->emitOpError("expects positive ")
         << what << ", got " << formatShape(values);
}

LogicalResult diffc::verifyTimestepTable(Operation *op, Type table,
                                         int64_t minSize) {
  auto shaped = cast<ShapedType>(table);
  int64_t n = shaped.getDimSize(0);
  if (ShapedType::isDynamic(n) || n >= minSize)
    return success();
  return op->emitOpError("expects a timestep table of at least ")
         << minSize << " entries, got " << n;
}
