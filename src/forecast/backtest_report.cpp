#include "forecast/backtest_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace levain::forecast {
namespace {

constexpr Method kMethods[] = {Method::kLevain, Method::kSeasonalNaive, Method::kWeekdayMean};
constexpr Policy kPolicies[] = {Policy::kLevain, Policy::kLastWeek, Policy::kWeekdayMeanPlus10};

// Right-aligned number of `width` characters; "-" when undefined.
std::string cell(double v, int width, int decimals = 3) {
  char buf[64];
  if (std::isfinite(v)) {
    std::snprintf(buf, sizeof buf, "%*.*f", width, decimals, v);
  } else {
    std::snprintf(buf, sizeof buf, "%*s", width, "-");
  }
  return buf;
}

std::string padded(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

double percent(double share) { return std::isfinite(share) ? share * 100 : kNaN; }

void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  out += buf;
}

void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

// Appends `"key":value` pairs of numbers, comma-separated.
void append_fields(std::string& out, std::initializer_list<std::pair<const char*, double>> kv) {
  bool first = true;
  for (const auto& [key, value] : kv) {
    if (!first) out += ',';
    first = false;
    append_string(out, key);
    out += ':';
    append_number(out, value);
  }
}

// `[{"level":…,"share":…,"pinball":…,"scaled_pinball":…,"days":…},…]`
void append_quantiles(std::string& out, const std::vector<QuantileScore>& quantiles) {
  out += '[';
  for (std::size_t i = 0; i < quantiles.size(); ++i) {
    const QuantileScore& q = quantiles[i];
    if (i > 0) out += ',';
    out += '{';
    append_fields(out, {{"level", q.level},
                        {"share", q.share()},
                        {"pinball", q.pinball()},
                        {"scaled_pinball", q.scaled_pinball()},
                        {"days", static_cast<double>(q.days)}});
    out += '}';
  }
  out += ']';
}

// `{"levain":{"baked":…,…},…}`
void append_plan(std::string& out, const std::array<PlanScore, kPolicyCount>& plan) {
  out += '{';
  for (const Policy p : kPolicies) {
    const PlanScore& s = plan[static_cast<std::size_t>(p)];
    if (p != kPolicies[0]) out += ',';
    append_string(out, policy_name(p));
    out += ":{";
    append_fields(out, {{"baked", s.baked},
                        {"sold", s.sold},
                        {"wasted", s.wasted},
                        {"lost", s.lost},
                        {"profit", s.profit},
                        {"days", static_cast<double>(s.days)}});
    out += '}';
  }
  out += '}';
}

void write_plan_rows(std::ostream& out, const std::array<PlanScore, kPolicyCount>& plan) {
  out << "  " << padded("policy", 26)
      << "       baked        sold      wasted        lost      profit  waste%  vs best baseline\n";
  const double best = std::max(plan[1].profit, plan[2].profit);
  for (const Policy p : kPolicies) {
    const PlanScore& s = plan[static_cast<std::size_t>(p)];
    out << "  " << padded(policy_name(p), 26) << cell(s.baked, 12, 1) << cell(s.sold, 12, 1)
        << cell(s.wasted, 12, 1) << cell(s.lost, 12, 1) << cell(s.profit, 12, 1)
        << cell(s.baked > 0 ? 100 * s.wasted / s.baked : kNaN, 8, 1);
    if (p == Policy::kLevain && best > 0) {
      out << cell(100 * (s.profit - best) / best, 10, 1) << "% profit";
    }
    out << '\n';
  }
}

}  // namespace

