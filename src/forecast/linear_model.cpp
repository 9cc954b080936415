#include "forecast/linear_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace levain::forecast {
namespace {

// Winsorizing: residuals are clipped at this many robust standard deviations (1.4826 x MAD),
// after a reference fit with a middle changepoint strength, twice (the second pass sees a fit
// no longer bent by the worst days).
constexpr double kClipSds = 2.0;
constexpr int kRobustPasses = 2;
constexpr double kReferenceL1 = 0.01;
constexpr double kReferenceTolerance = 1e-3;  // the reference fit only has to find the outliers

// Ridge strengths (Gaussian priors) on standardized columns, per observation. Weekday effects
// are well determined and barely shrunk; yearly and holiday terms see few cycles and events.
double ridge_for(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kIntercept:
    case ColumnKind::kTrend:
    case ColumnKind::kChangepoint:
      return 0.0;
    case ColumnKind::kWeekday:
      return 1e-3;
    case ColumnKind::kYearly:
    case ColumnKind::kWeekendYearly:
      return 1e-2;
    case ColumnKind::kHoliday:
      return 1e-2;
    case ColumnKind::kRegressor:
      return 1e-3;
  }
  return 0.0;
}

Eigen::VectorXd ridge_vector(const Design& d) {
  Eigen::VectorXd r(static_cast<Eigen::Index>(d.kinds.size()));
  for (std::size_t j = 0; j < d.kinds.size(); ++j)
    r[static_cast<Eigen::Index>(j)] = ridge_for(d.kinds[j]);
  return r;
}

}  // namespace

double ResponseTransform::forward(double y) const { return log ? std::log(y + offset) : y; }

double ResponseTransform::inverse(double z) const { return log ? std::exp(z) - offset : z; }

LinearModel::LinearModel(const Design& design, std::span<const double> y, std::vector<int> ends)
    : design_(design), y_(y), ends_(std::move(ends)) {
  std::sort(ends_.begin(), ends_.end());
  const auto p = static_cast<Eigen::Index>(design.kinds.size());
  const Eigen::VectorXd ridge = ridge_vector(design);
  std::vector<bool> sparse;
  for (const ColumnKind kind : design.kinds) sparse.push_back(kind == ColumnKind::kChangepoint);
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(p, p);
  int count = 0;
  int day = 0;
  for (int end : ends_) {
    // Gather this segment's observed rows so one rank update does the work.
    std::vector<Eigen::Index> rows;
    for (; day < end; ++day) {
      if (std::isfinite(y_[day])) rows.push_back(day);
    }
    if (!rows.empty()) {
      Eigen::MatrixXd block(static_cast<Eigen::Index>(rows.size()), p);
      for (std::size_t i = 0; i < rows.size(); ++i)
        block.row(static_cast<Eigen::Index>(i)) = design.x.row(rows[i]);
      sum.selfadjointView<Eigen::Lower>().rankUpdate(block.transpose());
      count += static_cast<int>(rows.size());
    }
    Eigen::MatrixXd g = sum.selfadjointView<Eigen::Lower>();
    g /= std::max(count, 1);
    // Ridge is added per observation, so priors weaken as history grows (as a MAP estimate's do).
    solvers_.emplace_back(g, ridge * (365.0 / std::max(count, 1)), sparse);
    gram_.push_back(std::move(g));
    observed_.push_back(count);
  }
}

const LinearModel::Response& LinearModel::response(const ResponseTransform& transform,
                                                   std::size_t k) {
  for (const auto& r : responses_) {
    if (r.k == k && r.log == transform.log && r.offset == transform.offset) return r;
  }
  const int end = ends_[k];
  Response r;
  r.k = k;
  r.log = transform.log;
  r.offset = transform.offset;
  // Transformed response with 0 on unfitted days, so whole-matrix products skip them for free.
  Eigen::VectorXd z = Eigen::VectorXd::Zero(end);
  Eigen::VectorXd used = Eigen::VectorXd::Zero(end);
  for (int day = 0; day < end; ++day) {
    if (!std::isfinite(y_[day])) continue;
    z[day] = transform.forward(y_[day]);
    used[day] = 1.0;
  }
  const int n = std::max(observed_[k], 1);
  r.z_mean = z.sum() / n;
  const double var = std::max(0.0, z.squaredNorm() / n - r.z_mean * r.z_mean);
  r.z_scale = var > 1e-18 ? std::sqrt(var) : 1.0;
  const Eigen::VectorXd zs = ((z.array() - r.z_mean) / r.z_scale * used.array()).matrix();
  r.c_raw = design_.x.topRows(end).transpose() * zs / n;
  r.zz = zs.squaredNorm() / n;
  r.c = winsorized(k, zs, used, r.c_raw);
  responses_.push_back(std::move(r));
  return responses_.back();
}

