//===- batching.h - Seeded data order, flips and batches --------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The order in which training sees its images, as pure functions of the
// seed, so that a run resumed from a checkpoint sees exactly the batches the
// uninterrupted run would have seen, and nothing but a position needs saving.
//
// Training reads an endless sequence: the images of epoch 0 in the order of
// permutation 0, then those of epoch 1 in the order of permutation 1, and so
// on. Sample number p of the sequence (p counts from 0 over the whole run)
// is image perm(seed, p / n)[p % n] of the n images. The batch of optimizer
// step s (1-based) with batch size B is samples (s - 1) B .. s B - 1; a batch
// may straddle two epochs.
//
// Randomness comes from Philox4x32-10 keyed by the seed (diffc/philox.h), on
// streams of its own so it never shares words with a train_step's noise:
//
//   permutation of epoch e   Fisher-Yates, for i = n-1 down to 1 swap i with
//                            j = uniform_integer(word(e 2^32 + (n-1-i)), 0,
//                            i + 1), words of stream kPhiloxStreamShuffle
//   flip of batch image i    the top bit of word(s 2^32 + i) of stream
//   at step s                kPhiloxStreamFlip (probability 1/2)
//
// (Epochs and steps beyond 2^32 reuse earlier words; datasets hold at most
// 2^32 images.)
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_BATCHING_H
#define DIFFC_BATCHING_H

#include "diffc/datasets.h"

#include <cstdint>
#include <vector>

namespace diffc {

/// The order of the n images in epoch `epoch`: a permutation of 0 .. n-1
/// that depends only on (seed, epoch, n). Requires n <= 2^32.
std::vector<int64_t> epochPermutation(uint64_t seed, uint64_t epoch, int64_t n);

/// Whether image `index` of the batch of optimizer step `step` is mirrored
/// left to right (with --flip): depends only on (seed, step, index).
bool flipAt(uint64_t seed, uint64_t step, int64_t index);

/// Batches of a dataset in the seeded order. Caches the permutations of the
/// epochs it last touched, so consecutive batches cost one permutation per
/// epoch.
class BatchSampler {
public:
  /// `data` must outlive the sampler.
  BatchSampler(const ImageDataset &data, uint64_t seed, bool flip);

  /// Writes the `batchSize` images that start at sample `position` of the
  /// sequence, as float32 [-1, 1] NCHW, to out[0 .. batchSize *
  /// imageSize()); image i is flipped when flipping is on and
  /// flipAt(seed, step, i).
  void fill(int64_t position, int64_t batchSize, uint64_t step, float *out);

  /// The dataset index of sample `position` of the sequence.
  int64_t indexAt(int64_t position);

private:
  const ImageDataset &data_;
  uint64_t seed_;
  bool flip_;
  int64_t cachedEpoch_ = -1;
  std::vector<int64_t> permutation_;
};

} // namespace diffc

#endif // DIFFC_BATCHING_H
