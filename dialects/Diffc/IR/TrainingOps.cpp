//===- TrainingOps.cpp - verifiers of diffc training ops ------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/IR/DiffcDialect.h"

using namespace mlir;
using namespace mlir::diffc;

LogicalResult AdamUpdateOp::verify() {
  // The ranges torch.optim.Adam rejects in its constructor.
  for (auto [name, beta] : {std::pair{"beta1", getBeta1()},
                            std::pair{"beta2", getBeta2()}}) {
    double b = beta.convertToDouble();
    if (!(b >= 0.0 && b < 1.0))
      return emitOpError("expects ") << name << " in [0, 1), got " << b;
  }
  if (getEpsilon().convertToDouble() <= 0.0)
    return emitOpError("expects positive epsilon, got ")
           << getEpsilon().convertToDouble();
  if (getWeightDecay().convertToDouble() < 0.0)
    return emitOpError("expects non-negative weight_decay, got ")
           << getWeightDecay().convertToDouble();
  return success();
}
