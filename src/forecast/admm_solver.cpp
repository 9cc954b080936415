#include "forecast/admm_solver.hpp"

#include <algorithm>
#include <cmath>

namespace levain::forecast {
namespace {

constexpr int kMaxIterations = 5000;
constexpr double kRelaxation = 1.6;  // over-relaxed ADMM: fewer steps at no extra cost

double soft_threshold(double v, double t) {
  if (v > t) return v - t;
  if (v < -t) return v + t;
  return 0.0;
}

Eigen::VectorXd gather(const Eigen::VectorXd& v, const std::vector<Eigen::Index>& idx) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(idx.size()));
  for (std::size_t i = 0; i < idx.size(); ++i) out[static_cast<Eigen::Index>(i)] = v[idx[i]];
  return out;
}

}  // namespace

PenalizedSolver::PenalizedSolver(const Eigen::MatrixXd& gram, const Eigen::VectorXd& ridge,
                                 const std::vector<bool>& sparse) {
  for (Eigen::Index j = 0; j < gram.rows(); ++j) {
    (sparse[static_cast<std::size_t>(j)] ? sparse_ : smooth_).push_back(j);
  }
  const Eigen::MatrixXd g_rr = gram(smooth_, smooth_);
  Eigen::MatrixXd a = g_rr;
  // A tiny floor keeps the factor defined when a column is all zero (e.g. a weekday never sold).
  a.diagonal() += gather(ridge, smooth_).cwiseMax(1e-9);
  smooth_factor_.compute(a);
  if (sparse_.empty()) return;
  coupling_ = gram(smooth_, sparse_);
  elimination_ = smooth_factor_.solve(coupling_);
  Eigen::MatrixXd schur = gram(sparse_, sparse_) - coupling_.transpose() * elimination_;
  schur.diagonal() += gather(ridge, sparse_);
  // Match the step to the block's curvature, which shrinks once trend and seasons are removed.
  rho_ = std::max(schur.diagonal().mean(), 1e-9);
  schur.diagonal().array() += rho_;
  const auto s = static_cast<Eigen::Index>(sparse_.size());
  admm_inverse_ = schur.llt().solve(Eigen::MatrixXd::Identity(s, s));
}

Eigen::VectorXd PenalizedSolver::solve(const Eigen::VectorXd& c, const Eigen::VectorXd& l1,
                                       const Eigen::VectorXd& warm, double tolerance) const {
  const Eigen::VectorXd base = smooth_factor_.solve(gather(c, smooth_));
  Eigen::VectorXd out(c.size());
  const auto s = static_cast<Eigen::Index>(sparse_.size());
  Eigen::VectorXd delta = Eigen::VectorXd::Zero(s);
  if (s > 0) {
    // Reduced lasso: 1/2 d'Sd - q'd + sum l1 |d|, with the smooth block solved out.
    const Eigen::VectorXd q = gather(c, sparse_) - coupling_.transpose() * base;
    const Eigen::VectorXd lam = gather(l1, sparse_) / rho_;
    Eigen::VectorXd z = warm.size() == c.size() ? gather(warm, sparse_) : delta;
    Eigen::VectorXd u = Eigen::VectorXd::Zero(s);
    Eigen::VectorXd x(s);
    Eigen::VectorXd z_old(s);
    const double scale = std::max(1.0, q.cwiseAbs().maxCoeff());
    for (int it = 0; it < kMaxIterations; ++it) {
      x.noalias() = admm_inverse_ * (q + rho_ * (z - u));
      const Eigen::VectorXd relaxed = kRelaxation * x + (1 - kRelaxation) * z;
      z_old = z;
      for (Eigen::Index j = 0; j < s; ++j) z[j] = soft_threshold(relaxed[j] + u[j], lam[j]);
      u += relaxed - z;
      const double primal = (x - z).cwiseAbs().maxCoeff();
      const double dual = rho_ * (z - z_old).cwiseAbs().maxCoeff();
      if (primal < tolerance * scale && dual < tolerance * scale) break;
    }
    delta = z;  // z carries the exact zeros
  }
  const Eigen::VectorXd smooth = s > 0 ? Eigen::VectorXd(base - elimination_ * delta) : base;
  for (std::size_t i = 0; i < smooth_.size(); ++i)
    out[smooth_[i]] = smooth[static_cast<Eigen::Index>(i)];
  for (std::size_t i = 0; i < sparse_.size(); ++i)
    out[sparse_[i]] = delta[static_cast<Eigen::Index>(i)];
  return out;
}

}  // namespace levain::forecast
