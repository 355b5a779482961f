//===- FuseElementwise.cpp - fuse elementwise linalg.generic chains -------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Diffc/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "passes/Diffc/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {
struct FuseElementwisePass
    : public diffc::impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    // `tensor.dim` of a producer's result counts as a use and blocks fusion;
    // folding it first reads the extent from the producer's operands.
    RewritePatternSet dimPatterns(&getContext());
    tensor::DimOp::getCanonicalizationPatterns(dimPatterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(dimPatterns))))
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    // Fusing a producer with several users would recompute it per user.
    linalg::ControlFusionFn singleUse = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      return producer && producer->hasOneUse();
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, singleUse);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
