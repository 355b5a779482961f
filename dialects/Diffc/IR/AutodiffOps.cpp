//===- AutodiffOps.cpp - verifiers of the ops gradient rules emit ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/IR/DiffcDialect.h"
#include "dialects/Diffc/IR/DiffcShapes.h"

using namespace mlir;
using namespace mlir::diffc;

LogicalResult BroadcastLikeOp::verify() {
  RankedTensorType input = getInput().getType(), like = getLike().getType();
  if (getType().getElementType() != input.getElementType())
    return emitOpError("result element type ")
           << getType().getElementType() << " differs from the input's "
           << input.getElementType();
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(input.getShape(), like.getShape());
  if (failed(shape) || shape->size() != like.getShape().size())
    return emitOpError("input shape ")
           << formatShape(input.getShape())
           << " does not broadcast to " << formatShape(like.getShape());
  return verifyResultShape(*this, getType(), like.getShape());
}
