//===- FidTest.cpp - FID math: Jacobi, matrix square roots, statistics ----===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The FID of diffc-run eval (diffc/fid.h) against exact identities and, where
// python3 with NumPy and SciPy is there, against pytorch-fid's formula in
// float64: numpy.cov(rowvar=False) and scipy.linalg.sqrtm on the same random
// features. Every case uses random, non-trivial data (FIDs well above 1).
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/fid.h"
#include "diffc/tensor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>

using namespace diffc;
using namespace diffc::test;

namespace {

using Matrix = std::vector<double>;

Matrix multiply(const Matrix &a, const Matrix &b, size_t n) {
  Matrix c(n * n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < n; ++k)
      for (size_t j = 0; j < n; ++j)
        c[i * n + j] += a[i * n + k] * b[k * n + j];
  return c;
}

Matrix transpose(const Matrix &a, size_t n) {
  Matrix t(n * n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      t[j * n + i] = a[i * n + j];
  return t;
}

double maxAbs(const Matrix &a) {
  double m = 0;
  for (double x : a)
    m = std::max(m, std::fabs(x));
  return m;
}

double maxAbsDiff(const Matrix &a, const Matrix &b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i)
    m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

/// A random orthogonal matrix: Gram-Schmidt of Gaussian columns.
Matrix randomOrthogonal(size_t n, std::mt19937_64 &rng) {
  std::normal_distribution<double> normal;
  Matrix q(n * n);
  for (double &x : q)
    x = normal(rng);
  for (size_t c = 0; c < n; ++c) {
    for (size_t p = 0; p < c; ++p) {
      double dot = 0;
      for (size_t r = 0; r < n; ++r)
        dot += q[r * n + c] * q[r * n + p];
      for (size_t r = 0; r < n; ++r)
        q[r * n + c] -= dot * q[r * n + p];
    }
    double norm = 0;
    for (size_t r = 0; r < n; ++r)
      norm += q[r * n + c] * q[r * n + c];
    norm = std::sqrt(norm);
    for (size_t r = 0; r < n; ++r)
      q[r * n + c] /= norm;
  }
  return q;
}

/// Q diag(w) Q^T.
Matrix withEigenvalues(const std::vector<double> &w, const Matrix &q) {
  size_t n = w.size();
  Matrix a(n * n, 0.0);
  for (size_t k = 0; k < n; ++k)
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        a[i * n + j] += q[i * n + k] * w[k] * q[j * n + k];
  return a;
}

/// A random SPD matrix B B^T / n + 0.1 I.
Matrix randomSpd(size_t n, std::mt19937_64 &rng) {
  std::normal_distribution<double> normal;
  Matrix b(n * n);
  for (double &x : b)
    x = normal(rng);
  Matrix s = multiply(b, transpose(b, n), n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      s[i * n + j] = s[i * n + j] / double(n) + (i == j ? 0.1 : 0.0);
  return s;
}

//===----------------------------------------------------------------------===//
// Jacobi and square roots
//===----------------------------------------------------------------------===//

TEST(FidTest, JacobiDecomposesRandomSymmetricMatrices) {
  std::mt19937_64 rng(1);
  for (size_t n : {1, 2, 3, 17, 64, 128}) {
    std::normal_distribution<double> normal;
    Matrix a(n * n);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j <= i; ++j)
        a[i * n + j] = a[j * n + i] = normal(rng);
    std::vector<double> w;
    Matrix v;
    int sweeps = symmetricEigen(a, int64_t(n), &w, &v);
    EXPECT_LT(sweeps, 20) << n;
    for (size_t i = 1; i < n; ++i)
      EXPECT_LE(w[i - 1], w[i]);
    Matrix identity(n * n, 0.0);
    for (size_t i = 0; i < n; ++i)
      identity[i * n + i] = 1.0;
    EXPECT_LT(maxAbsDiff(multiply(transpose(v, n), v, n), identity), 1e-13)
        << n;
    EXPECT_LT(maxAbsDiff(withEigenvalues(w, v), a), 1e-13 * maxAbs(a) * n)
        << n;
  }
}

TEST(FidTest, JacobiFindsKnownSpectraIncludingZeros) {
  std::mt19937_64 rng(2);
  const size_t n = 40;
  std::vector<double> want(n);
  for (size_t i = 0; i < n; ++i) // 0 (x5), then 1e-6 .. 1e4
    want[i] = i < 5 ? 0.0 : std::pow(10.0, -6.0 + 10.0 * double(i - 5) / 34);
  Matrix a = withEigenvalues(want, randomOrthogonal(n, rng));
  std::vector<double> w;
  Matrix v;
  symmetricEigen(a, int64_t(n), &w, &v);
  for (size_t i = 0; i < n; ++i)
    EXPECT_NEAR(w[i], want[i], 1e-14 * 1e4 * n) << i;
}

TEST(FidTest, SqrtPsdSquaresBack) {
  std::mt19937_64 rng(3);
  for (size_t n : {1, 5, 32, 128}) {
    Matrix s = randomSpd(n, rng);
    Matrix r = sqrtPsd(s, int64_t(n));
    EXPECT_LT(maxAbsDiff(r, transpose(r, n)), 1e-14 * maxAbs(r)) << n;
    EXPECT_LT(maxAbsDiff(multiply(r, r, n), s), 1e-13 * maxAbs(s)) << n;
    // Positive definite: the root's eigenvalues are the roots' of s.
    std::vector<double> ws, wr;
    Matrix v;
    symmetricEigen(s, int64_t(n), &ws, &v);
    symmetricEigen(r, int64_t(n), &wr, &v);
    for (size_t i = 0; i < n; ++i)
      EXPECT_NEAR(wr[i], std::sqrt(ws[i]), 1e-12 * std::sqrt(ws.back()));
  }
}

TEST(FidTest, SqrtPsdOfASingularMatrix) {
  // Rank 3 of 10, with rounding that makes some eigenvalues slightly
  // negative: the root is finite and squares back.
  std::mt19937_64 rng(4);
  const size_t n = 10;
  std::vector<double> w(n, 0.0);
  w[7] = 0.5, w[8] = 2.0, w[9] = 30.0;
  Matrix s = withEigenvalues(w, randomOrthogonal(n, rng));
  Matrix r = sqrtPsd(s, int64_t(n));
  for (double x : r)
    ASSERT_TRUE(std::isfinite(x));
  EXPECT_LT(maxAbsDiff(multiply(r, r, n), s), 1e-7 * maxAbs(s));
}

TEST(FidTest, SpeedAtTheClassifierFeatureSize) {
  // The whole distance at D = 128, what eval computes once per sample set.
  std::mt19937_64 rng(9);
  GaussianStatistics a, b;
  a.dim = b.dim = 128;
  a.covariance = randomSpd(128, rng);
  b.covariance = randomSpd(128, rng);
  a.mean.assign(128, 0.0);
  b.mean.assign(128, 1.0);
  auto start = std::chrono::steady_clock::now();
  double fid = frechetDistance(a, b);
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  std::vector<double> w;
  Matrix v;
  int sweeps = symmetricEigen(a.covariance, 128, &w, &v);
  std::printf("[ fid      ] D 128: %.1f ms, %d Jacobi sweeps\n", ms, sweeps);
  EXPECT_GT(fid, 128.0);
  EXPECT_LT(ms, 2000.0);
}

TEST(FidTest, TraceSqrtProductMatchesCommutingCase) {
  // Commuting S1 = Q diag(a) Q^T, S2 = Q diag(b) Q^T: Tr (S1 S2)^(1/2) =
  // sum sqrt(a b).
  std::mt19937_64 rng(5);
  const size_t n = 50;
  Matrix q = randomOrthogonal(n, rng);
  std::uniform_real_distribution<double> u(0.01, 5.0);
  std::vector<double> a(n), b(n);
  double want = 0;
  for (size_t i = 0; i < n; ++i) {
    a[i] = u(rng), b[i] = u(rng);
    want += std::sqrt(a[i] * b[i]);
  }
  double got = traceSqrtProduct(withEigenvalues(a, q), withEigenvalues(b, q),
                                int64_t(n));
  EXPECT_NEAR(got, want, 1e-12 * want);
}

//===----------------------------------------------------------------------===//
// Statistics and the distance
//===----------------------------------------------------------------------===//

TEST(FidTest, StatisticsMatchTwoPassFormulasDespiteAnOffset) {
  // Features with a common offset of 1e4 and spread 1: one-pass sums of
  // unshifted products would lose ~8 digits here.
  std::mt19937_64 rng(6);
  std::normal_distribution<float> normal;
  const int64_t n = 300, d = 7;
  std::vector<float> x(size_t(n * d));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j)
      x[size_t(i * d + j)] = 1e4f + float(j) + normal(rng);
  FeatureStatistics stats(d);
  stats.add(x.data(), 100); // in pieces, as the eval command does
  stats.add(x.data() + 100 * d, n - 100);
  GaussianStatistics g = stats.finish();
  ASSERT_EQ(g.count, n);
  std::vector<double> mean(d, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j)
      mean[j] += double(x[size_t(i * d + j)]) / double(n);
  for (int64_t j = 0; j < d; ++j)
    EXPECT_NEAR(g.mean[j], mean[j], 1e-9);
  for (int64_t a = 0; a < d; ++a)
    for (int64_t b = 0; b < d; ++b) {
      double c = 0;
      for (int64_t i = 0; i < n; ++i)
        c += (double(x[size_t(i * d + a)]) - mean[a]) *
             (double(x[size_t(i * d + b)]) - mean[b]);
      c /= double(n - 1);
      EXPECT_NEAR(g.covariance[size_t(a * d + b)], c, 1e-9) << a << "," << b;
    }
}

TEST(FidTest, DistanceOfIsotropicGaussiansHasItsClosedForm) {
  // N(mu1, s1 I) vs N(mu2, s2 I): |mu1 - mu2|^2 + D (sqrt s1 - sqrt s2)^2.
  const int64_t d = 16;
  GaussianStatistics a, b;
  a.dim = b.dim = d;
  a.count = b.count = 100;
  a.mean.assign(d, 0.5);
  b.mean.assign(d, -0.25);
  a.covariance.assign(d * d, 0.0);
  b.covariance.assign(d * d, 0.0);
  for (int64_t i = 0; i < d; ++i) {
    a.covariance[i * d + i] = 4.0;
    b.covariance[i * d + i] = 0.25;
  }
  double want = d * 0.75 * 0.75 + d * (2.0 - 0.5) * (2.0 - 0.5);
  EXPECT_NEAR(frechetDistance(a, b), want, 1e-12 * want);
  EXPECT_NEAR(frechetDistance(b, a), want, 1e-12 * want);
}

TEST(FidTest, DistanceIsZeroForEqualAndSymmetricOtherwise) {
  std::mt19937_64 rng(7);
  const int64_t d = 32;
  GaussianStatistics a, b;
  a.dim = b.dim = d;
  a.covariance = randomSpd(d, rng);
  b.covariance = randomSpd(d, rng);
  std::normal_distribution<double> normal;
  for (int64_t i = 0; i < d; ++i) {
    a.mean.push_back(normal(rng));
    b.mean.push_back(normal(rng));
  }
  double ab = frechetDistance(a, b), ba = frechetDistance(b, a);
  EXPECT_GT(ab, 1.0);
  EXPECT_NEAR(ab, ba, 1e-11 * ab);
  EXPECT_LT(frechetDistance(a, a), 1e-11 * ab);
}

//===----------------------------------------------------------------------===//
// Against NumPy and SciPy
//===----------------------------------------------------------------------===//

#ifdef DIFFC_TEST_PYTHON
/// pytorch-fid's calculate_frechet_distance, in float64, on features read
/// from the .npy files the test wrote.
const char kReferenceScript[] = R"(
import sys
import numpy as np
import scipy.linalg
d = sys.argv[1]
for case in open(f'{d}/cases.txt').read().split():
    x1 = np.load(f'{d}/{case}_x1.npy').astype(np.float64)
    x2 = np.load(f'{d}/{case}_x2.npy').astype(np.float64)
    mu1, mu2 = x1.mean(0), x2.mean(0)
    s1, s2 = np.cov(x1, rowvar=False), np.cov(x2, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    fid = ((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) \
        - 2 * np.trace(covmean).real
    np.save(f'{d}/{case}_mu1.npy', mu1)
    np.save(f'{d}/{case}_cov1.npy', s1)
    np.save(f'{d}/{case}_sqrt1.npy', scipy.linalg.sqrtm(s1).real)
    np.save(f'{d}/{case}_fid.npy', np.array(fid))
)";

bool runPython(const std::string &script, const std::string &dir) {
  std::string path = dir + "/script.py";
  writeFile(path, std::vector<uint8_t>(script.begin(), script.end()));
  std::string command = std::string(DIFFC_TEST_PYTHON) + " " + path + " " +
                        dir + " 2>" + dir + "/stderr.txt";
  return std::system(command.c_str()) == 0;
}

double scalarOf(const std::string &path) {
  Tensor t;
  std::string error;
  EXPECT_TRUE(readNpy(path, &t, &error)) << error;
  return t.dataAs<double>()[0];
}

std::vector<double> valuesOf(const std::string &path) {
  Tensor t;
  std::string error;
  EXPECT_TRUE(readNpy(path, &t, &error)) << error;
  return std::vector<double>(t.dataAs<double>(),
                             t.dataAs<double>() + t.numElements());
}

TEST(FidTest, MatchesNumpyAndScipyInFloat64) {
  TempDir dir;
  if (!runPython("import numpy, scipy.linalg", dir.path()))
    GTEST_SKIP() << "no NumPy/SciPy at " << DIFFC_TEST_PYTHON;
  struct Case {
    const char *name;
    int64_t n1, n2, d;
    double shift, scale; // of the second set
  } cases[] = {
      {"small", 200, 150, 8, 0.3, 1.5},
      {"features128", 2000, 1000, 128, 0.05, 0.9},
      {"correlated", 500, 500, 32, 0.0, 2.0},
  };
  std::mt19937_64 rng(8);
  std::string names;
  for (const Case &c : cases) {
    // Correlated features: x = z M + offset, with a random mixing M, then
    // ReLU-like clipping of some columns so that the data is not Gaussian.
    std::normal_distribution<float> normal;
    std::vector<float> mix(size_t(c.d * c.d));
    for (float &m : mix)
      m = normal(rng) / std::sqrt(float(c.d));
    auto draw = [&](int64_t n, double shift, double scale) {
      std::vector<float> z(size_t(n * c.d)), x(size_t(n * c.d), 0.0f);
      for (float &v : z)
        v = normal(rng);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < c.d; ++k) {
          float acc = 0;
          for (int64_t j = 0; j < c.d; ++j)
            acc += z[size_t(i * c.d + j)] * mix[size_t(j * c.d + k)];
          float v = float(scale) * acc + float(shift) + 0.1f * float(k);
          x[size_t(i * c.d + k)] = (k % 4 == 0) ? std::max(v, 0.0f) : v;
        }
      return Tensor::fromVector(ElementType::f32, {n, c.d}, x);
    };
    Tensor x1 = draw(c.n1, 0.0, 1.0), x2 = draw(c.n2, c.shift, c.scale);
    std::string error;
    ASSERT_TRUE(writeNpy(dir.file(std::string(c.name) + "_x1.npy"), x1, &error))
        << error;
    ASSERT_TRUE(writeNpy(dir.file(std::string(c.name) + "_x2.npy"), x2, &error))
        << error;
    names += std::string(c.name) + "\n";
  }
  writeFile(dir.file("cases.txt"), std::vector<uint8_t>(names.begin(), names.end()));
  if (!runPython(kReferenceScript, dir.path())) {
    std::vector<uint8_t> log = readFile(dir.file("stderr.txt"));
    FAIL() << "the reference script failed: "
           << std::string(log.begin(), log.end());
  }

  for (const Case &c : cases) {
    std::string p = dir.file(c.name);
    Tensor x1, x2;
    std::string error;
    ASSERT_TRUE(readNpy(p + "_x1.npy", &x1, &error)) << error;
    ASSERT_TRUE(readNpy(p + "_x2.npy", &x2, &error)) << error;
    FeatureStatistics s1(c.d), s2(c.d);
    s1.add(x1.dataAs<float>(), c.n1);
    s2.add(x2.dataAs<float>(), c.n2);
    GaussianStatistics g1 = s1.finish(), g2 = s2.finish();

    std::vector<double> mu = valuesOf(p + "_mu1.npy");
    std::vector<double> cov = valuesOf(p + "_cov1.npy");
    double eMean = maxAbsDiff(g1.mean, mu) / maxAbs(mu);
    double eCov = maxAbsDiff(g1.covariance, cov) / maxAbs(cov);
    EXPECT_LT(eMean, 1e-13) << c.name;
    EXPECT_LT(eCov, 1e-12) << c.name;

    std::vector<double> root = valuesOf(p + "_sqrt1.npy");
    double eRoot = maxAbsDiff(sqrtPsd(g1.covariance, c.d), root) / maxAbs(root);
    EXPECT_LT(eRoot, 1e-10) << c.name;

    double want = scalarOf(p + "_fid.npy");
    double got = frechetDistance(g1, g2);
    EXPECT_GT(want, 0.1) << c.name << ": the case must not be trivial";
    EXPECT_NEAR(got, want, 1e-9 * std::max(want, 1.0)) << c.name;
    std::printf("[ fid      ] %s: D %lld, N %lld/%lld: FID diffc %.12g, scipy "
                "%.12g (rel %.1e); rel errors mean %.1e, covariance %.1e, "
                "sqrt %.1e\n",
                c.name, static_cast<long long>(c.d),
                static_cast<long long>(c.n1), static_cast<long long>(c.n2),
                got, want, std::fabs(got - want) / want, eMean, eCov, eRoot);
  }
}
#endif // DIFFC_TEST_PYTHON

} // namespace
