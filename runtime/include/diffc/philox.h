//===- philox.h - Philox4x32-10 counter-based RNG ---------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The random number generator behind every noise tensor diffc produces:
// Philox4x32-10 (Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3",
// SC'11), bit-compatible with Random123's philox4x32 at R = 10, followed by a
// Box-Muller transform to standard normals.
//
// A counter-based generator is used (rather than a stateful one such as
// mt19937) because it is a pure function of (counter, key): a GPU thread can
// produce any element of a noise tensor without knowing about any other
// element, and the CPU and GPU paths draw the same numbers.
//
// This header is header-only on purpose and is meant to be included unchanged
// by CUDA translation units: every function is DIFFC_HOST_DEVICE, nothing uses
// std:: containers, exceptions or the C++ library beyond fixed-width integers
// and the C math functions that CUDA also provides on the device.
//
// Stream mapping (the contract; everything in diffc must follow it)
// -----------------------------------------------------------------
//
// A noise tensor is identified by a 64-bit `seed` and a 64-bit element
// `offset`. Element i (0-based, in the tensor's row-major order) of that tensor
// is the normal with global index
//
//     g     = offset + i                       (uint64 arithmetic, mod 2^64)
//     block = g / 4                            (uint64)
//     lane  = g % 4                            (0..3)
//
//     key     = { uint32(seed), uint32(seed >> 32) }
//     counter = { uint32(block), uint32(block >> 32), 0, 0 }
//     w       = philox4x32_10(counter, key)    (four uint32 words w[0..3])
//
// and the four normals of a block are two Box-Muller pairs:
//
//     u(x)    = ((x >> 8) + 1) * 2^-24         (exactly k / 2^24, k in 1..2^24)
//     r01     = sqrt(-2 ln u(w[0])),  t01 = 2 pi u(w[1])
//     r23     = sqrt(-2 ln u(w[2])),  t23 = 2 pi u(w[3])
//     lane 0  = r01 cos t01,          lane 1  = r01 sin t01
//     lane 2  = r23 cos t23,          lane 3  = r23 sin t23
//
// Consequences worth relying on:
//  * Element i depends only on (seed, offset, i): normal_at() computes it in
//    isolation, and fill_normal() produces exactly normal_at() for every i
//    (it just computes each Philox block once).
//  * `offset` counts elements, not blocks, so it need not be a multiple of 4,
//    and streams concatenate: fill_normal(s, o, n) followed by
//    fill_normal(s, o + n, m) equals fill_normal(s, o, n + m). Consumers that
//    need several independent tensors from one seed give them disjoint
//    [offset, offset + numel) ranges.
//  * Counter word 2 is the stream id (see "Streams" below) and is 0 for every
//    tensor of this mapping; word 3 is always 0 and reserved.
//  * The uniform u is never 0, so ln never sees 0 and no output is NaN/Inf.
//    Its smallest value is 2^-24, which bounds |normal| by
//    sqrt(48 ln 2) ~= 5.768 (the tail beyond that has probability ~8e-9).
//  * The Philox words are bit-exact on every platform. The float normals are
//    bit-identical between normal_at() and fill_normal() for a given build,
//    but host and device libm (logf/cosf/sinf) may differ by a few ulps.
//
// Uniform integers
// ----------------
//
// diffc.random_integers and fill_integers() read the same counters, one
// 32-bit word per element: element i of the integer tensor (seed, offset)
// with bounds [low, high) is
//
//     g     = offset + i,  block = g / 4,  lane = g % 4
//     w     = philox4x32_10(counter(block), key).v[lane]
//     value = low + ((uint64(w) * uint64(high - low)) >> 32)
//
// i.e. floor(low + (high - low) * w / 2^32), the multiply-shift map of
// Lemire (2019) without its rejection step: every value is taken by
// floor(2^32 / range) or that plus one words, a relative bias of at most
// range / 2^32 (2.3e-7 for 1000 timesteps), and it needs no loop, so every
// element stays a pure function of (seed, offset, i). range = high - low is
// in 1 .. 2^32, so the product fits in 64 bits.
//
// Integers and normals drawn from one seed share this word stream. Their
// offset ranges must not only be disjoint but lie in different Philox blocks
// (start each range at a multiple of 4), so that no word feeds both a
// normal's Box-Muller pair and an integer.
//
// Streams
// -------
//
// Counter word 2 selects an independent stream of the same seed. Stream 0
// is everything above (the noise and integers of compiled code, and
// fill_normal()); the training driver draws its data order and flips on the
// host from streams of their own (PhiloxStream), so they never collide with
// the noise a train_step draws from the same seed.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PHILOX_H
#define DIFFC_PHILOX_H

