//===- diffc-run.cpp - Load and run diffc artifacts -----------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The runtime's command-line face: `diffc-run MODEL.diffc COMMAND ...`. The
// model comes first so every command (inspect, call, and later sample) reads
// the same way; each command is one function in the table at the bottom.
// Options may stand anywhere; --weights applies to the commands that run the
// model (call, and later sample).
//
// Exit codes: 0 success, 1 error (bad artifact, bad input, failed call),
// 2 usage error. Every error is one line "diffc-run: error: ..." on stderr.
// Output files are written only after the call succeeded, each atomically.
//
//===----------------------------------------------------------------------===//

#include "Devices.h"
#include "Eval.h"
#include "Inspect.h"
#include "Sample.h"
#include "Train.h"

#include "diffc/artifact.h"
#include "diffc/runtime.h"
#include "diffc/scheduler_config.h"
#include "diffc/session.h"
#include "diffc/tensor.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace diffc;

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

const char kHelp[] = R"(diffc-run - load and run diffc artifacts (runtime only, no compiler)

USAGE
  diffc-run MODEL.diffc inspect
  diffc-run MODEL.diffc call ENTRY [--weights W.safetensors]... [--arg X]...
            [--out FILE.npy]... [--verbose]
  diffc-run MODEL.diffc sample [--sampler ddim|ddpm] [--steps N] [--eta E]
            [--seed S] [--batch B] [--init x_T.npy] [--weights W]...
            [--scheduler-config scheduler_config.json]
            [--out grid.png] [--out x0.npy]
  diffc-run MODEL.diffc train --data fashion-mnist|digits|DIR
            (--steps N | --epochs E) [--batch B] [--lr LR] [--warmup W]
            [--seed S] [--ema-decay D] [--flip] [--weights INIT]...
            [--checkpoint-dir DIR] [--checkpoint-every K] [--resume CKPT]
            [--out-ema FILE] [--log FILE.csv] [-v]
  diffc-run CLASSIFIER.diffc eval [--weights W]...
            (--samples X.npy | --generate MODEL.diffc [--generate-weights W]
             [--num-samples N] [--sampler S] [--steps N] [--eta E]
             [--seed S] [--batch B] [--save-samples X.npy]) [--accuracy]
            [--reference fashion-mnist-test|DATA] [--confidence P]
            [--eval-batch B] [--stats-cache FILE|none] [--json] [-v]
  diffc-run devices
  diffc-run --help | --version

  --device auto|cpu|cuda (call, sample, train; eval: cpu): where to
            run. cpu runs the x86_64 code. cuda loads the NVIDIA driver
            (dlopen libcuda.so.1), picks the artifact's cubin for the GPU's
            compute capability (else its PTX, JIT-compiled) and runs the
            artifact's GPU host code, whose kernels run on device 0
            (artifacts compiled with --target=sm_XX; docs/gpu.md). auto
            (the default) is cuda when the artifact has GPU code and a
            device is present, else cpu. Without a driver, without a device
            or without code for the GPU, --device=cuda says so and exits 1.
  devices   List the CPU and the CUDA devices (name, compute capability,
            memory), or why there is none; exit 0.

COMMANDS
  inspect   Verify MODEL.diffc and print it as JSON: schema version, producer,
            entry points with their signatures, code objects (target, format,
            offset, size), weights (name, element type, shape, offset, size)
            and parameters (name, symbol, element type, shape, and whether
            the artifact embeds a value). Shapes use -1 for dynamic extents.
            Needs no code for this machine, so GPU-only artifacts can be
            inspected anywhere.

  call      Call entry point ENTRY with the --arg values, in signature order.
            Each X is one of
              FILE.npy     a tensor (C order, <f4 <f8 <f2 <i4 <i8 or |b1)
              i64:N        a 64-bit integer scalar, e.g. i64:5
              index:N      an index scalar, e.g. index:3
              f32:V        a float scalar, e.g. f32:0.5
            (a file whose name starts with "i64:" etc. can be given as ./NAME).
            Arguments are checked against the signature (count, kind, element
            type, static extents) before the call.
            With --out, result i goes to the i-th --out file as .npy (scalars
            as 0-d arrays); the number of --out files must equal the number
            of results. Files are written only after the call succeeded, each
            atomically (temporary file, fsync, rename). Without --out, each
            result's type and first values are printed.

