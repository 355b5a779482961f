//===- SchedulerConfig.cpp - diffusers scheduler_config.json --------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "frontends/Samplers/SchedulerConfig.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// Reads one typed key; records the first error.
struct Reader {
  const llvm::json::Object &object;
  std::string &error;

  bool fail(const llvm::Twine &message) {
    if (error.empty())
      error = message.str();
    return false;
  }
  bool number(llvm::StringRef key, double &out) {
    const llvm::json::Value *v = object.get(key);
    if (!v)
      return true;
    if (std::optional<double> d = v->getAsNumber()) {
      out = *d;
      return true;
    }
    return fail("scheduler option '" + key + "' must be a number");
  }
  bool integer(llvm::StringRef key, int64_t &out) {
    const llvm::json::Value *v = object.get(key);
    if (!v)
      return true;
    if (std::optional<int64_t> i = v->getAsInteger()) {
      out = *i;
      return true;
    }
    return fail("scheduler option '" + key + "' must be an integer");
  }
  bool boolean(llvm::StringRef key, bool &out) {
    const llvm::json::Value *v = object.get(key);
    if (!v)
      return true;
    if (std::optional<bool> b = v->getAsBoolean()) {
      out = *b;
      return true;
    }
    return fail("scheduler option '" + key + "' must be true or false");
  }
  template <typename EnumT>
  bool enumeration(llvm::StringRef key, EnumT &out,
                   std::optional<EnumT> (*parse)(llvm::StringRef)) {
    const llvm::json::Value *v = object.get(key);
    if (!v)
      return true;
    std::optional<llvm::StringRef> s = v->getAsString();
    if (!s)
      return fail("scheduler option '" + key + "' must be a string");
    if (std::optional<EnumT> e = parse(*s)) {
      out = *e;
      return true;
    }
    return fail("unknown " + key + " \"" + *s + "\"");
  }
};

} // namespace

std::optional<SchedulerConfig>
mlir::diffc::parseSchedulerConfig(llvm::StringRef json, std::string &error) {
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed) {
    error = "not valid JSON: " + llvm::toString(parsed.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *object = parsed->getAsObject();
  if (!object) {
    error = "a scheduler config must be a JSON object";
    return std::nullopt;
  }
  // Keys that carry no DDPM/DDIM semantics: diffusers' bookkeeping and
  // options of the schedulers these configs are often written for.
  static const llvm::StringRef ignored[] = {
      "_class_name", "_diffusers_version", "skip_prk_steps",
      "sample_max_value_clip"};
  static const llvm::StringRef known[] = {
      "num_train_timesteps", "beta_start", "beta_end", "beta_schedule",
      "trained_betas", "rescale_betas_zero_snr", "timestep_spacing",
      "steps_offset", "prediction_type", "clip_sample", "clip_sample_range",
      "thresholding", "dynamic_thresholding_ratio", "sample_max_value",
      "set_alpha_to_one", "variance_type"};
  for (const auto &kv : *object) {
    llvm::StringRef key = kv.first;
    if (llvm::is_contained(ignored, key) || llvm::is_contained(known, key))
      continue;
    error = "unknown scheduler option '" + key.str() + "'";
    return std::nullopt;
  }
  if (const llvm::json::Value *tb = object->get("trained_betas"))
    if (tb->kind() != llvm::json::Value::Null) {
      error = "scheduler option 'trained_betas' is not supported (use "
              "beta_schedule)";
      return std::nullopt;
    }

  SchedulerConfig c;
  Reader r{*object, error};
  r.integer("num_train_timesteps", c.numTrainTimesteps);
  r.number("beta_start", c.betaStart);
  r.number("beta_end", c.betaEnd);
  r.enumeration("beta_schedule", c.betaSchedule, symbolizeBetaSchedule);
  r.boolean("rescale_betas_zero_snr", c.rescaleBetasZeroSnr);
  r.enumeration("timestep_spacing", c.timestepSpacing,
                symbolizeTimestepSpacing);
  r.integer("steps_offset", c.stepsOffset);
  r.enumeration("prediction_type", c.predictionType, symbolizePredictionType);
  r.boolean("clip_sample", c.clipSample);
  r.number("clip_sample_range", c.clipSampleRange);
  r.boolean("thresholding", c.thresholding);
  r.number("dynamic_thresholding_ratio", c.dynamicThresholdingRatio);
  r.number("sample_max_value", c.sampleMaxValue);
  r.boolean("set_alpha_to_one", c.setAlphaToOne);
  r.enumeration("variance_type", c.varianceType, symbolizeVarianceType);
  if (!error.empty())
    return std::nullopt;
  if (c.numTrainTimesteps <= 0) {
    error = "num_train_timesteps must be positive";
    return std::nullopt;
  }
  return c;
}

std::string mlir::diffc::schedulerConfigToJson(const SchedulerConfig &c) {
  std::string out;
  llvm::raw_string_ostream os(out);
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return std::string(buf);
  };
  auto boolean = [](bool b) { return b ? "true" : "false"; };
  os << "{\"num_train_timesteps\": " << c.numTrainTimesteps
     << ", \"beta_start\": " << number(c.betaStart)
     << ", \"beta_end\": " << number(c.betaEnd)
     << ", \"beta_schedule\": \"" << stringifyBetaSchedule(c.betaSchedule)
     << "\", \"rescale_betas_zero_snr\": " << boolean(c.rescaleBetasZeroSnr)
     << ", \"timestep_spacing\": \""
     << stringifyTimestepSpacing(c.timestepSpacing)
     << "\", \"steps_offset\": " << c.stepsOffset
     << ", \"prediction_type\": \""
     << stringifyPredictionType(c.predictionType)
     << "\", \"clip_sample\": " << boolean(c.clipSample)
     << ", \"clip_sample_range\": " << number(c.clipSampleRange)
     << ", \"thresholding\": " << boolean(c.thresholding)
     << ", \"dynamic_thresholding_ratio\": "
     << number(c.dynamicThresholdingRatio)
     << ", \"sample_max_value\": " << number(c.sampleMaxValue)
     << ", \"set_alpha_to_one\": " << boolean(c.setAlphaToOne)
     << ", \"variance_type\": \"" << stringifyVarianceType(c.varianceType)
     << "\"}";
  return out;
}
