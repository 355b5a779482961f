//===- Eval.cpp - diffc-run's eval command --------------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The classifier is an entry point
//
//   classifier(x: tensor<?xCxHxWxf32>) -> (logits: tensor<?xKxf32>,
//                                          features: tensor<?xDxf32>)
//
// (diffc-zoo classifier). Images go through it in batches of --eval-batch;
// the features are summed into float64 mean and covariance
// (diffc/fid.h), the logits give the confidence and the predicted class.
// The reference set's statistics are the expensive half (10,000 test
// images), so they are cached in a safetensors file next to the weights.
// Its key is an FNV-1a hash over the values of every classifier parameter
// as bound (by name), the artifact's classifier.config metadata (the
// architecture, e.g. the activation), the entry's signature and the
// reference images and labels; a cache with another key is recomputed and
// overwritten.
//
//===----------------------------------------------------------------------===//

#include "Eval.h"

#include "Sample.h"

#include "diffc/datasets.h"
#include "diffc/fid.h"
#include "diffc/safetensors.h"
#include "diffc/scheduler_config.h"
#include "diffc/session.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <unistd.h>

using namespace diffc;

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

/// The metadata entry diffc-zoo writes with the classifier's configuration.
constexpr const char *kClassifierConfigKey = "classifier.config";
constexpr const char *kClassifierEntry = "classifier";
/// Layout version of the statistics cache.
constexpr const char *kStatsVersion = "1";

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

/// The options that only make sense with --generate.
const char *const kGenerateOnly[] = {"--generate-weights", "--num-samples",
                                     "--sampler",          "--steps",
                                     "--eta",              "--seed",
                                     "--batch",            "--scheduler-config"};

struct Settings {
  std::string samples, generate, reference = "fashion-mnist-test";
  std::vector<std::string> generateWeights;
  std::string statsCache, saveSamples;
  int64_t numSamples = 1000, evalBatch = 500;
  double confidence = 0.9;
  bool accuracy = false, json = false, verbose = false;
  SampleOptions sample;
};

bool parseInteger(const std::string &flag, const std::string &text,
                  int64_t min, int64_t *out, std::string *why) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v < min) {
    *why = flag + " needs an integer >= " + std::to_string(min) + ", got '" +
           text + "'";
    return false;
  }
  *out = v;
  return true;
}