WEIGHTS
  The model's parameters (see inspect) get their values before the first
  call: each from the --weights file holding a tensor of its state-dict name
  (e.g. "conv_in.weight"), else from the weight the artifact embeds under
  that name. Element type and shape must match exactly; a parameter found
  nowhere, or in two --weights files, is an error. Other tensors in the
  files are ignored (--verbose counts them).

  sample    Run the artifact's sampler (entry sample_ddim or sample_ddpm,
            added by `diffc compile --sampler=ddim,ddpm`). Steps, eta, seed
            and batch are run-time choices; x_T is Philox noise of the seed
            (offset 0) unless --init gives it. Each --out is a .png (a grid
            of the samples, [-1, 1] mapped to 0..255) or a .npy (the raw
            float32 samples). Defaults: ddim, 50 steps, eta 0, seed 0,
            batch 16.
            Scheduler options (beta schedule, prediction type, clipping,
            ...) are compiled into the sampler. --scheduler-config F checks
            the diffusers scheduler_config.json F, used as is, against them
            before sampling: missing options take diffusers' defaults,
            unknown ones are errors, and an option that differs from the
            compiled one (numbers: relative 1e-12) is an error naming both
            values and the recompile command. Without it the compiled
            options are used unchecked.

  train     Train the model with the artifact's train_step entry (added by
            diffc's training builder; docs/training.md): each optimizer step
            draws a batch in the seeded data order, and train_step draws the
            timesteps and noise from (seed, step), computes L_simple, its
            gradient, the Adam/AdamW update and the EMA of the weights.
            Initial parameters come from --weights, else from the weights
            the artifact embeds; moments start at zero, the EMA at the
            parameters. Stops with exit 1 at the first loss that is nan or
            inf ("loss is nan at step N; last good checkpoint: PATH").
            A progress line on stderr shows step/total, the loss (mean of
            the last 100 steps), images/s and the time left; it is redrawn
            in place on a terminal, else printed every tenth of the run.
            --data D        fashion-mnist (60,000 1x28x28, Debian's
                            dataset-fashion-mnist), fashion-mnist-test
                            (10,000), digits (sklearn's 1,797 1x8x8), or a
                            folder of 8-bit grey or RGB .png images; pixels
                            become [-1, 1]. Images must have the model's
                            sample shape.
            --steps N       train until optimizer step N (counting the steps
                            of a resumed checkpoint), or
            --epochs E      until E passes over the data (may be fractional)
            --batch B       images per step (default 64)
            --lr LR         peak learning rate (default 0.0001)
            --warmup W      linear warm-up: step s uses LR * min(1, s / W)
                            (default 0: none)
            --seed S        seeds the data order, the flips and train_step's
                            noise (default 0)
            --ema-decay D   EMA decay per step (default 0.9999)
            --flip          mirror each image left to right with
                            probability 1/2 (a pure function of seed, step
                            and position in the batch)
            --checkpoint-dir DIR
                            write DIR/latest.safetensors (parameters, Adam
                            moments, EMA, step, data position and these
                            options; atomic, so it is always a complete
                            checkpoint) and DIR/ema.safetensors (the EMA
                            under plain parameter names) every K steps and
                            at the end
            --checkpoint-every K
                            default 500
            --resume CKPT   continue from a checkpoint exactly as the
                            uninterrupted run would have (bit for bit on
                            CPU); options not given are taken from CKPT,
                            and --data, --batch and --seed must not change
            --out-ema F     write the final EMA weights to F, under plain
                            names: a --weights file for `sample`
            --log F.csv     one line "step,loss,lr" per step; a resumed run
                            keeps the lines up to its checkpoint and appends

  eval      Sample quality in the feature space of a classifier compiled
            by diffc (entry `classifier(x) -> (logits, features)`, from
            diffc-zoo classifier; docs/evaluation.md). --weights are the
            classifier's. Prints
              FID        between the classifier's penultimate features of
                         the samples and of the reference set, in float64:
                         |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))
              confident  the share of samples whose largest softmax
                         probability exceeds --confidence (default 0.9)
              classes    how many samples the classifier puts in each class
            and the classifier's accuracy on a labelled reference set.
            --samples X.npy  float32 [N, C, H, W] in [-1, 1], as
                            `sample --out x.npy` writes them (N >= 2)
            --generate M    draw --num-samples N (default 1000) with the
                            sampler artifact M (--generate-weights W, its
                            weights, comma-separated for several files);
                            --sampler, --steps, --eta, --seed, --batch
                            (default 100) and --scheduler-config as for
                            `sample`; batch k uses seed S + k, so it equals
                            `M sample --seed S+k --batch B`. --save-samples
                            F.npy keeps them.
            --accuracy      (also) report the accuracy on the reference set,
                            which must have labels; alone it needs no samples
            --reference D   fashion-mnist-test (default), fashion-mnist,
                            digits or a folder of .png images
            --stats-cache F where the reference statistics are cached
                            (default: beside the first --weights file,
                            <stem>.fid-<reference>.safetensors; `none`: no
                            cache). The cache is keyed by a hash of the
                            weights, the classifier and the reference data,
                            and recomputed when they change.
            --eval-batch B  images per classifier call (default 500)
            --json          print the report as JSON on stdout

