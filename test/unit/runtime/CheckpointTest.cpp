//===- CheckpointTest.cpp - Tests for training checkpoints ----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Round trips bit for bit, the documented layout, damaged files, and the
// promise that matters most: a process killed with SIGKILL at any instant of
// a checkpoint write never leaves latest.safetensors broken or missing.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/checkpoint.h"
#include "diffc/safetensors.h"

#include "gtest/gtest.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <random>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace diffc;
using namespace diffc::test;

namespace {

Tensor filled(std::vector<int64_t> shape, float value) {
  Tensor t = Tensor::zeros(ElementType::f32, std::move(shape));
  std::fill(t.dataAs<float>(), t.dataAs<float>() + t.numElements(), value);
  return t;
}

/// A state whose every tensor encodes `step`, so a reader can tell whether
/// it sees one consistent write.
TrainingState stateAt(int64_t step, int64_t size = 16) {
  TrainingState s;
  s.names = {"conv_in.weight", "conv_in.bias"};
  for (const auto &shape :
       {std::vector<int64_t>{size, 1, 3, 3}, std::vector<int64_t>{size}}) {
    s.params.push_back(filled(shape, float(step)));
    s.expAvg.push_back(filled(shape, float(step) + 0.25f));
    s.expAvgSq.push_back(filled(shape, float(step) + 0.5f));
    s.ema.push_back(filled(shape, float(step) + 0.75f));
  }
  s.step = step;
  s.samplesSeen = step * 64;
  s.datasetSize = 1797;
  s.options = {{"lr", "0.0001"}, {"seed", "3"}, {"data", "digits"}};
  return s;
}

bool sameBits(const Tensor &a, const Tensor &b) {
  return a.typeString() == b.typeString() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

/// Checks that `s` is stateAt(s.step) in every tensor.
void expectConsistent(const TrainingState &s) {
  TrainingState want = stateAt(s.step, s.params[0].shape()[0]);
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(sameBits(s.params[i], want.params[i])) << s.step;
    ASSERT_TRUE(sameBits(s.expAvg[i], want.expAvg[i])) << s.step;
    ASSERT_TRUE(sameBits(s.expAvgSq[i], want.expAvgSq[i])) << s.step;
    ASSERT_TRUE(sameBits(s.ema[i], want.ema[i])) << s.step;
  }
}

TEST(CheckpointTest, RoundTripAndLayout) {
  TempDir dir;
  std::string path = dir.file("latest.safetensors");
  TrainingState s = stateAt(1234);
  // Odd bit patterns survive: NaN payloads, -0, denormals.
  uint32_t odd[] = {0x7fc00123u, 0x80000000u, 0x00000001u};
  std::memcpy(s.params[1].data(), odd, sizeof(odd));
  std::string error;
  ASSERT_TRUE(writeCheckpoint(path, s, &error)) << error;
  TrainingState r;
  ASSERT_TRUE(readCheckpoint(path, &r, &error)) << error;
  EXPECT_EQ(r.names, s.names);
  EXPECT_EQ(r.step, 1234);
  EXPECT_EQ(r.samplesSeen, 1234 * 64);
  EXPECT_EQ(r.datasetSize, 1797);
  EXPECT_EQ(r.options, s.options);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(sameBits(r.params[i], s.params[i]));
    EXPECT_TRUE(sameBits(r.expAvg[i], s.expAvg[i]));
    EXPECT_TRUE(sameBits(r.expAvgSq[i], s.expAvgSq[i]));
    EXPECT_TRUE(sameBits(r.ema[i], s.ema[i]));
  }

  // The layout of docs/training.md, readable as a plain safetensors file.
  auto file = SafetensorsFile::load(path, &error);
  ASSERT_TRUE(file) << error;
  for (const char *name :
       {"conv_in.weight", "exp_avg/conv_in.weight", "exp_avg_sq/conv_in.weight",
        "ema/conv_in.weight", "conv_in.bias", "ema/conv_in.bias"})
    EXPECT_TRUE(file->find(name)) << name;
  EXPECT_EQ(file->tensors().size(), 8u);
  const auto &m = file->metadata();
  EXPECT_EQ(m.at("format"), "pt");
  EXPECT_EQ(m.at("diffc.checkpoint"), "1");
  EXPECT_EQ(m.at("diffc.parameters"), "[\"conv_in.weight\", \"conv_in.bias\"]");
  EXPECT_EQ(m.at("diffc.step"), "1234");
  EXPECT_EQ(m.at("diffc.epoch"), std::to_string(1234 * 64 / 1797));
  EXPECT_EQ(m.at("diffc.position"), std::to_string(1234 * 64 % 1797));
  EXPECT_EQ(m.at("train.lr"), "0.0001");

  // The EMA file: plain state-dict names, the averages' values.
  std::string ema = dir.file("ema.safetensors");
  ASSERT_TRUE(writeEmaWeights(ema, s, &error)) << error;
  auto weights = SafetensorsFile::load(ema, &error);
  ASSERT_TRUE(weights) << error;
  EXPECT_EQ(weights->tensors().size(), 2u);
  Tensor t;
  ASSERT_TRUE(weights->copyTensor("conv_in.weight", &t, &error));
  EXPECT_TRUE(sameBits(t, s.ema[0]));
}

