//===- TrainStepCommon.cpp - pieces shared by the training steps ----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "frontends/Training/TrainStepCommon.h"

#include "dialects/Diffc/Gradients/GradientBuilder.h"
#include "dialects/Diffc/IR/DiffcDialect.h"

#include "passes/Diffc/Autodiff.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::diffc;
using namespace mlir::diffc::training;

FailureOr<ModelParameters> training::modelParameters(func::FuncOp model) {
  llvm::MapVector<StringRef, RankedTensorType> params;
  bool ok = true;
  model.walk([&](ParameterOp op) {
    auto [it, inserted] = params.insert({op.getName(), op.getType()});
    if (!inserted && it->second != op.getType()) {
      op.emitError() << "parameter \"" << op.getName()
                     << "\" has two types in @" << model.getSymName();
      ok = false;
    }
  });
  if (!ok)
    return failure();
  if (params.empty())
    return model.emitError() << "@" << model.getSymName()
                             << " has no diffc.parameter to train";
  ModelParameters out;
  for (auto &[name, type] : params) {
    out.names.push_back(name);
    out.types.push_back(type);
  }
  return out;
}

SmallVector<Value> training::inlineModel(OpBuilder &b, func::FuncOp model,
                                         ValueRange args,
                                         const ModelParameters &params,
                                         ValueRange paramValues) {
  IRMapping mapping;
  for (auto [formal, actual] : llvm::zip(model.getArguments(), args))
    mapping.map(formal, actual);
  for (Operation &op : model.getBody().front()) {
    if (auto param = dyn_cast<ParameterOp>(op)) {
      unsigned i = llvm::find(params.names, param.getName()) -
                   params.names.begin();
      mapping.map(param.getResult(), paramValues[i]);
      continue;
    }
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      SmallVector<Value> results;
      for (Value v : ret.getOperands())
        results.push_back(mapping.lookup(v));
      return results;
    }
    b.clone(op, mapping);
  }
  return {};
}

SmallVector<Value> training::buildOptimizerUpdate(
    OpBuilder &b, Location loc, ValueRange state, SmallVector<Value> grads,
    Value step, Value lr, Value emaDecay, const ModelParameters &params,
    const TrainingOptions &options) {
  MLIRContext *ctx = b.getContext();
  size_t numParams = params.size();
  auto arg = [&](size_t k, size_t i) { return state[k * numParams + i]; };
  if (options.gradClip > 0) {
    // torch.nn.utils.clip_grad_norm_: g *= min(1, clip / (||g|| + 1e-6)).
    GradientBuilder g(b, loc);
    Value sumSq;
    for (Value grad : grads) {
      int64_t rank = cast<RankedTensorType>(grad.getType()).getRank();
      SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
      Value s = g.reduce(ReduceKind::sum, g.mul(grad, grad), all, false);
      sumSq = sumSq ? g.add(sumSq, s) : s;
    }
    Value norm = g.sqrt(sumSq);
    Value coef = g.div(g.scalar(options.gradClip, norm),
                       g.add(norm, g.scalar(1e-6, norm)));
    coef = MinimumOp::create(b, loc, norm.getType(), coef,
                             g.scalar(1.0, norm));
    for (Value &grad : grads)
      grad = g.mul(grad, coef);
  }

  SmallVector<Value> newParams, newM, newV, newEma;
  for (size_t i = 0; i < numParams; ++i) {
    auto update = AdamUpdateOp::create(
        b, loc, arg(0, i), grads[i], arg(1, i), arg(2, i), step, lr,
        OptimizerKindAttr::get(ctx, options.optimizer),
        b.getF64FloatAttr(options.beta1), b.getF64FloatAttr(options.beta2),
        b.getF64FloatAttr(options.epsilon),
        b.getF64FloatAttr(options.weightDecay));
    newParams.push_back(update.getNewParam());
    newM.push_back(update.getNewExpAvg());
    newV.push_back(update.getNewExpAvgSq());
    newEma.push_back(EmaUpdateOp::create(b, loc, params.types[i], arg(3, i),
                                         update.getNewParam(), emaDecay));
  }
  SmallVector<Value> results;
  for (auto *group : {&newParams, &newM, &newV, &newEma})
    results.append(*group);
  return results;
}

void training::addOptimizerConfig(llvm::json::Object &config,
                                  const TrainingOptions &options) {
  config["optimizer"] = stringifyOptimizerKind(options.optimizer);
  config["beta1"] = options.beta1;
  config["beta2"] = options.beta2;
  config["epsilon"] = options.epsilon;
  config["weight_decay"] = options.weightDecay;
  config["grad_clip"] = options.gradClip;
}

void training::recordTrainMetadata(
    ModuleOp module, StringRef kind, ArrayRef<StringRef> names,
    llvm::json::Object config,
    ArrayRef<std::pair<StringRef, std::string>> extra) {
  llvm::json::Array nameArray;
  for (StringRef n : names)
    nameArray.push_back(n.str());
  auto text = [](llvm::json::Value v) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << v;
    return s;
  };
  Builder b(module.getContext());
  SmallVector<NamedAttribute> entries;
  if (auto old = module->getAttrOfType<DictionaryAttr>("diffc.metadata"))
    entries.append(old.begin(), old.end());
  entries.push_back(b.getNamedAttr("train.kind", b.getStringAttr(kind)));
  entries.push_back(b.getNamedAttr(
      "train.parameters", b.getStringAttr(text(std::move(nameArray)))));
  entries.push_back(b.getNamedAttr(
      "train.config", b.getStringAttr(text(std::move(config)))));
  for (const auto &[key, value] : extra)
    entries.push_back(b.getNamedAttr(key, b.getStringAttr(value)));
  module->setAttr("diffc.metadata", b.getDictionaryAttr(entries));
}

FailureOr<func::FuncOp>
mlir::diffc::training::buildLossGradient(func::FuncOp lossFunc,
                                         unsigned numParams) {
  GradientSpec spec;
  for (unsigned i = 0; i < numParams; ++i)
    spec.wrtArguments.push_back(i);
  spec.name = "train_loss_grad";
  FailureOr<func::FuncOp> gradFunc = buildGradientFunction(lossFunc, spec);
  lossFunc.erase();
  return gradFunc;
}