OPTIONS
  --weights F, --weights=F
                       a safetensors file of parameter values for `call`,
                       `sample` and `train` (repeatable, e.g. for sharded
                       checkpoints)
  --arg X, --arg=X     an input of `call` (repeatable)
  --out F, --out=F     an output file of `call` (repeatable)
  --sampler ddim|ddpm, --steps N, --eta E, --seed S, --batch B, --init F
                       sampling choices of `sample` (see above)
  --scheduler-config F a diffusers scheduler_config.json that `sample`
                       checks against the compiled scheduler options
  --upscale K          pixel size in PNG grids (default 3 below 64 pixels)
  -v, --verbose        say on stderr where the parameters came from
  -h, --help           show this help
  --version            show the runtime, artifact schema and C API versions

EXAMPLES
  diffc-run model.diffc inspect
  diffc-run model.diffc call add_f32 --arg a.npy --arg b.npy --out c.npy
  diffc-run model.diffc call scale --arg x.npy --arg f32:0.5
  diffc-run model.diffc call step --arg x.npy --arg i64:999 --out x_prev.npy
  diffc-run model.diffc call unet --weights unet.safetensors --arg x.npy \
            --arg i64:999 --out eps.npy
  diffc-run model.diffc sample --steps 50 --seed 1 --batch 16 --out grid.png
  diffc-run model.diffc sample --sampler ddpm --steps 1000 --out x0.npy
  diffc-run model.diffc sample --scheduler-config scheduler_config.json \
            --out grid.png
  diffc-run model.diffc train --data fashion-mnist --batch 128 --lr 2e-4 \
            --warmup 500 --epochs 20 --flip --checkpoint-dir ckpt \
            --log train.csv --out-ema ema.safetensors
  diffc-run model.diffc train --resume ckpt/latest.safetensors --epochs 40
  diffc-run classifier.diffc eval --weights classifier.safetensors --accuracy
  diffc-run classifier.diffc eval --weights classifier.safetensors \
            --samples x0.npy --json
  diffc-run classifier.diffc eval --weights classifier.safetensors \
            --generate model.diffc --generate-weights ema.safetensors \
            --steps 50 --eta 0 --num-samples 10000 --batch 250

EXIT STATUS
  0 success, 1 error (invalid artifact or input, failed call, I/O), 2 usage.
)";

int usageError(const std::string &message) {
  std::fprintf(stderr, "diffc-run: error: %s (see diffc-run --help)\n",
               message.c_str());
  return kExitUsage;
}

int error(const std::string &message) {
  std::fprintf(stderr, "diffc-run: error: %s\n", message.c_str());
  return kExitError;
}