bool parseSettings(const EvalFlags &flags, Settings *s, std::string *why) {
  auto get = [&](const char *flag) -> std::string {
    auto it = flags.values.find(flag);
    return it == flags.values.end() ? "" : it->second;
  };
  auto given = [&](const char *flag) { return flags.values.count(flag) != 0; };
  for (const auto &[flag, value] : flags.values) {
    bool known = false;
    for (const std::string &f : evalValueFlags())
      known |= f == flag;
    for (const std::string &f : evalBooleanFlags())
      known |= f == flag;
    if (!known) {
      *why = "unknown eval option " + flag;
      return false;
    }
    if (value.empty() && flag != "--accuracy" && flag != "--json") {
      *why = flag + " needs a value";
      return false;
    }
  }
  s->samples = get("--samples");
  s->generate = get("--generate");
  s->verbose = flags.verbose;
  for (const char *flag : {"--accuracy", "--json"}) {
    std::string v = get(flag);
    if (!v.empty() && v != "0" && v != "1" && v != "true" && v != "false") {
      *why = std::string(flag) + " takes no value (or =0 / =1), got '" + v +
             "'";
      return false;
    }
  }
  s->accuracy = get("--accuracy") == "1" || get("--accuracy") == "true";
  s->json = get("--json") == "1" || get("--json") == "true";
  if (!s->samples.empty() && !s->generate.empty()) {
    *why = "give --samples or --generate, not both";
    return false;
  }
  if (s->samples.empty() && s->generate.empty() && !s->accuracy) {
    *why = "nothing to evaluate: give --samples X.npy, --generate "
           "MODEL.diffc or --accuracy";
    return false;
  }
  if (s->generate.empty())
    for (const char *flag : kGenerateOnly)
      if (given(flag)) {
        *why = std::string(flag) + " belongs to --generate MODEL.diffc";
        return false;
      }
  if (given("--reference"))
    s->reference = get("--reference");
  s->statsCache = get("--stats-cache");
  s->saveSamples = get("--save-samples");
  if (!s->saveSamples.empty() && s->generate.empty()) {
    *why = "--save-samples keeps the samples of --generate";
    return false;
  }
  if (given("--confidence")) {
    std::string text = get("--confidence");
    char *end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (*end || !(v > 0 && v < 1)) {
      *why = "--confidence needs a probability in (0, 1), got '" + text + "'";
      return false;
    }
    s->confidence = v;
  }
  if (given("--eval-batch") &&
      !parseInteger("--eval-batch", get("--eval-batch"), 1, &s->evalBatch, why))
    return false;
  if (given("--num-samples") &&
      !parseInteger("--num-samples", get("--num-samples"), 2, &s->numSamples,
                    why))
    return false;
  for (size_t start = 0, comma; !get("--generate-weights").empty();
       start = comma + 1) {
    std::string list = get("--generate-weights");
    comma = list.find(',', start);
    s->generateWeights.push_back(list.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
  }
  // The sampling options, spelled as for `sample`.
  SampleOptions &o = s->sample;
  o.batch = 100;
  if (given("--sampler"))
    o.sampler = get("--sampler");
  if (given("--steps") && !parseInteger("--steps", get("--steps"), 1, &o.steps,
                                        why))
    return false;
  if (given("--batch") &&
      !parseInteger("--batch", get("--batch"), 1, &o.batch, why))
    return false;
  if (given("--seed")) {
    std::string text = get("--seed");
    char *end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), &end, 0);
    if (text.empty() || *end || errno || text[0] == '-') {
      *why = "--seed needs a non-negative integer, got '" + text + "'";
      return false;
    }
    o.seed = v;
  }
  if (given("--eta")) {
    std::string text = get("--eta");
    char *end = nullptr;
    float v = std::strtof(text.c_str(), &end);
    if (text.empty() || *end || !(v >= 0.0f)) {
      *why = "--eta needs a number >= 0, got '" + text + "'";
      return false;
    }
    o.eta = v;
    o.etaGiven = true;
  }
  o.schedulerConfig = get("--scheduler-config");
  return true;
}

//===----------------------------------------------------------------------===//
// The classifier
//===----------------------------------------------------------------------===//

struct ClassifierSpec {
  /// [C, H, W] of one image.
  std::vector<int64_t> imageShape;
  int64_t numClasses = 0;
  int64_t featureDim = 0;
  std::string signature;
  std::string config;
};

bool readClassifierSpec(const Artifact &artifact, ClassifierSpec *spec,
                        std::string *error) {
  const EntryPointSignature *entry = artifact.findEntryPoint(kClassifierEntry);
  auto bad = [&](const std::string &what) {
    *error = artifact.name() + ": " + what;
    return false;
  };
  if (!entry)
    return bad("no entry point \"classifier\": eval needs a classifier "
               "artifact (diffc-zoo classifier, then diffc compile)");
  auto isBatched = [](const ValueSignature &v, size_t rank) {
    if (v.kind != ValueKind::tensor || v.elementType != ElementType::f32 ||
        v.shape.size() != rank || v.shape[0] != kDynamicExtent)
      return false;
    for (size_t d = 1; d < rank; ++d)
      if (v.shape[d] <= 0)
        return false;
    return true;
  };
  std::string got = "(";
  for (size_t i = 0; i < entry->inputs.size(); ++i)
    got += (i ? ", " : "") + typeString(entry->inputs[i]);
  got += ") -> (";
  for (size_t i = 0; i < entry->outputs.size(); ++i)
    got += (i ? ", " : "") + typeString(entry->outputs[i]);
  got += ")";
  if (entry->inputs.size() != 1 || entry->outputs.size() != 2 ||
      !isBatched(entry->inputs[0], 4) || !isBatched(entry->outputs[0], 2) ||
      !isBatched(entry->outputs[1], 2))
    return bad("entry point \"classifier\" is " + got +
               ", expected (tensor<?xCxHxWxf32>) -> (tensor<?xKxf32> logits, "
               "tensor<?xDxf32> features)");
  spec->imageShape.assign(entry->inputs[0].shape.begin() + 1,
                          entry->inputs[0].shape.end());
  spec->numClasses = entry->outputs[0].shape[1];
  spec->featureDim = entry->outputs[1].shape[1];
  spec->signature = got;
  const std::string *config = artifact.findMetadata(kClassifierConfigKey);
  spec->config = config ? *config : "";
  return true;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? "x" : "") + std::to_string(shape[i]);
  return out;
}

