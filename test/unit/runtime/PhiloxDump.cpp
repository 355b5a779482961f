//===- PhiloxDump.cpp - Print diffc's normal stream for comparison --------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// diffc-philox-dump SEED OFFSET N
//
// Prints elements 0 .. N-1 of the noise tensor (SEED, OFFSET), one line each:
//
//   <i> <w0> <w1> <w2> <w3> <normal>
//
// where w0..w3 are the Philox words (hex) of the element's block and normal is
// fill_normal()'s float, printed with enough digits to round-trip. The numbers
// accept C prefixes (0x...). philox_reference.py compares this output against
// its independent float64 implementation.
//
//===----------------------------------------------------------------------===//

#include "diffc/philox.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <vector>

static bool parseU64(const char *text, uint64_t &value) {
  char *end = nullptr;
  errno = 0;
  value = std::strtoull(text, &end, 0);
  return errno == 0 && end != text && *end == '\0';
}

int main(int argc, char **argv) {
  uint64_t seed = 0, offset = 0, n = 0;
  if (argc != 4 || !parseU64(argv[1], seed) || !parseU64(argv[2], offset) ||
      !parseU64(argv[3], n)) {
    std::fprintf(stderr, "usage: %s SEED OFFSET N\n", argv[0]);
    return 2;
  }
  std::vector<float> normals(n);
  diffc::fill_normal(seed, offset, normals.data(), normals.size());
  const diffc::PhiloxKey key = diffc::philox_key_from_seed(seed);
  for (uint64_t i = 0; i < n; ++i) {
    const diffc::PhiloxCounter w = diffc::philox4x32_10(
        diffc::philox_counter_for_block((offset + i) / 4), key);
    std::printf("%" PRIu64 " %08" PRIx32 " %08" PRIx32 " %08" PRIx32
                " %08" PRIx32 " %.9g\n",
                i, w.v[0], w.v[1], w.v[2], w.v[3], normals[i]);
  }
  return 0;
}
