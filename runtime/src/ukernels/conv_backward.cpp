//===- conv_backward.cpp - Gradients of the convolution -------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Input gradient. Output position h of the input gradient receives kernel
// tap i only when h + p - i d is a multiple of the stride s. Splitting the
// positions into s phases per dimension (h = r + s q), each phase is a
// stride-1 forward convolution of dy with the taps that reach it, taken in
// reverse order and with the weight's O and C swapped. Those are views of
// the weight (negative strides), and the phase is a strided view of the
// input gradient, so each phase is one call of `convolution` (conv.cpp) with
// its implicit-im2col packing: no col2im buffer, and no products with the
// zeros a stride-dilated dy would hold (a 3x3 stride-2 kernel contributes 1,
// 2, 2 and 4 taps to the four phases).
//
// Weight gradient. Per group, dW [O, T] (T = C kD kH kW taps) is the sum
// over images and output positions (K = N oD oH oW) of dy [O, K] times the
// transposed im2col matrix [K, T]: one GEMM with a long K and a small
// result. It runs on the packed-panel macro-kernel of the SGEMM with both
// operands packed straight from the tensors: a K block is a list of runs
// (image, output row), im2col rows are read from the input with the bounds
// of each run computed once (padding reads as zeros), dy rows are copied.
// Which side is the micro-kernel's 6-row A operand (taps or output
// channels) is chosen per call to waste the fewest padded rows and columns
// (9 taps x 64 channels for the first layer of a U-Net, 576 x 1 for the
// last). Threads split K into chunks, each with its own partial result,
// summed at the end: the result is small, K is long.
//
//===----------------------------------------------------------------------===//

#include "gemm_internal.h"
#include "thread_pool.h"

#include <cstring>
#include <numeric>
#include <vector>

