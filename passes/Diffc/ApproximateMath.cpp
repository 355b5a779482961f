//===- ApproximateMath.cpp - inline polynomials for f32 math functions ----===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Diffc/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "passes/Diffc/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {
struct ApproximateMathPass
    : public diffc::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::string> names(ops.begin(), ops.end());
    if (names.empty())
      names.push_back("exp");
    // Upstream asks by full op name ("math.exp"); users give "exp".
    auto selected = [&](StringRef name) {
      name.consume_front("math.");
      return llvm::is_contained(names, name);
    };
    // Only the selected ops (and what their rewrites create) are visited: a
    // whole-module greedy rewrite would also fold and simplify everything.
    SmallVector<Operation *> targets;
    getOperation()->walk([&](Operation *op) {
      if (op->getDialect() && isa<math::MathDialect>(op->getDialect()) &&
          selected(op->getName().getStringRef()))
        targets.push_back(op);
    });
    if (targets.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, selected);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding(false);
    if (failed(applyOpPatternsGreedily(targets, std::move(patterns), config)))
      signalPassFailure();
  }
};
} // namespace
