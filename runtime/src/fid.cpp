//===- fid.cpp - Frechet distance of feature statistics -------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/fid.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace diffc;

//===----------------------------------------------------------------------===//
// FeatureStatistics
//===----------------------------------------------------------------------===//

FeatureStatistics::FeatureStatistics(int64_t dim)
    : dim_(dim), shift_(size_t(dim)), sum_(size_t(dim)),
      products_(size_t(dim * dim)) {}

void FeatureStatistics::add(const float *features, int64_t rows) {
  const size_t d = size_t(dim_);
  std::vector<double> y(d);
  for (int64_t r = 0; r < rows; ++r) {
    const float *x = features + size_t(r) * d;
    if (count_ == 0)
      for (size_t i = 0; i < d; ++i)
        shift_[i] = x[i];
    for (size_t i = 0; i < d; ++i) {
      y[i] = double(x[i]) - shift_[i];
      sum_[i] += y[i];
    }
    for (size_t i = 0; i < d; ++i) {
      const double yi = y[i];
      if (yi == 0.0)
        continue;
      double *row = &products_[i * d];
      for (size_t j = i; j < d; ++j)
        row[j] += yi * y[j];
    }
    ++count_;
  }
}

GaussianStatistics FeatureStatistics::finish() const {
  const size_t d = size_t(dim_);
  GaussianStatistics g;
  g.dim = dim_;
  g.count = count_;
  g.mean.assign(d, 0.0);
  g.covariance.assign(d * d, 0.0);
  if (count_ == 0)
    return g;
  const double n = double(count_);
  std::vector<double> m(d); // mean of the shifted rows
  for (size_t i = 0; i < d; ++i) {
    m[i] = sum_[i] / n;
    g.mean[i] = shift_[i] + m[i];
  }
  if (count_ < 2)
    return g;
  for (size_t i = 0; i < d; ++i)
    for (size_t j = i; j < d; ++j) {
      double c = (products_[i * d + j] - n * m[i] * m[j]) / (n - 1.0);
      g.covariance[i * d + j] = c;
      g.covariance[j * d + i] = c;
    }
  return g;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

int diffc::symmetricEigen(const std::vector<double> &input, int64_t n64,
                          std::vector<double> *eigenvalues,
                          std::vector<double> *eigenvectors) {
  const size_t n = size_t(n64);
  std::vector<double> a(input.begin(), input.begin() + n * n);
  // Symmetrize: the caller's matrix may differ from its transpose by
  // rounding (a product of symmetric matrices).
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
  std::vector<double> v(n * n, 0.0);
  for (size_t i = 0; i < n; ++i)
    v[i * n + i] = 1.0;
  double frobenius = 0.0;
  for (double x : a)
    frobenius += x * x;
  frobenius = std::sqrt(frobenius);
  // An off-diagonal element is negligible when it is below the rounding of
  // the diagonal elements it couples (the relative criterion of Demmel and
  // Veselic, which keeps small eigenvalues accurate) or below the rounding
  // of the whole matrix.
  const double eps = 1e-16;
  const double tiny = eps * 1e-2 * frobenius;

  int sweeps = 0;
  for (; sweeps < 100; ++sweeps) {
    bool rotated = false;
    for (size_t p = 0; p + 1 < n; ++p) {
      for (size_t q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        const double app = a[p * n + p], aqq = a[q * n + q];
        if (std::fabs(apq) <= tiny ||
            std::fabs(apq) <= eps * std::sqrt(std::fabs(app * aqq))) {
          a[p * n + q] = a[q * n + p] = 0.0;
          continue;
        }
        rotated = true;
        // The rotation J (c at pp and qq, s at pq, -s at qp) with
        // (J^T A J)_pq = 0: t = tan of the angle, the smaller root of
        // t^2 + 2 theta t - 1 = 0.
        const double theta = (aqq - app) / (2.0 * apq);
        double t;
        if (std::fabs(theta) > 1e150)
          t = 0.5 / theta;
        else
          t = (theta >= 0 ? 1.0 : -1.0) /
              (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (size_t k = 0; k < n; ++k) { // A J
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (size_t k = 0; k < n; ++k) { // J^T (A J)
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0.0;
        for (size_t k = 0; k < n; ++k) { // V J
          const double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
    if (!rotated)
      break;
  }

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    return a[i * n + i] < a[j * n + j];
  });
  eigenvalues->assign(n, 0.0);
  eigenvectors->assign(n * n, 0.0);
  for (size_t c = 0; c < n; ++c) {
    (*eigenvalues)[c] = a[order[c] * n + order[c]];
    for (size_t r = 0; r < n; ++r)
      (*eigenvectors)[r * n + c] = v[r * n + order[c]];
  }
  return sweeps;
}

std::vector<double> diffc::sqrtPsd(const std::vector<double> &a, int64_t n64) {
  const size_t n = size_t(n64);
  std::vector<double> w, v;
  symmetricEigen(a, n64, &w, &v);
  // V diag(sqrt w) V^T, one rank-one term per eigenvalue.
  std::vector<double> out(n * n, 0.0);
  for (size_t k = 0; k < n; ++k) {
    const double root = std::sqrt(std::max(w[k], 0.0));
    if (root == 0.0)
      continue;
    for (size_t i = 0; i < n; ++i) {
      const double vik = root * v[i * n + k];
      for (size_t j = 0; j < n; ++j)
        out[i * n + j] += vik * v[j * n + k];
    }
  }
  return out;
}

namespace {

/// x y for n x n row-major matrices.
std::vector<double> multiply(const std::vector<double> &x,
                             const std::vector<double> &y, size_t n) {
  std::vector<double> out(n * n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < n; ++k) {
      const double xik = x[i * n + k];
      if (xik == 0.0)
        continue;
      for (size_t j = 0; j < n; ++j)
        out[i * n + j] += xik * y[k * n + j];
    }
  return out;
}

} // namespace

double diffc::traceSqrtProduct(const std::vector<double> &s1,
                               const std::vector<double> &s2, int64_t n64) {
  const size_t n = size_t(n64);
  std::vector<double> root = sqrtPsd(s1, n64);
  std::vector<double> m = multiply(multiply(root, s2, n), root, n);
  std::vector<double> w, v;
  symmetricEigen(m, n64, &w, &v);
  double trace = 0.0;
  for (double lambda : w)
    trace += std::sqrt(std::max(lambda, 0.0));
  return trace;
}

double diffc::frechetDistance(const GaussianStatistics &a,
                              const GaussianStatistics &b) {
  const int64_t n = a.dim;
  double meanTerm = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = a.mean[size_t(i)] - b.mean[size_t(i)];
    meanTerm += d * d;
  }
  double traces = 0.0;
  for (int64_t i = 0; i < n; ++i)
    traces += a.covariance[size_t(i * n + i)] + b.covariance[size_t(i * n + i)];
  const double fid =
      meanTerm + traces - 2.0 * traceSqrtProduct(a.covariance, b.covariance, n);
  return std::max(fid, 0.0);
}