/// The parsed command line.
struct Options {
  std::string model;
  std::string command;
  std::vector<std::string> positional; // after the command
  std::vector<std::string> args;
  std::vector<std::string> outs;
  std::vector<std::string> weights;
  /// Command options ("--steps=50"), parsed by the command that takes them.
  std::vector<std::string> sampleFlags;
  bool verbose = false;
  /// --device: auto, cpu or cuda (Devices.h).
  std::vector<std::string> device;
};

/// Parses a scalar --arg ("i64:5"); returns false with *why for a malformed
/// number. *isScalar tells whether `text` is a scalar spelling at all.
bool parseScalar(const std::string &text, bool *isScalar, Arg *out,
                 std::string *why) {
  *isScalar = false;
  size_t colon = text.find(':');
  if (colon == std::string::npos)
    return true;
  std::string kind = text.substr(0, colon), value = text.substr(colon + 1);
  if (kind != "i64" && kind != "index" && kind != "f32")
    return true;
  *isScalar = true;
  const char *begin = value.c_str();
  char *end = nullptr;
  errno = 0;
  if (kind == "f32") {
    float v = std::strtof(begin, &end);
    // Underflow to a denormal or zero is fine; overflow to infinity is not.
    if (value.empty() || *end || (errno == ERANGE && std::isinf(v))) {
      *why = "--arg " + text + ": '" + value + "' is not a float";
      return false;
    }
    *out = Arg::ofF32(v);
    return true;
  }
  long long v = std::strtoll(begin, &end, 10);
  if (value.empty() || *end || errno == ERANGE) {
    *why = "--arg " + text + ": '" + value + "' is not a 64-bit integer";
    return false;
  }
  *out = kind == "i64" ? Arg::ofI64(v) : Arg::ofIndex(v);
  return true;
}

/// Formats element `i` of a tensor for printing.
std::string formatElement(const Tensor &t, int64_t i) {
  char buffer[64];
  const uint8_t *p = static_cast<const uint8_t *>(t.data());
  switch (t.elementType()) {
  case ElementType::f32: {
    float v;
    std::memcpy(&v, p + 4 * i, 4);
    std::snprintf(buffer, sizeof(buffer), "%.9g", v);
    break;
  }
  case ElementType::f64: {
    double v;
    std::memcpy(&v, p + 8 * i, 8);
    std::snprintf(buffer, sizeof(buffer), "%.17g", v);
    break;
  }
  case ElementType::f16: {
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    double v = exponent == 0    ? std::ldexp(mantissa, -24)
               : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                : std::ldexp(mantissa + 1024, exponent - 25);
    std::snprintf(buffer, sizeof(buffer), "%.5g", (h & 0x8000) ? -v : v);
    break;
  }
  case ElementType::bf16: {
    uint16_t b;
    std::memcpy(&b, p + 2 * i, 2);
    uint32_t bits = uint32_t(b) << 16;
    float v;
    std::memcpy(&v, &bits, 4);
    std::snprintf(buffer, sizeof(buffer), "%.4g", v);
    break;
  }
  case ElementType::i32: {
    int32_t v;
    std::memcpy(&v, p + 4 * i, 4);
    std::snprintf(buffer, sizeof(buffer), "%d", v);
    break;
  }
  case ElementType::i64: {
    int64_t v;
    std::memcpy(&v, p + 8 * i, 8);
    std::snprintf(buffer, sizeof(buffer), "%lld", static_cast<long long>(v));
    break;
  }
  case ElementType::i1:
    return p[i] ? "true" : "false";
  }
  return buffer;
}

void printResult(size_t index, const Arg &result) {
  if (result.kind == ValueKind::f32) {
    std::printf("result %zu: f32 = %.9g\n", index, result.floatValue);
    return;
  }
  if (result.kind != ValueKind::tensor) {
    std::printf("result %zu: %s = %lld\n", index,
                valueKindName(result.kind).c_str(),
                static_cast<long long>(result.intValue));
    return;
  }
  const Tensor &t = result.tensor;
  constexpr int64_t kShown = 8;
  std::string values;
  for (int64_t i = 0; i < t.numElements() && i < kShown; ++i)
    values += (i ? ", " : "") + formatElement(t, i);
  if (t.numElements() > kShown)
    values += ", ...";
  std::printf("result %zu: %s = [%s]", index, t.typeString().c_str(),
              values.c_str());
  if (t.numElements() > kShown)
    std::printf(" (first %lld of %lld)", static_cast<long long>(kShown),
                static_cast<long long>(t.numElements()));
  std::printf("\n");
}

