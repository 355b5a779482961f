//===- SchedulerConfigTest.cpp - Tests for checkSchedulerConfig -----------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// A scheduler_config.json checked against an artifact's "scheduler_config"
// metadata. The metadata here is written the way the compiler writes it
// (schedulerConfigToJson in frontends/Samplers/SchedulerConfig.cpp: every
// option, numbers with %.17g).
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/scheduler_config.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <map>

using namespace diffc;
using namespace diffc::test;

namespace {

/// diffusers' defaults, as the compiler records them.
struct Compiled {
  int64_t numTrainTimesteps = 1000;
  double betaStart = 0.0001;
  double betaEnd = 0.02;
  std::string betaSchedule = "linear";
  bool rescaleBetasZeroSnr = false;
  std::string timestepSpacing = "leading";
  int64_t stepsOffset = 0;
  std::string predictionType = "epsilon";
  bool clipSample = true;
  double clipSampleRange = 1.0;
  bool thresholding = false;
  double dynamicThresholdingRatio = 0.995;
  double sampleMaxValue = 1.0;
  bool setAlphaToOne = true;
  std::string varianceType = "fixed_small";

  /// The metadata text, as schedulerConfigToJson() prints it.
  std::string json() const {
    auto number = [](double v) {
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "%.17g", v);
      return std::string(buffer);
    };
    auto boolean = [](bool b) { return std::string(b ? "true" : "false"); };
    return "{\"num_train_timesteps\": " + std::to_string(numTrainTimesteps) +
           ", \"beta_start\": " + number(betaStart) +
           ", \"beta_end\": " + number(betaEnd) + ", \"beta_schedule\": \"" +
           betaSchedule + "\", \"rescale_betas_zero_snr\": " +
           boolean(rescaleBetasZeroSnr) + ", \"timestep_spacing\": \"" +
           timestepSpacing +
           "\", \"steps_offset\": " + std::to_string(stepsOffset) +
           ", \"prediction_type\": \"" + predictionType +
           "\", \"clip_sample\": " + boolean(clipSample) +
           ", \"clip_sample_range\": " + number(clipSampleRange) +
           ", \"thresholding\": " + boolean(thresholding) +
           ", \"dynamic_thresholding_ratio\": " +
           number(dynamicThresholdingRatio) +
           ", \"sample_max_value\": " + number(sampleMaxValue) +
           ", \"set_alpha_to_one\": " + boolean(setAlphaToOne) +
           ", \"variance_type\": \"" + varianceType + "\"}";
  }
};

/// An artifact (no code) whose metadata is `metadata`.
std::unique_ptr<Artifact>
artifactWith(const std::vector<MetadataEntry> &metadata) {
  ArtifactWriter writer;
  writer.addEntryPoint({"f", "f", {}, {}});
  for (const MetadataEntry &m : metadata)
    writer.addMetadata(m.first, m.second);
  std::vector<uint8_t> image;
  std::string error;
  EXPECT_TRUE(writer.serialize(&image, &error)) << error;
  auto artifact =
      Artifact::loadFromMemory("model.diffc", image.data(), image.size(),
                               &error);
  EXPECT_TRUE(artifact) << error;
  return artifact;
}

std::unique_ptr<Artifact> compiledWith(const Compiled &config) {
  return artifactWith({{"scheduler_config", config.json()},
                       {"samplers", "ddim,ddpm"}});
}

/// The error of checking `json` (as cfg.json) against `artifact`, or "" on
/// success; checks that errors are one line.
std::string check(const Artifact &artifact, const std::string &json) {
  std::string error;
  bool ok = checkSchedulerConfig(artifact, json, "cfg.json", &error);
  EXPECT_EQ(ok, error.empty()) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  return ok ? "" : error;
}

const char kFix[] =
    "; recompile with: diffc compile ... --scheduler-config cfg.json";

//===----------------------------------------------------------------------===//
// Equal configs
//===----------------------------------------------------------------------===//

TEST(SchedulerConfigTest, DefaultsMatchAnEmptyConfig) {
  auto artifact = compiledWith(Compiled());
  EXPECT_EQ(check(*artifact, "{}"), "");
  EXPECT_EQ(check(*artifact, " { }\n"), "");
}

TEST(SchedulerConfigTest, TheCompiledMetadataMatchesItself) {
  Compiled c;
  c.numTrainTimesteps = 1000;
  c.betaStart = 0.00085;
  c.betaEnd = 0.012;
  c.betaSchedule = "scaled_linear";
  c.timestepSpacing = "trailing";
  c.stepsOffset = 1;
  c.predictionType = "v_prediction";
  c.clipSample = false;
  c.setAlphaToOne = false;
  c.rescaleBetasZeroSnr = true;
  auto artifact = compiledWith(c);
  EXPECT_EQ(check(*artifact, c.json()), "");
}

