//===- ModelSummary.cpp - print parameters and FLOPs of functions ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The numbers a user checks first after writing or importing a model: does
// the parameter count match the PyTorch model, and how much work is one call.
//
//===----------------------------------------------------------------------===//

#include "passes/Diffc/Passes.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_MODELSUMMARYPASS
#include "passes/Diffc/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// Element count of a shaped type with dynamic extents replaced by `dynamic`.
int64_t numElements(Type type, int64_t dynamic) {
  int64_t n = 1;
  for (int64_t d : cast<ShapedType>(type).getShape())
    n *= ShapedType::isDynamic(d) ? dynamic : d;
  return n;
}

int64_t extent(int64_t d, int64_t dynamic) {
  return ShapedType::isDynamic(d) ? dynamic : d;
}

/// Multiply-adds of one op, 0 for ops whose work is not counted.
int64_t multiplyAdds(Operation *op, int64_t dyn) {
  // Each output element of a convolution takes (C / groups) x window
  // multiply-adds, and the weight's dimension 1 is already C / groups.
  auto conv = [&](Value weight, Value result) {
    ArrayRef<int64_t> w = cast<ShapedType>(weight.getType()).getShape();
    int64_t window = 1;
    for (int64_t k : w.drop_front(1))
      window *= extent(k, dyn);
    return numElements(result.getType(), dyn) * window;
  };
  if (auto c = dyn_cast<Conv2DOp>(op))
    return conv(c.getWeight(), c.getResult());
  if (auto c = dyn_cast<Conv3DOp>(op))
    return conv(c.getWeight(), c.getResult());
  if (auto l = dyn_cast<LinearOp>(op))
    return numElements(l.getType(), dyn) *
           extent(l.getWeight().getType().getDimSize(1), dyn);
  if (auto m = dyn_cast<MatmulOp>(op))
    return numElements(m.getType(), dyn) *
           extent(m.getLhs().getType().getShape().back(), dyn);
  if (auto a = dyn_cast<AttentionOp>(op)) {
    ArrayRef<int64_t> q = a.getQuery().getType().getShape();
    ArrayRef<int64_t> k = a.getKey().getType().getShape();
    ArrayRef<int64_t> v = a.getValue().getType().getShape();
    int64_t scores = extent(q[0], dyn) * extent(q[1], dyn) * extent(k[1], dyn);
    return scores * (extent(q[2], dyn) + extent(v[2], dyn));
  }
  return 0;
}

/// Prints 1234567 as 1,234,567.
std::string withCommas(int64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

struct ModelSummaryPass
    : public diffc::impl::ModelSummaryPassBase<ModelSummaryPass> {
  using ModelSummaryPassBase::ModelSummaryPassBase;

  void runOnOperation() override {
    llvm::raw_ostream &os = llvm::outs();
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      int64_t params = 0, tensors = 0, bytes = 0, macs = 0;
      llvm::MapVector<StringRef, std::pair<int64_t, int64_t>> perOp;
      func.walk([&](Operation *op) {
        if (auto p = dyn_cast<ParameterOp>(op)) {
          int64_t n = numElements(p.getType(), batch);
          params += n;
          ++tensors;
          bytes += n * p.getType().getElementTypeBitWidth() / 8;
        }
        if (!isa<DiffcDialect>(op->getDialect()))
          return;
        int64_t m = multiplyAdds(op, batch);
        macs += m;
        auto &entry = perOp[op->getName().getStringRef()];
        entry.first += 1;
        entry.second += m;
      });
      os << "diffc model summary: @" << func.getSymName()
         << " (dynamic extents as " << batch << ")\n";
      os << "  parameters  " << withCommas(params) << " in " << tensors
         << " tensors ("
         << llvm::format("%.2f", bytes / (1024.0 * 1024.0)) << " MiB)\n";
      os << "  FLOP/call   " << withCommas(2 * macs) << " ("
         << llvm::format("%.3f", 2.0 * macs / 1e9)
         << " GFLOP; 2 x multiply-adds of conv, linear, matmul, attention)\n";
      os << "  " << llvm::left_justify("op", 28) << llvm::right_justify("count", 7)
         << llvm::right_justify("FLOP", 20) << "\n";
      for (auto &[name, entry] : perOp)
        os << "  " << llvm::left_justify(name, 28)
           << llvm::right_justify(std::to_string(entry.first), 7)
           << llvm::right_justify(withCommas(2 * entry.second), 20) << "\n";
    }
    markAllAnalysesPreserved();
  }
};

} // namespace
