//===- SessionTest.cpp - Tests for code loading and calls -----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Calls the hand-written kernels of TestKernels.c through artifacts and
// checks the results against double-precision references on random nonzero
// inputs (DESIGN.md decision 7).
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/session.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdlib>
#include <random>

using namespace diffc;
using namespace diffc::test;

namespace {

/// A session over the test kernels, loaded from a real file.
class SessionTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string error;
    path_ = dir_.file("kernels.diffc");
    ASSERT_TRUE(kernelArtifactWriter().write(path_, &error)) << error;
    session_ = Session::open(path_, &error);
    ASSERT_TRUE(session_) << error;
  }

  /// Uniform values in [-2, -0.1] U [0.1, 2]: nonzero, mixed signs.
  Tensor random(std::vector<int64_t> shape) {
    Tensor t = Tensor::zeros(ElementType::f32, std::move(shape));
    std::uniform_real_distribution<float> magnitude(0.1f, 2.0f);
    std::bernoulli_distribution negative(0.5);
    for (int64_t i = 0; i < t.numElements(); ++i)
      t.dataAs<float>()[i] = negative(rng_) ? -magnitude(rng_) : magnitude(rng_);
    return t;
  }

  std::vector<Arg> call(const std::string &entry, std::vector<Arg> inputs) {
    std::vector<Arg> outputs;
    std::string error;
    EXPECT_TRUE(session_->call(entry, inputs, &outputs, &error)) << error;
    return outputs;
  }

  std::string callError(const std::string &entry, std::vector<Arg> inputs) {
    std::vector<Arg> outputs{Arg::ofI64(1)};
    std::string error;
    EXPECT_FALSE(session_->call(entry, inputs, &outputs, &error));
    EXPECT_TRUE(outputs.empty());
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    return error;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Session> session_;
  std::mt19937 rng_{1234};
};

/// |got - want| within a float rounding or two of the double reference.
void expectClose(float got, double want, double ulps = 2) {
  EXPECT_NEAR(got, want, ulps * std::abs(want) * 0x1p-24 + 1e-30)
      << "want " << want;
}

TEST_F(SessionTest, AddF32MatchesFloat64) {
  for (int64_t n : {1, 7, 64, 1000}) {
    Tensor x = random({n}), y = random({n});
    std::vector<Arg> out =
        call("add_f32", {Arg::ofTensor(x), Arg::ofTensor(y)});
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].kind, ValueKind::tensor);
    const Tensor &r = out[0].tensor;
    ASSERT_EQ(r.shape(), std::vector<int64_t>{n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r.data()) % 64, 0u);
    for (int64_t i = 0; i < n; ++i)
      expectClose(r.dataAs<float>()[i], double(x.dataAs<float>()[i]) +
                                            double(y.dataAs<float>()[i]));
  }
}

TEST_F(SessionTest, AddF32EmptyTensor) {
  std::vector<Arg> out = call("add_f32", {Arg::ofTensor(random({0})),
                                          Arg::ofTensor(random({0}))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.shape(), std::vector<int64_t>{0});
}

TEST_F(SessionTest, ScaleHonoursPaddedResultStrides) {
  for (auto shape : std::vector<std::vector<int64_t>>{
           {1, 1}, {1, 9}, {9, 1}, {3, 5}, {17, 33}}) {
    Tensor x = random(shape);
    const float s = -0.37f;
    std::vector<Arg> out = call("scale", {Arg::ofTensor(x), Arg::ofF32(s)});
    ASSERT_EQ(out.size(), 1u);
    const Tensor &r = out[0].tensor;
    ASSERT_EQ(r.shape(), shape);
    for (int64_t i = 0; i < r.numElements(); ++i)
      expectClose(r.dataAs<float>()[i], double(x.dataAs<float>()[i]) * s, 1);
  }
}

TEST_F(SessionTest, TransposeReturnsAColumnMajorView) {
  Tensor x = random({4, 7});
  std::vector<Arg> out = call("transpose", {Arg::ofTensor(x)});
  ASSERT_EQ(out.size(), 1u);
  const Tensor &r = out[0].tensor;
  ASSERT_EQ(r.shape(), (std::vector<int64_t>{7, 4}));
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 7; ++j)
      EXPECT_EQ(r.dataAs<float>()[j * 4 + i], x.dataAs<float>()[i * 7 + j]);
}

