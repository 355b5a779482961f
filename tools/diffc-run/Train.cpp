//===- Train.cpp - diffc-run's train command ------------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The training driver around a compiled train_step (diffc/training.h): it
// loads the data, draws the seeded batches (with their labels when the
// train_step is a classifier's), calls train_step once per
// optimizer step with the parameters, Adam moments and EMA it carries,
// writes the loss log, the progress line and atomic checkpoints, and stops
// at the first non-finite loss.
//
// Everything a step depends on is a pure function of what a checkpoint
// holds: the data order and flips of (seed, position, step), the learning
// rate of the step, the noise train_step draws from (seed, step). So a run
// resumed from a checkpoint continues bit for bit.
//
//===----------------------------------------------------------------------===//

#include "Train.h"
#include "Devices.h"

#include "Progress.h"

#include "diffc/batching.h"
#include "diffc/checkpoint.h"
#include "diffc/datasets.h"
#include "diffc/safetensors.h"
#include "diffc/session.h"
#include "diffc/training.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace diffc;

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

enum class Kind { Text, Count, NonNegative, Seed, Real, Fraction, Flag };

/// One option of `train`: its flag, its key in checkpoints (empty: not
/// saved), its default, and whether a resumed run must keep its value.
struct OptionInfo {
  const char *flag;
  const char *key;
  Kind kind;
  const char *defaultValue;
  bool fixedOnResume;
};

constexpr OptionInfo kOptions[] = {
    {"--data", "data", Kind::Text, "", true},
    {"--batch", "batch", Kind::Count, "64", true},
    {"--seed", "seed", Kind::Seed, "0", true},
    {"--lr", "lr", Kind::Real, "0.0001", false},
    {"--warmup", "warmup", Kind::NonNegative, "0", false},
    {"--steps", "steps", Kind::Count, "", false},
    {"--epochs", "epochs", Kind::Real, "", false},
    {"--ema-decay", "ema_decay", Kind::Fraction, "0.9999", false},
    {"--flip", "flip", Kind::Flag, "0", false},
    {"--checkpoint-dir", "checkpoint_dir", Kind::Text, "", false},
    {"--checkpoint-every", "checkpoint_every", Kind::Count, "500", false},
    {"--resume", "", Kind::Text, "", false},
    {"--out-ema", "", Kind::Text, "", false},
    {"--log", "", Kind::Text, "", false},
};

