//===- conv.cpp - Convolution as GEMM over a padded grid ------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// For image n, group g and output frame z, the output [O, oH*oW] is the
// product of the weights [O, C*kD*kH*kW] (packed once per call) and the
// im2col matrix of the input windows. The im2col matrix is never built; how
// its B panels are packed is what makes or breaks the speed, because with
// O = 64 channels each packed element feeds only 128 flops.
//
// The padded grid: a task copies the input rows it needs, zero-padded, into
// a region whose row length R is chosen so that s1 * R is a multiple of s2.
// Output columns are then enumerated on a grid of Wg = s1 * R / s2 columns
// per row (oW real ones, the rest junk), and grid column q of kernel tap k
// reads region[kOffset[k] + q * s2]: one uniform stride for the whole task.
// For stride 1 a B panel row is a plain 64-byte copy. The junk columns cost
// (Wg - oW) / oW extra flops (2 of 28 columns for a 3x3 "same" convolution)
// and their results are dropped when the task's result is copied into the
// output, where the bias is added too.
//
// Pointwise convolutions (1x1, stride 1, no padding) are a GEMM on the input
// as it is, with no copy and no junk.
//
// Tasks are (image, group, output frame, block of output rows).
//
//===----------------------------------------------------------------------===//

#include "gemm_internal.h"
#include "memory.h"
#include "thread_pool.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace diffc {
namespace ukernels {

using namespace detail;

namespace {

/// True when dims [first, 6) of `v` are laid out row-major with unit
/// innermost stride, so they flatten into one dimension of stride 1.
bool flattensFrom(const TensorView &v, int first) {
  int64_t expected = 1;
  for (int d = 5; d >= first; --d) {
    if (v.sizes[d] != 1 && v.strides[d] != expected)
      return false;
    expected *= v.sizes[d];
  }
  return true;
}

/// The extents of one convolution, named.
struct Shape {
  int64_t batch, groups, channels, m; // m: output channels per group
  int64_t in[3], kernel[3], out[3];
  int64_t kernelVolume, k;            // k = channels * kernelVolume
};

Shape shapeOf(const Convolution &conv) {
  Shape s;
  const TensorView &x = conv.input, &w = conv.weight, &y = conv.output;
  s.batch = x.sizes[0];
  s.groups = x.sizes[1];
  s.channels = x.sizes[2];
  s.m = w.sizes[1];
  for (int d = 0; d < 3; ++d) {
    s.in[d] = x.sizes[3 + d];
    s.kernel[d] = w.sizes[3 + d];
    s.out[d] = y.sizes[3 + d];
  }
  s.kernelVolume = s.kernel[0] * s.kernel[1] * s.kernel[2];
  s.k = s.channels * s.kernelVolume;
  return s;
}

/// The weights packed as A panels for every group and K block: group g,
/// block starting at k0 lives at g * mPadded * k + k0 * mPadded.
class PackedWeights {
public:
  PackedWeights(const Convolution &conv, const Shape &s, int64_t kb)
      : mPadded_(roundUp(s.m, kMR)), k_(s.k) {
    const TensorView &w = conv.weight;
    // [O, C*kD*kH*kW] per group; a copy when (C, kD, kH, kW) do not flatten.
    std::vector<float> copy;
    const float *weights = w.data;
    int64_t groupStride = w.strides[0], rowStride = w.strides[1];
    if (!flattensFrom(w, 2)) {
      copy.resize(s.groups * s.m * s.k);
      float *out = copy.data();
      for (int64_t g = 0; g < s.groups; ++g)
        for (int64_t o = 0; o < s.m; ++o)
          for (int64_t c = 0; c < s.channels; ++c)
            for (int64_t i = 0; i < s.kernel[0]; ++i)
              for (int64_t j = 0; j < s.kernel[1]; ++j)
                for (int64_t l = 0; l < s.kernel[2]; ++l)
                  *out++ = w.data[g * w.strides[0] + o * w.strides[1] +
                                  c * w.strides[2] + i * w.strides[3] +
                                  j * w.strides[4] + l * w.strides[5]];
      weights = copy.data();
      groupStride = s.m * s.k;
      rowStride = s.k;
    }
    // From the block cache: the same convolution next call (every sampling
    // step) gets the same, already mapped, block.
    data_.reset(static_cast<float *>(
        allocateBlock(s.groups * mPadded_ * s.k * sizeof(float))));
    for (int64_t g = 0; g < s.groups; ++g) {
      ConstMatrixView a{weights + g * groupStride, s.m, s.k, rowStride, 1};
      for (int64_t k0 = 0; k0 < s.k; k0 += kb) {
        const int64_t kc = std::min(kb, s.k - k0);
        float *dst = block(g, k0);
        for (int64_t i0 = 0; i0 < s.m; i0 += kMC)
          packA(a, i0, std::min(kMC, s.m - i0), k0, kc, dst + i0 * kc);
      }
    }
  }
  bool ok() const { return data_ != nullptr; }
  /// The panels of group g's K block starting at k0.
  float *block(int64_t g, int64_t k0) const {
    return data_.get() + g * mPadded_ * k_ + k0 * mPadded_;
  }

private:
  struct FreeDeleter {
    void operator()(float *p) const { releaseBlock(p); }
  };
  std::unique_ptr<float, FreeDeleter> data_;
  int64_t mPadded_, k_;
};

/// C[0:m, 0:nc] += / = packed weights x B, over all K blocks; packB(k0, kc,
/// dst) packs the B block.
template <typename PackB>
void multiplyBlocks(const MicroKernel &kernel, const PackedWeights &weights,
                    int64_t g, int64_t m, int64_t k, int64_t kb, int64_t nc,
                    float *c, int64_t rs, bool accumulate, PackB &&packB) {
  float *bp = scratch(0, roundUp(nc, kernel.nr) * kb);
  for (int64_t k0 = 0; k0 < k; k0 += kb) {
    const int64_t kc = std::min(kb, k - k0);
    packB(k0, kc, bp);
    const float *a = weights.block(g, k0);
    for (int64_t ic = 0; ic < m; ic += kMC)
      macroKernel(kernel, std::min(kMC, m - ic), nc, kc, a + ic * kc, bp,
                  c + ic * rs, rs, /*cs=*/1, accumulate || k0 > 0);
  }
}

/// 1x1, stride 1, no padding, flat spatial dims: B is the input image.
void pointwise(const Convolution &conv, const Shape &s,
               const PackedWeights &weights, int64_t kb) {
  const TensorView &x = conv.input, &y = conv.output;
  const int64_t n = s.out[0] * s.out[1] * s.out[2];
  const MicroKernel kernel = selectedMicroKernel();
  const TaskGrid grid = planTasks(s.batch * s.groups, s.m, n, s.k, kernel.nr,
                                  numThreads(), /*splitRows=*/false);
  parallelFor(s.batch * s.groups * grid.colBlocks, [&](int64_t task) {
    const int64_t item = task / grid.colBlocks;
    const int64_t b = item / s.groups, g = item % s.groups;
    const int64_t j0 = (task % grid.colBlocks) * grid.colsPerTask;
    const int64_t nc = std::min(n, j0 + grid.colsPerTask) - j0;
    const ConstMatrixView image{x.data + b * x.strides[0] + g * x.strides[1],
                                s.channels, n, x.strides[2], 1};
    float *c = y.data + b * y.strides[0] + g * y.strides[1] + j0;
    const int64_t rs = y.strides[2];
    if (conv.mode == Output::AddBias)
      fillBias(c, s.m, nc, rs, 1, conv.bias + g * s.m * conv.biasStride,
               conv.biasStride, /*perRow=*/true);
    multiplyBlocks(kernel, weights, g, s.m, s.k, kb, nc, c, rs,
                   conv.mode != Output::Overwrite,
                   [&](int64_t k0, int64_t kc, float *bp) {
                     packB(image, k0, kc, j0, nc, kernel.nr, bp);
                   });
  });
}

/// The padded-grid geometry shared by all tasks of one call.
struct Grid {
  int64_t rowLength;   // R: region row length (padded input columns)
  int64_t width;       // Wg: grid columns per output row
  int64_t frames;      // region frames: (kD - 1) d0 + 1
  int64_t rowsPerTask; // output rows per task
  int64_t rowBlocks;   // tasks per (image, group, output frame)
};

Grid planGrid(const Convolution &conv, const Shape &s, int threads) {
  Grid grid;
  const int64_t s1 = conv.stride[1], s2 = conv.stride[2];
  // Columns the real outputs read, in padded coordinates.
  const int64_t needed = (s.out[2] - 1) * s2 + (s.kernel[2] - 1) * conv.dilation[2] + 1;
  grid.rowLength = needed;
  while ((grid.rowLength * s1) % s2 != 0)
    ++grid.rowLength;
  grid.width = grid.rowLength * s1 / s2;
  grid.frames = (s.kernel[0] - 1) * conv.dilation[0] + 1;
  // About kNC grid columns per task, fewer when that leaves threads idle.
  grid.rowsPerTask = std::max<int64_t>(1, std::min(s.out[1], kNC / grid.width));
  const int64_t images = s.batch * s.groups * s.out[0];
  const double flops = 2.0 * double(images) * s.m * s.out[1] * s.out[2] * s.k;
  const int64_t target = (threads > 1 && flops > 4e6) ? 4 * threads : 1;
  while (grid.rowsPerTask > 1 &&
         images * ceilDiv(s.out[1], grid.rowsPerTask) < target)
    grid.rowsPerTask = ceilDiv(grid.rowsPerTask, 2);
  grid.rowBlocks = ceilDiv(s.out[1], grid.rowsPerTask);
  return grid;
}

/// Copies the zero-padded input window of output rows [y0, y1) of frame oz
/// into `region` ([C][frames][rows][R], then zeros up to `size`).
void copyRegion(const Convolution &conv, const Shape &s, const Grid &grid,
                int64_t b, int64_t g, int64_t oz, int64_t y0, int64_t rows,
                float *region, int64_t size) {
  const TensorView &x = conv.input;
  const int64_t R = grid.rowLength;
  const int64_t z0 = oz * conv.stride[0] - conv.padding[0];
  const int64_t yStart = y0 * conv.stride[1] - conv.padding[1];
  const int64_t p2 = conv.padding[2];
  // Input columns [xLo, xHi) land at region columns [xLo + p2, xHi + p2).
  const int64_t xLo = std::max<int64_t>(0, -p2);
  const int64_t xHi = std::min(s.in[2], R - p2);
  const float *image = x.data + b * x.strides[0] + g * x.strides[1];
  float *out = region;
  for (int64_t c = 0; c < s.channels; ++c)
    for (int64_t f = 0; f < grid.frames; ++f)
      for (int64_t r = 0; r < rows; ++r, out += R) {
        const int64_t z = z0 + f, y = yStart + r;
        if (z < 0 || z >= s.in[0] || y < 0 || y >= s.in[1] || xHi <= xLo) {
          std::memset(out, 0, R * sizeof(float));
          continue;
        }
        const float *in = image + c * x.strides[2] + z * x.strides[3] +
                          y * x.strides[4];
        std::memset(out, 0, (xLo + p2) * sizeof(float));
        if (x.strides[5] == 1)
          std::memcpy(out + xLo + p2, in + xLo, (xHi - xLo) * sizeof(float));
        else
          for (int64_t i = xLo; i < xHi; ++i)
            out[i + p2] = in[i * x.strides[5]];
        std::memset(out + xHi + p2, 0, (R - xHi - p2) * sizeof(float));
      }
  std::memset(out, 0, (region + size - out) * sizeof(float));
}

/// Copies one panel row of `nr` (16 or 32) contiguous floats; a fixed size
/// so that it compiles to vector moves.
template <int64_t NR>
void packContiguousPanel(const float *base, const int64_t *kOffset,
                         int64_t kc, float *dst) {
  for (int64_t kk = 0; kk < kc; ++kk)
    std::memcpy(dst + kk * NR, base + kOffset[kk], NR * sizeof(float));
}

/// Packs B panels of the grid: row kk of the block is region[kOffset[kk] +
/// q * s2] for grid columns q in [0, nc).
void packGrid(const float *region, const int64_t *kOffset, int64_t kc,
              int64_t nc, int64_t s2, int64_t nr, float *dst) {
  for (int64_t p = 0; p < nc; p += nr, dst += kc * nr) {
    const int64_t cols = std::min(nr, nc - p);
    const float *base = region + p * s2;
    if (s2 == 1 && cols == nr) {
      if (nr == 32)
        packContiguousPanel<32>(base, kOffset, kc, dst);
      else
        packContiguousPanel<16>(base, kOffset, kc, dst);
      continue;
    }
    for (int64_t kk = 0; kk < kc; ++kk) {
      const float *src = base + kOffset[kk];
      float *d = dst + kk * nr;
      int64_t t = 0;
      for (; t < cols; ++t)
        d[t] = src[t * s2];
      for (; t < nr; ++t)
        d[t] = 0.0f;
    }
  }
}

void paddedGrid(const Convolution &conv, const Shape &s,
                const PackedWeights &weights, int64_t kb) {
  const TensorView &y = conv.output;
  const Grid grid = planGrid(conv, s, numThreads());
  const MicroKernel kernel = selectedMicroKernel();
  const int64_t R = grid.rowLength, s2 = conv.stride[2];
  const int64_t tasksPerImage = s.out[0] * grid.rowBlocks;

  parallelFor(s.batch * s.groups * tasksPerImage, [&](int64_t task) {
    const int64_t item = task / tasksPerImage;
    const int64_t b = item / s.groups, g = item % s.groups;
    const int64_t oz = (task % tasksPerImage) / grid.rowBlocks;
    const int64_t y0 = (task % grid.rowBlocks) * grid.rowsPerTask;
    const int64_t outRows = std::min(s.out[1], y0 + grid.rowsPerTask) - y0;
    const int64_t nc = outRows * grid.width;
    const int64_t ldt = roundUp(nc, kernel.nr);

    // The input window, zero-padded, with slack for the junk columns' reads.
    const int64_t rows = (outRows - 1) * conv.stride[1] +
                         (s.kernel[1] - 1) * conv.dilation[1] + 1;
    const int64_t frameSize = rows * R, channelSize = grid.frames * frameSize;
    const int64_t lastTap = (s.kernel[0] - 1) * conv.dilation[0] * frameSize +
                            (s.kernel[1] - 1) * conv.dilation[1] * R +
                            (s.kernel[2] - 1) * conv.dilation[2];
    const int64_t regionSize =
        std::max(s.channels * channelSize,
                 (s.channels - 1) * channelSize + lastTap + (ldt - 1) * s2 + 1);
    float *region = scratch(3, regionSize);
    copyRegion(conv, s, grid, b, g, oz, y0, rows, region, regionSize);

    // Offsets of the kernel taps: k = ((c * kD + i) * kH + j) * kW + l.
    thread_local std::vector<int64_t> kOffset;
    kOffset.resize(s.k);
    for (int64_t k = 0, c = 0; c < s.channels; ++c)
      for (int64_t i = 0; i < s.kernel[0]; ++i)
        for (int64_t j = 0; j < s.kernel[1]; ++j)
          for (int64_t l = 0; l < s.kernel[2]; ++l)
            kOffset[k++] = c * channelSize + i * conv.dilation[0] * frameSize +
                           j * conv.dilation[1] * R + l * conv.dilation[2];

    float *result = scratch(4, s.m * ldt);
    multiplyBlocks(kernel, weights, g, s.m, s.k, kb, nc, result, ldt,
                   /*accumulate=*/false,
                   [&](int64_t k0, int64_t kc, float *bp) {
                     packGrid(region, kOffset.data() + k0, kc, nc, s2,
                              kernel.nr, bp);
                   });

    // Real columns into the output, with the bias or the old value.
    const float *bias = conv.bias + g * s.m * conv.biasStride;
    float *out = y.data + b * y.strides[0] + g * y.strides[1] +
                 oz * y.strides[3] + y0 * y.strides[4];
    for (int64_t o = 0; o < s.m; ++o)
      for (int64_t r = 0; r < outRows; ++r) {
        const float *src = result + o * ldt + r * grid.width;
        float *dst = out + o * y.strides[2] + r * y.strides[4];
        const int64_t sx = y.strides[5];
        switch (conv.mode) {
        case Output::Overwrite:
          for (int64_t q = 0; q < s.out[2]; ++q)
            dst[q * sx] = src[q];
          break;
        case Output::Accumulate:
          for (int64_t q = 0; q < s.out[2]; ++q)
            dst[q * sx] += src[q];
          break;
        case Output::AddBias: {
          const float v = bias[o * conv.biasStride];
          for (int64_t q = 0; q < s.out[2]; ++q)
            dst[q * sx] = src[q] + v;
          break;
        }
        }
      }
  });
}

} // namespace

void convolution(const Convolution &conv) {
  const Shape s = shapeOf(conv);
  const int64_t n = s.out[0] * s.out[1] * s.out[2];
  if (s.batch == 0 || s.groups == 0 || s.m == 0 || n == 0)
    return;
  const TensorView &y = conv.output;
  if (s.k == 0) {
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t g = 0; g < s.groups; ++g)
        for (int64_t o = 0; o < s.m; ++o)
          for (int64_t z = 0; z < s.out[0]; ++z)
            finishEmptyProduct(y.data + b * y.strides[0] + g * y.strides[1] +
                                   o * y.strides[2] + z * y.strides[3],
                               s.out[1], s.out[2], y.strides[4], y.strides[5],
                               conv.mode,
                               conv.bias + (g * s.m + o) * conv.biasStride,
                               /*biasStride=*/0, /*perRowBias=*/true);
    return;
  }
  const int64_t kb = kBlockSize(s.k);
  const PackedWeights weights(conv, s, kb);
  const bool unitWindow = s.kernelVolume == 1 && conv.stride[0] == 1 &&
                          conv.stride[1] == 1 && conv.stride[2] == 1 &&
                          conv.padding[0] == 0 && conv.padding[1] == 0 &&
                          conv.padding[2] == 0;
  if (unitWindow && flattensFrom(conv.input, 3) && flattensFrom(y, 3))
    pointwise(conv, s, weights, kb);
  else
    paddedGrid(conv, s, weights, kb);
}

} // namespace ukernels
} // namespace diffc
