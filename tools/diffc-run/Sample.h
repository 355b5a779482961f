//===- Sample.h - diffc-run's sample command --------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_RUN_SAMPLE_H
#define DIFFC_TOOLS_DIFFC_RUN_SAMPLE_H

#include "diffc/session.h"

#include <string>
#include <vector>

namespace diffc {

struct SampleOptions {
  std::string sampler = "ddim"; ///< ddim or ddpm
  int64_t steps = 50;
  float eta = 0.0f;
  bool etaGiven = false;
  uint64_t seed = 0;
  int64_t batch = 16;
  std::string init;              ///< x_T.npy, else Philox noise
  std::vector<std::string> outs; ///< .npy and/or .png files
  int64_t upscale = 0;           ///< PNG pixel size; 0 picks by image size
  /// A diffusers scheduler_config.json that must match the options the
  /// artifact's samplers were compiled with (checkSchedulerConfigFile()
  /// in diffc/scheduler_config.h); empty: use the compiled ones unchecked.
  std::string schedulerConfig;
};

/// Runs the artifact's sample_<sampler> entry once (a batch of o.batch
/// samples, or x_T from o.init) into *x0; o.outs is not used. Returns false
/// with a one-line error.
bool drawSamples(const Session &session, const SampleOptions &options,
                 Tensor *x0, std::string *error);

/// Runs the artifact's sample_<sampler> entry and writes the outputs. Returns
/// false with a one-line error (no output file is left half-written).
bool runSampler(const Session &session, const SampleOptions &options,
                std::string *error);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_RUN_SAMPLE_H
