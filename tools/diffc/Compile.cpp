//===- Compile.cpp - `diffc compile`: .mlir to a .diffc artifact ----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "Codegen.h"
#include "GpuCodegen.h"
#include "Signature.h"

#include "frontends/Samplers/SamplerBuilder.h"
#include "frontends/Training/TrainingBuilder.h"
#include "passes/Diffc/Parameters.h"
#include "passes/Diffc/Passes.h"
#include "passes/InitAll.h"
#include "passes/Pipelines/Pipelines.h"

#include "diffc/artifact.h"
#include "diffc/safetensors.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

cl::OptionCategory category("diffc compile options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output artifact (.diffc)"),
                                cl::value_desc("file"), cl::cat(category));
cl::opt<std::string>
    targets("target",
            cl::desc("Comma-separated targets to generate code for: x86_64 "
                     "and GPUs sm_80, sm_86, sm_89, sm_90, sm_100, sm_120 "
                     "(a cubin plus PTX each, and the entry points' GPU "
                     "host code, which diffc-run --device=cuda runs; every "
                     "op has a GPU kernel, reductions and contractions "
                     "still naive ones: docs/gpu.md)"),
            cl::init("x86_64"), cl::cat(category));
cl::opt<std::string> cudaPath(
    "cuda-path",
    cl::desc("CUDA toolkit for GPU targets (ptxas, libdevice); default "
             "$CUDA_HOME or /usr/local/cuda"),
    cl::value_desc("dir"), cl::init(""), cl::cat(category));
cl::opt<unsigned> gpuCoarsen(
    "gpu-coarsen",
    cl::desc("GPU contractions (matrix products, convolutions): output "
             "points per thread along one parallel loop, sharing the loads "
             "of the largest input (1: one output per thread, the default; "
             "results are the same either way; docs/gpu.md)"),
    cl::init(1), cl::cat(category));
cl::opt<bool> gpuHostLoops(
    "gpu-host-loops",
    cl::desc("Test option: compile the x86_64 code from the GPU kernels "
             "(after thread mapping) run as host loops, so the GPU kernels' "
             "logic is checked on the CPU (docs/gpu.md)"),
    cl::init(false), cl::cat(category));
cl::opt<std::string> cpu("cpu",
                         cl::desc("x86-64 CPU to tune and select "
                                  "instructions for (LLVM name)"),
                         cl::init("x86-64-v3"), cl::cat(category));
cl::opt<std::string>
    emit("emit",
         cl::desc("What to write: artifact (default), mlir (the IR after "
                  "--stage's stage; with only GPU targets, the host "
                  "functions with their gpu.launch kernels), llvm "
                  "(optimized LLVM IR) or ptx (the first GPU target's PTX)"),
         cl::init("artifact"), cl::cat(category));
cl::opt<bool> cpuKernels(
    "cpu-kernels",
    cl::desc("Call the runtime's GEMM and convolution kernels for f32 "
             "matrix products and convolutions (default); "
             "--cpu-kernels=false generates loops for them instead"),
    cl::init(true), cl::cat(category));
cl::opt<std::string> stopAfter(
    "stage",
    cl::desc("With --emit=mlir, the last stage to run: linalg, fused, "
             "bufferized, loops or llvm"),
    cl::init("llvm"), cl::cat(category));

