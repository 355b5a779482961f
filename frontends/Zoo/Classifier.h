//===- Classifier.h - the zoo's image classifier (FID features) -*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// A small convolutional classifier whose penultimate layer serves as the
// feature space of diffc's FID (`diffc-run CLASSIFIER eval`, docs/
// evaluation.md), in the role Inception-v3's pool features play for
// ImageNet-like data:
//
//   convs.i    for each entry c of `channels`: 3x3 conv (padding 1) to c
//              channels, activation, 2x2 average pool (stride 2)
//   flatten    [N, C, H, W] -> [N, C H W] (torch's x.flatten(1))
//   fc         linear to featureDim, activation: the features
//   head       linear to numClasses: the logits
//
// Every weight is a `diffc.parameter` named as the PyTorch twin
// (frontends/python/classifier_torch.py) names it: convs.0.weight,
// convs.0.bias, ..., fc.weight, fc.bias, head.weight, head.bias.
//
//   OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
//   FailureOr<func::FuncOp> f = zoo::buildClassifier(
//       b, loc, "classifier", zoo::ClassifierConfig::fmnist());
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_FRONTENDS_ZOO_CLASSIFIER_H
#define DIFFC_FRONTENDS_ZOO_CLASSIFIER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::diffc::zoo {

/// The hyper-parameters of the classifier.
struct ClassifierConfig {
  /// Channels, height and width of the (square) input.
  int64_t inChannels = 1;
  int64_t sampleSize = 28;
  /// Output channels of each conv stage; each stage halves the resolution.
  std::vector<int64_t> channels = {32, 64};
  /// Width of the penultimate layer: the FID feature dimension.
  int64_t featureDim = 128;
  int64_t numClasses = 10;
  /// "relu" or "silu", after every conv and after fc.
  std::string activation = "relu";

  /// Fashion-MNIST, 1x28x28 -> 32 -> 64 channels, 128 features, 10 classes
  /// (421,642 parameters).
  static ClassifierConfig fmnist();

  /// The configuration as a JSON object, e.g. {"activation":"relu",
  /// "channels":[32,64],...}: diffc-zoo records it as the module's
  /// diffc.metadata entry "classifier.config", which becomes artifact
  /// metadata that diffc-run eval reads and keys its caches with.
  std::string toJson() const;
};

/// Checks that `config` describes a buildable classifier; on failure calls
/// `emitError` once with a one-line message and returns failure.
LogicalResult
verifyClassifierConfig(const ClassifierConfig &config,
                       llvm::function_ref<void(const llvm::Twine &)> emitError);

/// Emits, at the builder's insertion point,
///
///   func.func @name(%x: tensor<?xCxHxWxf32>)
///       -> (tensor<?xKxf32> logits, tensor<?xDxf32> features)
///
/// with a dynamic batch. The caller must have loaded the diffc and func
/// dialects. Fails, after emitting an error at `loc`, when the configuration
/// does not verify.
FailureOr<func::FuncOp> buildClassifier(OpBuilder &builder, Location loc,
                                        StringRef name,
                                        const ClassifierConfig &config);

} // namespace mlir::diffc::zoo

#endif // DIFFC_FRONTENDS_ZOO_CLASSIFIER_H
