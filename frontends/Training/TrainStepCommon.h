//===- TrainStepCommon.h - pieces shared by the training steps --*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Private to frontends/Training: what the DDPM step (TrainingBuilder.cpp)
// and the classifier step (ClassifierTraining.cpp) build alike: the model's
// parameters in first-use order, the model inlined with its parameters as
// arguments, the optimizer tail (clipping, Adam/AdamW, EMA) and the
// train.* metadata.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_FRONTENDS_TRAINING_TRAINSTEPCOMMON_H
#define DIFFC_FRONTENDS_TRAINING_TRAINSTEPCOMMON_H

#include "frontends/Training/TrainingBuilder.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/JSON.h"

namespace mlir::diffc::training {

/// The parameters of a model function, in first-use order.
struct ModelParameters {
  SmallVector<StringRef> names;
  SmallVector<Type> types;
  size_t size() const { return names.size(); }
};

/// The `diffc.parameter`s of `model` in first-use order; an error at the
/// parameter when one name has two types, at the model when it has none.
FailureOr<ModelParameters> modelParameters(func::FuncOp model);

/// Clones the single block of `model` at `b`'s insertion point with its
/// arguments replaced by `args` and each diffc.parameter by
/// `paramValues[i]` (in `params` order); returns the values it returns.
SmallVector<Value> inlineModel(OpBuilder &b, func::FuncOp model,
                               ValueRange args, const ModelParameters &params,
                               ValueRange paramValues);

/// The optimizer tail of a train_step: optional global-norm clipping of
/// `grads`, then per parameter Adam/AdamW and the EMA. `state` holds the
/// step's first 4 P arguments (params, exp_avg, exp_avg_sq, ema). Returns
/// params', exp_avg', exp_avg_sq', ema' in that order.
SmallVector<Value> buildOptimizerUpdate(OpBuilder &b, Location loc,
                                        ValueRange state,
                                        SmallVector<Value> grads, Value step,
                                        Value lr, Value emaDecay,
                                        const ModelParameters &params,
                                        const TrainingOptions &options);

/// The optimizer's entries of train.config.
void addOptimizerConfig(llvm::json::Object &config,
                        const TrainingOptions &options);

/// Appends "train.kind", "train.parameters" and "train.config" (plus
/// `extra` entries) to the module's diffc.metadata dictionary.
void recordTrainMetadata(
    ModuleOp module, StringRef kind, ArrayRef<StringRef> names,
    llvm::json::Object config,
    ArrayRef<std::pair<StringRef, std::string>> extra = {});

/// Adds @train_loss_grad, the gradient of `lossFunc` (a loss of the
/// parameters, its first `numParams` arguments, then the batch) with respect
/// to the parameters, and erases `lossFunc`.
FailureOr<func::FuncOp> buildLossGradient(func::FuncOp lossFunc,
                                          unsigned numParams);

} // namespace mlir::diffc::training

#endif // DIFFC_FRONTENDS_TRAINING_TRAINSTEPCOMMON_H
