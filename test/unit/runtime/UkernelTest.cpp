//===- UkernelTest.cpp - SGEMM and convolution kernels vs double loops ----===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Every case runs for each micro-kernel the CPU has (portable, AVX2 + FMA,
// AVX-512)
// and with one and two threads, against a float64 triple loop. Shapes are
// chosen around the blocking: odd extents, edges of the 6x16 tile, K past
// one 256-deep block, transposed, strided and broadcast operands.
//
// Tolerance per element: |got - want| <= 1e-5 * sum_k |a_ik b_kj| (plus the
// magnitude of what is accumulated into), the bound float summation errors
// scale with.
//
//===----------------------------------------------------------------------===//

#include "ukernels.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace diffc::ukernels;

namespace {

struct KernelConfig {
  Isa isa;
  int threads;
};

std::string configName(const testing::TestParamInfo<KernelConfig> &info) {
  return std::string(isaName(info.param.isa)) + "_" +
         std::to_string(info.param.threads) + "threads";
}

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

class UkernelTest : public testing::TestWithParam<KernelConfig> {
protected:
  void SetUp() override {
    setIsa(GetParam().isa);
    setNumThreads(GetParam().threads);
  }
  void TearDown() override {
    setIsa(original_);
    setNumThreads(0);
  }
  const Isa original_ = activeIsa();
  std::mt19937 rng{1234};
  std::vector<float> random(size_t n) {
    std::normal_distribution<float> dist;
    std::vector<float> v(n);
    for (float &x : v)
      x = dist(rng);
    return v;
  }
};

//===----------------------------------------------------------------------===//
// SGEMM
//===----------------------------------------------------------------------===//

struct GemmCase {
  int64_t batch, m, n, k;
  bool transA, transB; ///< operand stored transposed (column-major)
  int64_t cColStride;  ///< 1, or > 1 for a C with strided columns
  bool broadcastA;     ///< A has batch stride 0
  Output output;
};

/// Runs one case and checks every element of C.
void checkGemm(const GemmCase &t, std::vector<float> a, std::vector<float> b,
               std::vector<float> c, const std::vector<float> &bias) {
  const int64_t aItem = t.m * t.k, bItem = t.k * t.n;
  const int64_t cRow = t.n * t.cColStride, cItem = t.m * cRow;
  BatchedGemm g;
  g.batch = t.batch;
  g.a = {a.data(), t.m, t.k, t.transA ? 1 : t.k, t.transA ? t.m : 1};
  g.b = {b.data(), t.k, t.n, t.transB ? 1 : t.n, t.transB ? t.k : 1};
  g.c = {c.data(), t.m, t.n, cRow, t.cColStride};
  g.aBatchStride = t.broadcastA ? 0 : aItem;
  g.bBatchStride = bItem;
  g.cBatchStride = cItem;
  g.output = t.output;
  g.bias = bias.data();
  g.biasStride = 1;
  const std::vector<float> before = c;
  sgemm(g);

  for (int64_t bi = 0; bi < t.batch; ++bi)
    for (int64_t i = 0; i < t.m; ++i)
      for (int64_t j = 0; j < t.n; ++j) {
        double want = 0, scale = 0;
        for (int64_t k = 0; k < t.k; ++k) {
          double av = a[(t.broadcastA ? 0 : bi * aItem) + i * g.a.rowStride +
                        k * g.a.colStride];
          double bv = b[bi * bItem + k * g.b.rowStride + j * g.b.colStride];
          want += av * bv;
          scale += std::fabs(av * bv);
        }
        const int64_t ci = bi * cItem + i * cRow + j * t.cColStride;
        if (t.output == Output::Accumulate) {
          want += before[ci];
          scale += std::fabs(before[ci]);
        } else if (t.output == Output::AddBias) {
          want += bias[j];
          scale += std::fabs(bias[j]);
        }
        ASSERT_NEAR(c[ci], want, 1e-5 * scale + 1e-30)
            << "batch " << bi << " row " << i << " col " << j;
      }
  // Gaps between strided columns are never written.
  if (t.cColStride > 1)
    for (size_t i = 0; i < c.size(); ++i)
      if ((i % cRow) % t.cColStride != 0)
        ASSERT_EQ(c[i], before[i]) << "wrote a gap at " << i;
}

TEST_P(UkernelTest, SgemmShapes) {
  const GemmCase cases[] = {
      {1, 1, 1, 1, false, false, 1, false, Output::Overwrite},
      {1, 6, 16, 8, false, false, 1, false, Output::Overwrite},
      {1, 7, 5, 3, false, false, 1, false, Output::Overwrite},
      {1, 13, 33, 17, false, false, 1, false, Output::Accumulate},
      {1, 64, 49, 300, false, false, 1, false, Output::Overwrite},
      {1, 37, 129, 517, false, false, 1, false, Output::AddBias},
      {1, 150, 70, 40, false, false, 1, false, Output::Overwrite},
      {1, 300, 1100, 64, false, false, 1, false, Output::Overwrite},
      {1, 5, 3, 0, false, false, 1, false, Output::AddBias},
  };
  for (const GemmCase &t : cases) {
    SCOPED_TRACE(testing::Message() << t.m << "x" << t.n << "x" << t.k);
    checkGemm(t, random(t.batch * t.m * t.k), random(t.batch * t.k * t.n),
              random(t.batch * t.m * t.n * t.cColStride), random(t.n));
  }
}

TEST_P(UkernelTest, SgemmTransposedAndStrided) {
  const GemmCase cases[] = {
      {1, 9, 20, 31, true, false, 1, false, Output::Overwrite},
      {1, 9, 20, 31, false, true, 1, false, Output::AddBias},
      {1, 23, 17, 260, true, true, 1, false, Output::Accumulate},
      {1, 11, 19, 7, false, false, 3, false, Output::Overwrite},
      {1, 8, 40, 12, true, true, 2, false, Output::Accumulate},
  };
  for (const GemmCase &t : cases) {
    SCOPED_TRACE(testing::Message() << t.m << "x" << t.n << "x" << t.k
                                    << " transA " << t.transA << " transB "
                                    << t.transB << " ldc " << t.cColStride);
    checkGemm(t, random(t.batch * t.m * t.k), random(t.batch * t.k * t.n),
              random(t.batch * t.m * t.n * t.cColStride), random(t.n));
  }
}

TEST_P(UkernelTest, SgemmBatched) {
  const GemmCase cases[] = {
      {5, 7, 9, 11, false, false, 1, false, Output::Overwrite},
      {3, 49, 49, 64, false, true, 1, false, Output::Overwrite},
      {4, 10, 33, 21, false, false, 1, true, Output::Accumulate},
      {16, 2, 3, 5, true, false, 1, true, Output::AddBias},
  };
  for (const GemmCase &t : cases) {
    SCOPED_TRACE(testing::Message() << t.batch << " x " << t.m << "x" << t.n
                                    << "x" << t.k);
    checkGemm(t, random(t.batch * t.m * t.k), random(t.batch * t.k * t.n),
              random(t.batch * t.m * t.n * t.cColStride), random(t.n));
  }
}

TEST_P(UkernelTest, SgemmRandomShapes) {
  std::uniform_int_distribution<int64_t> extent(1, 70), depth(1, 600),
      batch(1, 3), coin(0, 1), mode(0, 2);
  for (int i = 0; i < 25; ++i) {
    GemmCase t{batch(rng),     extent(rng),
               extent(rng),    depth(rng),
               coin(rng) == 1, coin(rng) == 1,
               coin(rng) + 1,  coin(rng) == 1,
               static_cast<Output>(mode(rng))};
    SCOPED_TRACE(testing::Message() << "case " << i << ": " << t.batch << " x "
                                    << t.m << "x" << t.n << "x" << t.k);
    checkGemm(t, random(t.batch * t.m * t.k), random(t.batch * t.k * t.n),
              random(t.batch * t.m * t.n * t.cColStride), random(t.n));
    if (HasFatalFailure())
      return;
  }
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvCase {
  int64_t n, groups, cPerGroup, oPerGroup;
  int64_t in[3], kernel[3], stride[3], padding[3], dilation[3];
  Output mode;
  /// 6: contiguous output; d < 6: dims before d twice as far apart as
  /// needed (3: a gap after each channel; 5: after each row, so the
  /// spatial dims do not flatten).
  int gapAt;
};

int64_t outExtent(const ConvCase &t, int d) {
  return (t.in[d] + 2 * t.padding[d] - t.dilation[d] * (t.kernel[d] - 1) - 1) /
             t.stride[d] +
         1;
}

/// Contiguous strides of `sizes`, scaled by `scale` from dimension `from`
/// outwards (a gap between channels when scale > 1).
void contiguous(TensorView &v, int scaleFrom = 6, int64_t scale = 1) {
  int64_t s = 1;
  for (int d = 5; d >= 0; --d) {
    if (d == scaleFrom - 1)
      s *= scale;
    v.strides[d] = s;
    s *= v.sizes[d];
  }
}

void checkConv(const ConvCase &t, std::vector<float> x, std::vector<float> w,
               const std::vector<float> &bias, std::mt19937 &rng) {
  const int64_t out[3] = {outExtent(t, 0), outExtent(t, 1), outExtent(t, 2)};
  Convolution conv;
  conv.input = {x.data(), {t.n, t.groups, t.cPerGroup, t.in[0], t.in[1], t.in[2]}, {}};
  contiguous(conv.input);
  conv.weight = {w.data(),
                 {t.groups, t.oPerGroup, t.cPerGroup, t.kernel[0], t.kernel[1],
                  t.kernel[2]},
                 {}};
  contiguous(conv.weight);
  conv.output = {nullptr, {t.n, t.groups, t.oPerGroup, out[0], out[1], out[2]}, {}};
  contiguous(conv.output, t.gapAt, 2);
  int64_t ySize = conv.output.strides[0] * t.n;
  std::normal_distribution<float> dist;
  std::vector<float> y(ySize);
  for (float &v : y)
    v = dist(rng);
  const std::vector<float> before = y;
  conv.output.data = y.data();
  for (int d = 0; d < 3; ++d) {
    conv.stride[d] = t.stride[d];
    conv.padding[d] = t.padding[d];
    conv.dilation[d] = t.dilation[d];
  }
  conv.mode = t.mode;
  conv.bias = bias.data();
  conv.biasStride = 1;
  convolution(conv);

  const TensorView &X = conv.input, &W = conv.weight, &Y = conv.output;
  std::vector<bool> written(y.size(), false);
  for (int64_t b = 0; b < t.n; ++b)
    for (int64_t g = 0; g < t.groups; ++g)
      for (int64_t o = 0; o < t.oPerGroup; ++o)
        for (int64_t z = 0; z < out[0]; ++z)
          for (int64_t r = 0; r < out[1]; ++r)
            for (int64_t q = 0; q < out[2]; ++q) {
              double want = 0, scale = 0;
              for (int64_t c = 0; c < t.cPerGroup; ++c)
                for (int64_t i = 0; i < t.kernel[0]; ++i)
                  for (int64_t j = 0; j < t.kernel[1]; ++j)
                    for (int64_t l = 0; l < t.kernel[2]; ++l) {
                      int64_t iz = z * t.stride[0] - t.padding[0] + i * t.dilation[0];
                      int64_t iy = r * t.stride[1] - t.padding[1] + j * t.dilation[1];
                      int64_t ix = q * t.stride[2] - t.padding[2] + l * t.dilation[2];
                      if (iz < 0 || iz >= t.in[0] || iy < 0 || iy >= t.in[1] ||
                          ix < 0 || ix >= t.in[2])
                        continue;
                      double xv = x[b * X.strides[0] + g * X.strides[1] +
                                    c * X.strides[2] + iz * X.strides[3] +
                                    iy * X.strides[4] + ix * X.strides[5]];
                      double wv = w[g * W.strides[0] + o * W.strides[1] +
                                    c * W.strides[2] + i * W.strides[3] +
                                    j * W.strides[4] + l * W.strides[5]];
                      want += xv * wv;
                      scale += std::fabs(xv * wv);
                    }
              const int64_t yi = b * Y.strides[0] + g * Y.strides[1] +
                                 o * Y.strides[2] + z * Y.strides[3] +
                                 r * Y.strides[4] + q * Y.strides[5];
              written[yi] = true;
              if (t.mode == Output::Accumulate) {
                want += before[yi];
                scale += std::fabs(before[yi]);
              } else if (t.mode == Output::AddBias) {
                want += bias[g * t.oPerGroup + o];
                scale += std::fabs(bias[g * t.oPerGroup + o]);
              }
              ASSERT_NEAR(y[yi], want, 1e-5 * scale + 1e-30)
                  << "n " << b << " g " << g << " o " << o << " at " << z
                  << "," << r << "," << q;
            }
  for (size_t i = 0; i < y.size(); ++i)
    if (!written[i])
      ASSERT_EQ(y[i], before[i]) << "wrote outside the output at " << i;
}

TEST_P(UkernelTest, Convolution2D) {
  const ConvCase cases[] = {
      // 3x3, padding 1, odd 7x5 spatial.
      {2, 1, 3, 5, {1, 7, 5}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {1, 1, 1},
       Output::AddBias, 6},
      // stride 2 + padding 1 (the U-Net downsample).
      {3, 1, 4, 6, {1, 9, 8}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1},
       Output::Overwrite, 6},
      // dilation 2, no padding.
      {1, 1, 5, 7, {1, 11, 10}, {1, 3, 3}, {1, 1, 1}, {0, 0, 0}, {1, 2, 2},
       Output::Accumulate, 6},
      // groups 2, 1x1.
      {2, 2, 3, 4, {1, 6, 5}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {1, 1, 1},
       Output::AddBias, 6},
      // depthwise-like: groups 4 of one channel, padding 2 wider than usual.
      {1, 4, 1, 2, {1, 5, 7}, {1, 3, 3}, {1, 1, 1}, {0, 2, 2}, {1, 1, 1},
       Output::Overwrite, 6},
      // K past one block (64 channels x 9 = 576) and a strided output.
      {2, 1, 64, 13, {1, 6, 7}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {1, 1, 1},
       Output::AddBias, 3},
      // Many output positions: several column tasks per image.
      {1, 1, 3, 8, {1, 40, 37}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {1, 1, 1},
       Output::Overwrite, 6},
      // Asymmetric kernel, stride and dilation per dimension.
      {2, 1, 2, 3, {1, 12, 9}, {1, 2, 3}, {1, 3, 1}, {0, 1, 0}, {1, 1, 2},
       Output::Overwrite, 6},
      // Output rows with gaps (spatial dims that do not flatten).
      {2, 1, 3, 4, {1, 5, 6}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {1, 1, 1},
       Output::Accumulate, 5},
  };
  for (const ConvCase &t : cases) {
    SCOPED_TRACE(testing::Message()
                 << "n " << t.n << " g " << t.groups << " c " << t.cPerGroup
                 << " o " << t.oPerGroup << " " << t.in[1] << "x" << t.in[2]
                 << " k " << t.kernel[1] << "x" << t.kernel[2]);
    checkConv(t,
              random(t.n * t.groups * t.cPerGroup * t.in[0] * t.in[1] * t.in[2]),
              random(t.groups * t.oPerGroup * t.cPerGroup * t.kernel[0] *
                     t.kernel[1] * t.kernel[2]),
              random(t.groups * t.oPerGroup), rng);
    if (HasFatalFailure())
      return;
  }
}

TEST_P(UkernelTest, Convolution3D) {
  const ConvCase cases[] = {
      // Temporal 3x1x1 with frame padding (video LDM).
      {2, 1, 4, 5, {5, 4, 3}, {3, 1, 1}, {1, 1, 1}, {1, 0, 0}, {1, 1, 1},
       Output::AddBias, 6},
      // Full 3x3x3, stride 2, padding 1, groups 2.
      {1, 2, 3, 2, {6, 7, 5}, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1},
       Output::Overwrite, 6},
      // Dilation in frames, accumulate.
      {1, 1, 2, 3, {7, 3, 4}, {2, 2, 2}, {1, 1, 1}, {0, 1, 0}, {3, 1, 1},
       Output::Accumulate, 6},
  };
  for (const ConvCase &t : cases) {
    checkConv(t,
              random(t.n * t.groups * t.cPerGroup * t.in[0] * t.in[1] * t.in[2]),
              random(t.groups * t.oPerGroup * t.cPerGroup * t.kernel[0] *
                     t.kernel[1] * t.kernel[2]),
              random(t.groups * t.oPerGroup), rng);
    if (HasFatalFailure())
      return;
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, UkernelTest, testing::ValuesIn(configs()),
                         configName);

TEST(UkernelIsa, ScalarIsAlwaysAvailable) {
  const Isa original = activeIsa();
  setIsa(Isa::Scalar);
  EXPECT_EQ(activeIsa(), Isa::Scalar);
  EXPECT_STREQ(isaName(activeIsa()), "scalar");
  setIsa(original);
  EXPECT_EQ(activeIsa(), original);
}

} // namespace
