#pragma once
/// Fits the penalized linear model on row prefixes of one Design: validation fits, the hold-out
/// fit and the final fit differ only in how many leading days they see, so their Gram matrices
/// are prefix sums computed in one pass over the rows. Fits are robust: days far from a first
/// fit (a closure, a freak order) are pulled in before the fit that counts.

#include <Eigen/Dense>
#include <deque>
#include <span>
#include <vector>

#include "forecast/admm_solver.hpp"
#include "forecast/design.hpp"

namespace levain::forecast {

/// Additive (identity) or multiplicative (log(y + offset)) response scale.
struct ResponseTransform {
  bool log = false;
  double offset = 1.0;
  double forward(double y) const;
  double inverse(double z) const;
};

/// One candidate configuration; validation picks among them per product.
struct FitConfig {
  bool multiplicative = false;
  double changepoint_l1 = 0.01;  // L1 strength on the standardized slope changes
};

struct LinearFit {
  FitConfig config;
  ResponseTransform transform;
  Eigen::VectorXd beta;  // standardized design -> standardized response
  double z_mean = 0;
  double z_scale = 1;
  double sigma = 0;  // residual standard deviation in the transformed scale
};

class LinearModel {
 public:
  /// `ends` lists the window ends (exclusive day indices) fits will use. `y` has NaN where a
  /// day must not be fitted (missing or flagged as an outlier).
  LinearModel(const Design& design, std::span<const double> y, std::vector<int> ends);

  /// Fits days [0, end) (end must be one of `ends`), starting from `warm` coefficients if given.
  LinearFit fit(const FitConfig& config, const ResponseTransform& transform, int end,
                const Eigen::VectorXd& warm);

  /// Predictions in the transformed scale for standardized design rows.
  static Eigen::VectorXd predict_z(const LinearFit& fit, const Eigen::MatrixXd& rows);

 private:
  /// The standardized response's cross-products for one transform and window, shared by every
  /// candidate that differs only in its penalties.
  struct Response {
    std::size_t k = 0;  // index into ends_
    bool log = false;
    double offset = 0;
    double z_mean = 0;
    double z_scale = 1;
    Eigen::VectorXd c;      // X'w / n, w = z_std winsorized around a first fit: what solves see
    Eigen::VectorXd c_raw;  // X'z_std / n, for the residual scale
    double zz = 0;          // z_std'z_std / n
  };
  const Response& response(const ResponseTransform& transform, std::size_t k);
  /// X'w/n for the response `zs` (0 where `used` is 0; `c_raw` = X'zs/n) pulled to within a
  /// few robust standard deviations of a reference fit, refitted and pulled again: a Huber-like
  /// fit whose cost is paid once per response, not once per candidate.
  Eigen::VectorXd winsorized(std::size_t k, const Eigen::VectorXd& zs, const Eigen::VectorXd& used,
                             const Eigen::VectorXd& c_raw) const;

  const Design& design_;
  std::span<const double> y_;
  std::vector<int> ends_;
  std::vector<Eigen::MatrixXd> gram_;  // per end, divided by the observed count
  std::vector<int> observed_;
  std::vector<PenalizedSolver> solvers_;  // per end; the ridge part is the same for all configs
  std::deque<Response> responses_;        // deque: references stay valid as it grows
};

}  // namespace levain::forecast
