//===- scheduler_config.h - Checking a scheduler_config.json ----*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Every option of diffusers' DDPMScheduler / DDIMScheduler (beta schedule,
// prediction type, clipping, ...) is compiled into the sampler kernels by
// `diffc compile --sampler=... --scheduler-config FILE`; nothing of it can
// change at run time. The compiler records what it used as the artifact's
// "scheduler_config" metadata: a JSON object with every option, in
// diffusers' spelling:
//
//   {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02,
//    "beta_schedule": "linear", "rescale_betas_zero_snr": false,
//    "timestep_spacing": "leading", "steps_offset": 0,
//    "prediction_type": "epsilon", "clip_sample": true,
//    "clip_sample_range": 1, "thresholding": false,
//    "dynamic_thresholding_ratio": 0.995, "sample_max_value": 1,
//    "set_alpha_to_one": true, "variance_type": "fixed_small"}
//
// checkSchedulerConfig() lets a user hand the runtime the scheduler_config
// .json that came with a model and learn whether the artifact was compiled
// for it. The file is read with the compiler's rules (parseSchedulerConfig
// in frontends/Samplers/SchedulerConfig.cpp): diffusers' defaults for
// missing options, bookkeeping keys (_class_name, _diffusers_version, ...)
// ignored, unknown options, wrong types, unknown enum values and a non-null
// trained_betas refused. Then every option is compared (numbers with a
// relative tolerance of 1e-12) and the first difference is reported with
// both values and the command that fixes it.
//
// Usage:
//
//   std::string error;
//   if (!diffc::checkSchedulerConfigFile(*artifact, "scheduler_config.json",
//                                        &error))
//     fprintf(stderr, "%s\n", error.c_str());
//   // error: "scheduler_config.json: prediction_type is "v_prediction" but
//   //   model.diffc was compiled with "epsilon"; recompile with: diffc
//   //   compile ... --scheduler-config scheduler_config.json" (one line)
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_SCHEDULER_CONFIG_H
#define DIFFC_SCHEDULER_CONFIG_H

#include "diffc/artifact.h"

#include <string>
#include <string_view>

namespace diffc {

/// Largest scheduler_config.json checkSchedulerConfigFile() reads, in bytes
/// (real ones have well under a kilobyte).
constexpr size_t kSchedulerConfigMaxFileSize = size_t(1) << 20;

/// Checks that `json`, the text of a diffusers scheduler_config.json called
/// `configName` in messages, asks for exactly the scheduler options that
/// `artifact` was compiled with (its "scheduler_config" metadata). Returns
/// false with *error (if non-null) set to one line starting with
/// `configName` or the artifact's name when the text is not valid JSON or
/// not a valid scheduler config, when the artifact has no scheduler config
/// (compiled without --sampler, or by a diffc that did not record one), or
/// when an option differs.
bool checkSchedulerConfig(const Artifact &artifact, std::string_view json,
                          const std::string &configName, std::string *error);

/// Reads the file at `path` (at most kSchedulerConfigMaxFileSize bytes) and
/// checks it with checkSchedulerConfig(), naming it `path` in messages.
bool checkSchedulerConfigFile(const Artifact &artifact,
                              const std::string &path, std::string *error);

/// Checks that `steps` sampling steps give timesteps inside the artifact's
/// noise schedule, as diffusers' set_timesteps and step() need them: at
/// least 1, at most num_train_timesteps, and with "leading" spacing the
/// largest timestep, (steps - 1) * (T / steps) + steps_offset, below T
/// (steps_offset 1 with T steps would look up alphas_cumprod[T], where
/// diffusers raises IndexError). An artifact without a scheduler config
/// passes. Returns false with *error set to one line naming the options.
bool checkSamplingSteps(const Artifact &artifact, int64_t steps,
                        std::string *error);

} // namespace diffc

#endif // DIFFC_SCHEDULER_CONFIG_H
