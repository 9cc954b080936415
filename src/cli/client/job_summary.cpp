#include "cli/client/job_summary.hpp"

#include <cstdio>

namespace levain::cli {
namespace {

namespace json = boost::json;

std::string number(const json::value* v, const char* format) {
  if (v == nullptr || !v->is_number()) return "n/a";
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v->to_number<double>());
  return buf;
}

std::int64_t count(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->get_int64() : 0;
}

std::string text(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

std::string plural(std::int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string accuracy_line(const json::object& s) {
  std::string line = "accuracy: median MASE " + number(s.if_contains("median_mase"), "%.2f") +
                     ", mean MAPE " + number(s.if_contains("mean_mape"), "%.1f%%") + ", " +
                     plural(count(s, "fallbacks"), "fallback", "fallbacks") + ", " +
                     std::to_string(count(s, "failed")) + " failed";
  const auto* worst = s.if_contains("worst");
  if (worst != nullptr && worst->is_array() && !worst->get_array().empty()) {
    line += "; worst:";
    bool first = true;
    for (const auto& w : worst->get_array()) {
      if (!w.is_object()) continue;
      line += first ? " " : ", ";
      first = false;
      line += text(w.get_object(), "product_name") + " " +
              number(w.get_object().if_contains("mase"), "%.2f");
    }
  }
  return line;
}

std::string report_line(const json::object& r) {
  std::string line = "data: " + plural(count(r, "products"), "product", "products") + ", " +
                     plural(count(r, "days"), "day", "days");
  if (const auto first = text(r, "first_date"); !first.empty()) {
    line += " from " + first + " to " + text(r, "last_date");
  }
  if (const auto* rows = r.if_contains("rows_per_product"); rows && rows->is_object()) {
    const auto& o = rows->get_object();
    line += "; rows per product " + std::to_string(count(o, "min")) + "/" +
            std::to_string(count(o, "median")) + "/" + std::to_string(count(o, "max")) +
            " (min/median/max)";
  }
  auto add = [&line](std::int64_t n, const std::string& what) {
    if (n > 0) line += "; " + what;
  };
  add(count(r, "products_with_gaps"),
      plural(count(r, "products_with_gaps"), "product", "products") + " with gaps (" +
          plural(count(r, "missing_days"), "day", "days") + " missing)");
  add(count(r, "short_history_count"),
      std::to_string(count(r, "short_history_count")) + " under 8 weeks (seasonal naive)");
  add(count(r, "stale_count"), std::to_string(count(r, "stale_count")) + " not sold in 4 weeks");
  add(count(r, "closed_days_count"),
      plural(count(r, "closed_days_count"), "closed day", "closed days"));
  add(count(r, "sold_out_days_count"),
      plural(count(r, "sold_out_days_count"), "day", "days") + " that look sold out");
  add(count(r, "negative_values"),
      plural(count(r, "negative_values"), "negative quantity", "negative quantities") + " refused");
  add(count(r, "unknown_values"),
      plural(count(r, "unknown_values"), "unknown value", "unknown values"));
  add(count(r, "duplicates_replaced"),
      plural(count(r, "duplicates_replaced"), "row", "rows") + " replaced by the last upload");
  return line;
}

}  // namespace

std::vector<std::string> summary_lines(const LiveState& state) {
  std::vector<std::string> lines;
  if (!state.summary().empty()) lines.push_back(accuracy_line(state.summary()));
  if (!state.report().empty()) lines.push_back(report_line(state.report()));
  return lines;
}

}  // namespace levain::cli