#include <cstddef>
#include <cstdint>
// <math.h> rather than <cmath>: it is what guarantees the global sqrtf/logf/
// cosf/sinf on the host, and those are exactly the device functions CUDA
// provides, so the same spelling works in both compilations.
#include <math.h>

#if defined(__CUDACC__)
#define DIFFC_HOST_DEVICE __host__ __device__
#else
#define DIFFC_HOST_DEVICE
#endif

namespace diffc {

/// A 128-bit Philox counter, and equally a 128-bit Philox output block: four
/// 32-bit words, word 0 first (Random123's r123array4x32 layout).
struct PhiloxCounter {
  uint32_t v[4];
};

/// A 64-bit Philox key: two 32-bit words, word 0 first (Random123's
/// r123array2x32 layout).
struct PhiloxKey {
  uint32_t v[2];
};

/// The four single-precision standard normals derived from one Philox block,
/// indexed by lane (see the stream mapping in the file comment).
struct Normal4 {
  float v[4];
};

/// Word-wise equality of two counters/blocks.
DIFFC_HOST_DEVICE constexpr bool operator==(const PhiloxCounter &a,
                                            const PhiloxCounter &b) {
  return a.v[0] == b.v[0] && a.v[1] == b.v[1] && a.v[2] == b.v[2] &&
         a.v[3] == b.v[3];
}

/// Word-wise inequality of two counters/blocks.
DIFFC_HOST_DEVICE constexpr bool operator!=(const PhiloxCounter &a,
                                            const PhiloxCounter &b) {
  return !(a == b);
}

namespace philox_detail {

// Round multipliers and key-schedule (Weyl) constants of Philox4x32, as in
// Random123's philox.h (PHILOX_M4x32_0/1, PHILOX_W32_0/1).
constexpr uint32_t kMultiplier0 = 0xD2511F53u;
constexpr uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u; // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u; // sqrt(3) - 1

// 2 pi rounded to float; the angle is computed in single precision on purpose
// so the host and device paths evaluate the same expression.
constexpr float kTwoPiF = 6.28318530717958647692f;

/// High and low halves of the 64-bit product a * b. nvcc compiles this widening
/// multiply to mul.wide.u32, so no __umulhi special case is needed.
DIFFC_HOST_DEVICE constexpr void mulhilo32(uint32_t a, uint32_t b, uint32_t &hi,
                                           uint32_t &lo) {
  const uint64_t product = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(product >> 32);
  lo = static_cast<uint32_t>(product);
}

/// One Philox4x32 S-box/P-box round (Random123's _philox4x32round).
DIFFC_HOST_DEVICE constexpr PhiloxCounter philoxRound(const PhiloxCounter &ctr,
                                                      const PhiloxKey &key) {
  uint32_t hi0 = 0, lo0 = 0, hi1 = 0, lo1 = 0;
  mulhilo32(kMultiplier0, ctr.v[0], hi0, lo0);
  mulhilo32(kMultiplier1, ctr.v[2], hi1, lo1);
  return PhiloxCounter{
      {hi1 ^ ctr.v[1] ^ key.v[0], lo1, hi0 ^ ctr.v[3] ^ key.v[1], lo0}};
}

/// Key schedule step between rounds (Random123's _philox4x32bumpkey).
DIFFC_HOST_DEVICE constexpr PhiloxKey bumpKey(const PhiloxKey &key) {
  return PhiloxKey{{key.v[0] + kWeyl0, key.v[1] + kWeyl1}};
}

} // namespace philox_detail

/// Philox4x32 with 10 rounds: the keyed bijection of Random123's
/// philox4x32_R(10, ctr, key). Rounds use the key schedule key, key + W,
/// key + 2W, ...; the key is bumped between rounds, not after the last one.
DIFFC_HOST_DEVICE constexpr PhiloxCounter philox4x32_10(PhiloxCounter ctr,
                                                        PhiloxKey key) {
  ctr = philox_detail::philoxRound(ctr, key);
  for (int r = 1; r < 10; ++r) {
    key = philox_detail::bumpKey(key);
    ctr = philox_detail::philoxRound(ctr, key);
  }
  return ctr;
}

/// The Philox key of a diffc seed: {low 32 bits, high 32 bits}.
DIFFC_HOST_DEVICE constexpr PhiloxKey philox_key_from_seed(uint64_t seed) {
  return PhiloxKey{
      {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)}};
}

