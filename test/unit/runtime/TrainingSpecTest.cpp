//===- TrainingSpecTest.cpp - Tests for the train_step contract -----------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// readTrainStepSpec() against artifacts whose train_step signature and
// metadata are right, and wrong in each way it must report.
//
//===----------------------------------------------------------------------===//

#include "diffc/training.h"

#include "gtest/gtest.h"

using namespace diffc;

namespace {

const char kConfig[] =
    R"({"num_train_timesteps": 1000, "prediction_type": "epsilon",
        "optimizer": "adamw", "beta1": 0.9, "beta2": 0.999,
        "epsilon": 1e-8, "weight_decay": 0.01, "grad_clip": 1.0,
        "sample_shape": [1, 8, 8], "extra": true})";

ValueSignature f32(std::vector<int64_t> shape) {
  return ValueSignature::tensor(ElementType::f32, std::move(shape));
}

/// train_step for parameters of `types`, x0 of `sample`.
EntryPointSignature trainStep(const std::vector<ValueSignature> &types,
                              std::vector<int64_t> sample = {-1, 1, 8, 8}) {
  EntryPointSignature e;
  e.name = "train_step";
  e.symbol = "diffc_entry_train_step";
  for (int g = 0; g < 4; ++g)
    for (const ValueSignature &t : types) {
      e.inputs.push_back(t);
      e.outputs.push_back(t);
    }
  e.inputs.push_back(f32(sample));
  e.inputs.push_back(ValueSignature::scalar(ValueKind::i64));
  e.inputs.push_back(ValueSignature::scalar(ValueKind::f32));
  e.inputs.push_back(ValueSignature::scalar(ValueKind::f32));
  e.inputs.push_back(ValueSignature::scalar(ValueKind::i64));
  e.outputs.push_back(f32({}));
  return e;
}

/// A classifier's train_step: labels tensor<?xi64> after the images.
EntryPointSignature classifierStep(const std::vector<ValueSignature> &types) {
  EntryPointSignature e = trainStep(types);
  e.inputs.insert(e.inputs.begin() + 4 * types.size() + 1,
                  ValueSignature::tensor(ElementType::i64, {-1}));
  return e;
}

const char kClassifierConfig[] =
    R"({"optimizer": "adam", "beta1": 0.9, "beta2": 0.999,
        "epsilon": 1e-8, "weight_decay": 0, "grad_clip": 0,
        "sample_shape": [1, 8, 8], "num_classes": 10,
        "loss": "cross_entropy"})";

/// Reads the spec of an artifact with `entry` and the metadata given.
bool read(const EntryPointSignature &entry, const char *names,
          const char *config, TrainStepSpec *spec, std::string *error,
          const char *kind = nullptr) {
  ArtifactWriter writer;
  writer.addEntryPoint(entry);
  if (kind)
    writer.addMetadata(kTrainKindMetadataKey, kind);
  if (names)
    writer.addMetadata(kTrainParametersMetadataKey, names);
  if (config)
    writer.addMetadata(kTrainConfigMetadataKey, config);
  std::vector<uint8_t> image;
  if (!writer.serialize(&image, error))
    return false;
  auto artifact =
      Artifact::loadFromMemory("m.diffc", image.data(), image.size(), error);
  if (!artifact)
    return false;
  return readTrainStepSpec(*artifact, spec, error);
}

