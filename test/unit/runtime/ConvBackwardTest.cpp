//===- ConvBackwardTest.cpp - Convolution gradient kernels vs loops -------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// convolutionBackwardInput and convolutionBackwardWeight against float64
// loops that scatter every (output position, tap) product of the forward
// convolution into the two gradients. Every case runs for each micro-kernel
// the CPU has and with one and two threads (two threads split the weight
// gradient's K into chunks). Shapes cover the stride phases (odd and even
// extents, taps that reach no phase), padding wider than the kernel,
// dilation, groups, K past one block, more taps than one A block, 3-D, and
// gradients written into strided views with gaps that must stay untouched.
//
// Tolerance per element: 1e-5 * the sum of |products| accumulated into it.
//
//===----------------------------------------------------------------------===//

#include "ukernels.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace diffc::ukernels;

namespace {

struct KernelConfig {
  Isa isa;
  int threads;
};

std::vector<KernelConfig> configs() {
  const Isa original = activeIsa();
  std::vector<KernelConfig> out;
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    setIsa(isa);
    if (activeIsa() != isa)
      continue; // the CPU lacks it
    for (int threads : {1, 2})
      out.push_back({isa, threads});
  }
  setIsa(original);
  return out;
}

struct GradCase {
  int64_t n, groups, cPerGroup, oPerGroup;
  int64_t in[3], kernel[3], stride[3], padding[3], dilation[3];
  Output mode;
  /// The gradients' layouts: dims before `gapAt` twice as far apart as
  /// needed (6: contiguous).
  int gapAt;
};

int64_t outExtent(const GradCase &t, int d) {
  return (t.in[d] + 2 * t.padding[d] - t.dilation[d] * (t.kernel[d] - 1) - 1) /
             t.stride[d] +
         1;
}

/// Row-major strides of v.sizes, doubled outside dimension `gapAt`.
void layout(TensorView &v, int gapAt = 6) {
  int64_t s = 1;
  for (int d = 5; d >= 0; --d) {
    if (d == gapAt - 1)
      s *= 2;
    v.strides[d] = s;
    s *= v.sizes[d];
  }
}

int64_t span(const TensorView &v) { return v.strides[0] * v.sizes[0]; }

int64_t at(const TensorView &v, const int64_t (&i)[6]) {
  int64_t offset = 0;
  for (int d = 0; d < 6; ++d)
    offset += i[d] * v.strides[d];
  return offset;
}

class ConvBackwardTest : public testing::TestWithParam<KernelConfig> {
protected:
  void SetUp() override {
    setIsa(GetParam().isa);
    setNumThreads(GetParam().threads);
  }
  void TearDown() override {
    setIsa(original_);
    setNumThreads(0);
  }

  std::vector<float> random(size_t n) {
    std::normal_distribution<float> dist;
    std::vector<float> v(n);
    for (float &x : v)
      x = dist(rng_);
    return v;
  }

  void check(const GradCase &t);

  const Isa original_ = activeIsa();
  std::mt19937 rng_{4321};
};