Eigen::VectorXd LinearModel::winsorized(std::size_t k, const Eigen::VectorXd& zs,
                                        const Eigen::VectorXd& used,
                                        const Eigen::VectorXd& c_raw) const {
  const int end = ends_[k];
  const int n = std::max(observed_[k], 1);
  const auto x = design_.x.topRows(end);
  Eigen::VectorXd c = c_raw;
  Eigen::VectorXd l1 = Eigen::VectorXd::Zero(c.size());
  for (std::size_t j = 0; j < design_.kinds.size(); ++j) {
    if (design_.kinds[j] == ColumnKind::kChangepoint)
      l1[static_cast<Eigen::Index>(j)] = kReferenceL1;
  }
  Eigen::VectorXd beta = solvers_[k].solve(c, l1, Eigen::VectorXd{}, kReferenceTolerance);
  std::vector<double> abs_resid;
  abs_resid.reserve(static_cast<std::size_t>(n));
  for (int pass = 0; pass < kRobustPasses; ++pass) {
    const Eigen::VectorXd fitted = x * beta;
    const Eigen::VectorXd resid = (zs - fitted).cwiseProduct(used);
    abs_resid.clear();
    for (int d = 0; d < end; ++d) {
      if (used[d] > 0) abs_resid.push_back(std::abs(resid[d]));
    }
    if (abs_resid.empty()) break;
    const auto mid = abs_resid.begin() + static_cast<std::ptrdiff_t>(abs_resid.size() / 2);
    std::nth_element(abs_resid.begin(), mid, abs_resid.end());
    const double bound = kClipSds * 1.4826 * *mid;
    if (!(bound > 0)) break;  // more than half the days fitted exactly: nothing to pull in
    const Eigen::VectorXd pulled =
        (fitted + resid.cwiseMax(-bound).cwiseMin(bound)).cwiseProduct(used);
    c = x.transpose() * pulled / n;
    if (pass + 1 < kRobustPasses) beta = solvers_[k].solve(c, l1, beta, kReferenceTolerance);
  }
  return c;
}

LinearFit LinearModel::fit(const FitConfig& config, const ResponseTransform& transform, int end,
                           const Eigen::VectorXd& warm) {
  const auto it = std::find(ends_.begin(), ends_.end(), end);
  if (it == ends_.end()) throw std::logic_error("LinearModel::fit: window end was not prepared");
  const auto k = static_cast<std::size_t>(it - ends_.begin());
  const auto p = static_cast<Eigen::Index>(design_.kinds.size());
  const Response& r = response(transform, k);

  LinearFit out;
  out.config = config;
  out.transform = transform;
  out.z_mean = r.z_mean;
  out.z_scale = r.z_scale;
  Eigen::VectorXd l1 = Eigen::VectorXd::Zero(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    if (design_.kinds[static_cast<std::size_t>(j)] == ColumnKind::kChangepoint) {
      l1[j] = config.changepoint_l1;
    }
  }
  out.beta = solvers_[k].solve(r.c, l1, warm);
  // Residual sum of squares from the Gram matrix, O(p^2) instead of a pass over the rows; a
  // degrees-of-freedom correction counts the active coefficients.
  // The raw response, not the winsorized one: intervals must cover the days that were pulled in.
  const double sse_per_row =
      std::max(0.0, r.zz - 2 * out.beta.dot(r.c_raw) + out.beta.dot(gram_[k] * out.beta));
  const int n = observed_[k];
  const auto active = static_cast<int>((out.beta.array().abs() > 1e-9).count());
  out.sigma = out.z_scale * std::sqrt(sse_per_row * n / std::max(1, n - active));
  return out;
}

Eigen::VectorXd LinearModel::predict_z(const LinearFit& fit, const Eigen::MatrixXd& rows) {
  return ((rows * fit.beta).array() * fit.z_scale + fit.z_mean).matrix();
}

}  // namespace levain::forecast