cl::opt<std::string> samplers(
    "sampler",
    cl::desc("Add sampling entry points (comma-separated: ddim, ddpm) around "
             "the model function --model"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> modelName(
    "model",
    cl::desc("The denoising function the samplers call (default: the only "
             "public function taking (sample, timestep))"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> schedulerConfig(
    "scheduler-config",
    cl::desc("diffusers scheduler_config.json for the samplers (default: "
             "diffusers' defaults)"),
    cl::value_desc("file"), cl::init(""), cl::cat(category));

cl::OptionCategory trainCategory("diffc compile training options (--train)");
cl::opt<std::string> train(
    "train", cl::ValueOptional, cl::value_desc("ddpm|classifier"),
    cl::desc("Add the entry point train_step around --model (what diffc-run "
             "train runs). --train (or --train=ddpm): a denoiser (sample, "
             "timestep); noise, forward, L_simple, backward (diffc-autodiff), "
             "optimizer and EMA in one call, the noise schedule and "
             "prediction type from --scheduler-config. --train=classifier: a "
             "classifier (x) -> (logits, ...); softmax cross-entropy against "
             "the labels, backward, optimizer and EMA"),
    cl::init(""), cl::cat(trainCategory));
cl::opt<std::string> optimizer("optimizer",
                               cl::desc("adamw (default) or adam"),
                               cl::init("adamw"), cl::cat(trainCategory));
cl::opt<double> adamBeta1("adam-beta1", cl::desc("Adam beta1 (0.9)"),
                          cl::init(0.9), cl::cat(trainCategory));
cl::opt<double> adamBeta2("adam-beta2", cl::desc("Adam beta2 (0.999)"),
                          cl::init(0.999), cl::cat(trainCategory));
cl::opt<double> adamEpsilon("adam-epsilon", cl::desc("Adam epsilon (1e-8)"),
                            cl::init(1e-8), cl::cat(trainCategory));
cl::opt<double> weightDecay("weight-decay",
                            cl::desc("Weight decay (0; decoupled for adamw)"),
                            cl::init(0.0), cl::cat(trainCategory));
cl::opt<double> gradClip(
    "grad-clip",
    cl::desc("Clip the global gradient norm to this value (0: off, default)"),
    cl::init(0.0), cl::cat(trainCategory));

cl::opt<std::string> weightsFile(
    "weights",
    cl::desc("Embed the parameters' values from this safetensors file (PyTorch "
             "state-dict names); without it diffc-run takes --weights"),
    cl::value_desc("file"), cl::init(""), cl::cat(category));

/// `--stats` is taken out of argv before LLVM parses it: LLVM registers a
/// global -stats option of its own.
bool stats = false;

int fail(const Twine &message) {
  errs() << "diffc: error: " << message << "\n";
  return 1;
}

/// The model function the samplers wrap: --model, or the only public
/// function with two arguments.
mlir::func::FuncOp findModel(mlir::ModuleOp module) {
  if (!modelName.empty()) {
    auto f = module.lookupSymbol<mlir::func::FuncOp>(modelName);
    if (!f)
      fail("no function @" + modelName + " for --model in " + inputFile);
    return f;
  }
  mlir::func::FuncOp found;
  for (auto f : module.getOps<mlir::func::FuncOp>()) {
    if (f.isPrivate() || f.isExternal() || f.getNumArguments() != 2)
      continue;
    if (found) {
      fail("several candidate models (@" + found.getSymName() + ", @" +
           f.getSymName() + "): name one with --model");
      return {};
    }
    found = f;
  }
  if (!found)
    fail("no model function (sample, timestep) in " + inputFile +
         "; name one with --model");
  return found;
}

/// The classifier that --train=classifier wraps: --model, or the only
/// public function with one argument.
mlir::func::FuncOp findClassifier(mlir::ModuleOp module) {
  if (!modelName.empty())
    return findModel(module);
  mlir::func::FuncOp found;
  for (auto f : module.getOps<mlir::func::FuncOp>()) {
    if (f.isPrivate() || f.isExternal() || f.getNumArguments() != 1)
      continue;
    if (found) {
      fail("several candidate classifiers (@" + found.getSymName() + ", @" +
           f.getSymName() + "): name one with --model");
      return {};
    }
    found = f;
  }
  if (!found)
    fail("no classifier function (x) -> (logits, ...) in " + inputFile +
         "; name one with --model");
  return found;
}

/// What the samplers were compiled with, for the artifact's metadata.
std::string compiledSchedulerConfig;

/// The module attribute whose entries become artifact metadata: a dictionary
/// of string values, e.g.
///   module attributes {diffc.metadata = {"train.parameters" = "[\"w\"]"}}
/// Frontends (the training builder, hand-written programs) use it to record
/// what the runtime needs to know about the entry points.
constexpr llvm::StringLiteral kMetadataAttrName = "diffc.metadata";

/// The module's diffc.metadata entries, in key order.
mlir::FailureOr<std::vector<std::pair<std::string, std::string>>>
collectModuleMetadata(mlir::ModuleOp module) {
  std::vector<std::pair<std::string, std::string>> entries;
  mlir::Attribute attr = module->getAttr(kMetadataAttrName);
  if (!attr)
    return entries;
  auto dict = mlir::dyn_cast<mlir::DictionaryAttr>(attr);
  if (!dict) {
    module.emitError() << kMetadataAttrName
                       << " must be a dictionary of strings, got " << attr;
    return mlir::failure();
  }
  for (mlir::NamedAttribute entry : dict) {
    auto value = mlir::dyn_cast<mlir::StringAttr>(entry.getValue());
    if (!value) {
      module.emitError() << kMetadataAttrName << " entry \""
                         << entry.getName().getValue()
                         << "\" must be a string, got " << entry.getValue();
      return mlir::failure();
    }
    entries.emplace_back(entry.getName().str(), value.str());
  }
  return entries;
}

/// --scheduler-config's options, or diffusers' defaults.
mlir::FailureOr<mlir::diffc::SchedulerConfig> loadSchedulerConfig() {
  mlir::diffc::SchedulerConfig config;
  if (!schedulerConfig.empty()) {
    auto text = llvm::MemoryBuffer::getFile(schedulerConfig);
    if (!text) {
      fail(schedulerConfig + ": " + text.getError().message());
      return mlir::failure();
    }
    std::string error;
    std::optional<mlir::diffc::SchedulerConfig> parsed =
        mlir::diffc::parseSchedulerConfig((*text)->getBuffer(), error);
    if (!parsed) {
      fail(schedulerConfig + ": " + error);
      return mlir::failure();
    }
    config = *parsed;
  }
  return config;
}

mlir::LogicalResult addTrainStep(mlir::ModuleOp module) {
  if (!train.empty() && train != "ddpm" && train != "classifier") {
    fail("unknown --train=" + train + " (expected ddpm or classifier)");
    return mlir::failure();
  }
  if (train == "classifier" && !schedulerConfig.empty() && samplers.empty()) {
    fail("--scheduler-config does not apply to --train=classifier");
    return mlir::failure();
  }
  mlir::FailureOr<mlir::diffc::SchedulerConfig> config = loadSchedulerConfig();
  if (failed(config))
    return mlir::failure();
  mlir::diffc::TrainingOptions options;
  if (optimizer == "adam")
    options.optimizer = mlir::diffc::OptimizerKind::adam;
  else if (optimizer != "adamw") {
    fail("unknown --optimizer '" + optimizer + "' (expected adamw or adam)");
    return mlir::failure();
  }
  options.beta1 = adamBeta1;
  options.beta2 = adamBeta2;
  options.epsilon = adamEpsilon;
  options.weightDecay = weightDecay;
  options.gradClip = gradClip;
  if (!(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 &&
        options.beta2 < 1 && options.epsilon > 0 && options.weightDecay >= 0 &&
        options.gradClip >= 0)) {
    fail("training options out of range: betas in [0, 1), epsilon > 0, "
         "weight decay and grad clip >= 0");
    return mlir::failure();
  }
  if (train == "classifier") {
    mlir::func::FuncOp model = findClassifier(module);
    if (!model)
      return mlir::failure();
    return mlir::diffc::buildClassifierTrainStep(module, model, options);
  }
  mlir::func::FuncOp model = findModel(module);
  if (!model)
    return mlir::failure();
  return mlir::diffc::buildTrainStep(module, model, *config, options);
}

mlir::LogicalResult addSamplers(mlir::ModuleOp module) {
  mlir::FailureOr<mlir::diffc::SchedulerConfig> loaded = loadSchedulerConfig();
  if (failed(loaded))
    return mlir::failure();
  mlir::diffc::SchedulerConfig config = *loaded;
  compiledSchedulerConfig = mlir::diffc::schedulerConfigToJson(config);
  mlir::func::FuncOp model = findModel(module);
  if (!model)
    return mlir::failure();
  for (StringRef name : llvm::split(samplers.getValue(), ',')) {
    mlir::diffc::SamplerKind kind;
    if (name == "ddim")
      kind = mlir::diffc::SamplerKind::DDIM;
    else if (name == "ddpm")
      kind = mlir::diffc::SamplerKind::DDPM;
    else {
      fail("unknown --sampler '" + name + "' (expected ddim or ddpm)");
      return mlir::failure();
    }
    if (failed(mlir::diffc::buildSampler(module, model, kind, config)))
      return mlir::failure();
  }
  return mlir::success();
}

/// Runs the pipeline up to `stage` on a copy of `module`.
mlir::OwningOpRef<mlir::ModuleOp> runTo(mlir::ModuleOp module,
                                         mlir::diffc::CpuStage stage) {
  mlir::OwningOpRef<mlir::ModuleOp> copy(module.clone());
  mlir::PassManager pm(module.getContext());
  mlir::diffc::buildDiffcCpuPipeline(pm, stage, cpuKernels);
  if (failed(pm.run(*copy)))
    return nullptr;
  return copy;
}

std::string withCommas(int64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

/// `diffc compile --stats`: what fusion and memory planning did.
/// Per GPU target: kernels, the most registers, spilling kernels and the
/// occupancy ptxas's figures allow (diffc compile --stats).
void printGpuStats(const std::vector<diffc::GpuKernelRecord> &kernels,
                   const std::vector<std::string> &targets) {
  for (const std::string &target : targets) {
    std::vector<float> occupancy;
    uint32_t registers = 0, spilling = 0;
    for (const diffc::GpuKernelRecord &k : kernels)
      for (const diffc::GpuKernelResources &r : k.resources)
        if (r.target == target) {
          occupancy.push_back(r.occupancy);
          registers = std::max(registers, r.registers);
          spilling += r.spillBytes > 0;
        }
    if (occupancy.empty())
      continue;
    std::sort(occupancy.begin(), occupancy.end());
    llvm::outs() << "  " << target << ": " << occupancy.size()
                 << " kernels, at most " << registers
                 << " registers, " << spilling << " spilling, occupancy min "
                 << llvm::format("%.2f", occupancy.front()) << " median "
                 << llvm::format("%.2f", occupancy[occupancy.size() / 2])
                 << "\n";
  }
}

mlir::LogicalResult printStats(mlir::ModuleOp module) {
  auto countKernels = [](mlir::ModuleOp m) {
    int64_t n = 0;
    m.walk([&](mlir::linalg::LinalgOp) { ++n; });
    return n;
  };
  auto linalg = runTo(module, mlir::diffc::CpuStage::Linalg);
  auto fused = runTo(module, mlir::diffc::CpuStage::Fused);
  auto buffers = runTo(module, mlir::diffc::CpuStage::Bufferized);
  if (!linalg || !fused || !buffers)
    return mlir::failure();
  llvm::outs() << "diffc compile --stats " << inputFile << "\n";
  llvm::outs() << "  kernels (linalg ops): " << countKernels(*linalg)
               << " before fusion, " << countKernels(*fused)
               << " after fusion\n";
  buffers->walk([&](mlir::func::FuncOp f) {
    f.walk([&](mlir::memref::AllocOp alloc) {
      auto arena = alloc->getAttrOfType<mlir::DictionaryAttr>("diffc.arena");
      if (!arena)
        return;
      auto get = [&](llvm::StringRef key) {
        return mlir::cast<mlir::IntegerAttr>(arena.get(key)).getInt();
      };
      int64_t peakB = get("peak_per_batch"), peakS = get("peak_static");
      int64_t sumB = get("sum_per_batch"), sumS = get("sum_static");
      llvm::outs() << "  arena of @" << f.getSymName() << ": "
                   << get("buffers") << " buffers in "
                   << withCommas(peakB) << " B x batch + "
                   << withCommas(peakS) << " B; without reuse "
                   << withCommas(sumB) << " B x batch + " << withCommas(sumS)
                   << " B";
      if (peakB + peakS > 0)
        llvm::outs() << llvm::format(" (%.2fx less at batch 1)",
                                     double(sumB + sumS) / (peakB + peakS));
      llvm::outs() << "\n";
    });
  });
  return mlir::success();
}

} // namespace

int diffcCompileMain(int argc, char **argv) {
  std::vector<char *> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && (StringRef(argv[i]) == "--stats" || StringRef(argv[i]) == "-stats")) {
      stats = true;
      continue;
    }
    args.push_back(argv[i]);
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  cl::HideUnrelatedOptions({&category, &trainCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "diffc compile: compile a diffc program ahead of time\n\n"
      "Lowers every public function of MODEL.mlir to native code and writes "
      "one artifact that diffc-run executes.\n\n"
      "examples:\n"
      "  diffc compile model.mlir -o model.diffc\n"
      "  diffc compile model.mlir --emit=mlir --stage=fused\n"
      "  diffc compile model.mlir --emit=llvm -o model.ll\n"
      "  diffc compile model.mlir --stats -o model.diffc   (kernels before "
      "and after fusion, arena against the no-reuse sum)\n"
      "  diffc compile unet.mlir --sampler=ddim,ddpm --scheduler-config "
      "scheduler_config.json -o model.diffc\n"
      "  diffc compile unet.mlir --train -o train.diffc\n"
      "  diffc compile classifier.mlir --train=classifier -o classifier.diffc\n");

  bool hostTarget = false;
  diffc::GpuCodegenOptions gpuOptions;
  gpuOptions.cudaPath = cudaPath;
  for (StringRef t : llvm::split(targets.getValue(), ',')) {
    if (t == "x86_64") {
      hostTarget = true;
      continue;
    }
    if (mlir::diffc::ptxFeatureFor(t).empty())
      return fail("unknown or unsupported target '" + t +
                  "' (supported: x86_64, " +
                  mlir::diffc::supportedGpuTargets() + ")");
    if (llvm::is_contained(gpuOptions.targets, t.str()))
      return fail("target '" + t + "' is listed twice");
    gpuOptions.targets.push_back(t.str());
  }
  if (emit == "ptx" && gpuOptions.targets.empty())
    return fail("--emit=ptx needs a GPU target (--target=sm_90, ...)");
  if (gpuHostLoops && !hostTarget)
    return fail("--gpu-host-loops builds x86_64 code: add x86_64 to --target");
  if (gpuCoarsen < 1 || gpuCoarsen > 16)
    return fail("--gpu-coarsen must be 1..16, got " +
                std::to_string(gpuCoarsen.getValue()));
  mlir::diffc::CpuStage stage;
  if (!mlir::diffc::parseCpuStage(stopAfter, stage))
    return fail("unknown stage '" + stopAfter + "' (expected one of " +
                mlir::diffc::cpuStageNames() + ")");
  if (emit != "artifact" && emit != "mlir" && emit != "llvm" && emit != "ptx")
    return fail("unknown --emit=" + emit +
                " (expected artifact, mlir, llvm or ptx)");
  if (emit != "mlir")
    stage = mlir::diffc::CpuStage::LLVM;
  if (emit == "llvm" && !hostTarget)
    return fail("--emit=llvm writes the x86_64 code: add x86_64 to --target");
  if (emit != "mlir" && emit != "ptx" && outputFile.empty())
    return fail("no output file: pass -o FILE");

  // The pipelines name upstream passes textually, so they must be registered.
  mlir::diffc::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::diffc::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string openError;
  auto file = mlir::openInputFile(inputFile, &openError);
  if (!file)
    return fail(openError);
  sourceMgr.AddNewSourceBuffer(std::move(file), SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // The parser reported the error with its location.

  if (!samplers.empty() && failed(addSamplers(*module)))
    return 1;
  if (train.getNumOccurrences() && failed(addTrainStep(*module)))
    return 1;

  // Gradient functions first: they are entry points too.
  {
    mlir::PassManager autodiff(&context);
    autodiff.addPass(mlir::diffc::createAutodiffPass());
    if (failed(autodiff.run(*module)))
      return 1;
  }

  std::vector<diffc::EntryPointSignature> entries;
  if (failed(diffc::collectEntryPoints(*module, entries)))
    return 1;
  // The same rule names the storage that diffc-parameters-to-globals makes.
  FailureOr<std::vector<mlir::diffc::ModuleParameter>> parameters =
      mlir::diffc::collectParameters(*module);
  if (failed(parameters))
    return 1;
  FailureOr<std::vector<std::pair<std::string, std::string>>> moduleMetadata =
      collectModuleMetadata(*module);
  if (failed(moduleMetadata))
    return 1;
  std::unique_ptr<diffc::SafetensorsFile> weights;
  if (!weightsFile.empty()) {
    std::string error;
    weights = diffc::SafetensorsFile::load(weightsFile, &error);
    if (!weights)
      return fail(error);
  }

  if (stats && failed(printStats(*module)))
    return 1;

  // GPU kernels first, from a copy: the host pipeline below consumes the
  // module. Ops without a GPU lowering stop the compile here with an error
  // at their location.
  std::vector<diffc::GpuKernelRecord> gpuKernels;
  std::vector<diffc::GpuTargetCode> gpuCode;
  mlir::OwningOpRef<mlir::ModuleOp> gpuHostModule;
  if (!gpuOptions.targets.empty()) {
    mlir::OwningOpRef<mlir::ModuleOp> gpuModule(module->clone());
    mlir::PassManager gpm(&context);
    mlir::diffc::buildDiffcGpuPipeline(gpm, /*hostLoops=*/false, {}, "",
                                       gpuCoarsen);
    if (failed(gpm.run(*gpuModule)))
      return 1;
    if (emit == "mlir" && !hostTarget) {
      std::string error;
      auto out = mlir::openOutputFile(
          outputFile.empty() ? "-" : outputFile.getValue(), &error);
      if (!out)
        return fail(error);
      gpuModule->print(out->os());
      out->keep();
      return 0;
    }
    std::string error;
    if (!diffc::compileGpuKernels(*gpuModule, gpuOptions, gpuKernels, gpuCode,
                                  error))
      return error.empty() ? 1 : fail(inputFile + ": " + error);
    if (stats)
      printGpuStats(gpuKernels, gpuOptions.targets);
    if (emit != "ptx" && !gpuKernels.empty()) {
      // The entry points' host code for --device=cuda: launches through
      // the runtime, compiled to x86-64 below.
      mlir::PassManager hpm(&context);
      mlir::diffc::buildDiffcGpuHostPipeline(hpm);
      if (failed(hpm.run(*gpuModule)))
        return 1;
      gpuHostModule = std::move(gpuModule);
    }
    if (emit == "ptx") {
      if (gpuCode.empty())
        return fail(inputFile + ": no GPU kernels to emit");
      auto out = mlir::openOutputFile(
          outputFile.empty() ? "-" : outputFile.getValue(), &error);
      if (!out)
        return fail(error);
      out->os() << gpuCode.front().ptx;
      out->keep();
      return 0;
    }
  }

  mlir::PassManager pm(&context);
  if (gpuHostLoops)
    mlir::diffc::buildDiffcGpuPipeline(pm, /*hostLoops=*/true, {}, "",
                                       gpuCoarsen);
  else
    mlir::diffc::buildDiffcCpuPipeline(pm, stage, cpuKernels);
  if (hostTarget && failed(pm.run(*module)))
    return 1;

  if (emit == "mlir") {
    std::string error;
    std::string path = outputFile.empty() ? "-" : outputFile.getValue();
    auto out = mlir::openOutputFile(path, &error);
    if (!out)
      return fail(error);
    module->print(out->os());
    out->keep();
    return 0;
  }

  diffc::CpuCodegenOptions options;
  options.cpu = cpu;
  if (emit == "llvm")
    options.llvmIrPath = outputFile;
  std::vector<std::string> names;
  for (const auto &e : entries)
    names.push_back(e.name);
  std::vector<char> sharedObject;
  std::string error;
  if (hostTarget && !diffc::compileToSharedObject(*module, names, options,
                                                  sharedObject, error))
    return fail(inputFile + ": " + error);
  if (emit == "llvm")
    return 0;
  std::vector<char> gpuHostObject;
  if (gpuHostModule && !diffc::compileToSharedObject(*gpuHostModule, names,
                                                     options, gpuHostObject,
                                                     error))
    return fail(inputFile + ": GPU host code: " + error);

  diffc::ArtifactWriter writer;
  writer.setProducer("diffc 0.1 (LLVM 22, cpu " + cpu + ")");
  for (auto &e : entries)
    writer.addEntryPoint(std::move(e));
  for (const mlir::diffc::ModuleParameter &p : *parameters) {
    diffc::ParameterSignature sig;
    sig.name = p.name;
    sig.symbol = p.symbol;
    std::optional<diffc::ValueSignature> value = diffc::signatureOf(p.type);
    if (!value)
      return fail("parameter '" + p.name + "' has an element type the "
                  "runtime cannot hold");
    sig.elementType = value->elementType;
    sig.shape = value->shape;
    if (weights) {
      const diffc::SafetensorsTensor *t = weights->find(p.name);
      if (!t)
        return fail(weightsFile + ": no tensor '" + p.name + "' for the "
                    "parameter of that name (" + diffc::typeString(sig) + ")");
      if (t->elementType != sig.elementType || t->shape != sig.shape)
        return fail(weightsFile + ": tensor '" + p.name + "' is " +
                    t->typeString() + ", the model expects " +
                    diffc::typeString(sig));
      writer.addWeight(p.name, sig.elementType, sig.shape,
                       std::vector<uint8_t>(t->data, t->data + t->size));
    }
    writer.addParameter(std::move(sig));
  }
  // diffc-run checks a run-time scheduler_config.json against this.
  std::vector<std::pair<std::string, std::string>> metadata;
  if (!compiledSchedulerConfig.empty()) {
    metadata.emplace_back(diffc::kSchedulerConfigMetadataKey,
                          compiledSchedulerConfig);
    metadata.emplace_back(diffc::kSamplersMetadataKey, samplers);
  }
  for (auto &[key, value] : *moduleMetadata) {
    for (const auto &[own, unused] : metadata)
      if (key == own)
        return fail(inputFile + ": " + kMetadataAttrName.str() + " entry \"" +
                    key + "\" is also written by diffc compile itself");
    metadata.emplace_back(key, value);
  }
  for (auto &[key, value] : metadata)
    writer.addMetadata(key, value);
  if (hostTarget)
    writer.addCodeObject("x86_64", diffc::CodeFormat::elf_shared_object,
                         std::vector<uint8_t>(sharedObject.begin(),
                                              sharedObject.end()));
  if (!gpuHostObject.empty())
    writer.addCodeObject("x86_64", diffc::CodeFormat::cuda_host_shared_object,
                         std::vector<uint8_t>(gpuHostObject.begin(),
                                              gpuHostObject.end()));
  for (diffc::GpuTargetCode &gpu : gpuCode) {
    writer.addCodeObject(gpu.target, diffc::CodeFormat::cubin,
                         std::move(gpu.cubin));
    writer.addCodeObject(gpu.target, diffc::CodeFormat::ptx,
                         std::vector<uint8_t>(gpu.ptx.begin(), gpu.ptx.end()));
  }
  for (const diffc::GpuKernelRecord &k : gpuKernels) {
    diffc::GpuKernelInfo info;
    info.name = k.name;
    info.function = k.function;
    for (int d = 0; d < 3; ++d)
      info.block[d] = k.block[d];
    info.staticElements = k.elements;
    info.params = k.params;
    info.resources = k.resources;
    writer.addGpuKernel(std::move(info));
  }
  if (!writer.write(outputFile, &error))
    return fail(error);
  return 0;
}
