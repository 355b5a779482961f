//===- philox.cpp - Host loops over the Philox streams --------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The host fills of noise and integer tensors. Everything they compute is
// defined by the stream mapping in diffc/philox.h; this file only avoids
// recomputing a Philox block for each of its four lanes.
//
//===----------------------------------------------------------------------===//

#include "diffc/philox.h"

namespace diffc {

void fill_normal(uint64_t seed, uint64_t offset, float *out, size_t n) {
  const PhiloxKey key = philox_key_from_seed(seed);
  // Global index of out[i] is offset + i (mod 2^64). `g` walks it in lockstep
  // with i; a block is computed once and its lanes from g % 4 onwards are
  // consumed, which handles an offset that is not a multiple of 4 (partial
  // first block) and an n that is not (partial last block) with one loop.
  uint64_t g = offset;
  size_t i = 0;
  while (i < n) {
    const Normal4 normals =
        box_muller4(philox4x32_10(philox_counter_for_block(g / 4), key));
    for (unsigned lane = static_cast<unsigned>(g % 4); lane < 4 && i < n;
         ++lane, ++i, ++g)
      out[i] = normals.v[lane];
  }
}

void fill_integers(uint64_t seed, uint64_t offset, int64_t low, int64_t high,
                   int64_t *out, size_t n) {
  const PhiloxKey key = philox_key_from_seed(seed);
  const uint64_t range =
      static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  uint64_t g = offset;
  size_t i = 0;
  while (i < n) {
    const PhiloxCounter words =
        philox4x32_10(philox_counter_for_block(g / 4), key);
    for (unsigned lane = static_cast<unsigned>(g % 4); lane < 4 && i < n;
         ++lane, ++i, ++g)
      out[i] = uniform_integer(words.v[lane], low, range);
  }
}

} // namespace diffc