/// The canonical spelling of `text` for option `o`, or false with *why.
bool canonical(const OptionInfo &o, const std::string &text, std::string *out,
               std::string *why) {
  const char *begin = text.c_str();
  char *end = nullptr;
  errno = 0;
  switch (o.kind) {
  case Kind::Text:
    if (text.empty()) {
      *why = std::string(o.flag) + " needs a value";
      return false;
    }
    *out = text;
    return true;
  case Kind::Count:
  case Kind::NonNegative: {
    long long v = std::strtoll(begin, &end, 10);
    long long min = o.kind == Kind::Count ? 1 : 0;
    if (text.empty() || *end || errno || v < min) {
      *why = std::string(o.flag) +
             " needs an integer >= " + std::to_string(min) + ", got '" + text +
             "'";
      return false;
    }
    *out = std::to_string(v);
    return true;
  }
  case Kind::Seed: {
    unsigned long long v = std::strtoull(begin, &end, 0);
    if (text.empty() || *end || errno || text[0] == '-') {
      *why = "--seed needs a non-negative integer, got '" + text + "'";
      return false;
    }
    *out = std::to_string(v);
    return true;
  }
  case Kind::Real:
  case Kind::Fraction: {
    // The values train_step receives are f32: canonicalize to that.
    float v = std::strtof(begin, &end);
    bool ok = !text.empty() && !*end && std::isfinite(v) && v > 0 &&
              (o.kind == Kind::Real || v < 1);
    if (o.kind == Kind::Fraction && !text.empty() && !*end && v == 0)
      ok = true;
    if (!ok) {
      *why = std::string(o.flag) +
             (o.kind == Kind::Real ? " needs a positive number"
                                   : " needs a number in [0, 1)") +
             ", got '" + text + "'";
      return false;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.9g", v);
    *out = buffer;
    return true;
  }
  case Kind::Flag:
    if (text == "1" || text == "true") {
      *out = "1";
      return true;
    }
    if (text == "0" || text == "false") {
      *out = "0";
      return true;
    }
    *why = std::string(o.flag) + " takes no value (or =0 / =1), got '" + text +
           "'";
    return false;
  }
  return false;
}

/// The resolved options of a run.
struct Settings {
  std::map<std::string, std::string> values; // by flag
  std::string get(const char *flag) const {
    auto it = values.find(flag);
    return it == values.end() ? "" : it->second;
  }
  int64_t integer(const char *flag) const {
    return std::strtoll(get(flag).c_str(), nullptr, 10);
  }
  double real(const char *flag) const {
    return std::strtod(get(flag).c_str(), nullptr);
  }
};

/// Defaults, then the checkpoint's saved options, then the command line.
bool resolveSettings(const TrainFlags &flags,
                     const std::map<std::string, std::string> *saved,
                     const std::string &checkpoint, Settings *settings,
                     std::string *why) {
  Settings s;
  for (const OptionInfo &o : kOptions) {
    if (*o.defaultValue)
      s.values[o.flag] = o.defaultValue;
    if (saved && *o.key) {
      auto it = saved->find(o.key);
      if (it != saved->end()) {
        std::string value;
        if (!canonical(o, it->second, &value, why)) {
          *why = checkpoint + ": saved option " + *why;
          return false;
        }
        s.values[o.flag] = value;
      }
    }
  }
  bool stepsGiven = flags.values.count("--steps") != 0;
  bool epochsGiven = flags.values.count("--epochs") != 0;
  if (stepsGiven && epochsGiven) {
    *why = "give --steps or --epochs, not both";
    return false;
  }
  // The one given replaces a saved one of the other kind.
  if (stepsGiven)
    s.values.erase("--epochs");
  if (epochsGiven)
    s.values.erase("--steps");
  for (const OptionInfo &o : kOptions) {
    auto given = flags.values.find(o.flag);
    if (given == flags.values.end())
      continue;
    std::string value;
    if (!canonical(o, given->second, &value, why))
      return false;
    auto previous = s.values.find(o.flag);
    if (saved && o.fixedOnResume && previous != s.values.end() &&
        previous->second != value) {
      *why = std::string(o.flag) + " " + value + " differs from " +
             previous->second + " in " + checkpoint +
             "; a resumed run keeps its " + o.key;
      return false;
    }
    s.values[o.flag] = value;
  }
  if (s.get("--data").empty()) {
    *why = "--data is required (fashion-mnist, digits or a folder of .png "
           "images)";
    return false;
  }
  if (s.get("--steps").empty() && s.get("--epochs").empty()) {
    *why = "give the length of the run: --steps N or --epochs E";
    return false;
  }
  *settings = std::move(s);
  return true;
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

/// mkdir -p.
bool makeDirectories(const std::string &path, std::string *error) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/')
      continue;
    std::string prefix = path.substr(0, i);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
      *error = prefix +
               ": cannot create the checkpoint folder: " + std::strerror(errno);
      return false;
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = path + ": not a folder";
    return false;
  }
  return true;
}

/// Removes temporary files that a killed run left beside our checkpoints
/// ("latest.safetensors.tmp.<pid>.<n>"); returns how many.
int removeStaleTemporaries(const std::string &dir) {
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return 0;
  int removed = 0;
  while (struct dirent *entry = ::readdir(d)) {
    std::string name = entry->d_name;
    for (const char *prefix :
         {"latest.safetensors.tmp.", "ema.safetensors.tmp."})
      if (name.rfind(prefix, 0) == 0 &&
          ::unlink((dir + "/" + name).c_str()) == 0)
        ++removed;
  }
  ::closedir(d);
  return removed;
}

