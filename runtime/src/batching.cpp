//===- batching.cpp - Seeded data order, flips and batches ----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/batching.h"

#include "diffc/philox.h"

#include <numeric>
#include <utility>

using namespace diffc;

std::vector<int64_t> diffc::epochPermutation(uint64_t seed, uint64_t epoch,
                                             int64_t n) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t(0));
  const uint64_t base = epoch << 32;
  const PhiloxKey key = philox_key_from_seed(seed);
  // Words k = n-1-i in order, one Philox block per four swaps.
  PhiloxCounter words{};
  for (int64_t i = n - 1, k = 0; i > 0; --i, ++k) {
    uint64_t g = base + uint64_t(k);
    if (k == 0 || g % 4 == 0)
      words = philox4x32_10(
          philox_counter_for_block(g / 4, kPhiloxStreamShuffle), key);
    int64_t j = uniform_integer(words.v[g % 4], 0, uint64_t(i) + 1);
    std::swap(order[i], order[j]);
  }
  return order;
}

bool diffc::flipAt(uint64_t seed, uint64_t step, int64_t index) {
  return philox_word_at(seed, (step << 32) + uint64_t(index),
                        kPhiloxStreamFlip) >>
         31;
}

BatchSampler::BatchSampler(const ImageDataset &data, uint64_t seed, bool flip)
    : data_(data), seed_(seed), flip_(flip) {}

int64_t BatchSampler::indexAt(int64_t position) {
  int64_t epoch = position / data_.count;
  if (epoch != cachedEpoch_) {
    permutation_ = epochPermutation(seed_, uint64_t(epoch), data_.count);
    cachedEpoch_ = epoch;
  }
  return permutation_[position % data_.count];
}

void BatchSampler::fill(int64_t position, int64_t batchSize, uint64_t step,
                        float *out) {
  const int64_t size = data_.imageSize();
  for (int64_t i = 0; i < batchSize; ++i)
    data_.imageToFloat(indexAt(position + i), out + i * size,
                       flip_ && flipAt(seed_, step, i));
}