/// What one pass of the classifier over a set of images found.
struct Tally {
  explicit Tally(int64_t dim, int64_t classes)
      : stats(dim), classCounts(size_t(classes), 0) {}
  FeatureStatistics stats;
  std::vector<int64_t> classCounts;
  int64_t confident = 0;
  int64_t correct = 0;
  double sumMaxProbability = 0;
  double seconds = 0;
};

/// Runs the classifier over `count` images that `fill(first, n, out)` writes
/// as float32 NCHW, in batches of `batch`. `labels` (may be null) count
/// the correct predictions.
bool classify(const Session &session, const ClassifierSpec &spec,
              int64_t count, int64_t batch, double threshold,
              const std::function<void(int64_t, int64_t, float *)> &fill,
              const int64_t *labels, Tally *tally, std::string *error) {
  auto start = std::chrono::steady_clock::now();
  const int64_t k = spec.numClasses;
  for (int64_t first = 0; first < count; first += batch) {
    int64_t n = std::min(batch, count - first);
    std::vector<int64_t> shape = {n};
    shape.insert(shape.end(), spec.imageShape.begin(), spec.imageShape.end());
    Tensor x;
    if (!Tensor::allocate(ElementType::f32, shape, &x, error))
      return false;
    fill(first, n, x.dataAs<float>());
    std::vector<Arg> outputs;
    if (!session.call(kClassifierEntry, {Arg::ofTensor(std::move(x))},
                      &outputs, error))
      return false;
    const float *logits = outputs[0].tensor.dataAs<float>();
    tally->stats.add(outputs[1].tensor.dataAs<float>(), n);
    for (int64_t i = 0; i < n; ++i) {
      const float *row = logits + i * k;
      int64_t best = 0;
      for (int64_t c = 1; c < k; ++c)
        if (row[c] > row[best])
          best = c;
      double sum = 0;
      for (int64_t c = 0; c < k; ++c)
        sum += std::exp(double(row[c]) - double(row[best]));
      double pMax = 1.0 / sum; // NaN logits give NaN: never confident
      tally->sumMaxProbability += pMax;
      tally->confident += pMax > threshold;
      ++tally->classCounts[size_t(best)];
      if (labels)
        tally->correct += labels[first + i] == best;
    }
  }
  tally->seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  return true;
}

//===----------------------------------------------------------------------===//
// The reference statistics and their cache
//===----------------------------------------------------------------------===//

/// 64-bit FNV-1a.
struct Fnv1a {
  uint64_t h = 0xcbf29ce484222325ULL;
  void add(const void *data, size_t size) {
    const uint8_t *p = static_cast<const uint8_t *>(data);
    for (size_t i = 0; i < size; ++i)
      h = (h ^ p[i]) * 0x100000001b3ULL;
  }
  void add(const std::string &s) {
    uint64_t n = s.size();
    add(&n, sizeof(n));
    add(s.data(), s.size());
  }
  std::string hex() const {
    char buffer[17];
    std::snprintf(buffer, sizeof(buffer), "%016llx",
                  static_cast<unsigned long long>(h));
    return buffer;
  }
};

