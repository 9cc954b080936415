#include "training/api/live_accuracy.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace levain::training::api {
namespace {

void add(LeadAccuracy& a, const MetForecast& m, double scale) {
  const double error = std::abs(m.yhat - m.sold);
  ++a.forecasts;
  a.abs_error_sum += error;
  if (std::isfinite(scale) && scale > 0) {
    a.scaled_error_sum += error / scale;
    ++a.scaled;
  }
  if (m.sold >= m.lower && m.sold <= m.upper) ++a.covered;
}

double ratio(double sum, std::size_t n) {
  return n > 0 ? sum / static_cast<double>(n) : forecast::kNaN;
}

// The served version's error over its newest kDriftWindowDays days with sales.
void judge(ProductAccuracy& p, const std::vector<const MetForecast*>& own) {
  if (own.empty()) return;
  const forecast::Date newest = own.back()->date;
  const forecast::Date first = newest - std::chrono::days{kDriftWindowDays - 1};
  std::set<forecast::Date> days;
  double sum = 0;
  std::size_t n = 0;
  for (const MetForecast* m : own) {
    if (m->date < first) continue;
    days.insert(m->date);
    sum += std::abs(m->yhat - m->sold);
    ++n;
  }
  p.recent_days = static_cast<int>(days.size());
  p.recent_mae = ratio(sum, n);
  p.drifted = p.recent_days >= kMinDriftDays && std::isfinite(p.holdout_mae) &&
              p.recent_mae > kDriftRatio * p.holdout_mae && p.recent_mae > 0;
}

}  // namespace

double LeadAccuracy::mae() const { return ratio(abs_error_sum, forecasts); }
double LeadAccuracy::mase() const { return ratio(scaled_error_sum, scaled); }
double LeadAccuracy::coverage_80() const { return ratio(static_cast<double>(covered), forecasts); }

AccuracyReport live_accuracy(const std::vector<MetForecast>& met,
                             const std::vector<StoredModel>& models) {
  std::map<std::string, const StoredModel*> served;
  for (const auto& m : models) served[m.product] = &m;
  std::map<std::string, std::vector<const MetForecast*>> by_product;
  for (const auto& m : met) by_product[m.product].push_back(&m);

  AccuracyReport report;
  for (auto& [name, rows] : by_product) {
    std::sort(rows.begin(), rows.end(), [](const MetForecast* a, const MetForecast* b) {
      return a->date != b->date ? a->date < b->date : a->lead < b->lead;
    });
    ProductAccuracy p;
    p.product = name;
    double scale = forecast::kNaN;  // the seasonal-naive in-sample MAE the hold-out MASE used
    std::vector<const MetForecast*> own;
    if (const auto it = served.find(name); it != served.end()) {
      const auto& holdout = it->second->report.holdout;
      p.model_version = it->second->version;
      p.holdout_mae = holdout.mae;
      if (std::isfinite(holdout.mase) && holdout.mase > 0) scale = holdout.mae / holdout.mase;
      for (const MetForecast* m : rows) {
        if (m->version == p.model_version) own.push_back(m);
      }
    }
    for (const MetForecast* m : rows) {
      for (std::size_t i = 0; i < kAccuracyLeads.size(); ++i) {
        if (m->lead != kAccuracyLeads[i]) continue;
        add(p.leads[i], *m, scale);
        add(report.overall[i], *m, scale);
      }
    }
    judge(p, own);
    if (p.drifted) report.drifted.push_back(name);
    report.products.push_back(std::move(p));
  }
  std::stable_partition(report.products.begin(), report.products.end(),
                        [](const ProductAccuracy& p) { return p.drifted; });
  return report;
}

}  // namespace levain::training::api