TEST(SchedulerConfigTest, ADiffusersFileAsIs) {
  // Stable Diffusion 1.5's scheduler/scheduler_config.json (PNDM), with
  // diffusers' bookkeeping keys and options of other schedulers.
  Compiled c;
  c.betaStart = 0.00085;
  c.betaEnd = 0.012;
  c.betaSchedule = "scaled_linear";
  c.clipSample = false;
  c.setAlphaToOne = false;
  c.stepsOffset = 1;
  auto artifact = compiledWith(c);
  const std::string sd15 = R"({
  "_class_name": "PNDMScheduler",
  "_diffusers_version": "0.6.0",
  "beta_end": 0.012,
  "beta_schedule": "scaled_linear",
  "beta_start": 0.00085,
  "num_train_timesteps": 1000,
  "set_alpha_to_one": false,
  "skip_prk_steps": true,
  "steps_offset": 1,
  "trained_betas": null,
  "clip_sample": false
})";
  EXPECT_EQ(check(*artifact, sd15), "");
  // sample_max_value_clip is ignored as well.
  EXPECT_EQ(check(*artifact, R"({"beta_end": 0.012, "beta_start": 0.00085,
      "beta_schedule": "scaled_linear", "set_alpha_to_one": false,
      "steps_offset": 1, "clip_sample": false,
      "sample_max_value_clip": 3})"),
            "");
}

TEST(SchedulerConfigTest, IntegersMayBeWrittenAsIntegralNumbers) {
  auto artifact = compiledWith(Compiled());
  // As llvm::json's getAsInteger(), which the compiler uses.
  EXPECT_EQ(check(*artifact, R"({"num_train_timesteps": 1000.0})"), "");
  EXPECT_EQ(check(*artifact, R"({"num_train_timesteps": 1e3})"), "");
  EXPECT_EQ(check(*artifact, R"({"steps_offset": -0.0})"), "");
  // And numbers as integers.
  EXPECT_EQ(check(*artifact, R"({"clip_sample_range": 1,
                                  "sample_max_value": 1})"),
            "");
}

TEST(SchedulerConfigTest, NumbersCompareWithARelativeTolerance) {
  auto artifact = compiledWith(Compiled());
  // 1e-13 relative: the same number written with fewer digits.
  EXPECT_EQ(check(*artifact, R"({"beta_end": 0.020000000000002})"), "");
  EXPECT_EQ(check(*artifact, R"({"beta_start": 1.00000000000005e-4})"), "");
  // 1e-11 relative: a different number.
  EXPECT_EQ(check(*artifact, R"({"beta_end": 0.0200000000002})"),
            std::string("cfg.json: beta_end is 0.0200000000002 but "
                        "model.diffc was compiled with 0.02") +
                kFix);
  Compiled zero;
  zero.clipSampleRange = 0;
  auto zeroArtifact = compiledWith(zero);
  EXPECT_EQ(check(*zeroArtifact, R"({"clip_sample_range": 0.0})"), "");
  EXPECT_EQ(check(*zeroArtifact, R"({"clip_sample_range": -0.0})"), "");
  EXPECT_EQ(check(*zeroArtifact, R"({"clip_sample_range": 1e-300})"),
            std::string("cfg.json: clip_sample_range is 1e-300 but "
                        "model.diffc was compiled with 0") +
                kFix);
}

TEST(SchedulerConfigTest, MetadataWithoutSomeKeysMeansDefaults) {
  // Both sides go through the same reader.
  auto artifact = artifactWith({{"scheduler_config", "{}"}});
  EXPECT_EQ(check(*artifact, Compiled().json()), "");
  auto vpred = artifactWith(
      {{"scheduler_config", R"({"prediction_type": "v_prediction"})"}});
  EXPECT_EQ(check(*vpred, R"({"prediction_type": "v_prediction"})"), "");
}

//===----------------------------------------------------------------------===//
// Differences
//===----------------------------------------------------------------------===//

