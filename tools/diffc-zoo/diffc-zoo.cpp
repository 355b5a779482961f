//===- diffc-zoo.cpp - print a model of the zoo as diffc IR ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// `diffc-zoo unet2d --preset=fmnist_small -o model.mlir` writes a model of
// the C++ zoo (frontends/Zoo) as a module of diffc IR, ready for diffc-opt or
// `diffc compile`. Presets give the reference configurations of BENCH.md;
// any field can be overridden from the command line. `diffc-zoo classifier
// --preset=fmnist` writes the classifier whose features diffc's FID uses
// (docs/evaluation.md).
//
//===----------------------------------------------------------------------===//

#include "frontends/Zoo/Classifier.h"
#include "frontends/Zoo/InitWeights.h"
#include "frontends/Zoo/UNet2D.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir::diffc;

namespace {

cl::SubCommand unet2dCommand(
    "unet2d",
    "DDPM U-Net in the layout of diffusers' UNet2DModel (eps_theta(x_t, t"
    "[, y]))");

cl::SubCommand classifierCommand(
    "classifier",
    "CNN image classifier (x) -> (logits, penultimate features), the "
    "feature space of diffc-run eval's FID");

cl::OptionCategory unet2dCategory("unet2d options");
cl::OptionCategory classifierCategory("classifier options");

cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::sub(cl::SubCommand::getAll()),
                                cl::cat(unet2dCategory));

cl::opt<std::string> initWeights(
    "init-weights",
    cl::desc("Also write PyTorch-style initial weights (uniform +-1/sqrt(fan_in),"
             " norms 1 and 0) to this safetensors file"),
    cl::value_desc("file"), cl::init(""), cl::sub(cl::SubCommand::getAll()),
    cl::cat(unet2dCategory));
cl::opt<uint64_t> initSeed("seed",
                           cl::desc("Philox seed of --init-weights (default 0)"),
                           cl::init(0), cl::sub(cl::SubCommand::getAll()),
                           cl::cat(unet2dCategory));

cl::opt<std::string>
    preset("preset",
           cl::desc("Base configuration: fmnist_small (1x28x28, ch 64, "
                    "mult 1,2,2, attention at 7) or cifar10_ddpm (3x32x32, "
                    "ch 128, mult 1,2,2,2, attention at 16); default "
                    "fmnist_small"),
           cl::init("fmnist_small"), cl::sub(unet2dCommand),
           cl::cat(unet2dCategory));
cl::opt<std::string> funcName("name", cl::desc("Name of the emitted function"),
                              cl::init("unet"), cl::sub(unet2dCommand),
                              cl::cat(unet2dCategory));