/// The Philox counter of block number `block` of a stream:
/// {low 32 bits, high 32 bits, 0, 0}. Words 2 and 3 are reserved (always 0).
DIFFC_HOST_DEVICE constexpr PhiloxCounter
philox_counter_for_block(uint64_t block) {
  return PhiloxCounter{{static_cast<uint32_t>(block),
                        static_cast<uint32_t>(block >> 32), 0u, 0u}};
}

/// Stream ids (counter word 2) of the host-side random draws; 0 is the
/// stream of every noise and integer tensor.
enum PhiloxStream : uint32_t {
  kPhiloxStreamTensors = 0,
  /// The training data order (one permutation per epoch).
  kPhiloxStreamShuffle = 1,
  /// The training data's random horizontal flips.
  kPhiloxStreamFlip = 2,
};

/// The Philox counter of block `block` of stream `stream`:
/// {low 32 bits, high 32 bits, stream, 0}.
DIFFC_HOST_DEVICE constexpr PhiloxCounter
philox_counter_for_block(uint64_t block, uint32_t stream) {
  return PhiloxCounter{{static_cast<uint32_t>(block),
                        static_cast<uint32_t>(block >> 32), stream, 0u}};
}

/// Word number `g` of stream `stream` of `seed`: word g % 4 of block g / 4.
DIFFC_HOST_DEVICE constexpr uint32_t philox_word_at(uint64_t seed, uint64_t g,
                                                    uint32_t stream = 0) {
  return philox4x32_10(philox_counter_for_block(g / 4, stream),
                       philox_key_from_seed(seed))
      .v[g % 4];
}

/// Maps 32 random bits to an integer in [low, low + range), range in
/// 1 .. 2^32: low + ((bits * range) >> 32) (see "Uniform integers").
DIFFC_HOST_DEVICE constexpr int64_t uniform_integer(uint32_t bits, int64_t low,
                                                    uint64_t range) {
  return static_cast<int64_t>(static_cast<uint64_t>(low) +
                              ((static_cast<uint64_t>(bits) * range) >> 32));
}

/// Element `index` of the integer tensor (seed, offset) with bounds
/// [low, high), high - low in 1 .. 2^32: the per-thread entry point.
DIFFC_HOST_DEVICE constexpr int64_t integer_at(uint64_t seed, uint64_t offset,
                                               uint64_t index, int64_t low,
                                               int64_t high) {
  return uniform_integer(philox_word_at(seed, offset + index), low,
                         static_cast<uint64_t>(high) -
                             static_cast<uint64_t>(low));
}

/// Maps 32 random bits to a uniform float in (0, 1]: ((bits >> 8) + 1) * 2^-24.
///
/// The interval is open at 0 so the Box-Muller logarithm never sees 0. Only
/// the top 24 bits are used because that is exactly a float's precision: the
/// result k / 2^24 (k in 1..2^24) is representable without rounding, so it is
/// the same value in float and double and references can reproduce it
/// exactly. The output takes 2^24 equally likely values, the largest being 1.
DIFFC_HOST_DEVICE constexpr float uniform_float(uint32_t bits) {
  return static_cast<float>((bits >> 8) + 1u) * 0x1p-24f;
}