TEST_F(SessionTest, MixedScalarAndTensorResults) {
  Tensor x = random({37});
  std::vector<Arg> out =
      call("sum_and_scale", {Arg::ofTensor(x), Arg::ofI64(-3)});
  ASSERT_EQ(out.size(), 3u);
  ASSERT_EQ(out[0].kind, ValueKind::f32);
  ASSERT_EQ(out[1].kind, ValueKind::tensor);
  ASSERT_EQ(out[2].kind, ValueKind::index);
  double sum = 0, absSum = 0;
  for (int64_t i = 0; i < 37; ++i) {
    sum += x.dataAs<float>()[i];
    absSum += std::abs(x.dataAs<float>()[i]);
  }
  // A float accumulation of 37 terms: error bounded by 37 ulps of sum |x|.
  EXPECT_NEAR(out[0].floatValue, sum, 37 * absSum * 0x1p-24);
  EXPECT_EQ(out[2].intValue, 37);
  ASSERT_EQ(out[1].tensor.shape(), std::vector<int64_t>{37});
  for (int64_t i = 0; i < 37; ++i)
    expectClose(out[1].tensor.dataAs<float>()[i],
                double(x.dataAs<float>()[i]) * -3.0, 1);
}

TEST_F(SessionTest, RankZeroResult) {
  Tensor x = random({4}), y = random({4});
  std::vector<Arg> out = call("dot", {Arg::ofTensor(x), Arg::ofTensor(y)});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].tensor.rank(), 0);
  double want = 0, bound = 0;
  for (int i = 0; i < 4; ++i) {
    want += double(x.dataAs<float>()[i]) * y.dataAs<float>()[i];
    bound += std::abs(double(x.dataAs<float>()[i]) * y.dataAs<float>()[i]);
  }
  EXPECT_NEAR(out[0].tensor.dataAs<float>()[0], want, 8 * bound * 0x1p-24);
}

TEST_F(SessionTest, NoInputsOneScalarResult) {
  std::vector<Arg> out = call("which", {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, ValueKind::index);
  EXPECT_EQ(out[0].intValue, 1);
}

TEST_F(SessionTest, ReturningAnInputBufferDoesNotFreeIt) {
  Tensor x = random({5});
  std::vector<float> before(x.dataAs<float>(), x.dataAs<float>() + 5);
  std::vector<Arg> inputs{Arg::ofTensor(x)};
  std::vector<Arg> out;
  std::string error;
  ASSERT_TRUE(session_->call("identity", inputs, &out, &error)) << error;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].tensor.data(), inputs[0].tensor.data());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(out[0].tensor.dataAs<float>()[i], before[i]);
    EXPECT_EQ(inputs[0].tensor.dataAs<float>()[i], before[i]);
  }
}

TEST_F(SessionTest, ResultDisagreeingWithItsSignature) {
  EXPECT_EQ(callError("wrong_size", {Arg::ofTensor(random({2}))}),
            path_ + ": entry point \"wrong_size\": output 0: the code "
                    "returned tensor<5xf32>, the signature says tensor<4xf32>");
}

//===----------------------------------------------------------------------===//
// Argument checking
//===----------------------------------------------------------------------===//

TEST_F(SessionTest, WrongArgumentCount) {
  EXPECT_EQ(callError("add_f32", {Arg::ofTensor(random({3}))}),
            path_ + ": entry point \"add_f32\" takes 2 input(s), got 1");
}

