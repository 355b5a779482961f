//===- BatchingTest.cpp - Tests for the seeded data order -----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The data order must be a pure function of (seed, epoch) and the flips of
// (seed, step, index): that is what lets a resumed run see the same batches.
//
//===----------------------------------------------------------------------===//

#include "diffc/batching.h"
#include "diffc/philox.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace diffc;

namespace {

TEST(BatchingTest, PermutationIsAPermutation) {
  for (int64_t n : {1, 2, 3, 7, 100, 1797}) {
    std::vector<int64_t> p = epochPermutation(42, 3, n);
    std::vector<int64_t> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(sorted[i], i) << "n " << n;
  }
  EXPECT_TRUE(epochPermutation(1, 0, 0).empty());
}

TEST(BatchingTest, PermutationIsPureInSeedAndEpoch) {
  std::vector<int64_t> a = epochPermutation(7, 2, 500);
  // Computing other permutations in between changes nothing.
  epochPermutation(7, 1, 500);
  epochPermutation(8, 2, 500);
  EXPECT_EQ(epochPermutation(7, 2, 500), a);
  // Other epochs and seeds (low and high words) give other orders.
  for (auto [seed, epoch] : {std::pair<uint64_t, uint64_t>{7, 3},
                             {8, 2},
                             {7 | (1ull << 40), 2},
                             {7, 2 | (1ull << 20)}}) {
    std::vector<int64_t> b = epochPermutation(seed, epoch, 500);
    int64_t same = 0;
    for (int64_t i = 0; i < 500; ++i)
      same += a[i] == b[i];
    EXPECT_LT(same, 10) << "seed " << seed << " epoch " << epoch;
  }
  // The documented construction: Fisher-Yates on the shuffle stream.
  std::vector<int64_t> want(10);
  std::iota(want.begin(), want.end(), 0);
  for (int64_t i = 9, k = 0; i > 0; --i, ++k) {
    uint32_t w =
        philox_word_at(7, (uint64_t(5) << 32) + k, kPhiloxStreamShuffle);
    std::swap(want[i], want[uniform_integer(w, 0, i + 1)]);
  }
  EXPECT_EQ(epochPermutation(7, 5, 10), want);
}

TEST(BatchingTest, PermutationIsUniform) {
  // Where image 0 lands over 20,000 epochs of 10 images: each of the 10
  // places about 2,000 times (6 sigma bounds).
  std::vector<int> where(10, 0);
  for (uint64_t e = 0; e < 20000; ++e) {
    std::vector<int64_t> p = epochPermutation(3, e, 10);
    ++where[std::find(p.begin(), p.end(), 0) - p.begin()];
  }
  for (int i = 0; i < 10; ++i)
    EXPECT_NEAR(where[i], 2000, 6 * std::sqrt(2000 * 0.9)) << "place " << i;
}

TEST(BatchingTest, FlipsArePureAndFair) {
  int flips = 0;
  for (uint64_t step = 1; step <= 200; ++step)
    for (int64_t i = 0; i < 50; ++i) {
      bool f = flipAt(11, step, i);
      ASSERT_EQ(f, flipAt(11, step, i));
      flips += f;
    }
  EXPECT_NEAR(flips, 5000, 6 * std::sqrt(2500.0));
  int differ = 0;
  for (int64_t i = 0; i < 64; ++i)
    differ += flipAt(11, 5, i) != flipAt(12, 5, i);
  EXPECT_GT(differ, 10);
}

ImageDataset numbered(int64_t n) {
  // Image i is 1x1x2 with pixels (i, 100 + i): its position in a batch
  // tells which image it is, and a flip swaps the two.
  ImageDataset data;
  data.count = n;
  data.channels = data.height = 1;
  data.width = 2;
  for (int64_t i = 0; i < n; ++i) {
    data.pixels.push_back(uint8_t(i));
    data.pixels.push_back(uint8_t(100 + i));
  }
  return data;
}

int64_t imageOf(const float *x) {
  return std::lround((std::min(x[0], x[1]) + 1.0f) * 127.5f);
}

TEST(BatchingTest, BatchesFollowTheEpochPermutations) {
  ImageDataset data = numbered(7);
  BatchSampler sampler(data, 5, false);
  // 5 batches of 3 = 15 samples: epochs 0, 1 and part of 2; batches
  // straddle epochs.
  std::vector<int64_t> seen;
  std::vector<float> x(3 * 2);
  for (int64_t step = 1; step <= 5; ++step) {
    sampler.fill((step - 1) * 3, 3, step, x.data());
    for (int i = 0; i < 3; ++i)
      seen.push_back(imageOf(&x[2 * i]));
  }
  std::vector<int64_t> want;
  for (uint64_t e = 0; e < 3; ++e)
    for (int64_t i : epochPermutation(5, e, 7))
      want.push_back(i);
  want.resize(15);
  EXPECT_EQ(seen, want);

  // A fresh sampler (a resumed run) starting at position 9 gives the same.
  BatchSampler resumed(data, 5, false);
  resumed.fill(9, 3, 4, x.data());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(imageOf(&x[2 * i]), want[9 + i]);
}

TEST(BatchingTest, FlippedBatches) {
  ImageDataset data = numbered(4);
  BatchSampler sampler(data, 9, true);
  std::vector<float> x(4 * 2);
  for (uint64_t step = 1; step <= 20; ++step) {
    sampler.fill(0, 4, step, x.data());
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(x[2 * i] > x[2 * i + 1], flipAt(9, step, i))
          << "step " << step << " image " << i;
  }
}

} // namespace
