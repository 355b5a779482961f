//===- training.h - The train_step entry point's contract -------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// An artifact that can be trained has an entry point `train_step` and
// metadata entries describing it (docs/training.md):
//
//   train.kind         "ddpm" (the default when absent) or "classifier"
//   train.parameters   JSON array of the P trainable parameters' state-dict
//                      names, in train_step order
//   train.config       JSON object: optimizer ("adam" or "adamw"), beta1,
//                      beta2, epsilon, weight_decay, grad_clip (0: none) and
//                      sample_shape [C, H, W]; for ddpm also
//                      num_train_timesteps and prediction_type, for
//                      classifier num_classes; other keys are kept but not
//                      read
//
// train_step(params[P], exp_avg[P], exp_avg_sq[P], ema[P],
//            x0: tensor<?xCxHxWxf32>, step: i64, lr: f32, ema_decay: f32,
//            seed: i64)
//   -> (params'[P], exp_avg'[P], exp_avg_sq'[P], ema'[P], loss: tensor<f32>)
//
// A classifier's train_step takes the batch's labels after the images:
//
// train_step(params[P], exp_avg[P], exp_avg_sq[P], ema[P],
//            x: tensor<?xCxHxWxf32>, labels: tensor<?xi64>, step: i64,
//            lr: f32, ema_decay: f32, seed: i64)
//   -> (params'[P], exp_avg'[P], exp_avg_sq'[P], ema'[P], loss: tensor<f32>)
//
// x0 is the data batch in [-1, 1] (after flips); step is the 1-based
// optimizer step (Adam's bias correction and the noise counter); lr is this
// step's learning rate (after warm-up). The four state groups have the
// parameters' types, statically shaped.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TRAINING_H
#define DIFFC_TRAINING_H

#include "diffc/artifact.h"

#include <cstdint>
#include <string>
#include <vector>

namespace diffc {

/// The metadata keys and the entry point of a trainable artifact.
constexpr const char *kTrainParametersMetadataKey = "train.parameters";
constexpr const char *kTrainConfigMetadataKey = "train.config";
constexpr const char *kTrainKindMetadataKey = "train.kind";
constexpr const char *kTrainStepEntry = "train_step";

/// What a train_step learns: a denoiser (DDPM's L_simple, data without
/// labels) or a classifier (cross-entropy against the data's labels).
enum class TrainKind { ddpm, classifier };

/// What the runtime knows about an artifact's train_step.
struct TrainStepSpec {
  TrainKind kind = TrainKind::ddpm;
  /// Classes of a classifier (labels must lie in [0, numClasses)); 0 for
  /// ddpm.
  int64_t numClasses = 0;
  /// Whether train_step takes a labels tensor after the images.
  bool takesLabels() const { return kind == TrainKind::classifier; }
  /// The trainable parameters, in order, with their (static) types from
  /// train_step's signature.
  std::vector<std::string> parameters;
  std::vector<ValueSignature> parameterTypes;
  /// [C, H, W] of one image.
  std::vector<int64_t> sampleShape;
  int64_t numTrainTimesteps = 0;
  std::string predictionType;
  std::string optimizer;
  double beta1 = 0, beta2 = 0, epsilon = 0, weightDecay = 0, gradClip = 0;
  /// train.config as stored, for checkpoints and --verbose.
  std::string configJson;
};

/// Reads train.kind, train.parameters and train.config of `artifact` and
/// checks them
/// against its train_step entry (count, order and types of arguments and
/// results). Fails with one line naming the artifact and what is wrong.
bool readTrainStepSpec(const Artifact &artifact, TrainStepSpec *spec,
                       std::string *error);

} // namespace diffc

#endif // DIFFC_TRAINING_H
