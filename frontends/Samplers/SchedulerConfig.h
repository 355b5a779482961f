//===- SchedulerConfig.h - diffusers scheduler_config.json -----*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The options of diffusers' DDPMScheduler / DDIMScheduler, read from a
// scheduler_config.json exactly as diffusers writes it (DESIGN.md decision
// 5). Defaults are diffusers' defaults.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_FRONTENDS_SAMPLERS_SCHEDULERCONFIG_H
#define DIFFC_FRONTENDS_SAMPLERS_SCHEDULERCONFIG_H

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::diffc {

struct SchedulerConfig {
  int64_t numTrainTimesteps = 1000;
  double betaStart = 0.0001;
  double betaEnd = 0.02;
  BetaSchedule betaSchedule = BetaSchedule::linear;
  bool rescaleBetasZeroSnr = false;
  TimestepSpacing timestepSpacing = TimestepSpacing::leading;
  int64_t stepsOffset = 0;
  PredictionType predictionType = PredictionType::epsilon;
  bool clipSample = true;
  double clipSampleRange = 1.0;
  bool thresholding = false;
  double dynamicThresholdingRatio = 0.995;
  double sampleMaxValue = 1.0;
  bool setAlphaToOne = true;
  VarianceType varianceType = VarianceType::fixed_small;
};

/// Parses the JSON text of a scheduler_config.json. Unknown keys, wrong
/// types and unknown enum values are errors ("unknown scheduler option
/// 'foo'"); diffusers' bookkeeping keys (_class_name, _diffusers_version)
/// and options of other schedulers that do not change DDPM/DDIM
/// (skip_prk_steps, clip_sample when it is false, ...) are accepted.
/// On failure returns nullopt and sets `error` to one line.
std::optional<SchedulerConfig> parseSchedulerConfig(llvm::StringRef json,
                                                    std::string &error);

/// Every option of `config` as a JSON object in diffusers' spelling (numbers
/// with 17 significant digits): the artifact records it so that diffc-run can
/// check a scheduler_config.json given at run time against what was
/// compiled.
std::string schedulerConfigToJson(const SchedulerConfig &config);

} // namespace mlir::diffc

#endif // DIFFC_FRONTENDS_SAMPLERS_SCHEDULERCONFIG_H