/// Hashes the values the classifier's parameters get, found as the session
/// finds them: in the --weights files, else among the artifact's weights.
bool hashParameters(const Artifact &artifact,
                    const std::vector<std::string> &weightFiles, Fnv1a *hash,
                    std::string *error) {
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  for (const std::string &path : weightFiles) {
    files.push_back(SafetensorsFile::load(path, error));
    if (!files.back())
      return false;
  }
  for (const ParameterSignature &p : artifact.parameters()) {
    hash->add(p.name);
    const SafetensorsTensor *t = nullptr;
    for (const auto &file : files)
      if (!t)
        t = file->find(p.name);
    if (t) {
      hash->add(t->data, t->size);
    } else if (const WeightRef *w = artifact.findWeight(p.name)) {
      hash->add(w->data, w->size);
    }
    // A parameter found nowhere fails when the session binds it.
  }
  return true;
}

/// "fashion-mnist-test", or a folder's last component.
std::string referenceName(const std::string &spec) {
  std::string s = spec;
  while (s.size() > 1 && s.back() == '/')
    s.pop_back();
  size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

/// The default cache path: beside the first weights file (or the artifact),
/// "<stem>.fid-<reference>.safetensors".
std::string defaultCachePath(const std::string &model,
                             const std::vector<std::string> &weights,
                             const std::string &reference) {
  std::string base = weights.empty() ? model : weights[0];
  for (const char *ext : {".safetensors", ".diffc"}) {
    size_t n = std::strlen(ext);
    if (base.size() > n && base.compare(base.size() - n, n, ext) == 0) {
      base.resize(base.size() - n);
      break;
    }
  }
  return base + ".fid-" + referenceName(reference) + ".safetensors";
}

struct ReferenceStats {
  GaussianStatistics stats;
  /// -1 when the reference has no labels.
  int64_t correct = -1;
  bool cached = false;
  double seconds = 0;
};

/// Reads the cache at `path` if it holds statistics for `key`.
bool readCache(const std::string &path, const std::string &key, int64_t dim,
               ReferenceStats *out, std::string *why) {
  if (::access(path.c_str(), F_OK) != 0) {
    *why = "none yet";
    return false;
  }
  std::unique_ptr<SafetensorsFile> file = SafetensorsFile::load(path, why);
  if (!file)
    return false;
  const auto &meta = file->metadata();
  auto value = [&](const char *k) -> std::string {
    auto it = meta.find(k);
    return it == meta.end() ? "" : it->second;
  };
  if (value("diffc.fid_stats") != kStatsVersion) {
    *why = "not a diffc statistics file of layout " + std::string(kStatsVersion);
    return false;
  }
  if (value("key") != key) {
    *why = "for other weights or data (key " + value("key") + ", now " + key +
           ")";
    return false;
  }
  Tensor mean, cov;
  if (!file->copyTensor("mean", &mean, why) ||
      !file->copyTensor("covariance", &cov, why))
    return false;
  if (mean.elementType() != ElementType::f64 ||
      cov.elementType() != ElementType::f64 ||
      mean.shape() != std::vector<int64_t>{dim} ||
      cov.shape() != std::vector<int64_t>{dim, dim}) {
    *why = "mean or covariance has the wrong type";
    return false;
  }
  out->stats.dim = dim;
  out->stats.count = std::strtoll(value("count").c_str(), nullptr, 10);
  out->stats.mean.assign(mean.dataAs<double>(), mean.dataAs<double>() + dim);
  out->stats.covariance.assign(cov.dataAs<double>(),
                               cov.dataAs<double>() + dim * dim);
  std::string correct = value("correct");
  out->correct = correct.empty() ? -1 : std::strtoll(correct.c_str(), nullptr, 10);
  out->cached = true;
  return out->stats.count >= 2;
}

bool writeCache(const std::string &path, const std::string &key,
                const std::string &reference, const ClassifierSpec &spec,
                const ReferenceStats &ref, std::string *error) {
  int64_t d = ref.stats.dim;
  Tensor mean = Tensor::fromVector(ElementType::f64, {d}, ref.stats.mean);
  Tensor cov = Tensor::fromVector(ElementType::f64, {d, d}, ref.stats.covariance);
  std::map<std::string, std::string> meta = {
      {"diffc.fid_stats", kStatsVersion},
      {"key", key},
      {"reference", reference},
      {"count", std::to_string(ref.stats.count)},
      {"classifier.signature", spec.signature},
  };
  if (!spec.config.empty())
    meta["classifier.config"] = spec.config;
  if (ref.correct >= 0)
    meta["correct"] = std::to_string(ref.correct);
  return writeSafetensors(path, {{"mean", &mean}, {"covariance", &cov}}, meta,
                          error);
}

//===----------------------------------------------------------------------===//
// Samples
//===----------------------------------------------------------------------===//

/// Reads --samples: float32 (or float64) [N, C, H, W] with the classifier's
/// image shape.
bool readSamples(const std::string &path, const ClassifierSpec &spec,
                 Tensor *out, std::string *error) {
  Tensor t;
  if (!readNpy(path, &t, error))
    return false;
  std::string want = "Nx" + shapeText(spec.imageShape);
  if (t.rank() != 4 ||
      !std::equal(spec.imageShape.begin(), spec.imageShape.end(),
                  t.shape().begin() + 1) ||
      (t.elementType() != ElementType::f32 &&
       t.elementType() != ElementType::f64)) {
    *error = path + ": samples are " + t.typeString() +
             ", the classifier takes " + want +
             " float32 images in [-1, 1] (as diffc-run sample --out x.npy "
             "writes them)";
    return false;
  }
  if (t.elementType() == ElementType::f64) {
    Tensor f;
    if (!Tensor::allocate(ElementType::f32, t.shape(), &f, error))
      return false;
    for (int64_t i = 0; i < t.numElements(); ++i)
      f.dataAs<float>()[i] = static_cast<float>(t.dataAs<double>()[i]);
    t = std::move(f);
  }
  int64_t size = t.numElements() / std::max<int64_t>(t.shape()[0], 1);
  for (int64_t i = 0; i < t.numElements(); ++i)
    if (!std::isfinite(t.dataAs<float>()[i])) {
      *error = path + ": sample " + std::to_string(i / size) +
               " has a non-finite value";
      return false;
    }
  *out = std::move(t);
  return true;
}

/// Draws --num-samples samples with the sampler artifact: batch k is what
/// `diffc-run MODEL sample --seed S+k --batch B` draws.
bool generateSamples(const Settings &s, const ClassifierSpec &spec,
                     Tensor *out, std::string *error) {
  std::unique_ptr<Artifact> artifact = Artifact::load(s.generate, error);
  if (!artifact)
    return false;
  if (!s.sample.schedulerConfig.empty() &&
      !checkSchedulerConfigFile(*artifact, s.sample.schedulerConfig, error))
    return false;
  if (s.sample.sampler != "ddim" && s.sample.sampler != "ddpm") {
    *error = "unknown --sampler '" + s.sample.sampler +
             "' (expected ddim or ddpm)";
    return false;
  }
  // Before the session binds the sampler's weights: a classifier artifact
  // given as --generate has none.
  std::string entryName = "sample_" + s.sample.sampler;
  const EntryPointSignature *entry = artifact->findEntryPoint(entryName);
  if (!entry) {
    *error = s.generate + " has no " + s.sample.sampler + " sampler (entry '" +
             entryName + "'): compile it with diffc compile --sampler=" +
             s.sample.sampler;
    return false;
  }
  {
    const std::vector<int64_t> &shape = entry->inputs.empty()
                                            ? std::vector<int64_t>()
                                            : entry->inputs[0].shape;
    if (shape.size() != 4 || !std::equal(spec.imageShape.begin(),
                                         spec.imageShape.end(),
                                         shape.begin() + 1)) {
      *error = s.generate + ": entry '" + entryName + "' draws " +
               (shape.size() == 4
                    ? shapeText({shape.begin() + 1, shape.end()})
                    : std::string("non-image")) +
               " samples, the classifier takes " + shapeText(spec.imageShape);
      return false;
    }
  }
  SessionOptions options;
  options.weightFiles = s.generateWeights;
  std::unique_ptr<Session> session =
      Session::create(std::move(artifact), options, error);
  if (!session)
    return false;
  std::vector<int64_t> shape = {s.numSamples};
  shape.insert(shape.end(), spec.imageShape.begin(), spec.imageShape.end());
  if (!Tensor::allocate(ElementType::f32, shape, out, error))
    return false;
  const int64_t size = out->numElements() / s.numSamples;
  const bool terminal = ::isatty(2);
  auto start = std::chrono::steady_clock::now();
  for (int64_t k = 0, done = 0; done < s.numSamples; ++k) {
    SampleOptions o = s.sample;
    o.batch = std::min(s.sample.batch, s.numSamples - done);
    o.seed = s.sample.seed + uint64_t(k);
    Tensor x0;
    if (!drawSamples(*session, o, &x0, error))
      return false;
    std::memcpy(out->dataAs<float>() + done * size, x0.data(), x0.byteSize());
    done += o.batch;
    double elapsed = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (terminal || s.verbose)
      std::fprintf(stderr, "%sdiffc-run: generated %lld/%lld samples in %.0f s%s",
                   terminal ? "\r" : "", static_cast<long long>(done),
                   static_cast<long long>(s.numSamples), elapsed,
                   terminal && done < s.numSamples ? "" : "\n");
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\u%04x", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v))
    return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.17g", v);
  return buffer;
}

std::string percent(int64_t part, int64_t whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f%%",
                whole ? 100.0 * double(part) / double(whole) : 0.0);
  return buffer;
}

} // namespace

