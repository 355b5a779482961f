//===- TrainingBuilder.h - the compiled DDPM training step -----*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Builds, around a denoising model `@model(sample, timesteps)` whose weights
// are diffc.parameter ops, one entry point doing a whole training step
// (the ABI diffc-run train calls; docs/training.md):
//
//   @train_step(params[P], exp_avg[P], exp_avg_sq[P], ema[P],
//               x0: tensor<?xCxHxWxf32>, step: i64, lr: f32,
//               ema_decay: f32, seed: i64)
//       -> (params'[P], exp_avg'[P], exp_avg_sq'[P], ema'[P], loss: tensor<f32>)
//
// Inside: t ~ U{0..T-1} and eps ~ N(0, I) from Philox keyed by the seed with
// offset step * 2^32 (t with the seed plus 0x9E3779B97F4A7C15, so the two
// streams never share a counter), x_t = q(x_t | x_0), the model, L_simple
// (mse against eps, v or x0 by the prediction type), its gradient with
// respect to every parameter (diffc-autodiff on @train_loss), optional
// global-norm clipping, Adam/AdamW with bias correction, EMA. The parameter
// order is the model's first-use order, recorded in the module's
// diffc.metadata as "train.parameters" (a JSON array of names), next to
// "train.config".
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_FRONTENDS_TRAINING_TRAININGBUILDER_H
#define DIFFC_FRONTENDS_TRAINING_TRAININGBUILDER_H

#include "frontends/Samplers/SchedulerConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::diffc {

struct TrainingOptions {
  OptimizerKind optimizer = OptimizerKind::adamw;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weightDecay = 0.0;
  /// Global gradient-norm clipping (torch.nn.utils.clip_grad_norm_); 0: off.
  double gradClip = 0.0;
};

/// Adds @train_loss_grad(params[P], x0, t, eps) -> (loss, grads[P]) and
/// @train_step to `module` for `model`
/// under the noise schedule and prediction type of `scheduler`, and records
/// the metadata. Errors are emitted at the model.
FailureOr<func::FuncOp> buildTrainStep(ModuleOp module, func::FuncOp model,
                                       const SchedulerConfig &scheduler,
                                       const TrainingOptions &options);

/// Adds @train_loss_grad(params[P], x, labels) -> (loss, grads[P]) and
///
///   @train_step(params[P], exp_avg[P], exp_avg_sq[P], ema[P],
///               x: tensor<?xCxHxWxf32>, labels: tensor<?xi64>, step: i64,
///               lr: f32, ema_decay: f32, seed: i64)
///       -> (params'[P], exp_avg'[P], exp_avg_sq'[P], ema'[P],
///           loss: tensor<f32>)
///
/// to `module` for a classifier `model` (x) -> (logits: tensor<?xKxf32>,
/// ...) such as the zoo's (frontends/Zoo/Classifier.h). The loss is the
/// mean softmax cross-entropy of the logits against the labels
/// (torch.nn.functional.cross_entropy), composed of diffc ops in the
/// log-sum-exp form; the seed is unused (the step draws no noise) and kept
/// so that both kinds of train_step end alike. Records train.kind =
/// "classifier" and train.config {sample_shape, num_classes, optimizer...}.
/// Errors are emitted at the model.
FailureOr<func::FuncOp> buildClassifierTrainStep(ModuleOp module,
                                                 func::FuncOp model,
                                                 const TrainingOptions &options);

/// "train_step".
llvm::StringRef trainStepEntryName();

} // namespace mlir::diffc

#endif // DIFFC_FRONTENDS_TRAINING_TRAININGBUILDER_H
