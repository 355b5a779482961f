//===- Signature.cpp - entry-point signatures of a diffc module -----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "Signature.h"

#include "Codegen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

static std::optional<diffc::ElementType> elementTypeOf(Type t) {
  if (t.isF32())
    return diffc::ElementType::f32;
  if (t.isF64())
    return diffc::ElementType::f64;
  if (t.isF16())
    return diffc::ElementType::f16;
  if (t.isBF16())
    return diffc::ElementType::bf16;
  if (t.isInteger(32))
    return diffc::ElementType::i32;
  if (t.isInteger(64))
    return diffc::ElementType::i64;
  if (t.isInteger(1))
    return diffc::ElementType::i1;
  return std::nullopt;
}

std::optional<diffc::ValueSignature> diffc::signatureOf(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    std::optional<diffc::ElementType> et = elementTypeOf(tensor.getElementType());
    if (!et)
      return std::nullopt;
    std::vector<int64_t> shape;
    for (int64_t d : tensor.getShape())
      shape.push_back(ShapedType::isDynamic(d) ? diffc::kDynamicExtent : d);
    return diffc::ValueSignature::tensor(*et, shape);
  }
  if (type.isInteger(64))
    return diffc::ValueSignature::scalar(diffc::ValueKind::i64);
  if (type.isIndex())
    return diffc::ValueSignature::scalar(diffc::ValueKind::index);
  if (type.isF32())
    return diffc::ValueSignature::scalar(diffc::ValueKind::f32);
  return std::nullopt;
}

LogicalResult
diffc::collectEntryPoints(ModuleOp module,
                          std::vector<EntryPointSignature> &entries) {
  bool ok = true;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    EntryPointSignature entry;
    entry.name = func.getSymName().str();
    entry.symbol = entrySymbol(func.getSymName());
    auto add = [&](Type type, std::vector<ValueSignature> &into,
                   StringRef what, unsigned index) {
      std::optional<ValueSignature> sig = signatureOf(type);
      if (!sig) {
        func.emitError() << what << " " << index << " of entry point @"
                         << entry.name << " has type " << type
                         << ", which cannot cross the artifact boundary "
                            "(ranked tensors, i64, index and f32 can)";
        ok = false;
        return;
      }
      into.push_back(*sig);
    };
    for (auto [i, t] : llvm::enumerate(func.getArgumentTypes()))
      add(t, entry.inputs, "argument", i);
    for (auto [i, t] : llvm::enumerate(func.getResultTypes()))
      add(t, entry.outputs, "result", i);
    entries.push_back(std::move(entry));
  }
  if (ok && entries.empty()) {
    module.emitError("no public function with a body: nothing to compile");
    return failure();
  }
  return success(ok);
}
