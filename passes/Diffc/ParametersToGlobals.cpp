//===- ParametersToGlobals.cpp - parameters become exported storage -------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Diffc/Parameters.h"
#include "passes/Diffc/Passes.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_PARAMETERSTOGLOBALSPASS
#include "passes/Diffc/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;
using namespace mlir::diffc;

FailureOr<std::vector<ModuleParameter>>
mlir::diffc::collectParameters(ModuleOp module) {
  std::vector<ModuleParameter> params;
  llvm::StringMap<size_t> index;
  bool ok = true;
  module.walk([&](ParameterOp op) {
    auto [it, inserted] = index.try_emplace(op.getName(), params.size());
    if (inserted) {
      params.push_back({op.getName().str(), op.getType(),
                        "diffc_param_" + std::to_string(params.size())});
      return;
    }
    if (params[it->second].type != op.getType()) {
      op.emitError() << "parameter \"" << op.getName() << "\" is used as "
                     << op.getType() << " here but as "
                     << params[it->second].type << " elsewhere";
      ok = false;
    }
  });
  if (!ok)
    return failure();
  return params;
}

namespace {
struct ParametersToGlobalsPass
    : public diffc::impl::ParametersToGlobalsPassBase<
          ParametersToGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<std::vector<ModuleParameter>> params = collectParameters(module);
    if (failed(params))
      return signalPassFailure();
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToStart(module.getBody());
    llvm::StringMap<const ModuleParameter *> byName;
    for (const ModuleParameter &p : *params) {
      byName[p.name] = &p;
      auto type = MemRefType::get(p.type.getShape(), p.type.getElementType());
      auto global = memref::GlobalOp::create(
          b, module.getLoc(), b.getStringAttr(p.symbol),
          /*sym_visibility=*/nullptr, TypeAttr::get(type),
          b.getUnitAttr() /* uninitialized */, /*constant=*/nullptr,
          b.getI64IntegerAttr(64));
      global->setAttr("diffc.parameter", b.getStringAttr(p.name));
    }
    // One read-only tensor per parameter and function: `restrict` promises
    // One-Shot Bufferize that nothing else in the function aliases it.
    module.walk([&](func::FuncOp func) {
      llvm::StringMap<Value> tensors;
      func.walk([&](ParameterOp op) {
        Value &t = tensors[op.getName()];
        if (!t) {
          const ModuleParameter *p = byName[op.getName()];
          OpBuilder fb(&func.getBody().front(), func.getBody().front().begin());
          auto type =
              MemRefType::get(p->type.getShape(), p->type.getElementType());
          Value m = memref::GetGlobalOp::create(fb, op.getLoc(), type,
                                                p->symbol);
          t = bufferization::ToTensorOp::create(fb, op.getLoc(), p->type, m,
                                                fb.getUnitAttr(), nullptr);
        }
        op.replaceAllUsesWith(t);
        op.erase();
      });
    });
  }
};
} // namespace
