//===- PopulatePatterns.h - diffc-to-linalg pattern sets --------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// One populate function per topic file; DiffcToLinalg.cpp only wires them to
// the pass.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_POPULATEPATTERNS_H
#define DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_POPULATEPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::diffc {

/// Unary and broadcasting binary elementwise ops (Elementwise.cpp).
void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns);

/// Sampler steps, add_noise and guidance combines (SamplerSteps.cpp).
void populateSamplerToLinalgPatterns(RewritePatternSet &patterns);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_POPULATEPATTERNS_H