//===----------------------------------------------------------------------===//
// Commands
//===----------------------------------------------------------------------===//

/// With --verbose: where the parameters' values came from, on stderr.
void reportBinding(const Session &session) {
  const std::vector<std::string> &sources = session.parameterSources();
  std::vector<std::pair<std::string, size_t>> counts;
  for (const std::string &source : sources) {
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto &c) { return c.first == source; });
    if (it == counts.end())
      counts.emplace_back(source, 1);
    else
      ++it->second;
  }
  std::string from;
  for (const auto &[source, count] : counts)
    from += (from.empty() ? ": " : ", ") + std::to_string(count) + " from " +
            source;
  std::fprintf(stderr,
               "diffc-run: %zu parameter(s) bound%s; %zu tensor(s) of the "
               "weight files unused\n",
               sources.size(), from.c_str(), session.unusedWeights().size());
}

int runInspect(const Options &options) {
  if (!options.positional.empty() || !options.args.empty() ||
      !options.outs.empty())
    return usageError("inspect takes no further arguments");
  std::string why;
  std::unique_ptr<Artifact> artifact = Artifact::load(options.model, &why);
  if (!artifact)
    return error(why);
  std::fputs(inspectJson(*artifact).c_str(), stdout);
  return 0;
}

int runCall(const Options &options) {
  if (options.positional.size() != 1)
    return usageError(options.positional.empty()
                          ? "call needs an ENTRY name"
                          : "call takes one ENTRY name, got '" +
                                options.positional[1] + "' as well");
  const std::string &entryName = options.positional[0];
  std::set<std::string> outSet;
  for (const std::string &out : options.outs)
    if (!outSet.insert(out).second)
      return usageError("--out " + out + " is given twice");

  // Parse scalar spellings before touching any file, so usage errors come
  // first.
  std::vector<Arg> inputs(options.args.size());
  std::vector<bool> isScalar(options.args.size());
  for (size_t i = 0; i < options.args.size(); ++i) {
    bool scalar = false;
    std::string why;
    if (!parseScalar(options.args[i], &scalar, &inputs[i], &why))
      return usageError(why);
    isScalar[i] = scalar;
  }

  std::string why;
  std::unique_ptr<Artifact> artifact = Artifact::load(options.model, &why);
  if (!artifact)
    return error(why);
  const EntryPointSignature *entry = artifact->findEntryPoint(entryName);
  if (!entry) {
    std::string names;
    for (const EntryPointSignature &e : artifact->entryPoints())
      names += (names.empty() ? "" : ", ") + escapeForMessage(e.name);
    return error(options.model + ": no entry point \"" +
                 escapeForMessage(entryName) +
                 "\"; the artifact has: " + (names.empty() ? "none" : names));
  }
  if (!options.outs.empty() && options.outs.size() != entry->outputs.size())
    return error(options.model + ": entry point \"" +
                 escapeForMessage(entryName) + "\" has " +
                 std::to_string(entry->outputs.size()) + " result(s), but " +
                 std::to_string(options.outs.size()) +
                 " --out file(s) were given");

  for (size_t i = 0; i < options.args.size(); ++i) {
    if (isScalar[i])
      continue;
    Tensor tensor;
    if (!readNpy(options.args[i], &tensor, &why))
      return error(why);
    inputs[i] = Arg::ofTensor(std::move(tensor));
  }

  SessionOptions sessionOptions;
  sessionOptions.weightFiles = options.weights;
  sessionOptions.device = resolveDevice(
      options.device.empty() ? "auto" : options.device[0], *artifact);
  std::unique_ptr<Session> session =
      Session::create(std::move(artifact), sessionOptions, &why);
  if (!session)
    return error(why);
  if (options.verbose && !session->deviceDescription().empty())
    std::fprintf(stderr, "diffc-run: %s\n",
                 session->deviceDescription().c_str());
  if (options.verbose)
    reportBinding(*session);
  std::vector<Arg> results;
  if (!session->call(entryName, inputs, &results, &why))
    return error(why);

  if (options.outs.empty()) {
    for (size_t i = 0; i < results.size(); ++i)
      printResult(i, results[i]);
    return 0;
  }
  // All or nothing as far as possible: each file is written atomically, and
  // if one fails, the files this run created before it are removed again.
  std::vector<std::string> created;
  for (size_t i = 0; i < results.size(); ++i) {
    const Arg &result = results[i];
    Tensor scalar;
    const Tensor *tensor = &result.tensor;
    if (result.kind == ValueKind::f32) {
      scalar = Tensor::fromVector(ElementType::f32, {},
                                  std::vector<float>{result.floatValue});
      tensor = &scalar;
    } else if (result.kind != ValueKind::tensor) {
      scalar = Tensor::fromVector(ElementType::i64, {},
                                  std::vector<int64_t>{result.intValue});
      tensor = &scalar;
    }
    struct stat st;
    bool existed = ::stat(options.outs[i].c_str(), &st) == 0;
    if (!writeNpy(options.outs[i], *tensor, &why)) {
      for (const std::string &path : created)
        ::unlink(path.c_str());
      return error(why);
    }
    if (!existed)
      created.push_back(options.outs[i]);
  }
  return 0;
}