/// Opens the --log CSV. A resumed run keeps the lines up to its checkpoint's
/// step (a crashed run may have logged steps past its last checkpoint, which
/// are now redone) and appends; a new run starts the file. The kept lines
/// replace the file by rename, so a run killed right here loses no line.
std::FILE *openLog(const std::string &path, bool resuming, int64_t step,
                   std::string *error) {
  auto fail = [&](const std::string &what) {
    *error = path + ": " + what + ": " + std::strerror(errno);
    return nullptr;
  };
  std::string kept = "step,loss,lr\n";
  if (resuming) {
    if (std::FILE *in = std::fopen(path.c_str(), "r")) {
      char line[256];
      bool header = true;
      // Complete lines only: a killed run may have left half a line.
      while (std::fgets(line, sizeof(line), in)) {
        if (!header && std::strtoll(line, nullptr, 10) <= step &&
            std::strchr(line, '\n'))
          kept += line;
        header = false;
      }
      std::fclose(in);
    }
  }
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  std::FILE *out = std::fopen(temp.c_str(), "w");
  if (!out)
    return fail("cannot write the log");
  bool written = std::fputs(kept.c_str(), out) >= 0;
  if (std::fclose(out) != 0 || !written ||
      std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return fail("cannot write the log");
  }
  out = std::fopen(path.c_str(), "a");
  if (!out)
    return fail("cannot append to the log");
  return out;
}

//===----------------------------------------------------------------------===//
// Initial state
//===----------------------------------------------------------------------===//

/// Parameters from the --weights files, else the artifact's weights; zero
/// moments; EMA = parameters.
bool initialState(const Artifact &artifact, const TrainStepSpec &spec,
                  const std::vector<std::unique_ptr<SafetensorsFile>> &files,
                  TrainingState *state, std::string *error) {
  TrainingState s;
  s.names = spec.parameters;
  for (size_t i = 0; i < spec.parameters.size(); ++i) {
    const std::string &name = spec.parameters[i];
    const ValueSignature &type = spec.parameterTypes[i];
    std::string want = typeString(type);
    const SafetensorsFile *from = nullptr;
    for (const auto &file : files)
      if (file->find(name)) {
        if (from) {
          *error = "parameter '" + name + "' is in both " + from->name() +
                   " and " + file->name();
          return false;
        }
        from = file.get();
      }
    Tensor t;
    if (from) {
      if (!from->copyTensor(name, &t, error))
        return false;
      if (t.typeString() != want) {
        *error = from->name() + ": tensor '" + name + "' is " + t.typeString() +
                 ", train_step expects " + want;
        return false;
      }
    } else if (const WeightRef *w = artifact.findWeight(name)) {
      if (w->elementType != type.elementType || w->shape != type.shape) {
        *error = artifact.name() + ": weight '" + name +
                 "' does not have train_step's type " + want;
        return false;
      }
      t = Tensor::fromBytes(w->elementType, w->shape, w->data, w->size);
    } else {
      *error = "no initial value for parameter '" + name + "' (" + want +
               "): " +
               (files.empty() ? std::string("no --weights file given")
                              : std::string("not in the --weights files")) +
               " and " + artifact.name() + " embeds no weight of that name";
      return false;
    }
    Tensor zeros;
    if (!Tensor::allocate(type.elementType, type.shape, &zeros, error))
      return false;
    s.expAvg.push_back(zeros);
    s.expAvgSq.push_back(std::move(zeros));
    s.ema.push_back(t);
    s.params.push_back(std::move(t));
  }
  *state = std::move(s);
  return true;
}