TEST(SchedulerConfigTest, EachOptionDiffering) {
  auto artifact = compiledWith(Compiled());
  struct Case {
    const char *key;
    const char *json;     // the value in cfg.json
    const char *wanted;   // as printed
    const char *compiled; // as printed
  } cases[] = {
      {"num_train_timesteps", "500", "500", "1000"},
      {"beta_start", "0.00085", "0.00085", "0.0001"},
      {"beta_end", "0.012", "0.012", "0.02"},
      {"beta_schedule", "\"squaredcos_cap_v2\"", "\"squaredcos_cap_v2\"",
       "\"linear\""},
      {"rescale_betas_zero_snr", "true", "true", "false"},
      {"timestep_spacing", "\"trailing\"", "\"trailing\"", "\"leading\""},
      {"steps_offset", "1", "1", "0"},
      {"prediction_type", "\"v_prediction\"", "\"v_prediction\"",
       "\"epsilon\""},
      {"clip_sample", "false", "false", "true"},
      {"clip_sample_range", "2.5", "2.5", "1"},
      {"thresholding", "true", "true", "false"},
      {"dynamic_thresholding_ratio", "0.9", "0.9", "0.995"},
      {"sample_max_value", "1.5", "1.5", "1"},
      {"set_alpha_to_one", "false", "false", "true"},
      {"variance_type", "\"learned_range\"", "\"learned_range\"",
       "\"fixed_small\""},
  };
  for (const Case &c : cases) {
    std::string json = std::string("{\"") + c.key + "\": " + c.json + "}";
    EXPECT_EQ(check(*artifact, json),
              std::string("cfg.json: ") + c.key + " is " + c.wanted +
                  " but model.diffc was compiled with " + c.compiled + kFix)
        << json;
  }
  // The other way round: the artifact differs from the defaults.
  Compiled vpred;
  vpred.predictionType = "v_prediction";
  EXPECT_EQ(check(*compiledWith(vpred), "{}"),
            std::string("cfg.json: prediction_type is \"epsilon\" but "
                        "model.diffc was compiled with \"v_prediction\"") +
                kFix);
}

TEST(SchedulerConfigTest, TheFirstDifferenceInOptionOrderIsNamed) {
  auto artifact = compiledWith(Compiled());
  // Options are compared in the order of struct SchedulerConfig, not of the
  // file: beta_start comes before prediction_type.
  EXPECT_EQ(check(*artifact, R"({"prediction_type": "sample",
                                  "beta_start": 0.001})"),
            std::string("cfg.json: beta_start is 0.001 but model.diffc was "
                        "compiled with 0.0001") +
                kFix);
}

TEST(SchedulerConfigTest, MessagesUseTheNamesGiven) {
  auto artifact = compiledWith(Compiled());
  std::string error;
  EXPECT_FALSE(checkSchedulerConfig(*artifact, R"({"steps_offset": 1})",
                                    "/models/sd/scheduler_config.json",
                                    &error));
  EXPECT_EQ(error, "/models/sd/scheduler_config.json: steps_offset is 1 but "
                   "model.diffc was compiled with 0; recompile with: diffc "
                   "compile ... --scheduler-config "
                   "/models/sd/scheduler_config.json");
  // A null error pointer is allowed.
  EXPECT_FALSE(
      checkSchedulerConfig(*artifact, R"({"steps_offset": 1})", "c", nullptr));
}

//===----------------------------------------------------------------------===//
// Invalid configs (the compiler's rules and wording)
//===----------------------------------------------------------------------===//

TEST(SchedulerConfigTest, UnknownKeys) {
  auto artifact = compiledWith(Compiled());
  EXPECT_EQ(check(*artifact, R"({"_class_name": "DDIMScheduler",
                                  "beta_schedule": "linear",
                                  "warp_speed": true})"),
            "cfg.json: unknown scheduler option 'warp_speed'");
  // The first unknown key in file order.
  EXPECT_EQ(check(*artifact, R"({"zeta": 1, "alpha": 2})"),
            "cfg.json: unknown scheduler option 'zeta'");
  // Keys are case-sensitive.
  EXPECT_EQ(check(*artifact, R"({"Beta_Start": 0.1})"),
            "cfg.json: unknown scheduler option 'Beta_Start'");
  // Names from the file are escaped for the one-line message.
  EXPECT_EQ(check(*artifact, R"({"a\nb": 0})"),
            "cfg.json: unknown scheduler option 'a\\nb'");
}

TEST(SchedulerConfigTest, TrainedBetas) {
  auto artifact = compiledWith(Compiled());
  EXPECT_EQ(check(*artifact, R"({"trained_betas": null})"), "");
  const std::string unsupported =
      "cfg.json: scheduler option 'trained_betas' is not supported (use "
      "beta_schedule)";
  EXPECT_EQ(check(*artifact, R"({"trained_betas": [0.1, 0.2]})"),
            unsupported);
  EXPECT_EQ(check(*artifact, R"({"trained_betas": []})"), unsupported);
  EXPECT_EQ(check(*artifact, R"({"trained_betas": false})"), unsupported);
}

