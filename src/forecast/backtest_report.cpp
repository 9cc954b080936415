#include "forecast/backtest_report.hpp"

#include <cmath>
#include <cstdio>

namespace levain::forecast {
namespace {

constexpr Method kMethods[] = {Method::kLevain, Method::kSeasonalNaive, Method::kWeekdayMean};

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
}

std::string backtest_json(const BacktestResult& r) {
  const auto& o = r.options;
  std::string out = "{";
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
    out += '}';
  }
  out += "},\"products\":[";
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
      out += "]}";
    }
    out += "}}";
  }
  out += "]}";
  return out;
}

}  // namespace levain::forecast