cl::opt<int64_t> sampleSize("sample-size", cl::value_desc("n"),
                            cl::desc("Input height and width"),
                            cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<int64_t> inChannels("in-channels", cl::value_desc("n"),
                            cl::desc("Input channels (also sets "
                                     "--out-channels unless given)"),
                            cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<int64_t> outChannels("out-channels", cl::value_desc("n"),
                             cl::desc("Output channels"),
                             cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<int64_t> baseChannels("base-channels", cl::value_desc("n"),
                              cl::desc("Channels of the first level"),
                              cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::list<int64_t>
    channelMult("channel-mult", cl::value_desc("n,..."),
                cl::desc("Channel multiplier per level, e.g. 1,2,2"),
                cl::CommaSeparated, cl::sub(unet2dCommand),
                cl::cat(unet2dCategory));
cl::opt<int64_t> layersPerBlock("layers-per-block", cl::value_desc("n"),
                                cl::desc("ResNet blocks per down level (up "
                                         "levels have one more)"),
                                cl::sub(unet2dCommand),
                                cl::cat(unet2dCategory));
cl::list<int64_t> attentionResolutions(
    "attention-resolutions", cl::value_desc("n,..."),
    cl::desc("Feature-map sizes with self-attention, e.g. 16 or 7"),
    cl::CommaSeparated, cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<bool> noAttention("no-attention",
                          cl::desc("No attention in the down and up levels "
                                   "(the middle block keeps its own)"),
                          cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<int64_t> normGroups("norm-groups", cl::value_desc("n"),
                            cl::desc("GroupNorm groups"),
                            cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<double> normEps("norm-eps", cl::value_desc("x"),
                        cl::desc("GroupNorm epsilon"), cl::sub(unet2dCommand),
                        cl::cat(unet2dCategory));
cl::opt<int64_t> timeEmbedDim("time-embed-dim", cl::value_desc("n"),
                              cl::desc("Time embedding width (default 4 x "
                                       "first-level channels)"),
                              cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<bool> flipSinToCos("flip-sin-to-cos",
                           cl::desc("cos before sin in the timestep embedding "
                                    "(default true)"),
                           cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<double> freqShift("freq-shift", cl::value_desc("x"),
                          cl::desc("Timestep embedding frequency shift"),
                          cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<int64_t> attentionHeadDim(
    "attention-head-dim", cl::value_desc("n"),
    cl::desc("Channels per attention head (default: one head)"),
    cl::sub(unet2dCommand), cl::cat(unet2dCategory));
cl::opt<int64_t> numClasses(
    "num-classes", cl::value_desc("n"),
    cl::desc("Classes for conditioning; adds a class_labels argument and a "
             "table with one extra null-class row (default 0: "
             "unconditional)"),
    cl::sub(unet2dCommand), cl::cat(unet2dCategory));

cl::opt<std::string> classifierPreset(
    "preset",
    cl::desc("Base configuration: fmnist (1x28x28, conv stages 32,64, 128 "
             "features, 10 classes, relu); default fmnist"),
    cl::init("fmnist"), cl::sub(classifierCommand),
    cl::cat(classifierCategory));
cl::opt<std::string> classifierName("name",
                                    cl::desc("Name of the emitted function"),
                                    cl::init("classifier"),
                                    cl::sub(classifierCommand),
                                    cl::cat(classifierCategory));
cl::opt<int64_t> classifierInChannels("in-channels", cl::value_desc("n"),
                                      cl::desc("Input channels"),
                                      cl::sub(classifierCommand),
                                      cl::cat(classifierCategory));
cl::opt<int64_t> classifierSampleSize("sample-size", cl::value_desc("n"),
                                      cl::desc("Input height and width"),
                                      cl::sub(classifierCommand),
                                      cl::cat(classifierCategory));
cl::list<int64_t> classifierChannels(
    "channels", cl::value_desc("n,..."),
    cl::desc("Channels of each conv stage (3x3 conv, activation, 2x2 "
             "average pool), e.g. 32,64"),
    cl::CommaSeparated, cl::sub(classifierCommand),
    cl::cat(classifierCategory));
cl::opt<int64_t> classifierFeatureDim(
    "feature-dim", cl::value_desc("n"),
    cl::desc("Width of the penultimate (feature) layer"),
    cl::sub(classifierCommand), cl::cat(classifierCategory));
cl::opt<int64_t> classifierNumClasses("num-classes", cl::value_desc("n"),
                                      cl::desc("Number of classes"),
                                      cl::sub(classifierCommand),
                                      cl::cat(classifierCategory));
cl::opt<std::string> classifierActivation(
    "activation", cl::desc("relu (default) or silu"),
    cl::sub(classifierCommand), cl::cat(classifierCategory));

int fail(const Twine &message) {
  errs() << "diffc-zoo: error: " << message << "\n";
  return 1;
}

/// Overwrites `field` with `option` when the option was given.
template <typename T, typename Opt> void override(T &field, Opt &option) {
  if (option.getNumOccurrences())
    field = option.getValue();
}

int runUNet2D(mlir::ModuleOp module) {
  zoo::UNet2DConfig config;
  if (preset == "fmnist_small")
    config = zoo::UNet2DConfig::fmnistSmall();
  else if (preset == "cifar10_ddpm")
    config = zoo::UNet2DConfig::cifar10Ddpm();
  else
    return fail("unknown preset '" + preset +
                "' (expected fmnist_small or cifar10_ddpm)");

  override(config.sampleSize, sampleSize);
  override(config.inChannels, inChannels);
  if (inChannels.getNumOccurrences() && !outChannels.getNumOccurrences())
    config.outChannels = inChannels;
  override(config.outChannels, outChannels);
  override(config.baseChannels, baseChannels);
  override(config.layersPerBlock, layersPerBlock);
  override(config.normGroups, normGroups);
  override(config.normEps, normEps);
  override(config.timeEmbedDim, timeEmbedDim);
  override(config.flipSinToCos, flipSinToCos);
  override(config.freqShift, freqShift);
  override(config.attentionHeadDim, attentionHeadDim);
  override(config.numClasses, numClasses);
  if (channelMult.getNumOccurrences())
    config.channelMult.assign(channelMult.begin(), channelMult.end());
  if (attentionResolutions.getNumOccurrences())
    config.attentionResolutions.assign(attentionResolutions.begin(),
                                       attentionResolutions.end());
  if (noAttention) {
    if (attentionResolutions.getNumOccurrences())
      return fail("--no-attention and --attention-resolutions exclude each "
                  "other");
    config.attentionResolutions.clear();
  }
  // Changing the channels without the time embedding keeps diffusers'
  // default of 4 x the first level's channels, not the preset's number.
  if ((baseChannels.getNumOccurrences() || channelMult.getNumOccurrences()) &&
      !timeEmbedDim.getNumOccurrences())
    config.timeEmbedDim = 0;

  std::string error;
  if (failed(zoo::verifyUNet2DConfig(
          config, [&](const Twine &message) { error = message.str(); })))
    return fail(error);

  mlir::OpBuilder builder = mlir::OpBuilder::atBlockEnd(module.getBody());
  if (failed(zoo::buildUNet2D(builder, module.getLoc(), funcName, config)))
    return 1;
  return 0;
}

int runClassifier(mlir::ModuleOp module) {
  zoo::ClassifierConfig config;
  if (classifierPreset == "fmnist")
    config = zoo::ClassifierConfig::fmnist();
  else
    return fail("unknown preset '" + classifierPreset + "' (expected fmnist)");
  override(config.inChannels, classifierInChannels);
  override(config.sampleSize, classifierSampleSize);
  override(config.featureDim, classifierFeatureDim);
  override(config.numClasses, classifierNumClasses);
  override(config.activation, classifierActivation);
  if (classifierChannels.getNumOccurrences())
    config.channels.assign(classifierChannels.begin(),
                           classifierChannels.end());
  std::string error;
  if (failed(zoo::verifyClassifierConfig(
          config, [&](const Twine &message) { error = message.str(); })))
    return fail(error);
  mlir::OpBuilder builder = mlir::OpBuilder::atBlockEnd(module.getBody());
  if (failed(zoo::buildClassifier(builder, module.getLoc(), classifierName,
                                  config)))
    return 1;
  // Travels into the artifact (diffc compile copies diffc.metadata), where
  // diffc-run eval reads it.
  module->setAttr("diffc.metadata",
                  builder.getDictionaryAttr(builder.getNamedAttr(
                      "classifier.config",
                      builder.getStringAttr(config.toJson()))));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions({&unet2dCategory, &classifierCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "diffc-zoo: print a model of the diffc zoo as diffc IR\n\n"
      "examples:\n"
      "  diffc-zoo unet2d --preset=fmnist_small -o unet.mlir\n"
      "  diffc-zoo unet2d --preset=cifar10_ddpm --num-classes=10\n"
      "  diffc-zoo unet2d --preset=fmnist_small --init-weights=init.safetensors "
      "--seed=1 -o unet.mlir\n"
      "  diffc-zoo unet2d --preset=fmnist_small --base-channels=32 "
      "--channel-mult=1,2 --attention-resolutions=14\n"
      "  diffc-zoo classifier --preset=fmnist "
      "--init-weights=clf-init.safetensors -o classifier.mlir\n");

  if (!unet2dCommand && !classifierCommand)
    return fail("expected a model: unet2d or classifier (see diffc-zoo "
                "--help)");

  mlir::MLIRContext context;
  context.loadDialect<DiffcDialect, mlir::func::FuncDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(
      mlir::FileLineColLoc::get(&context, "diffc-zoo", 0, 0));

  if (int rc = unet2dCommand ? runUNet2D(*module) : runClassifier(*module))
    return rc;
  if (failed(mlir::verify(*module)))
    return fail("the emitted module does not verify (a zoo bug)");

  std::string message;
  if (!initWeights.empty() &&
      !writeInitialWeights(*module, initSeed, initWeights, message))
    return fail(message);
  auto output = mlir::openOutputFile(outputFile, &message);
  if (!output)
    return fail(message);
  module->print(output->os());
  output->keep();
  return 0;
}
