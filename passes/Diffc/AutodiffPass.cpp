//===- AutodiffPass.cpp - the diffc-autodiff pass -------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Diffc/Autodiff.h"
#include "passes/Diffc/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "passes/Diffc/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;
using namespace mlir::diffc;

static constexpr llvm::StringLiteral kDifferentiateAttr = "diffc.differentiate";

/// The spec of a `diffc.differentiate` dictionary; failure (emitted at the
/// function) when it is malformed.
static FailureOr<GradientSpec> specFromAttribute(func::FuncOp func,
                                                 Attribute attr) {
  auto dict = dyn_cast<DictionaryAttr>(attr);
  GradientSpec spec;
  if (!dict)
    return func.emitOpError(kDifferentiateAttr)
           << " must be a dictionary {wrt = array<i64: ...>, parameters = "
              "true}";
  for (NamedAttribute entry : dict) {
    if (entry.getName() == "wrt") {
      auto wrt = dyn_cast<DenseI64ArrayAttr>(entry.getValue());
      if (!wrt || llvm::any_of(wrt.asArrayRef(),
                               [](int64_t i) { return i < 0; }))
        return func.emitOpError(kDifferentiateAttr)
               << ": wrt must be an array<i64> of argument indices";
      for (int64_t i : wrt.asArrayRef())
        spec.wrtArguments.push_back(static_cast<unsigned>(i));
    } else if (entry.getName() == "parameters") {
      auto flag = dyn_cast<BoolAttr>(entry.getValue());
      if (!flag)
        return func.emitOpError(kDifferentiateAttr)
               << ": parameters must be a bool";
      spec.wrtParameters = flag.getValue();
    } else {
      return func.emitOpError(kDifferentiateAttr)
             << ": unknown key \"" << entry.getName().getValue()
             << "\" (expected wrt, parameters)";
    }
  }
  return spec;
}

namespace {
struct AutodiffPass : public diffc::impl::AutodiffPassBase<AutodiffPass> {
  using AutodiffPassBase::AutodiffPassBase;

  LogicalResult differentiate(ModuleOp module, func::FuncOp forward,
                              const GradientSpec &spec) {
    std::string name = (forward.getName() + "_grad").str();
    if (module.lookupSymbol(name))
      return forward.emitError()
             << "diffc-autodiff: @" << name << " already exists";
    return buildGradientFunction(forward, spec);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!function.empty()) {
      auto forward = module.lookupSymbol<func::FuncOp>(function);
      if (!forward) {
        module.emitError() << "diffc-autodiff: no function named \""
                           << function << "\" to differentiate";
        return signalPassFailure();
      }
      GradientSpec spec;
      spec.wrtArguments.assign(wrt.begin(), wrt.end());
      spec.wrtParameters = parameters;
      if (failed(differentiate(module, forward, spec)))
        signalPassFailure();
      return;
    }
    SmallVector<func::FuncOp> marked;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr(kDifferentiateAttr))
        marked.push_back(func);
    for (func::FuncOp func : marked) {
      FailureOr<GradientSpec> spec =
          specFromAttribute(func, func->getAttr(kDifferentiateAttr));
      func->removeAttr(kDifferentiateAttr);
      if (failed(spec) || failed(differentiate(module, func, *spec)))
        return signalPassFailure();
    }
  }
};
} // namespace
