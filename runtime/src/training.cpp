//===- training.cpp - The train_step entry point's contract ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/training.h"

#include "atomic_file.h"
#include "json.h"

using namespace diffc;
using detail::fail;
using detail::JsonValue;

namespace {

std::string ordinal(size_t i) { return "#" + std::to_string(i); }

bool isF32Scalar(const ValueSignature &v) { return v.kind == ValueKind::f32; }
bool isI64Scalar(const ValueSignature &v) { return v.kind == ValueKind::i64; }

} // namespace

bool diffc::readTrainStepSpec(const Artifact &artifact, TrainStepSpec *spec,
                              std::string *error) {
  const std::string &name = artifact.name();
  auto bad = [&](const std::string &message) {
    return fail(error, name + ": " + message);
  };
  const EntryPointSignature *entry = artifact.findEntryPoint(kTrainStepEntry);
  if (!entry)
    return bad("no entry point \"train_step\": this artifact cannot be "
               "trained (build it with the training builder)");
  const std::string *names = artifact.findMetadata(kTrainParametersMetadataKey);
  const std::string *config = artifact.findMetadata(kTrainConfigMetadataKey);
  if (!names || !config)
    return bad(std::string("has train_step but no metadata entry '") +
               (names ? kTrainConfigMetadataKey : kTrainParametersMetadataKey) +
               "'");

  TrainStepSpec s;
  if (const std::string *kind = artifact.findMetadata(kTrainKindMetadataKey)) {
    if (*kind == "classifier")
      s.kind = TrainKind::classifier;
    else if (*kind != "ddpm")
      return bad("metadata 'train.kind' is '" + *kind +
                 "', expected 'ddpm' or 'classifier'");
  }
  const bool classifier = s.kind == TrainKind::classifier;
  JsonValue json;
  std::string why;
  if (!detail::parseJson(*names, &json, &why) ||
      json.kind != JsonValue::Kind::Array || json.items.empty())
    return bad("metadata 'train.parameters' must be a non-empty JSON array "
               "of names" +
               (why.empty() ? "" : std::string(" (") + why + ")"));
  for (const JsonValue &item : json.items) {
    if (item.kind != JsonValue::Kind::String || item.string.empty())
      return bad("metadata 'train.parameters' holds " +
                 std::string(detail::jsonKindName(item.kind)) +
                 ", expected non-empty names");
    for (const std::string &seen : s.parameters)
      if (seen == item.string)
        return bad("metadata 'train.parameters' names '" + seen + "' twice");
    s.parameters.push_back(item.string);
  }

  if (!detail::parseJson(*config, &json, &why) ||
      json.kind != JsonValue::Kind::Object)
    return bad("metadata 'train.config' must be a JSON object" +
               (why.empty() ? "" : std::string(" (") + why + ")"));
  s.configJson = *config;
  auto number = [&](const char *key, double *out) {
    const JsonValue *v = json.member(key);
    if (!v || v->kind != JsonValue::Kind::Number)
      return bad(std::string("metadata 'train.config' needs a number '") + key +
                 "'");
    *out = v->number;
    return true;
  };
  auto text = [&](const char *key, std::string *out) {
    const JsonValue *v = json.member(key);
    if (!v || v->kind != JsonValue::Kind::String)
      return bad(std::string("metadata 'train.config' needs a string '") + key +
                 "'");
    *out = v->string;
    return true;
  };
  if (classifier) {
    const JsonValue *classes = json.member("num_classes");
    if (!classes || !classes->integer || *classes->integer < 1)
      return bad("metadata 'train.config' of a classifier needs a positive "
                 "integer 'num_classes'");
    s.numClasses = *classes->integer;
  } else {
    double timesteps = 0;
    if (!number("num_train_timesteps", &timesteps) ||
        !text("prediction_type", &s.predictionType))
      return false;
    s.numTrainTimesteps = static_cast<int64_t>(timesteps);
  }
  if (!text("optimizer", &s.optimizer) || !number("beta1", &s.beta1) ||
      !number("beta2", &s.beta2) || !number("epsilon", &s.epsilon) ||
      !number("weight_decay", &s.weightDecay) ||
      !number("grad_clip", &s.gradClip))
    return false;
  const JsonValue *shape = json.member("sample_shape");
  if (!shape || shape->kind != JsonValue::Kind::Array ||
      shape->items.size() != 3)
    return bad("metadata 'train.config' needs 'sample_shape': [C, H, W]");
  for (const JsonValue &d : shape->items) {
    if (!d.integer || *d.integer <= 0)
      return bad("metadata 'train.config': 'sample_shape' needs positive "
                 "integers");
    s.sampleShape.push_back(*d.integer);
  }

  // train_step(params, m, v, ema, x0, [labels,] step, lr, ema_decay, seed)
  //   -> (params, m, v, ema, loss)
  size_t p = s.parameters.size();
  const size_t extra = classifier ? 1 : 0; // the labels
  std::string where = "entry point \"train_step\"";
  if (entry->inputs.size() != 4 * p + 5 + extra ||
      entry->outputs.size() != 4 * p + 1)
    return bad(
        where + " takes " + std::to_string(entry->inputs.size()) +
        " arguments and returns " + std::to_string(entry->outputs.size()) +
        " results; with " + std::to_string(p) +
        " parameters in 'train.parameters' it "
        "must take " +
        std::to_string(4 * p + 5 + extra) + " and return " +
        std::to_string(4 * p + 1) +
        (classifier ? " (train.kind is classifier)" : ""));
  for (size_t i = 0; i < p; ++i) {
    const ValueSignature &type = entry->inputs[i];
    if (type.kind != ValueKind::tensor)
      return bad(where + " argument " + ordinal(i) + " (parameter '" +
                 s.parameters[i] + "') is " + typeString(type) +
                 ", expected a tensor");
    for (int64_t extent : type.shape)
      if (extent == kDynamicExtent)
        return bad(where + " argument " + ordinal(i) + " (parameter '" +
                   s.parameters[i] + "') is " + typeString(type) +
                   ", parameters need static shapes");
    for (size_t g = 0; g < 4; ++g) {
      const ValueSignature &in = entry->inputs[g * p + i];
      const ValueSignature &out = entry->outputs[g * p + i];
      if (typeString(in) != typeString(type) ||
          typeString(out) != typeString(type))
        return bad(where + ": the state of parameter '" + s.parameters[i] +
                   "' (argument " + ordinal(g * p + i) + ", result " +
                   ordinal(g * p + i) + ") must be " + typeString(type) +
                   ", got " + typeString(in) + " and " + typeString(out));
    }
    s.parameterTypes.push_back(type);
  }
  const ValueSignature &x0 = entry->inputs[4 * p];
  std::vector<int64_t> want = {kDynamicExtent};
  want.insert(want.end(), s.sampleShape.begin(), s.sampleShape.end());
  if (x0.kind != ValueKind::tensor || x0.elementType != ElementType::f32 ||
      x0.shape != want)
    return bad(where + " argument " + ordinal(4 * p) + " (x0) is " +
               typeString(x0) + ", expected " +
               typeString(ValueSignature::tensor(ElementType::f32, want)) +
               " for sample_shape in 'train.config'");
  if (classifier) {
    const ValueSignature &labels = entry->inputs[4 * p + 1];
    if (labels.kind != ValueKind::tensor ||
        labels.elementType != ElementType::i64 ||
        labels.shape != std::vector<int64_t>{kDynamicExtent})
      return bad(where + " argument " + ordinal(4 * p + 1) + " (labels) is " +
                 typeString(labels) + ", expected tensor<?xi64>");
  }
  const size_t q = 4 * p + 1 + extra; // step
  if (!isI64Scalar(entry->inputs[q]) || !isF32Scalar(entry->inputs[q + 1]) ||
      !isF32Scalar(entry->inputs[q + 2]) || !isI64Scalar(entry->inputs[q + 3]))
    return bad(where +
               " must end in (step: i64, lr: f32, ema_decay: f32, "
               "seed: i64), got (" +
               typeString(entry->inputs[q]) + ", " +
               typeString(entry->inputs[q + 1]) + ", " +
               typeString(entry->inputs[q + 2]) + ", " +
               typeString(entry->inputs[q + 3]) + ")");
  const ValueSignature &loss = entry->outputs[4 * p];
  if (loss.kind != ValueKind::tensor || loss.elementType != ElementType::f32 ||
      !loss.shape.empty())
    return bad(where + " result " + ordinal(4 * p) + " (loss) is " +
               typeString(loss) + ", expected tensor<f32>");
  *spec = std::move(s);
  return true;
}