struct Command {
  const char *name;
  int (*run)(const Options &);
};

/// Subcommands; `sample` and friends are added here.
/// Reads the sampling flags ("--steps=50" form, collected by main).
bool parseSampleFlags(const Options &options, SampleOptions *o,
                      std::string *why) {
  for (const std::string &flag : options.sampleFlags) {
    size_t eq = flag.find('=');
    std::string name = flag.substr(0, eq), value = flag.substr(eq + 1);
    auto integer = [&](int64_t *out) {
      char *end = nullptr;
      errno = 0;
      long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end || errno) {
        *why = name + " needs an integer, got '" + value + "'";
        return false;
      }
      *out = v;
      return true;
    };
    if (name == "--sampler") {
      o->sampler = value;
    } else if (name == "--steps") {
      if (!integer(&o->steps))
        return false;
    } else if (name == "--batch") {
      if (!integer(&o->batch))
        return false;
    } else if (name == "--upscale") {
      if (!integer(&o->upscale))
        return false;
    } else if (name == "--seed") {
      char *end = nullptr;
      errno = 0;
      unsigned long long v = std::strtoull(value.c_str(), &end, 0);
      if (value.empty() || *end || errno || value[0] == '-') {
        *why = "--seed needs a non-negative integer, got '" + value + "'";
        return false;
      }
      o->seed = v;
    } else if (name == "--eta") {
      char *end = nullptr;
      float v = std::strtof(value.c_str(), &end);
      if (value.empty() || *end || !(v >= 0.0f)) {
        *why = "--eta needs a number >= 0, got '" + value + "'";
        return false;
      }
      o->eta = v;
      o->etaGiven = true;
    } else if (name == "--init") {
      o->init = value;
    } else if (name == "--scheduler-config") {
      if (value.empty()) {
        *why = "--scheduler-config needs a file name";
        return false;
      }
      o->schedulerConfig = value;
    }
  }
  return true;
}

int runSample(const Options &options) {
  if (!options.positional.empty())
    return usageError("sample takes no positional argument, got '" +
                      options.positional[0] + "'");
  if (!options.args.empty())
    return usageError("--arg belongs to the call command");
  SampleOptions sample;
  sample.outs = options.outs;
  std::string why;
  if (!parseSampleFlags(options, &sample, &why))
    return usageError(why);
  std::unique_ptr<Artifact> artifact = Artifact::load(options.model, &why);
  if (!artifact)
    return error(why);
  // Before the weights are read: a wrong sampler config is the cheaper and
  // the more fundamental error.
  if (!sample.schedulerConfig.empty()) {
    if (!checkSchedulerConfigFile(*artifact, sample.schedulerConfig, &why))
      return error(why);
    if (options.verbose)
      std::fprintf(stderr,
                   "diffc-run: %s matches the scheduler options %s was "
                   "compiled with\n",
                   sample.schedulerConfig.c_str(), options.model.c_str());
  }
  SessionOptions sessionOptions;
  sessionOptions.weightFiles = options.weights;
  sessionOptions.device = resolveDevice(
      options.device.empty() ? "auto" : options.device[0], *artifact);
  std::unique_ptr<Session> session =
      Session::create(std::move(artifact), sessionOptions, &why);
  if (!session)
    return error(why);
  if (options.verbose && !session->deviceDescription().empty())
    std::fprintf(stderr, "diffc-run: %s\n",
                 session->deviceDescription().c_str());
  if (options.verbose)
    reportBinding(*session);
  if (!runSampler(*session, sample, &why))
    return error(why);
  return 0;
}

