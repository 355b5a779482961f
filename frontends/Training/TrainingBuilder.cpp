//===- TrainingBuilder.cpp - the compiled DDPM training step --------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "frontends/Training/TrainingBuilder.h"

#include "frontends/Training/TrainStepCommon.h"

#include "dialects/Diffc/IR/DiffcDialect.h"
#include "passes/Diffc/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::diffc;

llvm::StringRef mlir::diffc::trainStepEntryName() { return "train_step"; }

namespace {

/// "train.config" of the DDPM step.
llvm::json::Object ddpmConfig(RankedTensorType sampleType,
                              const SchedulerConfig &scheduler,
                              const TrainingOptions &options) {
  llvm::json::Array shape;
  for (int64_t d : sampleType.getShape().drop_front())
    shape.push_back(d);
  llvm::json::Object config{
      {"num_train_timesteps", scheduler.numTrainTimesteps},
      {"prediction_type", stringifyPredictionType(scheduler.predictionType)},
      {"sample_shape", std::move(shape)},
      {"noise_offset", "step * 2^32"},
  };
  training::addOptimizerConfig(config, options);
  return config;
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
  FailureOr<training::ModelParameters> params =
      training::modelParameters(model);
  if (failed(params))
    return failure();
  ArrayRef<StringRef> names = params->names;
  ArrayRef<Type> paramTypes = params->types;
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
  Value prediction = training::inlineModel(
      b, model, ValueRange{xt, t}, *params,
      lossBody->getArguments().take_front(numParams))[0];
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

  FailureOr<func::FuncOp> gradFunc =
      training::buildLossGradient(lossFunc, numParams);
  if (failed(gradFunc))
    return failure();

  // @train_step.
  SmallVector<Type> stepInputs;
  for (int k = 0; k < 4; ++k)
    stepInputs.append(paramTypes.begin(), paramTypes.end());
  stepInputs.append({sampleType, i64, f32, f32, i64});
  SmallVector<Type> stepResults;
  for (int k = 0; k < 4; ++k)
    stepResults.append(paramTypes.begin(), paramTypes.end());
  stepResults.push_back(lossType);
  mb.setInsertionPointToEnd(module.getBody());
  auto stepFunc = func::FuncOp::create(
      mb, loc, trainStepEntryName(),
      FunctionType::get(ctx, stepInputs, stepResults));
  Block *body = stepFunc.addEntryBlock();
  b.setInsertionPointToStart(body);
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
    callArgs.push_back(body->getArgument(i));
  callArgs.append({batchX0, ts, noise});
  auto call = func::CallOp::create(b, loc, *gradFunc, callArgs);
  Value trainLoss = call.getResult(0);
  SmallVector<Value> grads(call.getResults().drop_front());

  SmallVector<Value> results = training::buildOptimizerUpdate(
      b, loc, body->getArguments().take_front(4 * numParams), grads, step,
      lr, decay, *params, options);
  results.push_back(trainLoss);
  func::ReturnOp::create(b, loc, results);

  training::recordTrainMetadata(
      module, "ddpm", names, ddpmConfig(sampleType, scheduler, options),
      {{"train.scheduler_config", schedulerConfigToJson(scheduler)}});
  if (failed(gradFunc->verify()) || failed(stepFunc.verify()))
    return failure();
  return stepFunc;
}