TEST(SchedulerConfigTest, WrongTypes) {
  auto artifact = compiledWith(Compiled());
  struct Case {
    const char *json;
    const char *error;
  } cases[] = {
      {R"({"num_train_timesteps": "1000"})",
       "scheduler option 'num_train_timesteps' must be an integer"},
      {R"({"num_train_timesteps": 1000.5})",
       "scheduler option 'num_train_timesteps' must be an integer"},
      {R"({"num_train_timesteps": 1e30})",
       "scheduler option 'num_train_timesteps' must be an integer"},
      {R"({"steps_offset": true})",
       "scheduler option 'steps_offset' must be an integer"},
      {R"({"beta_start": "0.0001"})",
       "scheduler option 'beta_start' must be a number"},
      {R"({"beta_end": null})", "scheduler option 'beta_end' must be a number"},
      {R"({"sample_max_value": [1]})",
       "scheduler option 'sample_max_value' must be a number"},
      {R"({"clip_sample": 1})",
       "scheduler option 'clip_sample' must be true or false"},
      {R"({"thresholding": "false"})",
       "scheduler option 'thresholding' must be true or false"},
      {R"({"prediction_type": 1})",
       "scheduler option 'prediction_type' must be a string"},
      {R"({"variance_type": null})",
       "scheduler option 'variance_type' must be a string"},
      {R"({"prediction_type": "noise"})", "unknown prediction_type \"noise\""},
      {R"({"beta_schedule": "Linear"})", "unknown beta_schedule \"Linear\""},
      {R"({"timestep_spacing": "even"})",
       "unknown timestep_spacing \"even\""},
      {R"({"variance_type": "fixed"})", "unknown variance_type \"fixed\""},
      {R"({"num_train_timesteps": 0})", "num_train_timesteps must be positive"},
      {R"({"num_train_timesteps": -5})",
       "num_train_timesteps must be positive"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(check(*artifact, c.json), std::string("cfg.json: ") + c.error)
        << c.json;
}

TEST(SchedulerConfigTest, NotJsonOrNotAnObject) {
  auto artifact = compiledWith(Compiled());
  EXPECT_EQ(check(*artifact, R"({"beta_start": 0.1,})"),
            "cfg.json: not valid JSON at byte 19: expected a string key");
  EXPECT_EQ(check(*artifact, ""),
            "cfg.json: not valid JSON at byte 0: unexpected end of the text");
  EXPECT_EQ(check(*artifact, R"({"a": 1, "a": 2})"),
            "cfg.json: not valid JSON at byte 9: duplicate key \"a\"");
  EXPECT_EQ(check(*artifact, "{} {}"),
            "cfg.json: not valid JSON at byte 3: unexpected text after the "
            "JSON value");
  EXPECT_EQ(check(*artifact, "[]"),
            "cfg.json: a scheduler config must be a JSON object");
  EXPECT_EQ(check(*artifact, "\"epsilon\""),
            "cfg.json: a scheduler config must be a JSON object");
}

//===----------------------------------------------------------------------===//
// The artifact's side
//===----------------------------------------------------------------------===//

TEST(SchedulerConfigTest, MissingMetadata) {
  const std::string missing =
      "model.diffc has no sampler config to check cfg.json against (no "
      "\"scheduler_config\" metadata: it was compiled without --sampler, or "
      "by an older diffc)" +
      std::string(kFix);
  auto none = artifactWith({});
  EXPECT_EQ(check(*none, "{}"), missing);
  // Other metadata does not count.
  auto other = artifactWith({{"samplers", "ddim"}});
  EXPECT_EQ(check(*other, "{}"), missing);
  // A broken file is reported as such first: it is wrong for any artifact.
  EXPECT_EQ(check(*none, R"({"foo": 1})"),
            "cfg.json: unknown scheduler option 'foo'");
}

TEST(SchedulerConfigTest, UnreadableMetadata) {
  auto broken = artifactWith({{"scheduler_config", "{not json"}});
  EXPECT_EQ(check(*broken, "{}"),
            "model.diffc: the \"scheduler_config\" metadata is not a "
            "scheduler config this runtime reads: not valid JSON at byte 1: "
            "expected a string key");
  // An option this runtime does not know (say, from a newer compiler).
  auto newer = artifactWith(
      {{"scheduler_config", R"({"num_train_timesteps": 1000, "eta": 0})"}});
  EXPECT_EQ(check(*newer, "{}"),
            "model.diffc: the \"scheduler_config\" metadata is not a "
            "scheduler config this runtime reads: unknown scheduler option "
            "'eta'");
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

TEST(SchedulerConfigTest, Files) {
  TempDir dir;
  auto artifact = compiledWith(Compiled());
  std::string path = dir.file("scheduler_config.json"), error;
  std::string good = R"({"_class_name": "DDIMScheduler", "beta_end": 0.02})";
  writeFile(path, std::vector<uint8_t>(good.begin(), good.end()));
  EXPECT_TRUE(checkSchedulerConfigFile(*artifact, path, &error)) << error;

  std::string bad = R"({"prediction_type": "sample"})";
  writeFile(path, std::vector<uint8_t>(bad.begin(), bad.end()));
  EXPECT_FALSE(checkSchedulerConfigFile(*artifact, path, &error));
  EXPECT_EQ(error, path + ": prediction_type is \"sample\" but model.diffc "
                          "was compiled with \"epsilon\"; recompile with: "
                          "diffc compile ... --scheduler-config " +
                       path);

  EXPECT_FALSE(
      checkSchedulerConfigFile(*artifact, dir.file("missing.json"), &error));
  EXPECT_EQ(error,
            dir.file("missing.json") + ": cannot open: No such file or "
                                       "directory");
  EXPECT_FALSE(checkSchedulerConfigFile(*artifact, dir.path(), &error));
  EXPECT_EQ(error, dir.path() + ": not a regular file");

  // Whitespace padding up to the limit is fine; past it the file is
  // refused unread.
  std::string padded = "{}" + std::string(kSchedulerConfigMaxFileSize - 2, ' ');
  writeFile(path, std::vector<uint8_t>(padded.begin(), padded.end()));
  EXPECT_TRUE(checkSchedulerConfigFile(*artifact, path, &error)) << error;
  padded += ' ';
  writeFile(path, std::vector<uint8_t>(padded.begin(), padded.end()));
  EXPECT_FALSE(checkSchedulerConfigFile(*artifact, path, &error));
  EXPECT_EQ(error, path + ": the file has 1048577 bytes, more than a "
                          "scheduler config may have (1048576)");
}

} // namespace

//===----------------------------------------------------------------------===//
// Sampling steps against the schedule (checkSamplingSteps)
//===----------------------------------------------------------------------===//

TEST(SchedulerConfigTest, SamplingStepsStayInsideTheSchedule) {
  auto steps = [](const Compiled &config, int64_t n) {
    std::string error;
    bool ok = checkSamplingSteps(*compiledWith(config), n, &error);
    EXPECT_EQ(ok, error.empty()) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    return error;
  };
  Compiled leading0; // leading spacing, steps_offset 0 (diffusers' defaults)
  EXPECT_EQ(steps(leading0, 1), "");
  EXPECT_EQ(steps(leading0, 50), "");
  EXPECT_EQ(steps(leading0, 1000), "");
  EXPECT_EQ(steps(leading0, 0), "--steps must be at least 1, got 0");
  EXPECT_EQ(steps(leading0, 1001),
            "--steps 1001 exceeds num_train_timesteps 1000 of model.diffc's "
            "scheduler config");

  Compiled leading1;
  leading1.stepsOffset = 1;
  EXPECT_EQ(steps(leading1, 999), ""); // last timestep 998 + 1
  EXPECT_EQ(steps(leading1, 500), ""); // 499 * 2 + 1 = 999
  const std::string past =
      "--steps 1000 with model.diffc's timestep_spacing \"leading\" and "
      "steps_offset 1 reaches timestep 1000, outside the 1000 training "
      "timesteps (diffusers fails there too); use fewer steps, or compile "
      "with steps_offset 0 or timestep_spacing \"trailing\"";
  EXPECT_EQ(steps(leading1, 1000), past);
  // 10 training timesteps, offset 5: one step is timestep 5, two steps
  // reach 1 * (10 / 2) + 5 = 10.
  Compiled small;
  small.numTrainTimesteps = 10;
  small.stepsOffset = 5;
  EXPECT_EQ(steps(small, 1), "");
  EXPECT_NE(steps(small, 2).find("reaches timestep 10, outside the 10 "
                                 "training timesteps"),
            std::string::npos);
  // Trailing and linspace spacings do not add the offset.
  small.timestepSpacing = "trailing";
  EXPECT_EQ(steps(small, 10), "");
  small.timestepSpacing = "linspace";
  EXPECT_EQ(steps(small, 10), "");
  // No scheduler config: nothing to check beyond steps >= 1.
  std::string error;
  EXPECT_TRUE(checkSamplingSteps(*artifactWith({}), 5000, &error)) << error;
}
