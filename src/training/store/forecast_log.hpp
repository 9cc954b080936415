#pragma once
/// What the forecast log keeps of a served model, the same in both stores: the forecast of its
/// first kMaxLead days, each with how many days ahead it was made. Sales that arrive for those
/// days later are then compared with what was forecast (GET …/accuracy).

#include <cstdint>
#include <vector>

#include "forecast/types.hpp"

namespace levain::training::forecast_log {

/// Leads 1..kMaxLead are kept: the accuracy report reads leads 1, 7 and 14.
inline constexpr int kMaxLead = 14;
/// A product's rows for days more than this before its newest forecast's first day are dropped,
/// so the log stays bounded (about kKeepDays x kMaxLead rows per product).
inline constexpr std::int64_t kKeepDays = 400;

struct Row {
  std::int64_t day = 0;  // days since 1970-01-01
  int lead = 0;
  double yhat = 0;
  double lower = 0;
  double upper = 0;
};

/// The rows for `report`'s forecast (none without one); non-finite numbers are left out.
std::vector<Row> rows_of(const forecast::FitReport& report);

/// The oldest day kept once `rows` are written (rows must not be empty).
inline std::int64_t oldest_kept(const std::vector<Row>& rows) {
  return rows.front().day - kKeepDays;
}

}  // namespace levain::training::forecast_log
