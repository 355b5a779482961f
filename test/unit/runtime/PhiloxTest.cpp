//===- PhiloxTest.cpp - Tests for the Philox4x32-10 normal stream ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/philox.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

using namespace diffc;

namespace {

// Known-answer vectors for philox4x32 with R = 10, copied from Random123's
// tests/kat_vectors (lines 27-29) in github.com/DEShawResearch/random123 at
// commit 9545ff6413f258be2f04c1d319d99aaef7521150:
//   philox4x32 10 <ctr0..3> <key0..1>   <out0..3>
struct KnownAnswer {
  PhiloxCounter ctr;
  PhiloxKey key;
  PhiloxCounter expected;
};

constexpr KnownAnswer kKnownAnswers[] = {
    {{{0x00000000, 0x00000000, 0x00000000, 0x00000000}},
     {{0x00000000, 0x00000000}},
     {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
    {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
     {{0xffffffff, 0xffffffff}},
     {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
    {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
     {{0xa4093822, 0x299f31d0}},
     {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
};

// philox4x32_10 is constexpr, so the known answers are also checked at compile
// time; a wrong round function then fails the build, not just the test run.
static_assert(philox4x32_10(kKnownAnswers[0].ctr, kKnownAnswers[0].key) ==
                  kKnownAnswers[0].expected,
              "Random123 KAT 0");
static_assert(philox4x32_10(kKnownAnswers[1].ctr, kKnownAnswers[1].key) ==
                  kKnownAnswers[1].expected,
              "Random123 KAT 1");
static_assert(philox4x32_10(kKnownAnswers[2].ctr, kKnownAnswers[2].key) ==
                  kKnownAnswers[2].expected,
              "Random123 KAT 2");

uint32_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

// Upper bound on |normal|: the smallest uniform is 2^-24 (see philox.h).
const double kMaxRadius = std::sqrt(-2.0 * std::log(0x1p-24));

TEST(PhiloxTest, Random123KnownAnswers) {
  for (const KnownAnswer &kat : kKnownAnswers) {
    const PhiloxCounter got = philox4x32_10(kat.ctr, kat.key);
    for (int w = 0; w < 4; ++w)
      EXPECT_EQ(got.v[w], kat.expected.v[w]) << "word " << w;
  }
}

TEST(PhiloxTest, SeedAndBlockMapping) {
  const PhiloxKey key = philox_key_from_seed(0x0123456789abcdefull);
  EXPECT_EQ(key.v[0], 0x89abcdefu);
  EXPECT_EQ(key.v[1], 0x01234567u);
  const PhiloxCounter ctr = philox_counter_for_block(0xfedcba9876543210ull);
  EXPECT_EQ(ctr.v[0], 0x76543210u);
  EXPECT_EQ(ctr.v[1], 0xfedcba98u);
  EXPECT_EQ(ctr.v[2], 0u);
  EXPECT_EQ(ctr.v[3], 0u);
}

TEST(PhiloxTest, UniformIsOpenAtZeroAndExact) {
  // The extremes: never 0 (log stays finite), and 1 is attained.
  EXPECT_EQ(uniform_float(0u), 0x1p-24f);
  EXPECT_EQ(uniform_float(0xffu), 0x1p-24f);
  EXPECT_EQ(uniform_float(0x100u), 0x1p-23f);
  EXPECT_EQ(uniform_float(0xffffffffu), 1.0f);
  EXPECT_EQ(uniform_double(0u), 0x1p-24);
  EXPECT_EQ(uniform_double(0xffffffffu), 1.0);

  // The float and double variants are the same real number k / 2^24.
  std::mt19937 gen(12345);
  for (int i = 0; i < 100000; ++i) {
    const uint32_t bits = gen();
    const double exact = static_cast<double>((bits >> 8) + 1) / 16777216.0;
    ASSERT_EQ(uniform_double(bits), exact) << bits;
    ASSERT_EQ(static_cast<double>(uniform_float(bits)), exact) << bits;
    ASSERT_GT(uniform_float(bits), 0.0f);
    ASSERT_LE(uniform_float(bits), 1.0f);
  }
}

// Box-Muller of the same Philox words, recomputed independently in double
// precision straight from the bits (not through the header's helpers).
void referenceBoxMuller(const PhiloxCounter &w, double out[4],
                        double radius[4]) {
  const double kTwoPi = 6.283185307179586476925286766559;
  for (int pair = 0; pair < 2; ++pair) {
    const double u0 = ((w.v[2 * pair] >> 8) + 1.0) / 16777216.0;
    const double u1 = ((w.v[2 * pair + 1] >> 8) + 1.0) / 16777216.0;
    const double r = std::sqrt(-2.0 * std::log(u0));
    out[2 * pair] = r * std::cos(kTwoPi * u1);
    out[2 * pair + 1] = r * std::sin(kTwoPi * u1);
    radius[2 * pair] = radius[2 * pair + 1] = r;
  }
}

TEST(PhiloxTest, BoxMullerMatchesDoubleReference) {
  // Random counters and keys, so all word values and both pairs are covered.
  std::mt19937_64 gen(0x5eedf00dull);
  double maxScaledError = 0.0;
  for (int trial = 0; trial < 200000; ++trial) {
    const uint64_t a = gen(), b = gen(), c = gen();
    const PhiloxCounter ctr{
        {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32),
         static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32)}};
    const PhiloxCounter words = philox4x32_10(ctr, philox_key_from_seed(c));
    const Normal4 got = box_muller4(words);
    double want[4], radius[4];
    referenceBoxMuller(words, want, radius);
    for (unsigned lane = 0; lane < 4; ++lane) {
      ASSERT_TRUE(std::isfinite(got.v[lane]));
      // The float error is dominated by the rounding of the angle 2 pi u
      // (~2^-24 relative, up to ~4e-7 rad), which the radius (<= 5.77)
      // amplifies, so the tolerance is 1e-6 scaled by max(1, r).
      const double scale = std::max(1.0, radius[lane]);
      const double err =
          std::fabs(static_cast<double>(got.v[lane]) - want[lane]);
      maxScaledError = std::max(maxScaledError, err / scale);
      ASSERT_LE(err, 1e-6 * scale)
          << "trial " << trial << " lane " << lane << " got " << got.v[lane]
          << " want " << want[lane];
      // The lane-wise entry point is the same computation, bit for bit.
      ASSERT_EQ(floatBits(box_muller_lane(words, lane)),
                floatBits(got.v[lane]));
    }
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3g", maxScaledError);
  RecordProperty("max_scaled_error", buffer);
}

TEST(PhiloxTest, Statistics) {
  constexpr size_t kN = size_t(1) << 20;
  std::vector<float> x(kN);
  fill_normal(0x1234abcd5678ull, 0, x.data(), kN);

  double sum = 0, sum2 = 0, sum3 = 0, sum4 = 0, within1 = 0;
  double laneSum[4] = {0, 0, 0, 0}, pairProduct = 0;
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_TRUE(std::isfinite(x[i])) << i;
    ASSERT_LE(std::fabs(x[i]), kMaxRadius * (1 + 1e-6)) << i;
    const double v = x[i];
    sum += v;
    sum2 += v * v;
    sum3 += v * v * v;
    sum4 += v * v * v * v;
    within1 += std::fabs(v) < 1.0;
    laneSum[i % 4] += v;
    if (i % 2 == 0)
      pairProduct += v * x[i + 1];
  }
  const double mean = sum / kN;
  const double var = sum2 / kN - mean * mean;
  // Bounds are >= 5 standard errors for N = 2^20 (a fixed seed makes the test
  // deterministic; the margins only guard against a biased transform).
  EXPECT_LT(std::fabs(mean), 5e-3);
  EXPECT_NEAR(var, 1.0, 1e-2);
  EXPECT_NEAR(sum3 / kN, 0.0, 2e-2);            // skewness, SE ~2.4e-3
  EXPECT_NEAR(sum4 / kN, 3.0, 4e-2);            // kurtosis, SE ~9.4e-3
  EXPECT_NEAR(within1 / kN, 0.682689492, 3e-3); // P(|z| < 1), SE ~4.5e-4
  for (int lane = 0; lane < 4; ++lane)          // per-lane mean, SE ~2e-3
    EXPECT_LT(std::fabs(laneSum[lane] / (kN / 4)), 1e-2) << "lane " << lane;
  EXPECT_LT(std::fabs(pairProduct / (kN / 2)), 1e-2); // Box-Muller pairs
}

TEST(PhiloxTest, Determinism) {
  constexpr size_t kN = 4099;
  std::vector<float> a(kN), b(kN);
  fill_normal(42, 3, a.data(), kN);
  fill_normal(42, 3, b.data(), kN);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), kN * sizeof(float)), 0);

  // Any change of the seed, in its low or its high word, changes the stream.
  for (uint64_t otherSeed :
       {43ull, 42ull | (1ull << 32), 42ull ^ (1ull << 63)}) {
    fill_normal(otherSeed, 3, b.data(), kN);
    size_t same = 0;
    for (size_t i = 0; i < kN; ++i)
      same += floatBits(a[i]) == floatBits(b[i]);
    EXPECT_LT(same, 4u) << "seed " << otherSeed;
  }

  // The high counter word is used: blocks 2^32 apart differ.
  EXPECT_NE(floatBits(normal_at(42, 0, 0)),
            floatBits(normal_at(42, 0, 4ull << 32)));
}

TEST(PhiloxTest, NormalAtMatchesFillNormal) {
  const uint64_t seeds[] = {0, 1, 0x1234abcd5678ull, ~0ull};
  // Offsets in every residue class mod 4, plus ones whose blocks cross the
  // 32-bit boundary of the counter's low word and the 2^64 wrap-around.
  const uint64_t offsets[] = {
      0, 1, 2, 3, 5, 7, 4096 + 2, (4ull << 32) - 3, ~0ull - 5};
  const size_t lengths[] = {0, 1, 2, 3, 4, 5, 7, 37, 1001};
  std::vector<float> out(1001 + 2);
  for (uint64_t seed : seeds)
    for (uint64_t offset : offsets)
      for (size_t n : lengths) {
        // Sentinels on both sides catch writes outside [0, n).
        out.assign(n + 2, -1234.5f);
        fill_normal(seed, offset, out.data() + 1, n);
        ASSERT_EQ(out[0], -1234.5f);
        ASSERT_EQ(out[n + 1], -1234.5f);
        for (size_t i = 0; i < n; ++i)
          ASSERT_EQ(floatBits(out[i + 1]),
                    floatBits(normal_at(seed, offset, i)))
              << "seed " << seed << " offset " << offset << " n " << n << " i "
              << i;
      }
}

TEST(PhiloxTest, StreamsConcatenate) {
  // fill(o, n) ++ fill(o + n, m) == fill(o, n + m): offsets count elements.
  constexpr uint64_t kSeed = 7, kOffset = 11;
  std::vector<float> whole(100), parts(100);
  fill_normal(kSeed, kOffset, whole.data(), 100);
  fill_normal(kSeed, kOffset, parts.data(), 13);
  fill_normal(kSeed, kOffset + 13, parts.data() + 13, 87);
  EXPECT_EQ(std::memcmp(whole.data(), parts.data(), 100 * sizeof(float)), 0);

  // And the mapping is the documented one: lane g % 4 of block g / 4.
  const Normal4 block = normal_block(kSeed, (kOffset + 5) / 4);
  EXPECT_EQ(floatBits(whole[5]), floatBits(block.v[(kOffset + 5) % 4]));
}

//===----------------------------------------------------------------------===//
// Uniform integers
//===----------------------------------------------------------------------===//

TEST(PhiloxTest, IntegersFollowTheDocumentedMapping) {
  // Recomputed from the Philox words with 128-bit-free arithmetic: the
  // integer part of low + range * w / 2^32, evaluated in long double.
  const uint64_t seed = 0x1234abcd5678ull, offset = 6;
  const int64_t low = -3, high = 997;
  std::vector<int64_t> out(41);
  fill_integers(seed, offset, low, high, out.data(), out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const uint64_t g = offset + i;
    const uint32_t w = philox4x32_10(philox_counter_for_block(g / 4),
                                     philox_key_from_seed(seed))
                           .v[g % 4];
    const long double exact =
        low + static_cast<long double>(high - low) * w / 4294967296.0L;
    EXPECT_EQ(out[i], static_cast<int64_t>(std::floor(exact))) << i;
    EXPECT_EQ(out[i], integer_at(seed, offset, i, low, high)) << i;
    EXPECT_EQ(w, philox_word_at(seed, g));
  }
}

TEST(PhiloxTest, IntegerBoundsAndExtremeRanges) {
  // The smallest and largest words map to low and high - 1.
  EXPECT_EQ(uniform_integer(0u, 5, 10), 5);
  EXPECT_EQ(uniform_integer(0xffffffffu, 5, 10), 14);
  // range 1 is constant; range 2^32 is the word itself.
  EXPECT_EQ(uniform_integer(0xdeadbeefu, 7, 1), 7);
  EXPECT_EQ(uniform_integer(0xdeadbeefu, 0, 1ull << 32), 0xdeadbeefll);
  EXPECT_EQ(uniform_integer(0u, -(1ll << 31), 1ull << 32), -(1ll << 31));
  // Negative bounds and a bound at the edge of int64.
  EXPECT_EQ(uniform_integer(0xffffffffu, INT64_MAX - 4, 4), INT64_MAX - 1);
  EXPECT_EQ(uniform_integer(0u, INT64_MIN, 3), INT64_MIN);
}

TEST(PhiloxTest, IntegersAreUniform) {
  // 1000 timesteps, 2^20 draws: every value appears, counts within 6 sigma.
  constexpr size_t kN = size_t(1) << 20;
  std::vector<int64_t> t(kN);
  fill_integers(99, 0, 0, 1000, t.data(), kN);
  std::vector<int64_t> count(1000, 0);
  for (int64_t v : t) {
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 1000);
    ++count[v];
  }
  const double mean = double(kN) / 1000, sigma = std::sqrt(mean);
  for (int v = 0; v < 1000; ++v)
    EXPECT_NEAR(double(count[v]), mean, 6 * sigma) << "value " << v;
}

TEST(PhiloxTest, IntegerStreamsConcatenateAndStreamsDiffer) {
  std::vector<int64_t> whole(50), parts(50);
  fill_integers(3, 9, 0, 1000, whole.data(), 50);
  fill_integers(3, 9, 0, 1000, parts.data(), 21);
  fill_integers(3, 30, 0, 1000, parts.data() + 21, 29);
  EXPECT_EQ(whole, parts);
  // Counter word 2 selects independent streams of one seed.
  size_t same = 0;
  for (uint64_t g = 0; g < 64; ++g)
    same += philox_word_at(5, g, kPhiloxStreamTensors) ==
            philox_word_at(5, g, kPhiloxStreamShuffle);
  EXPECT_LT(same, 2u);
  EXPECT_EQ(philox_counter_for_block(7, kPhiloxStreamFlip).v[2], 2u);
  EXPECT_EQ(philox_counter_for_block(7, 0), philox_counter_for_block(7));
}

} // namespace
