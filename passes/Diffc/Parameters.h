//===- Parameters.h - the parameters of a diffc module ----------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// One rule, shared by diffc-parameters-to-globals and the compile driver,
// for which parameters a module has and which symbol holds each in the code
// object. The runtime copies a weight into its symbol before any call.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_DIFFC_PARAMETERS_H
#define DIFFC_PASSES_DIFFC_PARAMETERS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>
#include <vector>

namespace mlir::diffc {

struct ModuleParameter {
  std::string name;       ///< State-dict name ("conv_in.weight").
  RankedTensorType type;  ///< Static shape and element type.
  std::string symbol;     ///< Exported symbol of its storage.
};

/// The distinct parameters of `module` in first-use order (walk order).
/// Fails, with an error at the second op, when one name is used with two
/// different types.
FailureOr<std::vector<ModuleParameter>> collectParameters(ModuleOp module);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_DIFFC_PARAMETERS_H
