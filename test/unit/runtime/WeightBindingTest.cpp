//===- WeightBindingTest.cpp - Tests for binding parameters ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Parameters of the test kernels (TestKernels.c: diffc_param_0 is
// "layer.weight", tensor<2x3xf32>; diffc_param_1 is "layer.steps",
// tensor<i64>) bound from the artifact's embedded weights, from safetensors
// files and from both, and every way binding can fail. scale_by_param reads
// both globals, so results show which values were bound.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/safetensors.h"
#include "diffc/session.h"

#include "gtest/gtest.h"

#include <random>

using namespace diffc;
using namespace diffc::test;

namespace {

class WeightBindingTest : public ::testing::Test {
protected:
  /// Writes the kernel artifact (with or without embedded weights) and
  /// returns its path.
  std::string model(bool withWeights = true) {
    std::string path = dir_.file(withWeights ? "model.diffc" : "bare.diffc");
    std::string error;
    EXPECT_TRUE(
        kernelArtifactWriter(true, false, withWeights).write(path, &error))
        << error;
    return path;
  }

  /// Writes a safetensors file of `tensors` and returns its path.
  std::string
  weights(const std::string &name,
          const std::vector<std::pair<std::string, Tensor>> &tensors) {
    std::vector<NamedTensor> named;
    for (const auto &[n, t] : tensors)
      named.push_back({n, &t});
    std::string path = dir_.file(name), error;
    EXPECT_TRUE(writeSafetensors(path, named, {{"format", "pt"}}, &error))
        << error;
    return path;
  }

  std::unique_ptr<Session> open(const std::string &path,
                                std::vector<std::string> files,
                                std::string *error) {
    SessionOptions options;
    options.weightFiles = std::move(files);
    return Session::open(path, options, error);
  }

  std::string openError(const std::string &path,
                        std::vector<std::string> files) {
    std::string error;
    EXPECT_FALSE(open(path, std::move(files), &error));
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    return error;
  }

  /// Calls scale_by_param on x = 1..6 and checks x * w elementwise and the
  /// steps result.
  void expectBound(const Session &session, const std::vector<float> &w,
                   int64_t steps) {
    Tensor x = Tensor::fromVector(ElementType::f32, {2, 3},
                                  std::vector<float>{1, 2, 3, 4, 5, 6});
    std::vector<Arg> out;
    std::string error;
    ASSERT_TRUE(
        session.call("scale_by_param", {Arg::ofTensor(x)}, &out, &error))
        << error;
    ASSERT_EQ(out.size(), 2u);
    ASSERT_EQ(out[0].tensor.shape(), (std::vector<int64_t>{2, 3}));
    for (int i = 0; i < 6; ++i)
      EXPECT_EQ(out[0].tensor.dataAs<float>()[i], float(i + 1) * w[i]) << i;
    EXPECT_EQ(out[1].intValue, steps);
  }

  static Tensor weight(std::vector<float> values,
                       std::vector<int64_t> shape = {2, 3}) {
    return Tensor::fromVector(ElementType::f32, std::move(shape), values);
  }
  static Tensor steps(int64_t value) {
    return Tensor::fromVector(ElementType::i64, {},
                              std::vector<int64_t>{value});
  }

