//===- TrainingBuilder.cpp - the compiled DDPM training step --------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "frontends/Training/TrainingBuilder.h"

#include "dialects/Diffc/Gradients/GradientBuilder.h"
#include "dialects/Diffc/IR/DiffcDialect.h"
#include "passes/Diffc/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::diffc;

llvm::StringRef mlir::diffc::trainStepEntryName() { return "train_step"; }

namespace {

/// The model's parameters in first-use order, with their types.
FailureOr<llvm::MapVector<StringRef, RankedTensorType>>
modelParameters(func::FuncOp model) {
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
  return params;
}

/// Appends "train.parameters" and "train.config" to the module's
/// diffc.metadata dictionary.
void recordMetadata(ModuleOp module, ArrayRef<StringRef> names,
                    RankedTensorType sampleType,
                    const SchedulerConfig &scheduler,
                    const TrainingOptions &options) {
  llvm::json::Array nameArray;
  for (StringRef n : names)
    nameArray.push_back(n.str());
  llvm::json::Array shape;
  for (int64_t d : sampleType.getShape().drop_front())
    shape.push_back(d);
  llvm::json::Object config{
      {"num_train_timesteps", scheduler.numTrainTimesteps},
      {"prediction_type", stringifyPredictionType(scheduler.predictionType)},
      {"optimizer", stringifyOptimizerKind(options.optimizer)},
      {"beta1", options.beta1},
      {"beta2", options.beta2},
      {"epsilon", options.epsilon},
      {"weight_decay", options.weightDecay},
      {"grad_clip", options.gradClip},
      {"sample_shape", std::move(shape)},
      {"noise_offset", "step * 2^32"},
  };
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
  entries.push_back(b.getNamedAttr(
      "train.parameters", b.getStringAttr(text(std::move(nameArray)))));
  entries.push_back(b.getNamedAttr(
      "train.config", b.getStringAttr(text(std::move(config)))));
  entries.push_back(b.getNamedAttr(
      "train.scheduler_config",
      b.getStringAttr(schedulerConfigToJson(scheduler))));
  module->setAttr("diffc.metadata", b.getDictionaryAttr(entries));
}

} // namespace

