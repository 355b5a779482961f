//===- Autodiff.h - reverse-mode autodiff over the diffc dialect -*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// buildGradientFunction is the core of the `diffc-autodiff` pass and what
// the training builder calls: it adds a function computing a loss and its
// gradients. Gradient rules come from DifferentiableOpInterface, so the
// context must have registerGradientModels() applied.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_DIFFC_AUTODIFF_H
#define DIFFC_PASSES_DIFFC_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mlir::diffc {

struct GradientSpec {
  /// Arguments to differentiate with respect to, in result order.
  SmallVector<unsigned> wrtArguments;
  /// Also differentiate with respect to every diffc.parameter.
  bool wrtParameters = false;
  /// Name of the new function; empty gives "<forward>_grad".
  std::string name;
};

/// Adds, next to `forward` (first result: a rank-0 float tensor, the loss;
/// one block), a function with the same arguments returning forward's
/// results followed by d loss / d argument for each of spec.wrtArguments,
/// then d loss / d parameter for each diffc.parameter on a path to the loss
/// (first-use order; names in the `diffc.gradient_parameters` array
/// attribute) when spec.wrtParameters. An argument the loss does not depend
/// on gets zeros. Errors are emitted at the offending op.
FailureOr<func::FuncOp> buildGradientFunction(func::FuncOp forward,
                                              const GradientSpec &spec);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_DIFFC_AUTODIFF_H