//===----------------------------------------------------------------------===//
// The command
//===----------------------------------------------------------------------===//

const std::vector<std::string> &diffc::evalValueFlags() {
  static const std::vector<std::string> flags = {
      "--samples",     "--generate",    "--generate-weights", "--num-samples",
      "--reference",   "--confidence",  "--eval-batch",       "--stats-cache",
      "--save-samples", "--sampler",    "--steps",            "--eta",
      "--seed",        "--batch",       "--scheduler-config"};
  return flags;
}

const std::vector<std::string> &diffc::evalBooleanFlags() {
  static const std::vector<std::string> flags = {"--accuracy", "--json"};
  return flags;
}

int diffc::runEvaluation(const std::string &model, const EvalFlags &flags,
                         std::string *error) {
  auto failWith = [&](int code, const std::string &message) {
    *error = message;
    return code;
  };
  Settings s;
  std::string why;
  if (!parseSettings(flags, &s, &why))
    return failWith(kExitUsage, why);

  std::unique_ptr<Artifact> artifact = Artifact::load(model, &why);
  if (!artifact)
    return failWith(kExitError, why);
  ClassifierSpec spec;
  if (!readClassifierSpec(*artifact, &spec, &why))
    return failWith(kExitError, why);
  // The samples first: a wrong file is found before anything expensive.
  Tensor samples;
  if (!s.samples.empty()) {
    if (!readSamples(s.samples, spec, &samples, &why))
      return failWith(kExitError, why);
    if (samples.shape()[0] < 2)
      return failWith(kExitError,
                      s.samples + ": FID needs at least 2 samples, got " +
                          std::to_string(samples.shape()[0]));
  }
  ImageDataset reference;
  if (!loadDataset(s.reference, &spec.imageShape, &reference, &why))
    return failWith(kExitError, why);
  if (reference.count < 2)
    return failWith(kExitError, reference.source +
                                    ": FID needs at least 2 reference "
                                    "images, got " +
                                    std::to_string(reference.count));
  const bool labelled = reference.labels.size() == size_t(reference.count);
  if (s.accuracy && !labelled)
    return failWith(kExitError, reference.source +
                                    ": no labels, so --accuracy cannot be "
                                    "measured on it");
  if (labelled)
    for (int64_t i = 0; i < reference.count; ++i)
      if (reference.labels[i] < 0 || reference.labels[i] >= spec.numClasses)
        return failWith(kExitError,
                        reference.source + ": label " +
                            std::to_string(reference.labels[i]) +
                            " of image " + std::to_string(i) +
                            " is outside the classifier's " +
                            std::to_string(spec.numClasses) + " classes");

  Fnv1a key;
  key.add(std::string("diffc fid statistics ") + kStatsVersion);
  if (!hashParameters(*artifact, flags.weights, &key, &why))
    return failWith(kExitError, why);
  key.add(spec.config);
  key.add(spec.signature);
  key.add(reference.pixels.data(), reference.pixels.size());
  key.add(reference.labels.data(), reference.labels.size() * sizeof(int64_t));

  SessionOptions sessionOptions;
  sessionOptions.weightFiles = flags.weights;
  std::unique_ptr<Session> session =
      Session::create(std::move(artifact), sessionOptions, &why);
  if (!session)
    return failWith(kExitError, why);

  // The reference statistics: cached, or one pass over the reference set.
  std::string cachePath =
      s.statsCache.empty()
          ? defaultCachePath(model, flags.weights, s.reference)
          : (s.statsCache == "none" ? "" : s.statsCache);
  ReferenceStats ref;
  bool cached = !cachePath.empty() &&
                readCache(cachePath, key.hex(), spec.featureDim, &ref, &why);
  if (!cached) {
    if (s.verbose && !cachePath.empty())
      std::fprintf(stderr,
                   "diffc-run: computing the statistics of %s (cache %s: %s)\n",
                   s.reference.c_str(), cachePath.c_str(), why.c_str());
    Tally tally(spec.featureDim, spec.numClasses);
    auto fill = [&](int64_t first, int64_t n, float *out) {
      for (int64_t i = 0; i < n; ++i)
        reference.imageToFloat(first + i, out + i * reference.imageSize());
    };
    if (!classify(*session, spec, reference.count, s.evalBatch, s.confidence,
                  fill, labelled ? reference.labels.data() : nullptr, &tally,
                  &why))
      return failWith(kExitError, why);
    ref = ReferenceStats();
    ref.stats = tally.stats.finish();
    ref.correct = labelled ? tally.correct : -1;
    ref.seconds = tally.seconds;
    if (!cachePath.empty() &&
        !writeCache(cachePath, key.hex(), s.reference, spec, ref, &why))
      std::fprintf(stderr,
                   "diffc-run: warning: the reference statistics are not "
                   "cached: %s\n",
                   why.c_str());
  }

  // The samples.
  const bool haveSamples = !s.samples.empty() || !s.generate.empty();
  if (!s.generate.empty()) {
    if (!generateSamples(s, spec, &samples, &why))
      return failWith(kExitError, why);
    if (!s.saveSamples.empty() && !writeNpy(s.saveSamples, samples, &why))
      return failWith(kExitError, why);
  }
  Tally tally(spec.featureDim, spec.numClasses);
  GaussianStatistics sampleStats;
  double fid = 0;
  int64_t n = 0;
  float lo = 0, hi = 0;
  if (haveSamples) {
    n = samples.shape()[0];
    const float *pixels = samples.dataAs<float>();
    const int64_t size = samples.numElements() / n;
    auto [mn, mx] = std::minmax_element(pixels, pixels + samples.numElements());
    lo = *mn;
    hi = *mx;
    if (lo < -1.05f || hi > 1.05f)
      std::fprintf(stderr,
                   "diffc-run: warning: sample values span [%g, %g]; the "
                   "classifier expects [-1, 1]\n",
                   double(lo), double(hi));
    if (n <= spec.featureDim)
      std::fprintf(stderr,
                   "diffc-run: note: %lld samples for %lld features: the "
                   "sample covariance is singular and FID is biased upward; "
                   "compare FIDs of equally many samples\n",
                   static_cast<long long>(n),
                   static_cast<long long>(spec.featureDim));
    auto fill = [&](int64_t first, int64_t count, float *out) {
      std::memcpy(out, pixels + first * size, size_t(count * size) * 4);
    };
    if (!classify(*session, spec, n, s.evalBatch, s.confidence, fill, nullptr,
                  &tally, &why))
      return failWith(kExitError, why);
    sampleStats = tally.stats.finish();
    fid = frechetDistance(sampleStats, ref.stats);
  }

  const std::string source = !s.samples.empty() ? s.samples : "generated";
  if (s.json) {
    std::string j = "{\n";
    j += "  \"classifier\": " + jsonString(model) + ",\n";
    j += "  \"weights\": [";
    for (size_t i = 0; i < flags.weights.size(); ++i)
      j += (i ? ", " : "") + jsonString(flags.weights[i]);
    j += "],\n";
    j += "  \"feature_dim\": " + std::to_string(spec.featureDim) + ",\n";
    j += "  \"num_classes\": " + std::to_string(spec.numClasses) + ",\n";
    j += "  \"reference\": {\"data\": " + jsonString(s.reference) +
         ", \"images\": " + std::to_string(ref.stats.count) +
         ", \"accuracy\": " +
         (ref.correct >= 0
              ? number(double(ref.correct) / double(ref.stats.count))
              : "null") +
         ", \"statistics\": " +
         (cachePath.empty() ? "null" : jsonString(cachePath)) +
         ", \"cached\": " + (ref.cached ? "true" : "false") + "}";
    if (haveSamples) {
      j += ",\n  \"samples\": {\"source\": " + jsonString(source) +
           ", \"images\": " + std::to_string(n) + ", \"min\": " +
           number(lo) + ", \"max\": " + number(hi) + "}";
      if (!s.generate.empty()) {
        const SampleOptions &o = s.sample;
        j += ",\n  \"generate\": {\"model\": " + jsonString(s.generate) +
             ", \"sampler\": " + jsonString(o.sampler) +
             ", \"steps\": " + std::to_string(o.steps) +
             (o.sampler == "ddim" ? ", \"eta\": " + number(o.eta) : "") +
             ", \"seed\": " + std::to_string(o.seed) +
             ", \"batch\": " + std::to_string(o.batch) + "}";
      }
      j += ",\n  \"fid\": " + number(fid);
      j += ",\n  \"confidence_threshold\": " + number(s.confidence);
      j += ",\n  \"confident\": " + std::to_string(tally.confident);
      j += ",\n  \"confident_fraction\": " +
           number(double(tally.confident) / double(n));
      j += ",\n  \"mean_max_probability\": " +
           number(tally.sumMaxProbability / double(n));
      j += ",\n  \"class_counts\": [";
      for (size_t c = 0; c < tally.classCounts.size(); ++c)
        j += (c ? ", " : "") + std::to_string(tally.classCounts[c]);
      j += "]";
    }
    j += "\n}\n";
    std::fputs(j.c_str(), stdout);
    return 0;
  }

  std::printf("classifier  %s%s%s: %lld features, %lld classes\n",
              model.c_str(), flags.weights.empty() ? "" : " with ",
              flags.weights.empty() ? "" : flags.weights[0].c_str(),
              static_cast<long long>(spec.featureDim),
              static_cast<long long>(spec.numClasses));
  std::string refLine = s.reference + ": " + std::to_string(ref.stats.count) +
                        " images";
  if (ref.correct >= 0)
    refLine += ", accuracy " + percent(ref.correct, ref.stats.count) + " (" +
               std::to_string(ref.correct) + " correct)";
  if (ref.cached)
    refLine += "; statistics from " + cachePath;
  else if (!cachePath.empty())
    refLine += "; statistics cached in " + cachePath;
  std::printf("reference   %s\n", refLine.c_str());
  if (haveSamples) {
    std::printf("samples     %s: %lld images, values in [%.3g, %.3g]\n",
                source.c_str(), static_cast<long long>(n), double(lo),
                double(hi));
    std::printf("FID         %.4f\n", fid);
    std::printf("confident   %s of the samples have max p > %g (%lld of "
                "%lld); mean max p %.4f\n",
                percent(tally.confident, n).c_str(), s.confidence,
                static_cast<long long>(tally.confident),
                static_cast<long long>(n), tally.sumMaxProbability / double(n));
    std::string classes;
    for (size_t c = 0; c < tally.classCounts.size(); ++c)
      classes += (c ? " " : "") + std::to_string(c) + ":" +
                 std::to_string(tally.classCounts[c]);
    std::printf("classes     %s\n", classes.c_str());
  }
  if (s.verbose)
    std::fprintf(stderr,
                 "diffc-run: classifier passes: reference %.2f s%s, samples "
                 "%.2f s\n",
                 ref.seconds, ref.cached ? " (cached)" : "", tally.seconds);
  return 0;
}
