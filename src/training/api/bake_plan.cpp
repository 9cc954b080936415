#include "training/api/bake_plan.hpp"

#include <algorithm>
#include <map>

#include "forecast/csv_reader.hpp"
#include "forecast/dates.hpp"
#include "forecast/quantile.hpp"
#include "training/api/rest_util.hpp"

namespace levain::training::api {

BakePlan make_bake_plan(const std::vector<StoredModel>& models,
                        const std::vector<ProductEconomics>& economics, double unit_cost_share,
                        std::optional<forecast::Date> date, int days) {
  BakePlan plan;
  plan.days = days;
  if (date) {
    plan.date = *date;
  } else {
    for (const auto& m : models) {
      if (!m.report.forecast.empty()) plan.date = std::max(plan.date, m.report.forecast[0].date);
    }
  }
  std::map<std::string, const forecast::Economics*> by_product;
  for (const auto& e : economics) by_product[e.product] = &e.economics;
  // Without a row, only the ratio of cost to price is known: price 1 makes the cost the share.
  const forecast::Economics fallback{.unit_cost = unit_cost_share, .price = 1};

  for (const auto& m : models) {
    const auto& points = m.report.forecast;
    const auto found = by_product.find(m.product);
    const bool own = found != by_product.end();
    const forecast::Economics& econ = own ? *found->second : fallback;
    for (int k = 0; k < days; ++k) {
      const forecast::Date day = plan.date + std::chrono::days{k};
      const auto point =
          std::find_if(points.begin(), points.end(),
                       [&](const forecast::ForecastPoint& p) { return p.date == day; });
      if (point == points.end()) {
        std::string reason = "no forecast for " + forecast::format_iso_date(day);
        if (!points.empty()) {
          reason += ": its model (version " + std::to_string(m.version) + ") forecasts " +
                    forecast::format_iso_date(points.front().date) + " to " +
                    forecast::format_iso_date(points.back().date);
        }
        plan.skipped.push_back({m.product, std::move(reason)});
        break;  // one sentence per product is enough
      }
      const auto quantile = [&](double level) {
        return forecast::forecast_quantile(m.report, *point, level);
      };
      plan.lines.push_back({m.product, day, forecast::plan_bake(quantile, econ), econ, !own,
                            m.report.model, m.version});
    }
  }
  return plan;
}

std::string bake_plan_csv(const BakePlan& plan) {
  std::string out =
      "date,product,quantity,service_level,median,expected_sold,expected_waste,"
      "expected_lost_sales,expected_profit,unit_cost,price,economics,model_version\n";
  for (const auto& l : plan.lines) {
    const auto& d = l.decision;
    out += forecast::format_iso_date(l.date);
    out += ',';
    forecast::append_csv_field(out, l.product);
    out += ',' + std::to_string(d.quantity) + ',';
    for (const double v :
         {d.service_level, d.median, d.expected_sold, d.expected_waste, d.expected_lost_sales}) {
      out += two_decimals(v) + ',';
    }
    if (!l.default_economics) {
      out += two_decimals(d.expected_profit) + ',' + two_decimals(l.economics.unit_cost) + ',' +
             two_decimals(l.economics.price);
    } else {
      out += ",,";
    }
    out += l.default_economics ? ",default," : ",product,";
    out += std::to_string(l.model_version) + '\n';
  }
  return out;
}

}  // namespace levain::training::api