TEST_F(SessionTest, WrongArgumentKind) {
  EXPECT_EQ(callError("add_f32", {Arg::ofTensor(random({3})), Arg::ofF32(1)}),
            path_ + ": entry point \"add_f32\": input 1 (\"y\"): expected "
                    "tensor<?xf32>, got f32");
  EXPECT_EQ(callError("sum_and_scale",
                      {Arg::ofTensor(random({3})), Arg::ofIndex(2)}),
            path_ + ": entry point \"sum_and_scale\": input 1 (\"k\"): "
                    "expected i64, got index");
}

TEST_F(SessionTest, WrongElementType) {
  Tensor y = Tensor::zeros(ElementType::f64, {3});
  EXPECT_EQ(callError("add_f32", {Arg::ofTensor(random({3})),
                                  Arg::ofTensor(std::move(y))}),
            path_ + ": entry point \"add_f32\": input 1 (\"y\"): expected "
                    "tensor<?xf32>, got tensor<3xf64>");
}

TEST_F(SessionTest, WrongRankAndStaticExtent) {
  EXPECT_EQ(
      callError("add_f32",
                {Arg::ofTensor(random({3})), Arg::ofTensor(random({3, 1}))}),
      path_ + ": entry point \"add_f32\": input 1 (\"y\"): expected "
              "tensor<?xf32>, got tensor<3x1xf32>");
  EXPECT_EQ(callError("dot", {Arg::ofTensor(random({4})),
                              Arg::ofTensor(random({5}))}),
            path_ + ": entry point \"dot\": input 1 (\"y\"): expected "
                    "tensor<4xf32>, got tensor<5xf32> (dimension 0 must be 4)");
}

TEST_F(SessionTest, UnallocatedTensorAndUnknownEntry) {
  EXPECT_NE(callError("identity", {Arg::ofTensor(Tensor())})
                .find("the tensor has no storage"),
            std::string::npos);
  EXPECT_EQ(callError("nope", {}).rfind(path_ + ": no entry point \"nope\"; "
                                                "the artifact has: add_f32, ",
                                        0),
            0u);
}

//===----------------------------------------------------------------------===//
// Code loading
//===----------------------------------------------------------------------===//

TEST(CodeLoadingTest, MissingSymbol) {
  ArtifactWriter writer = kernelArtifactWriter();
  writer.addEntryPoint({"ghost", "does_not_exist", {}, {}});
  TempDir dir;
  std::string error;
  ASSERT_TRUE(writer.write(dir.file("m.diffc"), &error)) << error;
  EXPECT_FALSE(Session::open(dir.file("m.diffc"), &error));
  EXPECT_EQ(error, dir.file("m.diffc") +
                       ": entry point 9 (\"ghost\"): symbol 'does_not_exist' "
                       "is not defined in the x86_64 code object");
}

TEST(CodeLoadingTest, NoCodeForThisMachine) {
  ArtifactWriter writer = kernelArtifactWriter(/*withCode=*/false);
  writer.addCodeObject("sm_90", CodeFormat::cubin, {1, 2, 3});
  writer.addCodeObject("sm_80", CodeFormat::cubin, {1, 2, 3});
  std::vector<uint8_t> image;
  std::string error;
  ASSERT_TRUE(writer.serialize(&image, &error)) << error;
  auto artifact =
      Artifact::loadFromMemory("model.diffc", image.data(), image.size(), &error);
  ASSERT_TRUE(artifact) << error;
  EXPECT_FALSE(Session::create(std::move(artifact), &error));
  EXPECT_EQ(error, "model.diffc: no code for this machine (x86_64); the "
                   "artifact has: sm_90, sm_80");

  ArtifactWriter none = kernelArtifactWriter(/*withCode=*/false);
  ASSERT_TRUE(none.serialize(&image, &error)) << error;
  EXPECT_FALSE(Session::create(
      Artifact::loadFromMemory("model.diffc", image.data(), image.size(),
                               &error),
      &error));
  EXPECT_EQ(error, "model.diffc: no code for this machine (x86_64); the "
                   "artifact has no code objects");
}