/// A resumed state must be for these parameters.
bool checkResumedState(const std::string &path, const TrainStepSpec &spec,
                       const TrainingState &state, std::string *error) {
  if (state.names != spec.parameters) {
    auto list = [](const std::vector<std::string> &names) {
      std::string out;
      for (size_t i = 0; i < names.size() && i < 4; ++i)
        out += (i ? ", " : "") + names[i];
      return out + (names.size() > 4 ? ", ..." : "");
    };
    *error = path + ": the checkpoint's parameters (" + list(state.names) +
             ") are not the model's train.parameters (" +
             list(spec.parameters) + ")";
    return false;
  }
  for (size_t i = 0; i < state.names.size(); ++i)
    if (state.params[i].typeString() != typeString(spec.parameterTypes[i])) {
      *error = path + ": parameter '" + state.names[i] + "' is " +
               state.params[i].typeString() + ", train_step expects " +
               typeString(spec.parameterTypes[i]);
      return false;
    }
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// The run
//===----------------------------------------------------------------------===//

std::vector<std::string> diffc::trainValueFlags() {
  std::vector<std::string> flags;
  for (const OptionInfo &o : kOptions)
    if (o.kind != Kind::Flag)
      flags.push_back(o.flag);
  return flags;
}

int diffc::runTraining(const std::string &model, const TrainFlags &flags,
                       std::string *error) {
  auto failWith = [&](int code, const std::string &message) {
    *error = message;
    return code;
  };
  // Usage errors first, before any file is read.
  for (const auto &[flag, value] : flags.values) {
    const OptionInfo *o = nullptr;
    for (const OptionInfo &info : kOptions)
      if (flag == info.flag)
        o = &info;
    std::string canon, why;
    if (!o)
      return failWith(kExitUsage, "unknown train option " + flag);
    if (!canonical(*o, value, &canon, &why))
      return failWith(kExitUsage, why);
  }

  std::string why;
  std::unique_ptr<Artifact> artifact = Artifact::load(model, &why);
  if (!artifact)
    return failWith(kExitError, why);
  TrainStepSpec spec;
  if (!readTrainStepSpec(*artifact, &spec, &why))
    return failWith(kExitError, why);

  // State: a checkpoint, or the initial parameters.
  TrainingState state;
  auto resumeFlag = flags.values.find("--resume");
  std::string resume =
      resumeFlag == flags.values.end() ? "" : resumeFlag->second;
  if (!resume.empty()) {
    if (!readCheckpoint(resume, &state, &why) ||
        !checkResumedState(resume, spec, state, &why))
      return failWith(kExitError, why);
  }
  Settings settings;
  if (!resolveSettings(flags, resume.empty() ? nullptr : &state.options, resume,
                       &settings, &why))
    return failWith(resume.empty() || why.rfind(resume, 0) != 0 ? kExitUsage
                                                                : kExitError,
                    why);

  ImageDataset data;
  if (!loadDataset(settings.get("--data"), &spec.sampleShape, &data, &why))
    return failWith(kExitError, why);
  if (spec.takesLabels()) {
    // A classifier learns the labels: every image needs one in range.
    if (data.labels.size() != size_t(data.count))
      return failWith(kExitError,
                      data.source +
                          ": no labels; the artifact trains a classifier, "
                          "which needs labelled data (fashion-mnist, "
                          "fashion-mnist-test, digits)");
    for (int64_t i = 0; i < data.count; ++i)
      if (data.labels[i] < 0 || data.labels[i] >= spec.numClasses)
        return failWith(kExitError,
                        data.source + ": label " +
                            std::to_string(data.labels[i]) + " of image " +
                            std::to_string(i) + " is outside [0, " +
                            std::to_string(spec.numClasses) + "), the " +
                            "classifier's classes");
  }
  if (!resume.empty() && state.datasetSize != data.count)
    return failWith(kExitError, resume + ": the checkpoint was trained on " +
                                    std::to_string(state.datasetSize) +
                                    " images, " + settings.get("--data") +
                                    " has " + std::to_string(data.count));

  std::vector<std::unique_ptr<SafetensorsFile>> files;
  for (const std::string &path : flags.weights) {
    files.push_back(SafetensorsFile::load(path, &why));
    if (!files.back())
      return failWith(kExitError, why);
  }
  if (resume.empty() && !initialState(*artifact, spec, files, &state, &why))
    return failWith(kExitError, why);
  state.datasetSize = data.count;

  // The session binds the artifact's parameters (the globals of its other
  // entry points, e.g. the model the samplers call) the usual way: from
  // --weights, else from a resumed checkpoint (which holds every trainable
  // parameter under its plain name), else from the artifact.
  SessionOptions sessionOptions;
  sessionOptions.weightFiles = flags.weights;
  if (flags.weights.empty() && !resume.empty())
    sessionOptions.weightFiles = {resume};
  sessionOptions.device = resolveDevice(flags.device, *artifact);
  files.clear();
  std::unique_ptr<Session> session =
      Session::create(std::move(artifact), sessionOptions, &why);
  if (!session)
    return failWith(kExitError, why);
  if (flags.verbose && !session->deviceDescription().empty())
    std::fprintf(stderr, "diffc-run: %s\n",
                 session->deviceDescription().c_str());

  const int64_t batch = settings.integer("--batch");
  const uint64_t seed =
      std::strtoull(settings.get("--seed").c_str(), nullptr, 10);
  const double lr = settings.real("--lr");
  const int64_t warmup = settings.integer("--warmup");
  const float emaDecay = static_cast<float>(settings.real("--ema-decay"));
  const bool flip = settings.get("--flip") == "1";
  int64_t totalSteps =
      settings.get("--steps").empty()
          ? static_cast<int64_t>(std::ceil(settings.real("--epochs") *
                                           double(data.count) / batch))
          : settings.integer("--steps");
  const std::string checkpointDir = settings.get("--checkpoint-dir");
  const int64_t checkpointEvery = settings.integer("--checkpoint-every");
  const std::string outEma = settings.get("--out-ema");
  const std::string logPath = settings.get("--log");
  for (const OptionInfo &o : kOptions)
    if (*o.key && !settings.get(o.flag).empty())
      state.options[o.key] = settings.get(o.flag);
    else if (*o.key)
      state.options.erase(o.key);

  const std::string latest =
      checkpointDir.empty() ? "" : checkpointDir + "/latest.safetensors";
  if (!checkpointDir.empty()) {
    if (!makeDirectories(checkpointDir, &why))
      return failWith(kExitError, why);
    int stale = removeStaleTemporaries(checkpointDir);
    if (flags.verbose && stale)
      std::fprintf(stderr,
                   "diffc-run: removed %d temporary file(s) of an "
                   "interrupted checkpoint write in %s\n",
                   stale, checkpointDir.c_str());
  }
  auto saveCheckpoint = [&](std::string *why) {
    return writeCheckpoint(latest, state, why) &&
           writeEmaWeights(checkpointDir + "/ema.safetensors", state, why);
  };
  // The last checkpoint known to hold finite weights.
  std::string lastGood = resume.empty() ? "none" : resume;

  std::FILE *log = nullptr;
  if (!logPath.empty()) {
    log = openLog(logPath, !resume.empty(), state.step, &why);
    if (!log)
      return failWith(kExitError, why);
  }
  struct LogCloser {
    std::FILE *f;
    ~LogCloser() {
      if (f)
        std::fclose(f);
    }
  } closeLog{log};

  const std::vector<int64_t> &chw = spec.sampleShape;
  size_t p = spec.parameters.size();
  if (flags.verbose) {
    int64_t values = 0;
    for (const Tensor &t : state.params)
      values += t.numElements();
    std::fprintf(stderr,
                 "diffc-run: training %zu parameters (%lld values) of %s on "
                 "%s: %lld images %s, batch %lld, steps %lld..%lld, %s%s\n",
                 p, static_cast<long long>(values), model.c_str(),
                 data.name.c_str(), static_cast<long long>(data.count),
                 data.shapeString().c_str(), static_cast<long long>(batch),
                 static_cast<long long>(state.step + 1),
                 static_cast<long long>(totalSteps),
                 resume.empty() ? "from initial weights"
                                : ("resumed from " + resume).c_str(),
                 flip ? ", random flips" : "");
  }
  if (state.step >= totalSteps)
    std::fprintf(stderr,
                 "diffc-run: nothing to train: the checkpoint is at step "
                 "%lld, the run ends at step %lld\n",
                 static_cast<long long>(state.step),
                 static_cast<long long>(totalSteps));

  BatchSampler sampler(data, seed, flip);
  TrainingProgress progress(stderr, ::isatty(2), state.step + 1, totalSteps,
                            batch);
  for (int64_t step = state.step + 1; step <= totalSteps; ++step) {
    Tensor x0;
    if (!Tensor::allocate(ElementType::f32, {batch, chw[0], chw[1], chw[2]},
                          &x0, &why))
      return failWith(kExitError, why);
    sampler.fill(state.samplesSeen, batch, uint64_t(step), x0.dataAs<float>());
    Tensor labels;
    if (spec.takesLabels()) {
      if (!Tensor::allocate(ElementType::i64, {batch}, &labels, &why))
        return failWith(kExitError, why);
      int64_t *out = labels.dataAs<int64_t>();
      for (int64_t i = 0; i < batch; ++i)
        out[i] = data.labels[sampler.indexAt(state.samplesSeen + i)];
    }
    float stepLr = static_cast<float>(
        warmup > 0 ? lr * std::min(1.0, double(step) / double(warmup)) : lr);

    std::vector<Arg> inputs;
    inputs.reserve(4 * p + 6);
    for (std::vector<Tensor> *group :
         {&state.params, &state.expAvg, &state.expAvgSq, &state.ema})
      for (Tensor &t : *group)
        inputs.push_back(Arg::ofTensor(std::move(t)));
    inputs.push_back(Arg::ofTensor(std::move(x0)));
    if (spec.takesLabels())
      inputs.push_back(Arg::ofTensor(std::move(labels)));
    inputs.push_back(Arg::ofI64(step));
    inputs.push_back(Arg::ofF32(stepLr));
    inputs.push_back(Arg::ofF32(emaDecay));
    inputs.push_back(Arg::ofI64(static_cast<int64_t>(seed)));
    std::vector<Arg> outputs;
    if (!session->call(kTrainStepEntry, inputs, &outputs, &why)) {
      progress.finish();
      return failWith(kExitError, why);
    }
    inputs.clear();
    size_t k = 0;
    for (std::vector<Tensor> *group :
         {&state.params, &state.expAvg, &state.expAvgSq, &state.ema})
      for (Tensor &t : *group)
        t = std::move(outputs[k++].tensor);
    float loss = outputs[4 * p].tensor.dataAs<float>()[0];
    state.step = step;
    state.samplesSeen += batch;

    if (log) {
      std::fprintf(log, "%lld,%.9g,%.9g\n", static_cast<long long>(step), loss,
                   stepLr);
      std::fflush(log);
    }
    if (!std::isfinite(loss)) {
      progress.finish();
      return failWith(kExitError, std::string("loss is ") +
                                      (std::isnan(loss) ? "nan" : "inf") +
                                      " at step " + std::to_string(step) +
                                      "; last good checkpoint: " + lastGood);
    }
    progress.update(step, loss);
    if (!latest.empty() &&
        (step % checkpointEvery == 0 || step == totalSteps)) {
      if (!saveCheckpoint(&why)) {
        progress.finish();
        return failWith(kExitError, why);
      }
      lastGood = latest;
      if (flags.verbose && !::isatty(2))
        std::fprintf(stderr, "diffc-run: step %lld: wrote %s\n",
                     static_cast<long long>(step), latest.c_str());
    }
  }
  progress.finish();
  if (!outEma.empty() && !writeEmaWeights(outEma, state, &why))
    return failWith(kExitError, why);
  return 0;
}
