//===- ClassifierTraining.cpp - the compiled classifier training step -----===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The classifier's train_step: softmax cross-entropy of the model's logits
// against integer labels, its gradient by diffc-autodiff, then the same
// optimizer tail as the DDPM step (TrainStepCommon.h). The loss is
//
//   z      = logits - stop_gradient(max_k logits)      (no overflow in exp)
//   logp   = z - log(sum_k exp(z))                     (log_softmax)
//   onehot = embedding(I_K, labels)                    (rows of the identity)
//   loss   = mean_n ( -sum_k onehot * logp )
//
// which is torch.nn.functional.cross_entropy(logits, labels). The shift by
// the row maximum changes no value and, behind stop_gradient, no gradient;
// the one-hot rows come from a constant table, so labels are never
// differentiated. A label outside [0, K) makes its one-hot row NaN (the
// embedding op's rule) and so the loss NaN, which diffc-run train stops at;
// the driver checks the labels before that can happen.
//
//===----------------------------------------------------------------------===//

#include "frontends/Training/TrainingBuilder.h"

#include "frontends/Training/TrainStepCommon.h"

#include "dialects/Diffc/Gradients/GradientBuilder.h"
#include "dialects/Diffc/IR/DiffcDialect.h"
#include "passes/Diffc/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// Mean softmax cross-entropy of `logits` [N, K] against `labels` [N].
Value crossEntropy(OpBuilder &b, Location loc, Value logits, Value labels) {
  GradientBuilder g(b, loc);
  auto logitsType = cast<RankedTensorType>(logits.getType());
  int64_t k = logitsType.getDimSize(1);
  Value rowMax = g.reduce(ReduceKind::max, logits, {1}, /*keepDims=*/true);
  rowMax = StopGradientOp::create(b, loc, rowMax.getType(), rowMax);
  Value z = g.sub(logits, rowMax);
  Value lse = g.log(g.reduce(ReduceKind::sum, g.exp(z), {1}, true));
  Value logp = g.sub(z, lse);
  SmallVector<float> identity(k * k, 0.0f);
  for (int64_t i = 0; i < k; ++i)
    identity[i * k + i] = 1.0f;
  auto tableType = RankedTensorType::get({k, k}, b.getF32Type());
  Value table = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(tableType, ArrayRef<float>(identity)));
  Value onehot = EmbeddingOp::create(b, loc, logitsType, table, labels);
  Value nll = g.neg(g.reduce(ReduceKind::sum, g.mul(onehot, logp), {1},
                             /*keepDims=*/false));
  return g.reduce(ReduceKind::mean, nll, {0}, /*keepDims=*/false);
}

} // namespace

FailureOr<func::FuncOp>
mlir::diffc::buildClassifierTrainStep(ModuleOp module, func::FuncOp model,
                                      const TrainingOptions &options) {
  MLIRContext *ctx = module.getContext();
  ctx->loadDialect<arith::ArithDialect, DiffcDialect, func::FuncDialect,
                   tensor::TensorDialect>();
  FunctionType modelType = model.getFunctionType();
  auto sampleType = modelType.getNumInputs() == 1
                        ? dyn_cast<RankedTensorType>(modelType.getInput(0))
                        : RankedTensorType();
  auto logitsType = modelType.getNumResults() >= 1
                        ? dyn_cast<RankedTensorType>(modelType.getResult(0))
                        : RankedTensorType();
  if (!sampleType || !logitsType || !sampleType.getElementType().isF32() ||
      sampleType.getRank() != 4 || !sampleType.isDynamicDim(0) ||
      sampleType.getNumDynamicDims() != 1 || logitsType.getRank() != 2 ||
      !logitsType.isDynamicDim(0) || logitsType.isDynamicDim(1) ||
      !logitsType.getElementType().isF32() ||
      !llvm::hasSingleElement(model.getBody()))
    return model.emitError()
           << "classifier training needs @" << model.getSymName()
           << " : (tensor<?xCxHxWxf32>) -> (tensor<?xKxf32> logits, ...), "
              "in one block; got "
           << modelType;
  FailureOr<training::ModelParameters> params =
      training::modelParameters(model);
  if (failed(params))
    return failure();
  size_t numParams = params->size();
  Location loc = model.getLoc();
  Type i64 = IntegerType::get(ctx, 64), f32 = Float32Type::get(ctx);
  auto labelsType = RankedTensorType::get({ShapedType::kDynamic}, i64);
  auto lossType = RankedTensorType::get({}, f32);

  // @train_loss(params..., x, labels) -> cross-entropy.
  OpBuilder mb(ctx);
  mb.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> lossInputs(params->types);
  lossInputs.append({sampleType, labelsType});
  auto lossFunc = func::FuncOp::create(
      mb, loc, "train_loss", FunctionType::get(ctx, lossInputs, {lossType}));
  Block *lossBody = lossFunc.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(lossBody);
  Value x = lossBody->getArgument(numParams);
  Value labels = lossBody->getArgument(numParams + 1);
  Value logits = training::inlineModel(
      b, model, ValueRange{x}, *params,
      lossBody->getArguments().take_front(numParams))[0];
  func::ReturnOp::create(b, loc, crossEntropy(b, loc, logits, labels));

  FailureOr<func::FuncOp> gradFunc =
      training::buildLossGradient(lossFunc, numParams);
  if (failed(gradFunc))
    return failure();

  // @train_step.
  SmallVector<Type> stepInputs;
  for (int k = 0; k < 4; ++k)
    stepInputs.append(params->types);
  stepInputs.append({sampleType, labelsType, i64, f32, f32, i64});
  SmallVector<Type> stepResults;
  for (int k = 0; k < 4; ++k)
    stepResults.append(params->types);
  stepResults.push_back(lossType);
  mb.setInsertionPointToEnd(module.getBody());
  auto stepFunc = func::FuncOp::create(
      mb, loc, trainStepEntryName(),
      FunctionType::get(ctx, stepInputs, stepResults));
  Block *body = stepFunc.addEntryBlock();
  b.setInsertionPointToStart(body);
  size_t first = 4 * numParams;
  Value batchX = body->getArgument(first);
  Value batchLabels = body->getArgument(first + 1);
  Value step = body->getArgument(first + 2);
  Value lr = body->getArgument(first + 3);
  Value decay = body->getArgument(first + 4);
  SmallVector<Value> callArgs(body->getArguments().take_front(numParams));
  callArgs.append({batchX, batchLabels});
  auto call = func::CallOp::create(b, loc, *gradFunc, callArgs);
  SmallVector<Value> grads(call.getResults().drop_front());
  SmallVector<Value> results = training::buildOptimizerUpdate(
      b, loc, body->getArguments().take_front(first), grads, step, lr, decay,
      *params, options);
  results.push_back(call.getResult(0));
  func::ReturnOp::create(b, loc, results);

  llvm::json::Array shape;
  for (int64_t d : sampleType.getShape().drop_front())
    shape.push_back(d);
  llvm::json::Object config{{"sample_shape", std::move(shape)},
                            {"num_classes", logitsType.getDimSize(1)},
                            {"loss", "cross_entropy"}};
  training::addOptimizerConfig(config, options);
  training::recordTrainMetadata(module, "classifier", params->names,
                                std::move(config));
  if (failed(gradFunc->verify()) || failed(stepFunc.verify()))
    return failure();
  return stepFunc;
}
