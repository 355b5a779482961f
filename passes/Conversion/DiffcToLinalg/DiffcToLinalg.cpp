//===- DiffcToLinalg.cpp - the diffc-convert-to-linalg pass ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// This file is just for the pass definition itself; the patterns live in one
// file per topic (see PopulatePatterns.h).
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"
#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_CONVERTDIFFCTOLINALGPASS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {
struct ConvertDiffcToLinalgPass
    : public diffc::impl::ConvertDiffcToLinalgPassBase<
          ConvertDiffcToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    diffc::populateElementwiseToLinalgPatterns(patterns);
    diffc::populateSamplerToLinalgPatterns(patterns);
    diffc::populateContractionToLinalgPatterns(patterns);
    diffc::populateConvBackwardToLinalgPatterns(patterns);
    diffc::populateAttentionToLinalgPatterns(patterns);
    diffc::populateScheduleToLinalgPatterns(patterns);
    diffc::populateSamplerLoopToSCFPatterns(patterns);
    diffc::populateNormalizationToLinalgPatterns(patterns);
    diffc::populateReductionToLinalgPatterns(patterns);
    diffc::populateDataMovementToLinalgPatterns(patterns);
    diffc::populateEmbeddingToLinalgPatterns(patterns);
    diffc::populateTrainingToLinalgPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