/// Double-precision twin of uniform_float() for reference computations: it
/// returns the identical real number k / 2^24, in (0, 1].
DIFFC_HOST_DEVICE constexpr double uniform_double(uint32_t bits) {
  return static_cast<double>((bits >> 8) + 1u) * 0x1p-24;
}

namespace philox_detail {

// Box-Muller radius sqrt(-2 ln u(bits)) and angle 2 pi u(bits). They are
// shared by box_muller4() and box_muller_lane() so both evaluate literally the
// same operations and therefore agree bit for bit. (The expressions contain no
// a * b + c, so FMA contraction cannot make two inlined copies differ either.)
DIFFC_HOST_DEVICE inline float radius(uint32_t bits) {
  return sqrtf(-2.0f * logf(uniform_float(bits)));
}

DIFFC_HOST_DEVICE inline float angle(uint32_t bits) {
  return kTwoPiF * uniform_float(bits);
}

} // namespace philox_detail

/// Box-Muller transform of one Philox output block into four independent
/// standard normals: words (0, 1) and (2, 3) are the (radius, angle) inputs of
/// the two pairs; lanes 0/2 take the cosine and lanes 1/3 the sine.
DIFFC_HOST_DEVICE inline Normal4 box_muller4(const PhiloxCounter &bits) {
  const float r01 = philox_detail::radius(bits.v[0]);
  const float t01 = philox_detail::angle(bits.v[1]);
  const float r23 = philox_detail::radius(bits.v[2]);
  const float t23 = philox_detail::angle(bits.v[3]);
  return Normal4{
      {r01 * cosf(t01), r01 * sinf(t01), r23 * cosf(t23), r23 * sinf(t23)}};
}

/// Lane `lane` (0..3) of box_muller4(bits), computing only that lane's
/// transcendentals; bit-identical to box_muller4(bits).v[lane].
DIFFC_HOST_DEVICE inline float box_muller_lane(const PhiloxCounter &bits,
                                               unsigned lane) {
  const unsigned pair = lane & 2u;
  const float r = philox_detail::radius(bits.v[pair]);
  const float t = philox_detail::angle(bits.v[pair + 1]);
  return (lane & 1u) ? r * sinf(t) : r * cosf(t);
}

/// The four normals with global indices 4 * block .. 4 * block + 3 of the
/// stream of `seed` (lane j holds global index 4 * block + j).
DIFFC_HOST_DEVICE inline Normal4 normal_block(uint64_t seed, uint64_t block) {
  return box_muller4(philox4x32_10(philox_counter_for_block(block),
                                   philox_key_from_seed(seed)));
}

/// Element `index` of the noise tensor (seed, offset): the normal with global
/// index offset + index (mod 2^64) as defined in the file comment. This is the
/// per-thread entry point for GPU kernels.
DIFFC_HOST_DEVICE inline float normal_at(uint64_t seed, uint64_t offset,
                                         uint64_t index) {
  const uint64_t g = offset + index;
  return box_muller_lane(philox4x32_10(philox_counter_for_block(g / 4),
                                       philox_key_from_seed(seed)),
                         static_cast<unsigned>(g % 4));
}

/// Host-only: writes elements 0 .. n-1 of the noise tensor (seed, offset) to
/// out, i.e. out[i] == normal_at(seed, offset, i) bit for bit, computing each
/// Philox block once. This is the one function here that is not
/// DIFFC_HOST_DEVICE; it lives in the diffc_runtime library.
void fill_normal(uint64_t seed, uint64_t offset, float *out, size_t n);

/// Host-only: writes elements 0 .. n-1 of the integer tensor (seed, offset)
/// with bounds [low, high) to out, i.e. out[i] == integer_at(seed, offset, i,
/// low, high). Requires low < high and high - low <= 2^32.
void fill_integers(uint64_t seed, uint64_t offset, int64_t low, int64_t high,
                   int64_t *out, size_t n);

} // namespace diffc

#endif // DIFFC_PHILOX_H