/// The --name=value options of a command (train, eval) by name; a name given
/// twice is a usage error.
bool collectCommandFlags(const Options &options,
                         std::map<std::string, std::string> *values,
                         std::string *why) {
  for (const std::string &flag : options.sampleFlags) {
    size_t eq = flag.find('=');
    std::string name = flag.substr(0, eq);
    if (!values->emplace(name, flag.substr(eq + 1)).second) {
      *why = name + " is given twice";
      return false;
    }
  }
  return true;
}

/// The exit of a command from its status: usage errors print the usage hint.
int commandStatus(int status, const std::string &why) {
  if (status == kExitUsage)
    return usageError(why);
  if (status != 0)
    return error(why);
  return 0;
}

int runTrain(const Options &options) {
  if (!options.positional.empty())
    return usageError("train takes no positional argument, got '" +
                      options.positional[0] + "'");
  if (!options.args.empty() || !options.outs.empty())
    return usageError("train writes --checkpoint-dir, --out-ema and --log, "
                      "not --arg/--out");
  TrainFlags flags;
  flags.weights = options.weights;
  flags.verbose = options.verbose;
  if (!options.device.empty())
    flags.device = options.device[0];
  std::string why;
  if (!collectCommandFlags(options, &flags.values, &why))
    return usageError(why);
  return commandStatus(runTraining(options.model, flags, &why), why);
}

int runEval(const Options &options) {
  if (!options.positional.empty())
    return usageError("eval takes no positional argument, got '" +
                      options.positional[0] + "'");
  if (!options.args.empty() || !options.outs.empty())
    return usageError("eval reads --samples and prints its report; it takes "
                      "no --arg/--out");
  EvalFlags flags;
  flags.weights = options.weights;
  flags.verbose = options.verbose;
  std::string why;
  if (!collectCommandFlags(options, &flags.values, &why))
    return usageError(why);
  return commandStatus(runEvaluation(options.model, flags, &why), why);
}

constexpr Command kCommands[] = {
    {"inspect", runInspect},
    {"call", runCall},
    {"sample", runSample},
    {"train", runTrain},
    {"eval", runEval},
};

/// The value options of `sample` (train's are trainValueFlags()).
constexpr const char *kSampleValueFlags[] = {
    "--sampler", "--steps", "--eta",     "--seed",
    "--batch",   "--init",  "--upscale", "--scheduler-config"};

bool isOneOf(const std::string &name, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (name == list[i])
      return true;
  return false;
}

bool isTrainFlag(const std::string &name) {
  for (const std::string &flag : trainValueFlags())
    if (name == flag)
      return true;
  return false;
}