  const std::vector<float> fileWeight_ = {0.5f, -4, 2, 1.25f, -0.5f, 3};
  TempDir dir_;
};

//===----------------------------------------------------------------------===//
// Where values come from
//===----------------------------------------------------------------------===//

TEST_F(WeightBindingTest, FromTheArtifactsEmbeddedWeights) {
  std::string path = model();
  std::string error;
  auto session = Session::open(path, &error);
  ASSERT_TRUE(session) << error;
  expectBound(*session, kernelWeightValues(), kKernelSteps);
  EXPECT_EQ(session->parameterSources(),
            (std::vector<std::string>{path, path}));
  EXPECT_TRUE(session->unusedWeights().empty());
}

TEST_F(WeightBindingTest, FromASafetensorsFile) {
  std::string file =
      weights("w.safetensors", {{"layer.weight", weight(fileWeight_)},
                                {"layer.steps", steps(42)},
                                {"decoder.unused.bias", weight({1, 2}, {2})}});
  std::string error;
  auto session = open(model(/*withWeights=*/false), {file}, &error);
  ASSERT_TRUE(session) << error;
  expectBound(*session, fileWeight_, 42);
  EXPECT_EQ(session->parameterSources(),
            (std::vector<std::string>{file, file}));
  EXPECT_EQ(session->unusedWeights(),
            std::vector<std::string>{file + ": decoder.unused.bias"});
}

TEST_F(WeightBindingTest, TheFileWinsOverTheArtifactPerParameter) {
  std::string path = model();
  std::string file =
      weights("w.safetensors", {{"layer.weight", weight(fileWeight_)}});
  std::string error;
  auto session = open(path, {file}, &error);
  ASSERT_TRUE(session) << error;
  // layer.weight from the file, layer.steps from the artifact.
  expectBound(*session, fileWeight_, kKernelSteps);
  EXPECT_EQ(session->parameterSources(),
            (std::vector<std::string>{file, path}));
}

TEST_F(WeightBindingTest, ShardedFiles) {
  std::string a =
      weights("a.safetensors", {{"layer.weight", weight(fileWeight_)}});
  std::string b = weights("b.safetensors", {{"layer.steps", steps(-3)}});
  std::string error;
  auto session = open(model(false), {a, b}, &error);
  ASSERT_TRUE(session) << error;
  expectBound(*session, fileWeight_, -3);
  EXPECT_EQ(session->parameterSources(), (std::vector<std::string>{a, b}));
}

TEST_F(WeightBindingTest, SessionsOfOneArtifactHoldTheirOwnWeights) {
  std::string path = model();
  std::string file =
      weights("w.safetensors", {{"layer.weight", weight(fileWeight_)},
                                {"layer.steps", steps(1)}});
  std::string error;
  auto embedded = Session::open(path, &error);
  ASSERT_TRUE(embedded) << error;
  auto fromFile = open(path, {file}, &error);
  ASSERT_TRUE(fromFile) << error;
  expectBound(*embedded, kernelWeightValues(), kKernelSteps);
  expectBound(*fromFile, fileWeight_, 1);
}

TEST_F(WeightBindingTest, RebindingIsAllOrNothing) {
  std::string error;
  auto session = Session::open(model(), &error);
  ASSERT_TRUE(session) << error;
  auto good = SafetensorsFile::load(
      weights("good.safetensors", {{"layer.weight", weight(fileWeight_)},
                                   {"layer.steps", steps(5)}}),
      &error);
  ASSERT_TRUE(good) << error;
  ASSERT_TRUE(session->bindWeights({good.get()}, &error)) << error;
  good.reset(); // values were copied
  expectBound(*session, fileWeight_, 5);

  // layer.steps is fine, layer.weight has the wrong shape: nothing changes.
  auto bad = SafetensorsFile::load(
      weights("bad.safetensors", {{"layer.steps", steps(99)},
                                  {"layer.weight", weight({1, 2}, {2})}}),
      &error);
  ASSERT_TRUE(bad) << error;
  EXPECT_FALSE(session->bindWeights({bad.get()}, &error));
  expectBound(*session, fileWeight_, 5);

  // Back to the artifact's own values.
  ASSERT_TRUE(session->bindWeights({}, &error)) << error;
  expectBound(*session, kernelWeightValues(), kKernelSteps);
}

TEST_F(WeightBindingTest, ArtifactsWithoutParametersNeedNoWeights) {
  ArtifactWriter writer;
  for (EntryPointSignature &entry : kernelEntryPoints())
    if (entry.name == "which")
      writer.addEntryPoint(std::move(entry));
  writer.addCodeObject("x86_64", CodeFormat::elf_shared_object,
                       kernelLibraryBytes());
  std::string path = dir_.file("old.diffc"), error;
  ASSERT_TRUE(writer.write(path, &error)) << error;
  std::string file = weights("w.safetensors", {{"x", steps(1)}});
  auto session = open(path, {file}, &error);
  ASSERT_TRUE(session) << error;
  EXPECT_TRUE(session->parameterSources().empty());
  EXPECT_EQ(session->unusedWeights(), std::vector<std::string>{file + ": x"});
}

//===----------------------------------------------------------------------===//
// Missing and mismatched weights
//===----------------------------------------------------------------------===//

TEST_F(WeightBindingTest, MissingWeight) {
  std::string path = model(false);
  EXPECT_EQ(openError(path, {}),
            path + ": no weight 'layer.weight' (tensor<2x3xf32>): not in the "
                   "artifact and no weight files were given");
  std::string a =
      weights("a.safetensors", {{"layer.weight", weight(fileWeight_)}});
  EXPECT_EQ(openError(path, {a}),
            path +
                ": no weight 'layer.steps' (tensor<i64>): not in the "
                "artifact and not in " +
                a);
  std::string b = weights("b.safetensors", {{"other", steps(1)}});
  std::string c = weights("c.safetensors", {{"other", steps(1)}});
  EXPECT_EQ(openError(path, {b, c, a}),
            path +
                ": no weight 'layer.steps' (tensor<i64>): not in the "
                "artifact and not in " +
                b + ", " + c + " or " + a);
}

TEST_F(WeightBindingTest, WrongShape) {
  std::string path = model();
  std::string file =
      weights("w.safetensors", {{"layer.weight", weight(fileWeight_, {3, 2})}});
  EXPECT_EQ(openError(path, {file}),
            path + ": weight 'layer.weight' is tensor<3x2xf32> in " + file +
                ", the model expects tensor<2x3xf32>");
  file =
      weights("rank.safetensors", {{"layer.steps", steps(1)},
                                   {"layer.weight", weight(fileWeight_, {6})}});
  EXPECT_EQ(openError(path, {file}),
            path + ": weight 'layer.weight' is tensor<6xf32> in " + file +
                ", the model expects tensor<2x3xf32>");
}

TEST_F(WeightBindingTest, WrongElementType) {
  std::string path = model();
  // No conversions, not even the lossless f16 -> f32 or i32 -> i64.
  std::string file =
      weights("w.safetensors",
              {{"layer.weight", Tensor::zeros(ElementType::f16, {2, 3})}});
  EXPECT_EQ(openError(path, {file}),
            path + ": weight 'layer.weight' is tensor<2x3xf16> in " + file +
                ", the model expects tensor<2x3xf32>");
  file = weights("i32.safetensors",
                 {{"layer.steps", Tensor::zeros(ElementType::i32, {})}});
  EXPECT_EQ(openError(path, {file}),
            path + ": weight 'layer.steps' is tensor<i32> in " + file +
                ", the model expects tensor<i64>");
  // A dtype diffc has no element type for, written by hand.
  const std::string header =
      R"({"layer.weight":{"dtype":"U8","shape":[2,3],"data_offsets":[0,6]}})";
  writeFile(dir_.file("u8.safetensors"),
            safetensorsImage(header, std::vector<uint8_t>(6, 1)));
  EXPECT_EQ(openError(path, {dir_.file("u8.safetensors")}),
            path + ": weight 'layer.weight' is tensor<2x3xu8> in " +
                dir_.file("u8.safetensors") +
                ", the model expects tensor<2x3xf32>");
}

TEST_F(WeightBindingTest, WeightInTwoFiles) {
  std::string path = model();
  std::string a = weights("a.safetensors", {{"layer.steps", steps(1)}});
  std::string b = weights("b.safetensors", {{"layer.steps", steps(2)}});
  EXPECT_EQ(openError(path, {a, b}),
            path + ": weight 'layer.steps' is in both " + a + " and " + b);
}

TEST_F(WeightBindingTest, InvalidWeightFile) {
  std::string path = model();
  EXPECT_EQ(openError(path, {dir_.file("none.safetensors")}),
            dir_.file("none.safetensors") +
                ": cannot open: No such file or directory");
  writeFile(dir_.file("junk.safetensors"), {'{', '}', 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(openError(path, {dir_.file("junk.safetensors")})
                .rfind(dir_.file("junk.safetensors") + ": truncated", 0),
            0u);
}

TEST_F(WeightBindingTest, BooleanParametersRefuseOtherBytes) {
  ArtifactWriter writer = kernelArtifactWriter();
  writer.addParameter({"mask", "diffc_param_mask", ElementType::i1, {3}});
  std::string path = dir_.file("mask.diffc"), error;
  ASSERT_TRUE(writer.write(path, &error)) << error;
  const std::string header =
      R"({"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})";
  std::vector<uint8_t> bytes = safetensorsImage(header, {1, 0, 2});
  writeFile(dir_.file("mask.safetensors"), bytes);
  EXPECT_EQ(openError(path, {dir_.file("mask.safetensors")}),
            path + ": weight 'mask' in " + dir_.file("mask.safetensors") +
                ": BOOL element 2 is 2, not 0 or 1");
  bytes.back() = 1;
  writeFile(dir_.file("mask.safetensors"), bytes);
  EXPECT_TRUE(open(path, {dir_.file("mask.safetensors")}, &error)) << error;
}

//===----------------------------------------------------------------------===//
// Parameter symbols: checked when the code is loaded
//===----------------------------------------------------------------------===//

/// An artifact of the test kernels with one extra parameter (and an
/// embedded value for it, so that only the symbol can be at fault).
std::string symbolError(const TempDir &dir, ParameterSignature parameter,
                        bool withWhichEntry = true) {
  ArtifactWriter writer;
  for (EntryPointSignature &entry : kernelEntryPoints())
    if (withWhichEntry || entry.name != "which")
      writer.addEntryPoint(std::move(entry));
  writer.addCodeObject("x86_64", CodeFormat::elf_shared_object,
                       kernelLibraryBytes());
  std::vector<uint8_t> bytes(*byteSize(parameter.elementType, parameter.shape),
                             0);
  writer.addWeight(parameter.name, parameter.elementType, parameter.shape,
                   bytes);
  writer.addParameter(std::move(parameter));
  std::string path = dir.file("m.diffc"), error;
  EXPECT_TRUE(writer.write(path, &error)) << error;
  EXPECT_FALSE(Session::open(path, &error));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  return error;
}

TEST(ParameterSymbolTest, Missing) {
  TempDir dir;
  EXPECT_EQ(
      symbolError(dir, {"extra", "diffc_param_missing", ElementType::f32, {2}}),
      dir.file("m.diffc") +
          ": parameter 0 (\"extra\"): symbol 'diffc_param_missing' is "
          "not defined in the x86_64 code object");
}

TEST(ParameterSymbolTest, SizeDisagreesWithTheShape) {
  TempDir dir;
  EXPECT_EQ(symbolError(
                dir, {"layer.weight", "diffc_param_0", ElementType::f32, {7}}),
            dir.file("m.diffc") +
                ": parameter 0 (\"layer.weight\"): symbol 'diffc_param_0' "
                "has 24 bytes in the code object, the parameter needs 28");
  EXPECT_EQ(symbolError(dir, {"w", "diffc_param_1", ElementType::i32, {1}}),
            dir.file("m.diffc") +
                ": parameter 0 (\"w\"): symbol 'diffc_param_1' has 8 bytes "
                "in the code object, the parameter needs 4");
}

TEST(ParameterSymbolTest, AFunctionIsNotStorage) {
  TempDir dir;
  // "which" is exported but, in this artifact, not an entry point (the
  // loader refuses a parameter that shares an entry point's symbol).
  EXPECT_EQ(symbolError(dir, {"w", "which", ElementType::f32, {1}},
                        /*withWhichEntry=*/false),
            dir.file("m.diffc") +
                ": parameter 0 (\"w\"): symbol 'which' is a function, not a "
                "data object");
}

TEST(ParameterSymbolTest, ReadOnlyData) {
  TempDir dir;
  EXPECT_EQ(symbolError(dir, {"w", "diffc_readonly", ElementType::f32, {6}}),
            dir.file("m.diffc") +
                ": parameter 0 (\"w\"): symbol 'diffc_readonly' is not "
                "writable (read-only data or RELRO; parameters must be "
                "uninitialized writable globals)");
}

TEST(ParameterSymbolTest, DefinedByALibraryTheCodeDependsOn) {
  TempDir dir;
  // libc's `environ` is found through the code object's dependencies.
  std::string error = symbolError(dir, {"w", "environ", ElementType::i64, {}});
  EXPECT_EQ(error.rfind(dir.file("m.diffc") +
                            ": parameter 0 (\"w\"): symbol 'environ' is not "
                            "defined by the x86_64 code object itself",
                        0),
            0u)
      << error;
}

} // namespace
