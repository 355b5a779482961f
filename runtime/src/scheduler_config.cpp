//===- scheduler_config.cpp - Checking a scheduler_config.json ------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The runtime's twin of the compiler's reader, parseSchedulerConfig() in
// frontends/Samplers/SchedulerConfig.cpp (the runtime cannot link it: that
// file uses LLVM). kOptions below mirrors struct SchedulerConfig in
// frontends/Samplers/SchedulerConfig.h field by field, with the same
// defaults (diffusers'); the enum values mirror DiffcEnums.td. When an
// option is added there, add it here too, or diffc-run refuses the metadata
// of new artifacts ("unknown scheduler option") instead of checking it.
//
// Both the user's file and the artifact's metadata go through the same
// reader, so a missing key means the same default on either side.
//
//===----------------------------------------------------------------------===//

#include "diffc/scheduler_config.h"

#include "atomic_file.h"
#include "json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <vector>

namespace diffc {

using detail::fail;
using detail::JsonValue;

namespace {

//===----------------------------------------------------------------------===//
// The options (keep in step with frontends/Samplers/SchedulerConfig.{h,cpp})
//===----------------------------------------------------------------------===//

enum class OptionType { Integer, Number, Boolean, String };

/// One scheduler option: its diffusers key, its type and diffusers' default.
/// String options are enums; `values` lists the spellings the compiler
/// accepts (null-terminated).
struct OptionSpec {
  const char *key;
  OptionType type;
  int64_t integer = 0;
  double number = 0;
  bool boolean = false;
  const char *string = nullptr;
  const char *const *values = nullptr;
};

// The enum cases of dialects/Diffc/IR/DiffcEnums.td.
const char *const kBetaSchedules[] = {"linear", "scaled_linear",
                                      "squaredcos_cap_v2", nullptr};
const char *const kTimestepSpacings[] = {"leading", "trailing", "linspace",
                                         nullptr};
const char *const kPredictionTypes[] = {"epsilon", "v_prediction", "sample",
                                        nullptr};
const char *const kVarianceTypes[] = {
    "fixed_small", "fixed_small_log", "fixed_large", "fixed_large_log",
    "learned",     "learned_range",   nullptr};

constexpr OptionSpec integerOption(const char *key, int64_t value) {
  OptionSpec spec{key, OptionType::Integer};
  spec.integer = value;
  return spec;
}
constexpr OptionSpec numberOption(const char *key, double value) {
  OptionSpec spec{key, OptionType::Number};
  spec.number = value;
  return spec;
}
constexpr OptionSpec booleanOption(const char *key, bool value) {
  OptionSpec spec{key, OptionType::Boolean};
  spec.boolean = value;
  return spec;
}
constexpr OptionSpec enumOption(const char *key, const char *value,
                                const char *const *values) {
  OptionSpec spec{key, OptionType::String};
  spec.string = value;
  spec.values = values;
  return spec;
}

/// struct SchedulerConfig of SchedulerConfig.h, in its order (which is also
/// the order in which options are read and compared).
const OptionSpec kOptions[] = {
    integerOption("num_train_timesteps", 1000),
    numberOption("beta_start", 0.0001),
    numberOption("beta_end", 0.02),
    enumOption("beta_schedule", "linear", kBetaSchedules),
    booleanOption("rescale_betas_zero_snr", false),
    enumOption("timestep_spacing", "leading", kTimestepSpacings),
    integerOption("steps_offset", 0),
    enumOption("prediction_type", "epsilon", kPredictionTypes),
    booleanOption("clip_sample", true),
    numberOption("clip_sample_range", 1.0),
    booleanOption("thresholding", false),
    numberOption("dynamic_thresholding_ratio", 0.995),
    numberOption("sample_max_value", 1.0),
    booleanOption("set_alpha_to_one", true),
    enumOption("variance_type", "fixed_small", kVarianceTypes),
};
constexpr size_t kNumOptions = sizeof(kOptions) / sizeof(kOptions[0]);

/// Keys that carry no DDPM/DDIM semantics: diffusers' bookkeeping and
/// options of the schedulers these configs are often written for (the
/// compiler's `ignored` list).
const char *const kIgnoredKeys[] = {"_class_name", "_diffusers_version",
                                    "skip_prk_steps", "sample_max_value_clip"};

/// Known but unsupported unless null.
const char kTrainedBetas[] = "trained_betas";

/// The value of one option after defaults.
struct OptionValue {
  int64_t integer = 0;
  double number = 0;
  bool boolean = false;
  std::string string;
};

using Config = std::vector<OptionValue>;

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

bool isKnownKey(std::string_view key) {
  for (const OptionSpec &spec : kOptions)
    if (key == spec.key)
      return true;
  for (const char *ignored : kIgnoredKeys)
    if (key == ignored)
      return true;
  return key == kTrainedBetas;
}

/// Reads one option of a parsed object into *out (the default if absent).
/// Errors use the compiler's wording.
bool readOption(const OptionSpec &spec, const JsonValue *v, OptionValue *out,
                std::string *error) {
  const std::string key = spec.key;
  switch (spec.type) {
  case OptionType::Integer:
    out->integer = spec.integer;
    if (!v)
      return true;
    if (v->kind == JsonValue::Kind::Number) {
      if (v->integer) {
        out->integer = *v->integer;
        return true;
      }
      // As llvm::json::Value::getAsInteger: an integral double in range
      // counts ("1e3", "1000.0").
      double whole;
      if (std::modf(v->number, &whole) == 0.0 && whole >= -0x1p63 &&
          whole < 0x1p63) {
        out->integer = static_cast<int64_t>(whole);
        return true;
      }
    }
    return fail(error, "scheduler option '" + key + "' must be an integer");
  case OptionType::Number:
    out->number = spec.number;
    if (!v)
      return true;
    if (v->kind == JsonValue::Kind::Number) {
      out->number = v->number;
      return true;
    }
    return fail(error, "scheduler option '" + key + "' must be a number");
  case OptionType::Boolean:
    out->boolean = spec.boolean;
    if (!v)
      return true;
    if (v->kind == JsonValue::Kind::Boolean) {
      out->boolean = v->boolean;
      return true;
    }
    return fail(error,
                "scheduler option '" + key + "' must be true or false");
  case OptionType::String:
    out->string = spec.string;
    if (!v)
      return true;
    if (v->kind != JsonValue::Kind::String)
      return fail(error, "scheduler option '" + key + "' must be a string");
    for (const char *const *value = spec.values; *value; ++value)
      if (v->string == *value) {
        out->string = v->string;
        return true;
      }
    return fail(error, "unknown " + key + " \"" +
                           escapeForMessage(v->string) + "\"");
  }
  return fail(error, "scheduler option '" + key + "' has an unknown type");
}

/// Parses a scheduler_config.json the way parseSchedulerConfig() does. On
/// failure *error is one line without a file name.
bool readConfig(std::string_view text, Config *out, std::string *error) {
  JsonValue root;
  std::string why;
  if (!detail::parseJson(text, &root, &why))
    return fail(error, "not valid JSON " + why);
  if (root.kind != JsonValue::Kind::Object)
    return fail(error, "a scheduler config must be a JSON object");
  for (const std::string &key : root.keys)
    if (!isKnownKey(key))
      return fail(error, "unknown scheduler option '" +
                             escapeForMessage(key) + "'");
  if (const JsonValue *betas = root.member(kTrainedBetas))
    if (betas->kind != JsonValue::Kind::Null)
      return fail(error, "scheduler option 'trained_betas' is not supported "
                         "(use beta_schedule)");
  out->assign(kNumOptions, OptionValue());
  for (size_t i = 0; i < kNumOptions; ++i)
    if (!readOption(kOptions[i], root.member(kOptions[i].key), &(*out)[i],
                    error))
      return false;
  for (size_t i = 0; i < kNumOptions; ++i)
    if (std::strcmp(kOptions[i].key, "num_train_timesteps") == 0 &&
        (*out)[i].integer <= 0)
      return fail(error, "num_train_timesteps must be positive");
  return true;
}

//===----------------------------------------------------------------------===//
// Comparing
//===----------------------------------------------------------------------===//

/// The shortest of %.15g, %.16g and %.17g that reads back as `v`, so
/// 0.012 prints as 0.012 and not as 0.012000000000000001.
std::string formatNumber(double v) {
  char buffer[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, v);
    if (std::strtod(buffer, nullptr) == v)
      break;
  }
  return buffer;
}

std::string formatValue(const OptionSpec &spec, const OptionValue &value) {
  switch (spec.type) {
  case OptionType::Integer:
    return std::to_string(value.integer);
  case OptionType::Number:
    return formatNumber(value.number);
  case OptionType::Boolean:
    return value.boolean ? "true" : "false";
  case OptionType::String:
    return "\"" + escapeForMessage(value.string) + "\"";
  }
  return "?";
}

bool sameValue(const OptionSpec &spec, const OptionValue &a,
               const OptionValue &b) {
  switch (spec.type) {
  case OptionType::Integer:
    return a.integer == b.integer;
  case OptionType::Number:
    // The compiler prints 17 significant digits, which reads back exactly;
    // the tolerance absorbs configs written by other tools with fewer.
    return a.number == b.number ||
           std::fabs(a.number - b.number) <=
               1e-12 * std::max(std::fabs(a.number), std::fabs(b.number));
  case OptionType::Boolean:
    return a.boolean == b.boolean;
  case OptionType::String:
    return a.string == b.string;
  }
  return false;
}

} // namespace