void ConvBackwardTest::check(const GradCase &t) {
  const int64_t out[3] = {outExtent(t, 0), outExtent(t, 1), outExtent(t, 2)};
  Convolution conv;
  conv.input = {
      nullptr, {t.n, t.groups, t.cPerGroup, t.in[0], t.in[1], t.in[2]}, {}};
  conv.weight = {nullptr,
                 {t.groups, t.oPerGroup, t.cPerGroup, t.kernel[0], t.kernel[1],
                  t.kernel[2]},
                 {}};
  conv.output = {
      nullptr, {t.n, t.groups, t.oPerGroup, out[0], out[1], out[2]}, {}};
  for (int d = 0; d < 3; ++d) {
    conv.stride[d] = t.stride[d];
    conv.padding[d] = t.padding[d];
    conv.dilation[d] = t.dilation[d];
  }
  conv.mode = t.mode;
  conv.bias = nullptr;
  conv.biasStride = 0;

  // Operands contiguous, gradients with gaps.
  Convolution in = conv, wt = conv;
  layout(in.input, t.gapAt);
  layout(in.weight);
  layout(in.output);
  layout(wt.input);
  layout(wt.weight, t.gapAt);
  layout(wt.output);
  std::vector<float> x = random(span(wt.input));
  std::vector<float> w = random(span(in.weight));
  std::vector<float> dy = random(span(in.output));
  std::vector<float> dx = random(span(in.input)), dw = random(span(wt.weight));
  const std::vector<float> dxBefore = dx, dwBefore = dw;
  in.input.data = dx.data();
  in.weight.data = w.data();
  in.output.data = dy.data();
  wt.input.data = x.data();
  wt.weight.data = dw.data();
  wt.output.data = dy.data();
  convolutionBackwardInput(in);
  convolutionBackwardWeight(wt);

  // Scatter every product of the forward convolution.
  std::vector<double> dxWant(dx.size()), dxScale(dx.size());
  std::vector<double> dwWant(dw.size()), dwScale(dw.size());
  for (int64_t b = 0; b < t.n; ++b)
    for (int64_t g = 0; g < t.groups; ++g)
      for (int64_t o = 0; o < t.oPerGroup; ++o)
        for (int64_t z = 0; z < out[0]; ++z)
          for (int64_t r = 0; r < out[1]; ++r)
            for (int64_t q = 0; q < out[2]; ++q) {
              const double gy = dy[at(in.output, {b, g, o, z, r, q})];
              for (int64_t c = 0; c < t.cPerGroup; ++c)
                for (int64_t i = 0; i < t.kernel[0]; ++i)
                  for (int64_t j = 0; j < t.kernel[1]; ++j)
                    for (int64_t l = 0; l < t.kernel[2]; ++l) {
                      const int64_t iz =
                          z * t.stride[0] - t.padding[0] + i * t.dilation[0];
                      const int64_t iy =
                          r * t.stride[1] - t.padding[1] + j * t.dilation[1];
                      const int64_t ix =
                          q * t.stride[2] - t.padding[2] + l * t.dilation[2];
                      if (iz < 0 || iz >= t.in[0] || iy < 0 || iy >= t.in[1] ||
                          ix < 0 || ix >= t.in[2])
                        continue;
                      const int64_t xi = at(in.input, {b, g, c, iz, iy, ix});
                      const int64_t wi = at(wt.weight, {g, o, c, i, j, l});
                      const double wv = w[at(in.weight, {g, o, c, i, j, l})];
                      const double xv = x[at(wt.input, {b, g, c, iz, iy, ix})];
                      dxWant[xi] += gy * wv;
                      dxScale[xi] += std::fabs(gy * wv);
                      dwWant[wi] += gy * xv;
                      dwScale[wi] += std::fabs(gy * xv);
                    }
            }

  // Every element of a gradient's view, and nothing else, is written.
  auto compare = [&](const char *what, const TensorView &v,
                     const std::vector<float> &got,
                     const std::vector<float> &before,
                     const std::vector<double> &want,
                     const std::vector<double> &scale) {
    std::vector<bool> inside(got.size(), false);
    for (int64_t a = 0; a < v.sizes[0]; ++a)
      for (int64_t b = 0; b < v.sizes[1]; ++b)
        for (int64_t c = 0; c < v.sizes[2]; ++c)
          for (int64_t z = 0; z < v.sizes[3]; ++z)
            for (int64_t y = 0; y < v.sizes[4]; ++y)
              for (int64_t q = 0; q < v.sizes[5]; ++q) {
                const int64_t i = at(v, {a, b, c, z, y, q});
                inside[i] = true;
                double expect = want[i], bound = scale[i];
                if (t.mode == Output::Accumulate) {
                  expect += before[i];
                  bound += std::fabs(before[i]);
                }
                ASSERT_NEAR(got[i], expect, 1e-5 * bound + 1e-30)
                    << what << " at " << a << "," << b << "," << c << "," << z
                    << "," << y << "," << q;
              }
    for (size_t i = 0; i < got.size(); ++i)
      if (!inside[i])
        ASSERT_EQ(got[i], before[i]) << what << " written in a gap at " << i;
  };
  compare("input gradient", in.input, dx, dxBefore, dxWant, dxScale);
  if (testing::Test::HasFatalFailure())
    return;
  compare("weight gradient", wt.weight, dw, dwBefore, dwWant, dwScale);
}