TEST(TrainingSpecTest, ReadsAValidSpec) {
  TrainStepSpec spec;
  std::string error;
  ASSERT_TRUE(read(trainStep({f32({1, 8, 8}), f32({4})}), R"(["w", "b"])",
                   kConfig, &spec, &error))
      << error;
  EXPECT_EQ(spec.parameters, (std::vector<std::string>{"w", "b"}));
  EXPECT_EQ(typeString(spec.parameterTypes[1]), "tensor<4xf32>");
  EXPECT_EQ(spec.sampleShape, (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(spec.numTrainTimesteps, 1000);
  EXPECT_EQ(spec.predictionType, "epsilon");
  EXPECT_EQ(spec.optimizer, "adamw");
  EXPECT_EQ(spec.weightDecay, 0.01);
  EXPECT_EQ(spec.gradClip, 1.0);
  EXPECT_EQ(spec.kind, TrainKind::ddpm);
  EXPECT_FALSE(spec.takesLabels());
  // train.kind "ddpm" is the default spelled out.
  ASSERT_TRUE(read(trainStep({f32({1, 8, 8}), f32({4})}), R"(["w", "b"])",
                   kConfig, &spec, &error, "ddpm"))
      << error;
  EXPECT_EQ(spec.kind, TrainKind::ddpm);
}

TEST(TrainingSpecTest, ReadsAClassifierSpec) {
  TrainStepSpec spec;
  std::string error;
  ASSERT_TRUE(read(classifierStep({f32({4, 1, 3, 3}), f32({4})}),
                   R"(["conv.weight", "conv.bias"])", kClassifierConfig, &spec,
                   &error, "classifier"))
      << error;
  EXPECT_EQ(spec.kind, TrainKind::classifier);
  EXPECT_TRUE(spec.takesLabels());
  EXPECT_EQ(spec.numClasses, 10);
  EXPECT_EQ(spec.sampleShape, (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(spec.optimizer, "adam");
}

TEST(TrainingSpecTest, ClassifierMistakesAreNamed) {
  TrainStepSpec spec;
  std::string error;
  const char *names = R"(["w", "b"])";
  auto expectError = [&](const EntryPointSignature &entry, const char *config,
                         const char *kind, const char *why) {
    EXPECT_FALSE(read(entry, names, config, &spec, &error, kind)) << why;
    EXPECT_EQ(error.rfind("m.diffc: ", 0), 0u) << error;
    EXPECT_NE(error.find(why), std::string::npos) << error;
  };
  EntryPointSignature good = classifierStep({f32({1, 8, 8}), f32({4})});
  expectError(good, kClassifierConfig, "gan",
              "metadata 'train.kind' is 'gan', expected 'ddpm' or "
              "'classifier'");
  // A DDPM step under train.kind classifier misses its labels.
  expectError(trainStep({f32({1, 8, 8}), f32({4})}), kClassifierConfig,
              "classifier",
              "it must take 14 and return 9 (train.kind is classifier)");
  expectError(good, kConfig, "classifier",
              "of a classifier needs a positive integer 'num_classes'");
  EntryPointSignature floatLabels = good;
  floatLabels.inputs[9] = f32({-1});
  expectError(floatLabels, kClassifierConfig, "classifier",
              "argument #9 (labels) is tensor<?xf32>, expected tensor<?xi64>");
}

TEST(TrainingSpecTest, EachMistakeIsNamed) {
  TrainStepSpec spec;
  std::string error;
  auto expectError = [&](const EntryPointSignature &entry, const char *names,
                         const char *config, const char *why) {
    EXPECT_FALSE(read(entry, names, config, &spec, &error)) << why;
    EXPECT_EQ(error.rfind("m.diffc: ", 0), 0u) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_NE(error.find(why), std::string::npos) << error;
  };
  EntryPointSignature good = trainStep({f32({1, 8, 8}), f32({4})});
  const char *names = R"(["w", "b"])";
  EntryPointSignature other = good;
  other.name = "step";
  expectError(other, names, kConfig, "no entry point \"train_step\"");
  expectError(good, nullptr, kConfig, "no metadata entry 'train.parameters'");
  expectError(good, names, nullptr, "no metadata entry 'train.config'");
  expectError(good, "[]", kConfig, "non-empty JSON array");
  expectError(good, R"(["w", "w"])", kConfig, "names 'w' twice");
  expectError(good, R"(["w"])", kConfig,
              "with 1 parameters in 'train.parameters' it must take 9");
  expectError(good, names, R"({"num_train_timesteps": 1000})",
              "needs a string 'prediction_type'");
  expectError(good, names, "[1]", "must be a JSON object");
  std::string noShape = kConfig;
  noShape.replace(noShape.find("[1, 8, 8]"), 9, "[8, 8]");
  expectError(good, names, noShape.c_str(), "'sample_shape': [C, H, W]");
  expectError(trainStep({f32({1, 8, 8}), f32({4})}, {-1, 1, 28, 28}), names,
              kConfig,
              "(x0) is tensor<?x1x28x28xf32>, expected "
              "tensor<?x1x8x8xf32>");
  expectError(trainStep({f32({-1, 8}), f32({4})}), names, kConfig,
              "parameters need static shapes");
  EntryPointSignature mixed = good;
  mixed.outputs[1 * 2 + 1] = f32({5}); // exp_avg' of b
  expectError(mixed, names, kConfig,
              "the state of parameter 'b' (argument #3, result #3) must be "
              "tensor<4xf32>");
  EntryPointSignature scalars = good;
  scalars.inputs[10] = ValueSignature::scalar(ValueKind::i64); // lr
  expectError(scalars, names, kConfig,
              "must end in (step: i64, lr: f32, ema_decay: f32, seed: i64)");
  EntryPointSignature loss = good;
  loss.outputs.back() = f32({1});
  expectError(loss, names, kConfig, "(loss) is tensor<1xf32>");
}

} // namespace
