//===- InitWeights.h - PyTorch-style initial weights ------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Initial values for a module's parameters, by name and shape, as
// torch.nn's default initializers give them: convolution and linear weights
// and biases uniform in +-1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)),
// normalization scales 1 and shifts 0, embeddings standard normal. Draws come
// from the Philox stream of the seed, parameter i at offset i * 2^32, so the
// same seed gives the same weights everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_FRONTENDS_ZOO_INITWEIGHTS_H
#define DIFFC_FRONTENDS_ZOO_INITWEIGHTS_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::diffc {

/// Writes initial values for every f32 `diffc.parameter` of `module` to a
/// safetensors file at `path` (atomically). Returns false with `error` set.
bool writeInitialWeights(ModuleOp module, uint64_t seed,
                         const std::string &path, std::string &error);

} // namespace mlir::diffc

#endif // DIFFC_FRONTENDS_ZOO_INITWEIGHTS_H