bool checkSchedulerConfig(const Artifact &artifact, std::string_view json,
                          const std::string &configName, std::string *error) {
  // The user's file first: what is wrong with it is wrong for any artifact.
  Config wanted;
  std::string why;
  if (!readConfig(json, &wanted, &why))
    return fail(error, configName + ": " + why);
  const std::string fix =
      "; recompile with: diffc compile ... --scheduler-config " + configName;
  const std::string *metadata =
      artifact.findMetadata(kSchedulerConfigMetadataKey);
  if (!metadata)
    return fail(error,
                artifact.name() + " has no sampler config to check " +
                    configName + " against (no \"" +
                    kSchedulerConfigMetadataKey +
                    "\" metadata: it was compiled without --sampler, or by "
                    "an older diffc)" +
                    fix);
  Config compiled;
  if (!readConfig(*metadata, &compiled, &why))
    return fail(error, artifact.name() + ": the \"" +
                           kSchedulerConfigMetadataKey +
                           "\" metadata is not a scheduler config this "
                           "runtime reads: " +
                           why);
  for (size_t i = 0; i < kNumOptions; ++i) {
    const OptionSpec &spec = kOptions[i];
    if (sameValue(spec, wanted[i], compiled[i]))
      continue;
    return fail(error, configName + ": " + spec.key + " is " +
                           formatValue(spec, wanted[i]) + " but " +
                           artifact.name() + " was compiled with " +
                           formatValue(spec, compiled[i]) + fix);
  }
  return true;
}

