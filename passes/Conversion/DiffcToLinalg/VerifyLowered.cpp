//===- VerifyLowered.cpp - report diffc ops that did not lower ------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_VERIFYLOWEREDPASS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {
struct VerifyLoweredPass
    : public diffc::impl::VerifyLoweredPassBase<VerifyLoweredPass> {
  using VerifyLoweredPassBase::VerifyLoweredPassBase;

  void runOnOperation() override {
    bool failed = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa<diffc::DiffcDialect>(op->getDialect()))
        return;
      op->emitError() << "'" << op->getName() << "' has no lowering for "
                      << target << " yet";
      failed = true;
    });
    if (failed)
      signalPassFailure();
  }
};
} // namespace
