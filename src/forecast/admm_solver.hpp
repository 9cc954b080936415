#pragma once
/// Penalized least squares on a precomputed Gram matrix: minimises
///   1/2 b'Gb - c'b + sum_j l1_j |b_j| + sum_j ridge_j/2 b_j^2
/// (G = X'X/n, c = X'z/n on standardized columns). The L1 part makes trend changepoints sparse
/// (Prophet's Laplace prior); the ridge part is the Gaussian prior on seasonal and holiday
/// effects. The smooth columns are eliminated in closed form (Schur complement), leaving a small
/// lasso over the changepoints alone, solved by ADMM: the changepoint ramps are nearly collinear,
/// which makes coordinate descent crawl, while one small factor serves every ADMM step.

#include <Eigen/Dense>
#include <vector>

namespace levain::forecast {

class PenalizedSolver {
 public:
  /// `sparse[j]` marks the columns that may carry an L1 penalty; `ridge` has one entry per
  /// column. The factorizations are done here, once, and shared by every solve.
  PenalizedSolver(const Eigen::MatrixXd& gram, const Eigen::VectorXd& ridge,
                  const std::vector<bool>& sparse);

  /// Solves for `c` with L1 strengths `l1` (read on the sparse columns only), starting from
  /// `warm` when it has the right size, to a relative `tolerance`. Deterministic.
  Eigen::VectorXd solve(const Eigen::VectorXd& c, const Eigen::VectorXd& l1,
                        const Eigen::VectorXd& warm, double tolerance = 1e-5) const;

 private:
  std::vector<Eigen::Index> sparse_;           // column indices of the L1 block
  std::vector<Eigen::Index> smooth_;           // the rest
  Eigen::LLT<Eigen::MatrixXd> smooth_factor_;  // of G_rr + diag(ridge_r)
  Eigen::MatrixXd coupling_;                   // G_rs (smooth x sparse), as given
  Eigen::MatrixXd elimination_;                // (G_rr + R)^-1 G_rs
  Eigen::MatrixXd admm_inverse_;  // (S + rho I)^-1, S the Schur complement on the sparse block
  double rho_ = 1.0;
};

}  // namespace levain::forecast
