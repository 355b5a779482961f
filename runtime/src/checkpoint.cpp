//===- checkpoint.cpp - Training checkpoints as safetensors ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/checkpoint.h"

#include "diffc/safetensors.h"

#include "atomic_file.h"
#include "json.h"

#include <cerrno>
#include <cstdlib>

using namespace diffc;
using detail::fail;

namespace {

constexpr const char *kLayoutVersion = "1";
const char *const kPrefixes[] = {"", "exp_avg/", "exp_avg_sq/", "ema/"};

std::string namesJson(const std::vector<std::string> &names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? ", " : "") + detail::jsonQuote(names[i]);
  return out + "]";
}

bool readInt(const std::map<std::string, std::string> &metadata,
             const std::string &key, const std::string &path, int64_t *out,
             std::string *error) {
  auto it = metadata.find(key);
  if (it == metadata.end())
    return fail(error, path +
                           ": not a diffc training checkpoint (no "
                           "metadata entry '" +
                           key + "')");
  const std::string &text = it->second;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v < 0)
    return fail(error, path + ": metadata entry '" + key + "' is '" + text +
                           "', expected a non-negative integer");
  *out = v;
  return true;
}

} // namespace

bool diffc::writeCheckpoint(const std::string &path, const TrainingState &state,
                            std::string *error) {
  const std::vector<Tensor> *groups[] = {&state.params, &state.expAvg,
                                         &state.expAvgSq, &state.ema};
  std::vector<NamedTensor> tensors;
  for (int g = 0; g < 4; ++g) {
    if (groups[g]->size() != state.names.size())
      return fail(error, path + ": inconsistent training state (" +
                             std::to_string(groups[g]->size()) +
                             " tensors for " +
                             std::to_string(state.names.size()) + " names)");
    for (size_t i = 0; i < state.names.size(); ++i)
      tensors.push_back({kPrefixes[g] + state.names[i], &(*groups[g])[i]});
  }
  std::map<std::string, std::string> metadata = {
      {"format", "pt"},
      {"diffc.checkpoint", kLayoutVersion},
      {"diffc.parameters", namesJson(state.names)},
      {"diffc.step", std::to_string(state.step)},
      {"diffc.samples_seen", std::to_string(state.samplesSeen)},
      {"diffc.dataset_size", std::to_string(state.datasetSize)},
  };
  if (state.datasetSize > 0) {
    metadata["diffc.epoch"] =
        std::to_string(state.samplesSeen / state.datasetSize);
    metadata["diffc.position"] =
        std::to_string(state.samplesSeen % state.datasetSize);
  }
  for (const auto &[key, value] : state.options)
    metadata["train." + key] = value;
  std::string why;
  if (!writeSafetensors(path, tensors, metadata, &why))
    return fail(error, why.rfind(path, 0) == 0 ? why : path + ": " + why);
  return true;
}

bool diffc::readCheckpoint(const std::string &path, TrainingState *state,
                           std::string *error) {
  std::unique_ptr<SafetensorsFile> file = SafetensorsFile::load(path, error);
  if (!file)
    return false;
  const std::map<std::string, std::string> &metadata = file->metadata();
  auto version = metadata.find("diffc.checkpoint");
  if (version == metadata.end())
    return fail(error, path + ": not a diffc training checkpoint (no "
                              "metadata entry 'diffc.checkpoint')");
  if (version->second != kLayoutVersion)
    return fail(error, path + ": checkpoint layout version " + version->second +
                           " is not supported (this "
                           "runtime reads version " +
                           kLayoutVersion + ")");
  TrainingState s;
  auto names = metadata.find("diffc.parameters");
  detail::JsonValue json;
  std::string why;
  if (names == metadata.end() ||
      !detail::parseJson(names->second, &json, &why) ||
      json.kind != detail::JsonValue::Kind::Array)
    return fail(error, path +
                           ": metadata entry 'diffc.parameters' is not a "
                           "JSON array of names" +
                           (why.empty() ? "" : " (" + why + ")"));
  for (const detail::JsonValue &item : json.items) {
    if (item.kind != detail::JsonValue::Kind::String)
      return fail(error, path + ": metadata entry 'diffc.parameters' holds " +
                             detail::jsonKindName(item.kind) +
                             ", expected names");
    for (const std::string &seen : s.names)
      if (seen == item.string)
        return fail(error, path +
                               ": metadata entry 'diffc.parameters' names '" +
                               seen + "' twice");
    s.names.push_back(item.string);
  }
  if (!readInt(metadata, "diffc.step", path, &s.step, error) ||
      !readInt(metadata, "diffc.samples_seen", path, &s.samplesSeen, error) ||
      !readInt(metadata, "diffc.dataset_size", path, &s.datasetSize, error))
    return false;
  std::vector<Tensor> *groups[] = {&s.params, &s.expAvg, &s.expAvgSq, &s.ema};
  for (int g = 0; g < 4; ++g)
    for (const std::string &name : s.names) {
      std::string key = kPrefixes[g] + name;
      if (!file->find(key))
        return fail(error, path + ": checkpoint has no tensor '" + key + "'");
      Tensor t;
      if (!file->copyTensor(key, &t, error))
        return false;
      const Tensor &param =
          s.params.empty() || g == 0 ? t : s.params[groups[g]->size()];
      if (t.elementType() != param.elementType() || t.shape() != param.shape())
        return fail(error, path + ": tensor '" + key + "' is " +
                               t.typeString() + ", parameter '" + name +
                               "' is " + param.typeString());
      groups[g]->push_back(std::move(t));
    }
  for (const auto &[key, value] : metadata)
    if (key.rfind("train.", 0) == 0)
      s.options[key.substr(6)] = value;
  *state = std::move(s);
  return true;
}

bool diffc::writeEmaWeights(const std::string &path, const TrainingState &state,
                            std::string *error) {
  if (state.ema.size() != state.names.size())
    return fail(error, path + ": inconsistent training state");
  std::vector<NamedTensor> tensors;
  for (size_t i = 0; i < state.names.size(); ++i)
    tensors.push_back({state.names[i], &state.ema[i]});
  std::string why;
  if (!writeSafetensors(path, tensors,
                        {{"format", "pt"},
                         {"diffc.step", std::to_string(state.step)},
                         {"diffc.weights", "ema"}},
                        &why))
    return fail(error, why.rfind(path, 0) == 0 ? why : path + ": " + why);
  return true;
}
