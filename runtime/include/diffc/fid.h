//===- fid.h - Frechet distance of feature statistics -----------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The Frechet Inception Distance of Heusel et al. (2017) between two sets of
// feature vectors, each summarized by its mean mu and covariance Sigma:
//
//   FID = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))
//
// all in float64, with no LAPACK. S1 S2 is not symmetric, but for symmetric
// positive semi-definite S1, S2 it is similar to the symmetric PSD matrix
// M = S1^(1/2) S2 S1^(1/2) (S1 S2 = A (A S2) and A S2 A = (A S2) A with
// A = S1^(1/2), and XY and YX share their eigenvalues), so
//
//   Tr (S1 S2)^(1/2) = sum_i sqrt(lambda_i(M)).
//
// Both S1^(1/2) and the eigenvalues of M come from one routine, the cyclic
// Jacobi eigenvalue method for symmetric matrices (symmetricEigen()):
// O(D^3) per sweep, a handful of sweeps, about 20 ms for D = 128.
// Eigenvalues that rounding pushes below zero are taken as zero, which is
// what makes singular covariances (dead ReLU features, fewer samples than
// dimensions) safe where scipy.linalg.sqrtm returns complex values. This is
// what pytorch-fid computes (np.cov with rowvar=False, the real part of
// sqrtm's trace), checked against scipy in float64 by FidTest.
//
// Usage:
//
//   diffc::FeatureStatistics stats(128);
//   stats.add(features, rows);            // any number of calls
//   diffc::GaussianStatistics g = stats.finish();
//   double fid = diffc::frechetDistance(g, reference);
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_FID_H
#define DIFFC_FID_H

#include <cstdint>
#include <string>
#include <vector>

namespace diffc {

/// Mean and covariance of a set of feature vectors.
struct GaussianStatistics {
  int64_t dim = 0;
  /// How many vectors they summarize.
  int64_t count = 0;
  /// [dim].
  std::vector<double> mean;
  /// [dim, dim], row-major, symmetric; the unbiased estimate (divided by
  /// count - 1), as numpy.cov computes it.
  std::vector<double> covariance;
};

/// Accumulates the mean and covariance of float32 feature rows in float64.
/// Rows are shifted by the first row before the sums of products are taken,
/// so features with a large common offset lose no precision.
class FeatureStatistics {
public:
  explicit FeatureStatistics(int64_t dim);

  /// Adds `rows` vectors of dim() values each, row-major.
  void add(const float *features, int64_t rows);

  int64_t dim() const { return dim_; }
  int64_t count() const { return count_; }

  /// The statistics of everything added. Needs count() >= 2 for the
  /// covariance (it is all zeros otherwise).
  GaussianStatistics finish() const;

private:
  int64_t dim_;
  int64_t count_ = 0;
  std::vector<double> shift_;
  std::vector<double> sum_;
  /// Upper triangle (row <= column) of the sum of outer products.
  std::vector<double> products_;
};

/// Eigen-decomposition of the symmetric n x n matrix `a` (row-major; only
/// symmetric input is meaningful) by the cyclic Jacobi method:
/// a = V diag(w) V^T with V orthogonal. *eigenvalues gets w in ascending
/// order, *eigenvectors V row-major with eigenvector i in column i.
/// Converges to full float64 accuracy; returns the number of sweeps.
int symmetricEigen(const std::vector<double> &a, int64_t n,
                   std::vector<double> *eigenvalues,
                   std::vector<double> *eigenvectors);

/// The symmetric positive semi-definite square root of the symmetric PSD
/// n x n matrix `a`: V diag(sqrt(max(w, 0))) V^T.
std::vector<double> sqrtPsd(const std::vector<double> &a, int64_t n);

/// Tr((s1 s2)^(1/2)) for symmetric PSD n x n matrices s1 and s2: the sum of
/// the square roots of the eigenvalues of s1^(1/2) s2 s1^(1/2).
double traceSqrtProduct(const std::vector<double> &s1,
                        const std::vector<double> &s2, int64_t n);

/// The Frechet distance between the Gaussians (a.mean, a.covariance) and
/// (b.mean, b.covariance), which must have the same dimension. Never
/// negative: a value that rounding makes slightly negative is returned as 0.
double frechetDistance(const GaussianStatistics &a,
                       const GaussianStatistics &b);

} // namespace diffc

#endif // DIFFC_FID_H