FailureOr<func::FuncOp>
mlir::diffc::buildTrainStep(ModuleOp module, func::FuncOp model,
                            const SchedulerConfig &scheduler,
                            const TrainingOptions &options) {
  MLIRContext *ctx = module.getContext();
  ctx->loadDialect<arith::ArithDialect, DiffcDialect, func::FuncDialect,
                   tensor::TensorDialect>();
  FunctionType modelType = model.getFunctionType();
  auto sampleType = modelType.getNumInputs() == 2
                        ? dyn_cast<RankedTensorType>(modelType.getInput(0))
                        : RankedTensorType();
  if (!sampleType || modelType.getNumResults() != 1 ||
      modelType.getResult(0) != sampleType ||
      !sampleType.getElementType().isF32() || sampleType.getRank() < 2 ||
      !sampleType.isDynamicDim(0) ||
      sampleType.getNumDynamicDims() != 1 ||
      !llvm::hasSingleElement(model.getBody()))
    return model.emitError()
           << "training needs @" << model.getSymName()
           << " : (tensor<?xCxHxWxf32>, tensor<?xi64>) -> the sample's "
              "type, in one block; got "
           << modelType;
  FailureOr<llvm::MapVector<StringRef, RankedTensorType>> params =
      modelParameters(model);
  if (failed(params))
    return failure();
  SmallVector<StringRef> names;
  SmallVector<Type> paramTypes;
  for (auto &[name, type] : *params) {
    names.push_back(name);
    paramTypes.push_back(type);
  }
  size_t numParams = names.size();
  Location loc = model.getLoc();
  Type i64 = IntegerType::get(ctx, 64), f32 = Float32Type::get(ctx);
  auto tsType = RankedTensorType::get({ShapedType::kDynamic}, i64);
  auto lossType = RankedTensorType::get({}, f32);

  // @train_loss(params..., x0, t, eps) -> L_simple.
  OpBuilder mb(ctx);
  mb.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> lossInputs(paramTypes);
  lossInputs.append({sampleType, tsType, sampleType});
  auto lossFunc = func::FuncOp::create(
      mb, loc, "train_loss", FunctionType::get(ctx, lossInputs, {lossType}));
  Block *lossBody = lossFunc.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(lossBody);
  Value x0 = lossBody->getArgument(numParams);
  Value t = lossBody->getArgument(numParams + 1);
  Value eps = lossBody->getArgument(numParams + 2);
  auto table = RankedTensorType::get({scheduler.numTrainTimesteps}, f32);
  auto schedule = NoiseScheduleOp::create(
      b, loc, TypeRange{table, table, table}, scheduler.betaSchedule,
      scheduler.numTrainTimesteps, APFloat(scheduler.betaStart),
      APFloat(scheduler.betaEnd), scheduler.rescaleBetasZeroSnr);
  Value abar = schedule.getAlphasCumprod();
  Value xt = AddNoiseOp::create(b, loc, sampleType, x0, eps, abar, t);
  // The model, inlined with its parameters as arguments.
  IRMapping mapping;
  mapping.map(model.getArgument(0), xt);
  mapping.map(model.getArgument(1), t);
  Value prediction;
  for (Operation &op : model.getBody().front()) {
    if (auto param = dyn_cast<ParameterOp>(op)) {
      unsigned i = llvm::find(names, param.getName()) - names.begin();
      mapping.map(param.getResult(), lossBody->getArgument(i));
      continue;
    }
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      prediction = mapping.lookup(ret.getOperand(0));
      break;
    }
    b.clone(op, mapping);
  }
  Value target;
  switch (scheduler.predictionType) {
  case PredictionType::epsilon:
    target = eps;
    break;
  case PredictionType::sample:
    target = x0;
    break;
  case PredictionType::v_prediction: {
    // v = sqrt(abar) eps - sqrt(1 - abar) x0: add_noise(eps, -x0).
    Value negX0 = NegOp::create(b, loc, sampleType, x0);
    target = AddNoiseOp::create(b, loc, sampleType, eps, negX0, abar, t);
    break;
  }
  }
  Value loss = MseLossOp::create(b, loc, lossType, prediction, target,
                                 LossReduction::mean);
  func::ReturnOp::create(b, loc, loss);

  GradientSpec spec;
  for (unsigned i = 0; i < numParams; ++i)
    spec.wrtArguments.push_back(i);
  spec.name = "train_loss_grad";
  FailureOr<func::FuncOp> gradFunc = buildGradientFunction(lossFunc, spec);
  lossFunc.erase();
  if (failed(gradFunc))
    return failure();

  // @train_step.
  SmallVector<Type> stepInputs;
  for (int k = 0; k < 4; ++k)
    stepInputs.append(paramTypes);
  stepInputs.append({sampleType, i64, f32, f32, i64});
  SmallVector<Type> stepResults;
  for (int k = 0; k < 4; ++k)
    stepResults.append(paramTypes);
  stepResults.push_back(lossType);
  mb.setInsertionPointToEnd(module.getBody());
  auto stepFunc = func::FuncOp::create(
      mb, loc, trainStepEntryName(),
      FunctionType::get(ctx, stepInputs, stepResults));
  Block *body = stepFunc.addEntryBlock();
  b.setInsertionPointToStart(body);
  auto arg = [&](size_t k, size_t i) { return body->getArgument(k * numParams + i); };
  Value batchX0 = body->getArgument(4 * numParams);
  Value step = body->getArgument(4 * numParams + 1);
  Value lr = body->getArgument(4 * numParams + 2);
  Value decay = body->getArgument(4 * numParams + 3);
  Value seed = body->getArgument(4 * numParams + 4);
  Value batch = tensor::DimOp::create(b, loc, batchX0, 0);
  Value offset = arith::ShLIOp::create(
      b, loc, step, arith::ConstantIntOp::create(b, loc, i64, 32));
  Value seedT = arith::AddIOp::create(
      b, loc, seed,
      arith::ConstantIntOp::create(b, loc, i64,
                                   static_cast<int64_t>(0x9E3779B97F4A7C15ULL)));
  Value ts = RandomIntegersOp::create(b, loc, tsType, seedT, offset,
                                      ValueRange{batch}, 0,
                                      scheduler.numTrainTimesteps);
  Value noise = RandomNormalOp::create(b, loc, sampleType, seed, offset,
                                       ValueRange{batch});
  SmallVector<Value> callArgs;
  for (size_t i = 0; i < numParams; ++i)
    callArgs.push_back(arg(0, i));
  callArgs.append({batchX0, ts, noise});
  auto call = func::CallOp::create(b, loc, *gradFunc, callArgs);
  Value trainLoss = call.getResult(0);
  SmallVector<Value> grads(call.getResults().drop_front());

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
    coef = MinimumOp::create(b, loc, lossType, coef, g.scalar(1.0, norm));
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
    newEma.push_back(EmaUpdateOp::create(b, loc, paramTypes[i], arg(3, i),
                                         update.getNewParam(), decay));
  }
  SmallVector<Value> results;
  for (auto *group : {&newParams, &newM, &newV, &newEma})
    results.append(*group);
  results.push_back(trainLoss);
  func::ReturnOp::create(b, loc, results);

  recordMetadata(module, names, sampleType, scheduler, options);
  if (failed(gradFunc->verify()) || failed(stepFunc.verify()))
    return failure();
  return stepFunc;
}
