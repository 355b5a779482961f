//===- Autodiff.cpp - reverse-mode autodiff over the diffc dialect --------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The gradient function is a clone of the forward function with the backward
// pass appended before its return:
//
//   1. varied values: the differentiated arguments and parameters, and every
//      float tensor computed from a varied value (forward sweep);
//   2. useful values: the loss and every value it is computed from (backward
//      sweep); only ops with a varied operand and a useful result are
//      differentiated, so integer timesteps, noise and schedules cost nothing;
//   3. adjoints: d loss / d loss = 1; then, for each op in reverse order, its
//      rule turns result adjoints into operand contributions, which are added
//      into the operands' adjoints.
//
//===----------------------------------------------------------------------===//

#include "passes/Diffc/Autodiff.h"

#include "dialects/Diffc/Gradients/GradientBuilder.h"
#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;
using namespace mlir::diffc;

static bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

namespace {

/// The adjoints accumulated so far, and the builder appending backward ops.
class Adjoints {
public:
  Adjoints(OpBuilder &b) : b(b) {}

  Value get(Value v) const { return map.lookup(v); }

  /// adjoint(v) += g.
  void accumulate(Value v, Value g, Location loc) {
    Value &slot = map[v];
    if (!slot) {
      slot = g;
      return;
    }
    GradientBuilder gb(b, loc);
    slot = gb.add(slot, g);
  }

private:
  OpBuilder &b;
  DenseMap<Value, Value> map;
};

} // namespace

FailureOr<func::FuncOp>
mlir::diffc::buildGradientFunction(func::FuncOp forward,
                                   const GradientSpec &spec) {
  if (!llvm::hasSingleElement(forward.getBody()))
    return forward.emitOpError("differentiates only single-block functions");
  FunctionType type = forward.getFunctionType();
  if (type.getNumResults() == 0 || !isFloatTensor(forward.getBody()
                                                      .front()
                                                      .getTerminator()
                                                      ->getOperand(0)) ||
      cast<RankedTensorType>(type.getResult(0)).getRank() != 0)
    return forward.emitOpError(
        "first result must be the loss, a rank-0 float tensor, to "
        "differentiate");
  for (unsigned i : spec.wrtArguments) {
    if (i >= type.getNumInputs())
      return forward.emitOpError("has no argument #") << i
                                                      << " to differentiate";
    if (!isFloatTensor(forward.getArgument(i)))
      return forward.emitOpError("argument #")
             << i << " is " << type.getInput(i)
             << ", not a float tensor: it has no gradient";
  }

  // The clone, placed after the forward function.
  OpBuilder moduleBuilder(forward);
  moduleBuilder.setInsertionPointAfter(forward);
  auto grad = cast<func::FuncOp>(moduleBuilder.clone(*forward));
  std::string name = spec.name.empty()
                         ? (forward.getName() + "_grad").str()
                         : spec.name;
  grad.setName(name);
  grad.setPublic();
  Block &body = grad.getBody().front();
  Operation *ret = body.getTerminator();
  Value loss = ret->getOperand(0);
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);

  // 1. Varied values.
  llvm::DenseSet<Value> varied;
  for (unsigned i : spec.wrtArguments)
    varied.insert(grad.getArgument(i));
  for (Operation *op : ops) {
    bool fromParameter = spec.wrtParameters && isa<ParameterOp>(op);
    bool fromVaried = llvm::any_of(op->getOperands(), [&](Value v) {
      return varied.contains(v);
    });
    if (!fromParameter && !fromVaried)
      continue;
    for (Value r : op->getResults())
      if (isFloatTensor(r))
        varied.insert(r);
  }

  // 2. Useful values.
  llvm::DenseSet<Value> useful = {loss};
  for (Operation *op : llvm::reverse(ops))
    if (llvm::any_of(op->getResults(),
                     [&](Value r) { return useful.contains(r); }))
      for (Value v : op->getOperands())
        useful.insert(v);

  // 3. Adjoints, in reverse op order.
  OpBuilder b(ret);
  Adjoints adjoints(b);
  GradientBuilder top(b, forward.getLoc());
  adjoints.accumulate(loss, top.scalar(1.0, loss), forward.getLoc());
  llvm::MapVector<StringRef, Value> parameterGrads;
  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value r : op->getResults()) {
      Value a = useful.contains(r) ? adjoints.get(r) : Value();
      resultGrads.push_back(a);
      any |= static_cast<bool>(a);
    }
    if (!any)
      continue;
    if (auto param = dyn_cast<ParameterOp>(op)) {
      if (!spec.wrtParameters)
        continue;
      Value &slot = parameterGrads[param.getName()];
      GradientBuilder g(b, op->getLoc());
      slot = slot ? g.add(slot, resultGrads[0]) : resultGrads[0];
      continue;
    }
    if (llvm::none_of(op->getOperands(),
                      [&](Value v) { return varied.contains(v); }))
      continue;
    auto rule = dyn_cast<DifferentiableOpInterface>(op);
    if (!rule)
      return op->emitOpError("has no gradient rule, but the loss of @")
             << forward.getName()
             << " depends on it through a differentiated value";
    SmallVector<Value> operandGrads;
    if (failed(rule.buildGradient(b, resultGrads, operandGrads)))
      return failure();
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads)) {
      if (!g || !varied.contains(operand))
        continue;
      if (g.getType() != operand.getType())
        return op->emitOpError("gradient rule produced ")
               << g.getType() << " for an operand of type "
               << operand.getType() << " (internal error)";
      adjoints.accumulate(operand, g, op->getLoc());
    }
  }

  // The new results.
  SmallVector<Value> results(ret->getOperands());
  for (unsigned i : spec.wrtArguments) {
    Value arg = grad.getArgument(i);
    Value a = adjoints.get(arg);
    results.push_back(a ? a : top.zerosLike(arg));
  }
  SmallVector<Attribute> names;
  for (auto &[paramName, g] : parameterGrads) {
    results.push_back(g);
    names.push_back(b.getStringAttr(paramName));
  }
  ret->setOperands(results);
  grad.setFunctionType(FunctionType::get(
      grad.getContext(), type.getInputs(), ValueRange(results).getTypes()));
  if (spec.wrtParameters)
    grad->setAttr("diffc.gradient_parameters", b.getArrayAttr(names));
  return grad;
}