namespace diffc {
namespace ukernels {

using namespace detail;

namespace {

//===----------------------------------------------------------------------===//
// Input gradient
//===----------------------------------------------------------------------===//

/// The kernel taps of one spatial dimension that reach output phase r, in
/// descending order: first, first - step, ...; tap t of them reads dy at
/// q + offset + t * dilation for output position r + s q.
struct PhaseTaps {
  int64_t first = 0, count = 0, step = 1, offset = 0, dilation = 1;
};

PhaseTaps phaseTaps(int64_t r, int64_t s, int64_t p, int64_t d, int64_t k) {
  PhaseTaps t;
  const int64_t g = std::gcd(s, d);
  t.step = s / g;
  t.dilation = d / g;
  for (int64_t i = k - 1; i >= 0; --i) {
    const int64_t v = r + p - i * d;
    if (((v % s) + s) % s == 0) {
      t.first = i;
      t.count = i / t.step + 1;
      t.offset = v / s;
      break;
    }
  }
  return t;
}

/// Zeros the [N, G, C, D, H, W] view `v`.
void zeroView(const TensorView &v) {
  for (int64_t a = 0; a < v.sizes[0]; ++a)
    for (int64_t b = 0; b < v.sizes[1]; ++b)
      for (int64_t c = 0; c < v.sizes[2]; ++c)
        for (int64_t z = 0; z < v.sizes[3]; ++z)
          for (int64_t y = 0; y < v.sizes[4]; ++y) {
            float *row = v.data + a * v.strides[0] + b * v.strides[1] +
                         c * v.strides[2] + z * v.strides[3] + y * v.strides[4];
            for (int64_t x = 0; x < v.sizes[5]; ++x)
              row[x * v.strides[5]] = 0.0f;
          }
}

//===----------------------------------------------------------------------===//
// Weight gradient
//===----------------------------------------------------------------------===//

/// The extents of one weight gradient, named.
struct WeightGradShape {
  int64_t batch, groups, channels, outChannels; // channels per group
  int64_t in[3], kernel[3], out[3];
  int64_t kernelVolume, taps, pixels; // taps per group, pixels per image
};

WeightGradShape weightGradShape(const Convolution &conv) {
  WeightGradShape s;
  const TensorView &x = conv.input, &w = conv.weight, &dy = conv.output;
  s.batch = x.sizes[0];
  s.groups = x.sizes[1];
  s.channels = x.sizes[2];
  s.outChannels = w.sizes[1];
  s.kernelVolume = 1;
  s.pixels = 1;
  for (int d = 0; d < 3; ++d) {
    s.in[d] = x.sizes[3 + d];
    s.kernel[d] = w.sizes[3 + d];
    s.out[d] = dy.sizes[3 + d];
    s.kernelVolume *= s.kernel[d];
    s.pixels *= s.out[d];
  }
  s.taps = s.channels * s.kernelVolume;
  return s;
}

/// `len` consecutive output pixels of one row: image n, output frame z, row
/// y, columns [x, x + len), at position kk of the K block.
struct Run {
  int64_t n, z, y, x, len, kk;
};

/// The runs covering pixels [k0, k0 + kc) of the (image, z, y, x) order.
void collectRuns(const WeightGradShape &s, int64_t k0, int64_t kc,
                 std::vector<Run> &runs) {
  runs.clear();
  const int64_t rowLength = s.out[2], frame = s.out[1] * s.out[2];
  for (int64_t k = k0; k < k0 + kc;) {
    const int64_t n = k / s.pixels, pixel = k % s.pixels;
    const int64_t x = pixel % rowLength;
    const int64_t len = std::min(rowLength - x, k0 + kc - k);
    runs.push_back(
        {n, pixel / frame, (pixel % frame) / rowLength, x, len, k - k0});
    k += len;
  }
}

/// Packs one panel of `width` interleaved rows over a K block: row r <
/// `rows` is im2col row (tap) t0 + r of group g, element (kk, r) at
/// kk * width + r; rows past `rows` are zeros. This is the layout of both
/// an A panel (width kMR) and a B panel (width nr).
void packTapPanel(const Convolution &conv, const WeightGradShape &s,
                  const std::vector<Run> &runs, int64_t g, int64_t t0,
                  int64_t rows, int64_t width, int64_t kc, float *dst) {
  const TensorView &x = conv.input;
  const int64_t kHW = s.kernel[1] * s.kernel[2];
  const int64_t sx = x.strides[5], s2 = conv.stride[2];
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t t = t0 + r, c = t / s.kernelVolume, tap = t % s.kernelVolume;
    const int64_t i = tap / kHW, j = (tap / s.kernel[2]) % s.kernel[1],
                  l = tap % s.kernel[2];
    const float *channel = x.data + g * x.strides[1] + c * x.strides[2];
    for (const Run &run : runs) {
      float *d = dst + run.kk * width + r;
      const int64_t iz =
          run.z * conv.stride[0] + i * conv.dilation[0] - conv.padding[0];
      const int64_t iy =
          run.y * conv.stride[1] + j * conv.dilation[1] - conv.padding[1];
      // Input column of pixel run.x + u is base + u * s2.
      const int64_t base = run.x * s2 + l * conv.dilation[2] - conv.padding[2];
      int64_t lo = 0, hi = 0;
      if (iz >= 0 && iz < s.in[0] && iy >= 0 && iy < s.in[1]) {
        lo = base >= 0 ? 0 : ceilDiv(-base, s2);
        hi = base < s.in[2] ? (s.in[2] - 1 - base) / s2 + 1 : 0;
        lo = std::min(lo, run.len);
        hi = std::max(lo, std::min(hi, run.len));
      }
      int64_t u = 0;
      for (; u < lo; ++u)
        d[u * width] = 0.0f;
      if (u < hi) {
        const float *row = channel + run.n * x.strides[0] + iz * x.strides[3] +
                           iy * x.strides[4];
        const int64_t step = s2 * sx;
        const float *src = row + base * sx;
        if (step == 1)
          for (; u < hi; ++u)
            d[u * width] = src[u];
        else
          for (; u < hi; ++u)
            d[u * width] = src[u * step];
      }
      for (; u < run.len; ++u)
        d[u * width] = 0.0f;
    }
  }
  for (int64_t r = rows; r < width; ++r)
    for (int64_t kk = 0; kk < kc; ++kk)
      dst[kk * width + r] = 0.0f;
}

/// The same panel layout for rows o0 .. o0 + rows - 1 of dy (output
/// channels of group g).
void packChannelPanel(const Convolution &conv, const std::vector<Run> &runs,
                      int64_t g, int64_t o0, int64_t rows, int64_t width,
                      int64_t kc, float *dst) {
  const TensorView &dy = conv.output;
  const int64_t sx = dy.strides[5];
  for (int64_t o = 0; o < rows; ++o) {
    const float *channel =
        dy.data + g * dy.strides[1] + (o0 + o) * dy.strides[2];
    for (const Run &run : runs) {
      const float *src = channel + run.n * dy.strides[0] +
                         run.z * dy.strides[3] + run.y * dy.strides[4] +
                         run.x * sx;
      float *d = dst + run.kk * width + o;
      for (int64_t u = 0; u < run.len; ++u)
        d[u * width] = src[u * sx];
    }
  }
  for (int64_t o = rows; o < width; ++o)
    for (int64_t kk = 0; kk < kc; ++kk)
      dst[kk * width + o] = 0.0f;
}

} // namespace

void convolutionBackwardInput(const Convolution &conv) {
  const TensorView &dx = conv.input, &w = conv.weight;
  for (int d = 0; d < 6; ++d)
    if (dx.sizes[d] == 0)
      return;
  const int64_t *s = conv.stride;
  for (int64_t r0 = 0; r0 < s[0]; ++r0)
    for (int64_t r1 = 0; r1 < s[1]; ++r1)
      for (int64_t r2 = 0; r2 < s[2]; ++r2) {
        const int64_t r[3] = {r0, r1, r2};
        Convolution phase;
        phase.input = conv.output; // dy
        phase.output = dx;
        phase.weight = w;
        // Weight view [G, C, O, taps...]: O and C swapped, taps reversed.
        phase.weight.sizes[1] = w.sizes[2];
        phase.weight.sizes[2] = w.sizes[1];
        phase.weight.strides[1] = w.strides[2];
        phase.weight.strides[2] = w.strides[1];
        bool empty = false;
        for (int d = 0; d < 3; ++d) {
          const int64_t in = dx.sizes[3 + d];
          const PhaseTaps t = phaseTaps(r[d], s[d], conv.padding[d],
                                        conv.dilation[d], w.sizes[3 + d]);
          phase.output.data += r[d] * dx.strides[3 + d];
          phase.output.sizes[3 + d] = in > r[d] ? ceilDiv(in - r[d], s[d]) : 0;
          phase.output.strides[3 + d] = s[d] * dx.strides[3 + d];
          phase.weight.data += t.first * w.strides[3 + d];
          phase.weight.sizes[3 + d] = t.count;
          phase.weight.strides[3 + d] = -t.step * w.strides[3 + d];
          phase.stride[d] = 1;
          phase.padding[d] = -t.offset;
          phase.dilation[d] = t.dilation;
          empty |= phase.output.sizes[3 + d] == 0;
          if (t.count == 0)
            phase.weight.data = w.data; // no tap is read
        }
        if (empty)
          continue;
        phase.mode = conv.mode == Output::Accumulate ? Output::Accumulate
                                                     : Output::Overwrite;
        phase.bias = nullptr;
        phase.biasStride = 0;
        const bool noTaps = phase.weight.sizes[3] == 0 ||
                            phase.weight.sizes[4] == 0 ||
                            phase.weight.sizes[5] == 0;
        if (noTaps) {
          // No tap reaches this phase: its gradient is zero.
          if (phase.mode == Output::Overwrite)
            zeroView(phase.output);
          continue;
        }
        convolution(phase);
      }
}

void convolutionBackwardWeight(const Convolution &conv) {
  const WeightGradShape s = weightGradShape(conv);
  const TensorView &dw = conv.weight;
  if (s.groups == 0 || s.outChannels == 0 || s.taps == 0)
    return;
  const bool accumulate = conv.mode == Output::Accumulate;
  const int64_t k = s.batch * s.pixels;

  // Where tap t (= (c, i, j, l) flattened) of a weight row lives.
  std::vector<int64_t> tapOffset(s.taps);
  const int64_t kHW = s.kernel[1] * s.kernel[2];
  for (int64_t t = 0; t < s.taps; ++t) {
    const int64_t c = t / s.kernelVolume, tap = t % s.kernelVolume;
    tapOffset[t] = c * dw.strides[2] + (tap / kHW) * dw.strides[3] +
                   ((tap / s.kernel[2]) % s.kernel[1]) * dw.strides[4] +
                   (tap % s.kernel[2]) * dw.strides[5];
  }
  if (k == 0) {
    if (!accumulate)
      for (int64_t g = 0; g < s.groups; ++g)
        for (int64_t o = 0; o < s.outChannels; ++o)
          for (int64_t t = 0; t < s.taps; ++t)
            dw.data[g * dw.strides[0] + o * dw.strides[1] + tapOffset[t]] =
                0.0f;
    return;
  }

  // Taps as the micro-kernel's rows (A) or as its columns (B), whichever
  // fills the register tiles better.
  const MicroKernel kernel = selectedMicroKernel();
  auto fill = [](int64_t n, int64_t width) {
    return double(n) / double(roundUp(n, width));
  };
  const bool tapsAsRows = fill(s.taps, kMR) * fill(s.outChannels, kernel.nr) >=
                          fill(s.outChannels, kMR) * fill(s.taps, kernel.nr);
  const int64_t m = tapsAsRows ? s.taps : s.outChannels;
  const int64_t n = tapsAsRows ? s.outChannels : s.taps;

  // K blocks, split into chunks with a partial [m, n] product each.
  const int64_t kb = kBlockSize(k), kBlocks = ceilDiv(k, kb);
  const double flops = 2.0 * s.groups * s.outChannels * s.taps * double(k);
  const int threads = numThreads();
  int64_t chunks = 1;
  if (threads > 1 && flops > 4e6)
    chunks =
        std::min(kBlocks, std::max<int64_t>(1, ceilDiv(2 * threads, s.groups)));
  thread_local std::vector<float> partials;
  partials.resize(size_t(chunks * s.groups * m * n));
  float *partial = partials.data();

  parallelFor(s.groups * chunks, [&](int64_t task) {
    const int64_t g = task / chunks, chunk = task % chunks;
    const int64_t b0 = chunk * kBlocks / chunks;
    const int64_t b1 = (chunk + 1) * kBlocks / chunks;
    float *c = partial + (chunk * s.groups + g) * m * n;
    float *bp = scratch(0, roundUp(std::min(n, kNC), kernel.nr) * kb);
    float *ap = scratch(1, roundUp(std::min(m, kMC), kMR) * kb);
    thread_local std::vector<Run> runs;
    // Rows [first, first + count) of one side packed as panels of `width`.
    auto pack = [&](bool taps, int64_t first, int64_t count, int64_t width,
                    int64_t kc, float *dst) {
      for (int64_t p = 0; p < count; p += width, dst += kc * width) {
        const int64_t rows = std::min(width, count - p);
        if (taps)
          packTapPanel(conv, s, runs, g, first + p, rows, width, kc, dst);
        else
          packChannelPanel(conv, runs, g, first + p, rows, width, kc, dst);
      }
    };
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t k0 = b * kb, kc = std::min(kb, k - k0);
      collectRuns(s, k0, kc, runs);
      for (int64_t jc = 0; jc < n; jc += kNC) {
        const int64_t nc = std::min(kNC, n - jc);
        pack(!tapsAsRows, jc, nc, kernel.nr, kc, bp);
        for (int64_t ic = 0; ic < m; ic += kMC) {
          const int64_t mc = std::min(kMC, m - ic);
          pack(tapsAsRows, ic, mc, kMR, kc, ap);
          macroKernel(kernel, mc, nc, kc, ap, bp, c + ic * n + jc, n,
                      /*cs=*/1, /*accumulate=*/b > b0);
        }
      }
    }
  });

  // dw[g, o, tap] (=, +=) the sum of the chunks' partial products.
  const int64_t rowStep = tapsAsRows ? n : 1, colStep = tapsAsRows ? 1 : n;
  auto reduceRow = [&](int64_t row) {
    const int64_t g = row / s.outChannels, o = row % s.outChannels;
    float *out = dw.data + g * dw.strides[0] + o * dw.strides[1];
    for (int64_t t = 0; t < s.taps; ++t) {
      const int64_t at = t * rowStep + o * colStep;
      float sum = 0.0f;
      for (int64_t chunk = 0; chunk < chunks; ++chunk)
        sum += partial[(chunk * s.groups + g) * m * n + at];
      float &dst = out[tapOffset[t]];
      dst = accumulate ? dst + sum : sum;
    }
  };
  if (chunks == 1)
    for (int64_t row = 0; row < s.groups * s.outChannels; ++row)
      reduceRow(row);
  else
    parallelFor(s.groups * s.outChannels, reduceRow);
}

} // namespace ukernels
} // namespace diffc
