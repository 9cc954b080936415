// GET …/accuracy (docs/forecasting.md, "Forecasts checked against what was sold"), and the drift
// it reports, which the sales upload counts and {"products": "drifted"} retrains.
#include <cmath>

#include "training/api/live_accuracy.hpp"
#include "training/api/training_api.hpp"

namespace levain::training::api {

using common::http::Request;
using common::http::Response;
using common::http::Status;

namespace {

// Bounds one report's memory (about 100 bytes a row): 28 days x 14 leads of 500 products.
constexpr std::size_t kMaxMetRows = 200'000;
constexpr int kDefaultDays = 28;
constexpr int kMaxDays = 400;  // what the log keeps

boost::json::value number(double v) {
  return std::isfinite(v) ? boost::json::value(v) : boost::json::value(nullptr);
}

boost::json::object leads_json(const std::array<LeadAccuracy, kAccuracyLeads.size()>& leads) {
  boost::json::object out;
  for (std::size_t i = 0; i < kAccuracyLeads.size(); ++i) {
    const auto& l = leads[i];
    out[std::to_string(kAccuracyLeads[i])] = {{"forecasts", l.forecasts},
                                              {"mae", number(l.mae())},
                                              {"mase", number(l.mase())},
                                              {"coverage_80", number(l.coverage_80())}};
  }
  return out;
}

}  // namespace

AccuracyReport TrainingApi::accuracy_report(const std::string& tenant, int days, bool* truncated) {
  const auto summary = store_.sales_summary(tenant, 0);
  if (!summary.last) return {};
  auto met =
      store_.met_forecasts(tenant, *summary.last - std::chrono::days{days - 1}, kMaxMetRows + 1);
  if (truncated != nullptr) *truncated = met.size() > kMaxMetRows;
  if (met.size() > kMaxMetRows) met.resize(kMaxMetRows);
  return live_accuracy(met, store_.list_models(tenant));
}

Response TrainingApi::accuracy(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  const int days = int_param(route, "days", kDefaultDays, kDriftWindowDays, kMaxDays);
  bool truncated = false;
  const auto report = accuracy_report(route.tenant, days, &truncated);
  boost::json::array products;
  for (const auto& p : report.products) {
    products.push_back({{"product", p.product},
                        {"model_version", p.model_version > 0 ? boost::json::value(p.model_version)
                                                              : boost::json::value(nullptr)},
                        {"holdout_mae", number(p.holdout_mae)},
                        {"recent_mae", number(p.recent_mae)},
                        {"recent_days", p.recent_days},
                        {"drifted", p.drifted},
                        {"leads", leads_json(p.leads)}});
  }
  boost::json::array leads;
  for (const int l : kAccuracyLeads) leads.push_back(l);
  boost::json::array drifted;
  for (const auto& name : report.drifted) drifted.push_back(boost::json::value(name));
  return common::http::json_response(Status::ok, {{"tenant", route.tenant},
                                                  {"days", days},
                                                  {"leads", std::move(leads)},
                                                  {"drift_ratio", kDriftRatio},
                                                  {"drift_window_days", kDriftWindowDays},
                                                  {"truncated", truncated},
                                                  {"overall", leads_json(report.overall)},
                                                  {"products", std::move(products)},
                                                  {"drifted", std::move(drifted)}});
}

}  // namespace levain::training::api