// {n, groups, c, o, in, kernel, stride, padding, dilation, mode, gapAt}
TEST_P(ConvBackwardTest, Convolution2D) {
  const GradCase cases[] = {
      // 3x3, padding 1, odd 7x5.
      {2,
       1,
       3,
       5,
       {1, 7, 5},
       {1, 3, 3},
       {1, 1, 1},
       {0, 1, 1},
       {1, 1, 1},
       Output::Overwrite,
       6},
      // The U-Net downsample, stride 2 + padding 1: odd rows, even columns.
      {3,
       1,
       4,
       6,
       {1, 9, 8},
       {1, 3, 3},
       {1, 2, 2},
       {0, 1, 1},
       {1, 1, 1},
       Output::Overwrite,
       6},
      // ... even extents, accumulating, gaps after each channel.
      {2,
       1,
       5,
       3,
       {1, 8, 8},
       {1, 3, 3},
       {1, 2, 2},
       {0, 1, 1},
       {1, 1, 1},
       Output::Accumulate,
       3},
      // 1x1: the input gradient is a pointwise GEMM.
      {2,
       1,
       8,
       3,
       {1, 5, 7},
       {1, 1, 1},
       {1, 1, 1},
       {0, 0, 0},
       {1, 1, 1},
       Output::Overwrite,
       6},
      // 1x1 stride 2: three of four phases get no tap (zeros).
      {2,
       1,
       3,
       4,
       {1, 7, 6},
       {1, 1, 1},
       {1, 2, 2},
       {0, 0, 0},
       {1, 1, 1},
       Output::Overwrite,
       5},
      // Padding wider than the kernel reaches.
      {1,
       1,
       2,
       3,
       {1, 5, 6},
       {1, 1, 3},
       {1, 1, 1},
       {0, 2, 3},
       {1, 1, 1},
       Output::Overwrite,
       6},
      // Dilation 2 with padding 2.
      {2,
       1,
       3,
       4,
       {1, 11, 10},
       {1, 3, 3},
       {1, 1, 1},
       {0, 2, 2},
       {1, 2, 2},
       Output::Accumulate,
       6},
      // Stride 3 with dilation 2 (taps spaced by 3 within a phase).
      {1,
       1,
       2,
       3,
       {1, 13, 11},
       {1, 5, 4},
       {1, 3, 3},
       {0, 2, 1},
       {1, 2, 2},
       Output::Overwrite,
       6},
      // Groups 2.
      {2,
       2,
       3,
       4,
       {1, 7, 5},
       {1, 3, 3},
       {1, 1, 1},
       {0, 1, 1},
       {1, 1, 1},
       Output::Overwrite,
       6},
      // Depthwise-like: 4 groups of one channel, stride 2.
      {2,
       4,
       1,
       2,
       {1, 9, 7},
       {1, 3, 3},
       {1, 2, 2},
       {0, 1, 1},
       {1, 1, 1},
       Output::Accumulate,
       6},
      // 64 channels: 576 taps (several A blocks), K = 3 x 144 (two blocks).
      {3,
       1,
       64,
       13,
       {1, 12, 12},
       {1, 3, 3},
       {1, 1, 1},
       {0, 1, 1},
       {1, 1, 1},
       Output::Overwrite,
       3},
      // The first U-Net layer (9 taps, 40 channels) and a long K: chunks.
      {16,
       1,
       1,
       40,
       {1, 20, 20},
       {1, 3, 3},
       {1, 1, 1},
       {0, 1, 1},
       {1, 1, 1},
       Output::Overwrite,
       6},
      // The last U-Net layer: one output channel.
      {4,
       1,
       32,
       1,
       {1, 14, 14},
       {1, 3, 3},
       {1, 1, 1},
       {0, 1, 1},
       {1, 1, 1},
       Output::Accumulate,
       6},
      // Asymmetric kernel, stride and dilation per dimension.
      {2,
       1,
       2,
       3,
       {1, 12, 9},
       {1, 2, 3},
       {1, 3, 1},
       {0, 1, 0},
       {1, 1, 2},
       Output::Overwrite,
       5},
  };
  for (const GradCase &t : cases) {
    SCOPED_TRACE(testing::Message()
                 << "n " << t.n << " g " << t.groups << " c " << t.cPerGroup
                 << " o " << t.oPerGroup << " " << t.in[1] << "x" << t.in[2]
                 << " k " << t.kernel[1] << "x" << t.kernel[2] << " s "
                 << t.stride[1] << " p " << t.padding[1] << " d "
                 << t.dilation[1]);
    check(t);
    if (HasFatalFailure())
      return;
  }
}

TEST_P(ConvBackwardTest, Convolution3D) {
  const GradCase cases[] = {
      // Temporal 3x1x1 with frame padding (video LDM).
      {2,
       1,
       4,
       5,
       {5, 4, 3},
       {3, 1, 1},
       {1, 1, 1},
       {1, 0, 0},
       {1, 1, 1},
       Output::Overwrite,
       6},
      // 3x3x3, stride 2, padding 1, groups 2.
      {1,
       2,
       3,
       2,
       {6, 7, 5},
       {3, 3, 3},
       {2, 2, 2},
       {1, 1, 1},
       {1, 1, 1},
       Output::Accumulate,
       6},
  };
  for (const GradCase &t : cases) {
    check(t);
    if (HasFatalFailure())
      return;
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, ConvBackwardTest,
                         testing::ValuesIn(configs()),
                         [](const testing::TestParamInfo<KernelConfig> &info) {
                           return std::string(isaName(info.param.isa)) + "_" +
                                  std::to_string(info.param.threads) +
                                  "threads";
                         });

} // namespace