bool checkSchedulerConfigFile(const Artifact &artifact,
                              const std::string &path, std::string *error) {
  // Refuse a huge file (a mistaken path) before reading it.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      uint64_t(st.st_size) > kSchedulerConfigMaxFileSize)
    return fail(error, path + ": the file has " +
                           std::to_string(uint64_t(st.st_size)) +
                           " bytes, more than a scheduler config may have (" +
                           std::to_string(kSchedulerConfigMaxFileSize) + ")");
  std::vector<uint8_t> bytes;
  if (!detail::readWholeFile(path, &bytes, error))
    return false;
  if (bytes.size() > kSchedulerConfigMaxFileSize)
    return fail(error, path + ": the file has " +
                           std::to_string(bytes.size()) +
                           " bytes, more than a scheduler config may have (" +
                           std::to_string(kSchedulerConfigMaxFileSize) + ")");
  return checkSchedulerConfig(
      artifact,
      std::string_view(reinterpret_cast<const char *>(bytes.data()),
                       bytes.size()),
      path, error);
}

bool checkSamplingSteps(const Artifact &artifact, int64_t steps,
                        std::string *error) {
  if (steps < 1)
    return fail(error, "--steps must be at least 1, got " +
                           std::to_string(steps));
  const std::string *metadata =
      artifact.findMetadata(kSchedulerConfigMetadataKey);
  Config config;
  std::string why;
  if (!metadata || !readConfig(*metadata, &config, &why))
    return true; // nothing to check against (the samplers' own checks run)
  auto option = [&](const char *key) -> const OptionValue & {
    for (size_t i = 0; i < kNumOptions; ++i)
      if (std::strcmp(kOptions[i].key, key) == 0)
        return config[i];
    return config[0];
  };
  const int64_t trainSteps = option("num_train_timesteps").integer;
  if (steps > trainSteps)
    return fail(error, "--steps " + std::to_string(steps) +
                           " exceeds num_train_timesteps " +
                           std::to_string(trainSteps) + " of " +
                           artifact.name() + "'s scheduler config");
  const std::string &spacing = option("timestep_spacing").string;
  const int64_t offset = option("steps_offset").integer;
  if (spacing == "leading") {
    const int64_t last = (steps - 1) * (trainSteps / steps) + offset;
    if (last >= trainSteps || offset < 0)
      return fail(error,
                  "--steps " + std::to_string(steps) + " with " +
                      artifact.name() +
                      "'s timestep_spacing \"leading\" and steps_offset " +
                      std::to_string(offset) + " reaches timestep " +
                      std::to_string(offset < 0 ? offset : last) +
                      ", outside the " + std::to_string(trainSteps) +
                      " training timesteps (diffusers fails there too); use "
                      "fewer steps, or compile with steps_offset 0 or "
                      "timestep_spacing \"trailing\"");
  }
  return true;
}

} // namespace diffc