TEST(CodeLoadingTest, HostTargetInTheWrongFormat) {
  ArtifactWriter writer = kernelArtifactWriter(/*withCode=*/false);
  writer.addCodeObject("x86_64", CodeFormat::ptx, {'.', 'v'});
  std::vector<uint8_t> image;
  std::string error;
  ASSERT_TRUE(writer.serialize(&image, &error)) << error;
  EXPECT_FALSE(Session::create(
      Artifact::loadFromMemory("m", image.data(), image.size(), &error),
      &error));
  EXPECT_EQ(error, "m: no code for this machine (x86_64); the artifact has: "
                   "x86_64 (ptx)");
}

TEST(CodeLoadingTest, GarbageCodeObjectIsAnErrorNotACrash) {
  ArtifactWriter writer;
  writer.addEntryPoint({"f", "f", {}, {}});
  writer.addCodeObject("x86_64", CodeFormat::elf_shared_object,
                       std::vector<uint8_t>(4096, 0x5A));
  std::vector<uint8_t> image;
  std::string error;
  ASSERT_TRUE(writer.serialize(&image, &error)) << error;
  EXPECT_FALSE(Session::create(
      Artifact::loadFromMemory("m", image.data(), image.size(), &error),
      &error));
  EXPECT_EQ(error.rfind("m: cannot load the x86_64 code object: ", 0), 0u)
      << error;
}

TEST(CodeLoadingTest, TemporaryFileFallbackLeavesNothing) {
  TempDir dir, tmp;
  std::string error;
  ASSERT_TRUE(kernelArtifactWriter().write(dir.file("m.diffc"), &error));
  const char *oldTmp = std::getenv("TMPDIR");
  std::string savedTmp = oldTmp ? oldTmp : "";
  ::setenv("DIFFC_NO_MEMFD", "1", 1);
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  auto session = Session::open(dir.file("m.diffc"), &error);
  ::unsetenv("DIFFC_NO_MEMFD");
  if (oldTmp)
    ::setenv("TMPDIR", savedTmp.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  ASSERT_TRUE(session) << error;
  // The library was loaded from $TMPDIR and unlinked right after dlopen.
  EXPECT_TRUE(tmp.list().empty());
  std::vector<Arg> out;
  ASSERT_TRUE(session->call("which", {}, &out, &error)) << error;
  EXPECT_EQ(out[0].intValue, 1);
}

/// glibc identifies loaded libraries by path; two artifacts loaded through
/// memfds must still get their own code, at the same time and one after the
/// other (when fd numbers are reused).
TEST(CodeLoadingTest, TwoArtifactsGetTheirOwnCode) {
  TempDir dir;
  std::string error;
  ASSERT_TRUE(kernelArtifactWriter(true, false).write(dir.file("a"), &error));
  ASSERT_TRUE(kernelArtifactWriter(true, true).write(dir.file("b"), &error));
  auto which = [](const Session &s) {
    std::vector<Arg> out;
    std::string error;
    EXPECT_TRUE(s.call("which", {}, &out, &error)) << error;
    return out.empty() ? -1 : out[0].intValue;
  };
  for (int round = 0; round < 3; ++round) {
    auto a = Session::open(dir.file("a"), &error);
    ASSERT_TRUE(a) << error;
    auto b = Session::open(dir.file("b"), &error);
    ASSERT_TRUE(b) << error;
    EXPECT_EQ(which(*a), 1);
    EXPECT_EQ(which(*b), 2);
    a.reset();
    auto b2 = Session::open(dir.file("b"), &error);
    ASSERT_TRUE(b2) << error;
    EXPECT_EQ(which(*b2), 2);
    EXPECT_EQ(which(*b), 2);
  }
}

} // namespace