TEST(CheckpointTest, DamagedCheckpointsAreOneLineErrors) {
  TempDir dir;
  std::string path = dir.file("c.safetensors");
  std::string error;
  TrainingState r;
  ASSERT_TRUE(writeCheckpoint(path, stateAt(5), &error)) << error;
  std::vector<uint8_t> good = readFile(path);
  auto expectError = [&](const std::vector<uint8_t> &bytes, const char *why) {
    writeFile(path, bytes);
    EXPECT_FALSE(readCheckpoint(path, &r, &error)) << why;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(error.rfind(path, 0), 0u) << error;
    if (*why)
      EXPECT_NE(error.find(why), std::string::npos) << error;
  };
  // Truncated anywhere.
  for (size_t n :
       {size_t(0), size_t(7), size_t(100), good.size() / 2, good.size() - 1})
    expectError(std::vector<uint8_t>(good.begin(), good.begin() + n), "");
  // A weights file is not a checkpoint.
  ASSERT_TRUE(writeEmaWeights(path, stateAt(5), &error));
  expectError(readFile(path), "not a diffc training checkpoint");
  // A checkpoint missing a moment.
  TrainingState s = stateAt(5);
  std::vector<NamedTensor> tensors;
  for (size_t i = 0; i < 2; ++i) {
    tensors.push_back({s.names[i], &s.params[i]});
    tensors.push_back({"ema/" + s.names[i], &s.ema[i]});
    tensors.push_back({"exp_avg/" + s.names[i], &s.expAvg[i]});
  }
  std::map<std::string, std::string> metadata = {
      {"diffc.checkpoint", "1"},
      {"diffc.parameters", "[\"conv_in.weight\", \"conv_in.bias\"]"},
      {"diffc.step", "5"},
      {"diffc.samples_seen", "0"},
      {"diffc.dataset_size", "10"}};
  ASSERT_TRUE(writeSafetensors(path, tensors, metadata, &error)) << error;
  expectError(readFile(path), "no tensor 'exp_avg_sq/conv_in.weight'");
  // A future layout, a bad step.
  tensors.push_back({"exp_avg_sq/conv_in.weight", &s.expAvgSq[0]});
  tensors.push_back({"exp_avg_sq/conv_in.bias", &s.expAvgSq[1]});
  metadata["diffc.checkpoint"] = "2";
  ASSERT_TRUE(writeSafetensors(path, tensors, metadata, &error));
  expectError(readFile(path), "layout version 2 is not supported");
  metadata["diffc.checkpoint"] = "1";
  metadata["diffc.step"] = "-3";
  ASSERT_TRUE(writeSafetensors(path, tensors, metadata, &error));
  expectError(readFile(path), "'diffc.step' is '-3'");
  metadata["diffc.step"] = "3";
  metadata["diffc.parameters"] = "[\"conv_in.weight\", 7]";
  ASSERT_TRUE(writeSafetensors(path, tensors, metadata, &error));
  expectError(readFile(path), "'diffc.parameters' holds a number");
  // A moment of another shape than its parameter.
  metadata["diffc.parameters"] = "[\"conv_in.weight\", \"conv_in.bias\"]";
  tensors.back().tensor = &s.expAvgSq[0];
  ASSERT_TRUE(writeSafetensors(path, tensors, metadata, &error));
  expectError(readFile(path),
              "'exp_avg_sq/conv_in.bias' is tensor<16x1x3x3xf32>");
}

TEST(CheckpointTest, FailedWriteLeavesTheOldFile) {
  TempDir dir;
  std::string path = dir.file("latest.safetensors");
  std::string error;
  ASSERT_TRUE(writeCheckpoint(path, stateAt(1), &error)) << error;
  TrainingState bad = stateAt(2);
  bad.ema.pop_back(); // inconsistent
  EXPECT_FALSE(writeCheckpoint(path, bad, &error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_FALSE(writeCheckpoint(dir.file("no/such/dir/x.safetensors"),
                               stateAt(2), &error));
  TrainingState r;
  ASSERT_TRUE(readCheckpoint(path, &r, &error)) << error;
  EXPECT_EQ(r.step, 1);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"latest.safetensors"});
}

TEST(CheckpointTest, KillDuringWriteNeverBreaksLatest) {
  // A child rewrites latest.safetensors in a loop (about 4.6 MB a write,
  // each state a new step) until it is killed with SIGKILL at a random
  // instant; the file must then always read back as one complete state.
  TempDir dir;
  std::string path = dir.file("latest.safetensors");
  std::mt19937 rng(20240611);
  int killedMidWrite = 0;
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::string error;
      for (int64_t step = round * 1000000 + 1;; ++step)
        if (!writeCheckpoint(path, stateAt(step, 32768), &error))
          ::_exit(3);
    }
    // Let it write at least once (from the second round the file exists
    // already), then kill it somewhere in a later write.
    std::this_thread::sleep_for(
        std::chrono::microseconds(2000 + rng() % 60000));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer exited by itself";
    if (!fileExists(path)) {
      ASSERT_EQ(round, 0) << "latest.safetensors vanished";
      continue; // killed before its first write completed
    }
    TrainingState r;
    std::string error;
    ASSERT_TRUE(readCheckpoint(path, &r, &error))
        << "round " << round << ": " << error;
    expectConsistent(r);
    // Temporary files of the killed write stay behind (the trainer removes
    // them at start); count them as evidence that the kill hit a write.
    for (const std::string &name : dir.list())
      if (name != "latest.safetensors") {
        ++killedMidWrite;
        ::unlink(dir.file(name).c_str());
      }
  }
  RecordProperty("kills_during_a_write", killedMidWrite);
  std::printf("[          ] %d of %d kills interrupted a write\n",
              killedMidWrite, kRounds);
}

} // namespace