void write_backtest_table(std::ostream& out, const BacktestResult& r) {
  const auto& o = r.options;
  const std::string header = "  " + padded("method", 16) +
                             "   MASE   MAPE%  sMAPE%        MAE  cover80%  fit ms  origins\n";
  for (const auto& p : r.products) {
    out << p.product;
    if (!p.skipped.empty()) {
      out << ": skipped (" << p.skipped << ")\n\n";
      continue;
    }
    out << "  (Levain kept seasonal naive at " << p.levain_fallbacks << " of "
        << p.methods[0].origins << " origins)\n"
        << header;
    for (const Method m : kMethods) {
      const MethodScore& s = p.methods[static_cast<std::size_t>(m)];
      out << "  " << padded(method_name(m), 16) << cell(s.mean.mase, 7) << cell(s.mean.mape, 8, 1)
          << cell(s.mean.smape, 8, 1) << cell(s.mean.mae, 11, 4) << cell(percent(s.coverage), 10, 1)
          << cell(s.fit_ms, 8, 2) << cell(s.origins, 9, 0) << '\n';
    }
    if (o.plan) write_plan_rows(out, p.plan);
    out << '\n';
  }
  out << "Aggregate over every (product, origin) pair: horizon " << o.horizon << ", " << o.origins
      << " origins " << o.spacing << " days apart, up to " << o.train_days
      << " training days; Levain kept seasonal naive in " << r.levain_fallbacks << " of "
      << r.levain_fits << " fits\n"
      << "  " << padded("method", 16)
      << "  MASE mean  median  (by product)  MAPE% mean  median  sMAPE%  cover80%  fit ms  pairs\n";
  for (const Method m : kMethods) {
    const AggregateScore& a = r.aggregate[static_cast<std::size_t>(m)];
    out << "  " << padded(method_name(m), 16) << cell(a.mean_mase, 11) << cell(a.median_mase, 8)
        << cell(a.median_product_mase, 14) << cell(a.mean_mape, 12, 1) << cell(a.median_mape, 8, 1)
        << cell(a.mean_smape, 8, 1) << cell(percent(a.coverage), 10, 1) << cell(a.fit_ms, 8, 2)
        << cell(a.pairs, 7, 0) << '\n';
  }
  if (!o.quantiles.empty()) {
    out << "Quantiles, pooled over every scored day: the share of days at or below the quantile "
           "(calibrated: the level), the mean pinball loss in units and scaled by the naive MAE\n"
        << "  " << padded("method", 16) << "  level  at/below%   pinball    scaled\n";
    for (const Method m : kMethods) {
      for (const QuantileScore& q : r.aggregate[static_cast<std::size_t>(m)].quantiles) {
        out << "  " << padded(method_name(m), 16) << cell(q.level, 7, 3)
            << cell(percent(q.share()), 11, 1) << cell(q.pinball(), 10, 4)
            << cell(q.scaled_pinball(), 10, 4) << '\n';
      }
    }
  }
  if (o.plan) {
    out << "Bake plan over every scored day (price 1, unit cost " << o.cost_share
        << "; Levain bakes its quantile at the critical ratio " << 1 - o.cost_share << ")\n";
    write_plan_rows(out, r.plan);
  }
}

std::string backtest_json(const BacktestResult& r) {
  const auto& o = r.options;
  std::string out = "{";
  out += "\"quantile_levels\":[";
  for (std::size_t i = 0; i < o.quantiles.size(); ++i) {
    if (i > 0) out += ',';
    append_number(out, o.quantiles[i]);
  }
  out += "],";
  append_fields(out, {{"horizon", o.horizon},
                      {"origins", o.origins},
                      {"spacing", o.spacing},
                      {"train_days", o.train_days},
                      {"levain_fits", r.levain_fits},
                      {"levain_fallbacks", r.levain_fallbacks}});
  out += ",\"aggregate\":{";
  for (const Method m : kMethods) {
    const AggregateScore& a = r.aggregate[static_cast<std::size_t>(m)];
    if (m != kMethods[0]) out += ',';
    append_string(out, method_name(m));
    out += ":{";
    append_fields(out, {{"mean_mase", a.mean_mase},
                        {"median_mase", a.median_mase},
                        {"median_product_mase", a.median_product_mase},
                        {"mean_mape", a.mean_mape},
                        {"median_mape", a.median_mape},
                        {"mean_smape", a.mean_smape},
                        {"coverage", a.coverage},
                        {"fit_ms", a.fit_ms},
                        {"products", a.products},
                        {"pairs", a.pairs}});
    out += ",\"quantiles\":";
    append_quantiles(out, a.quantiles);
    out += '}';
  }
  out += '}';
  if (o.plan) {
    out += ",\"plan\":{";
    append_fields(out, {{"cost_share", o.cost_share}, {"service_level", 1 - o.cost_share}});
    out += ",\"policies\":";
    append_plan(out, r.plan);
    out += '}';
  }
  out += ",\"products\":[";
  for (std::size_t i = 0; i < r.products.size(); ++i) {
    const auto& p = r.products[i];
    if (i > 0) out += ',';
    out += "{\"product\":";
    append_string(out, p.product);
    out += ",\"skipped\":";
    if (p.skipped.empty()) {
      out += "null";
    } else {
      append_string(out, p.skipped);
    }
    out += ',';
    append_fields(out, {{"levain_fallbacks", p.levain_fallbacks}});
    out += ",\"methods\":{";
    for (const Method m : kMethods) {
      const MethodScore& s = p.methods[static_cast<std::size_t>(m)];
      if (m != kMethods[0]) out += ',';
      append_string(out, method_name(m));
      out += ":{";
      append_fields(out, {{"origins", s.origins},
                          {"days", static_cast<double>(s.days)},
                          {"mae", s.mean.mae},
                          {"rmse", s.mean.rmse},
                          {"mape", s.mean.mape},
                          {"smape", s.mean.smape},
                          {"mase", s.mean.mase},
                          {"coverage", s.coverage},
                          {"fit_ms", s.fit_ms}});
      out += ",\"origin_mase\":[";
      for (std::size_t k = 0; k < s.per_origin.size(); ++k) {
        if (k > 0) out += ',';
        append_number(out, s.per_origin[k].mase);
      }
      out += "],\"quantiles\":";
      append_quantiles(out, s.quantiles);
      out += '}';
    }
    out += '}';
    if (o.plan) {
      out += ",\"plan\":";
      append_plan(out, p.plan);
    }
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace levain::forecast