bool isEvalFlag(const std::string &name) {
  for (const auto *list : {&evalValueFlags(), &evalBooleanFlags()})
    for (const std::string &flag : *list)
      if (name == flag)
        return true;
  return false;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (arg == "--version") {
      std::printf("diffc-run (diffc runtime; artifact schema version %u; C "
                  "API version %u)\n",
                  kArtifactSchemaVersion, diffc_api_version());
      return 0;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag, std::vector<std::string> *into) {
      std::string prefix = std::string(flag) + "=";
      if (arg.compare(0, prefix.size(), prefix) == 0) {
        into->push_back(arg.substr(prefix.size()));
        return 1;
      }
      if (arg != flag)
        return 0;
      if (i + 1 >= argc)
        return -1;
      into->push_back(argv[++i]);
      return 1;
    };
    int matched = value("--arg", &options.args);
    if (!matched)
      matched = value("--out", &options.outs);
    if (!matched)
      matched = value("--weights", &options.weights);
    if (!matched)
      matched = value("--device", &options.device);
    std::vector<std::string> commandFlags(std::begin(kSampleValueFlags),
                                          std::end(kSampleValueFlags));
    for (const std::string &flag : trainValueFlags())
      commandFlags.push_back(flag);
    for (const std::string &flag : evalValueFlags())
      commandFlags.push_back(flag);
    for (const std::string &flag : commandFlags) {
      if (matched)
        break;
      std::vector<std::string> one;
      matched = value(flag.c_str(), &one);
      if (matched > 0)
        options.sampleFlags.push_back(flag + "=" + one[0]);
    }
    // --flip takes no value (--flip=0 turns off a resumed run's flips).
    if (!matched && (arg == "--flip" || arg.rfind("--flip=", 0) == 0)) {
      options.sampleFlags.push_back(arg == "--flip" ? "--flip=1" : arg);
      matched = 1;
    }
    // So do eval's --accuracy and --json.
    for (const std::string &flag : evalBooleanFlags())
      if (!matched && (arg == flag || arg.rfind(flag + "=", 0) == 0)) {
        options.sampleFlags.push_back(arg == flag ? flag + "=1" : arg);
        matched = 1;
      }
    if (matched < 0)
      return usageError(arg + " needs a value");
    if (matched)
      continue;
    if (arg == "-v" || arg == "--verbose") {
      options.verbose = true;
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-')
      return usageError("unknown option '" + arg + "'");
    if (options.model.empty())
      options.model = arg;
    else if (options.command.empty())
      options.command = arg;
    else
      options.positional.push_back(arg);
  }
  if (options.model.empty())
    return usageError("no MODEL.diffc given");
  if (options.device.size() > 1)
    return usageError("--device is given twice");
  const std::string device =
      options.device.empty() ? "auto" : options.device[0];
  if (!isDeviceName(device))
    return usageError("unknown --device '" + device +
                      "' (expected auto, cpu or cuda)");
  if (options.model == "devices" && options.command.empty()) {
    if (!options.args.empty() || !options.outs.empty() ||
        !options.weights.empty() || !options.sampleFlags.empty() ||
        !options.device.empty())
      return usageError("devices takes no options");
    return listDevices();
  }
  if (options.command.empty())
    return usageError("no command given after " + options.model +
                      " (commands: inspect, call, sample, train, eval)");
  for (const Command &command : kCommands)
    if (options.command == command.name) {
      if (command.run == runInspect &&
          (!options.args.empty() || !options.outs.empty() ||
           !options.weights.empty()))
        return usageError("inspect takes no --arg, --out or --weights");
      for (const std::string &flag : options.sampleFlags) {
        std::string name = flag.substr(0, flag.find('='));
        bool ok = false;
        if (command.run == runSample)
          ok = isOneOf(name, kSampleValueFlags, std::size(kSampleValueFlags));
        else if (command.run == runTrain)
          ok = name == "--flip" || isTrainFlag(name);
        else if (command.run == runEval)
          ok = isEvalFlag(name);
        if (ok)
          continue;
        if (isEvalFlag(name) && !isTrainFlag(name) &&
            !isOneOf(name, kSampleValueFlags, std::size(kSampleValueFlags)))
          return usageError(name + ": evaluation options belong to the eval "
                                   "command");
        if (command.run != runSample &&
            isOneOf(name, kSampleValueFlags, std::size(kSampleValueFlags)))
          return usageError("sampling options belong to the sample command");
        return usageError(name + ": training options belong to the train "
                                 "command");
      }
      if (device == "cuda" && command.run == runEval)
        return error("--device=cuda: " + options.command +
                     " runs on the CPU only for now (docs/gpu.md); use "
                     "--device=cpu");
      return command.run(options);
    }
  return usageError("unknown command '" + options.command +
                    "' (commands: inspect, call, sample, train, eval)");
}
