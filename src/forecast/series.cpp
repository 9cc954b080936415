#include "forecast/series.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace levain::forecast {

Series slice_series(const Series& s, std::size_t first, std::size_t count) {
  Series out;
  out.product = s.product;
  first = std::min(first, s.y.size());
  count = std::min(count, s.y.size() - first);
  out.start = s.start + std::chrono::days{static_cast<long>(first)};
  const auto begin = s.y.begin() + static_cast<std::ptrdiff_t>(first);
  out.y.assign(begin, begin + static_cast<std::ptrdiff_t>(count));
  out.regressor_names = s.regressor_names;
  for (const auto& r : s.regressors) {
    std::vector<double> slice(count, kNaN);
    for (std::size_t i = 0; i < count && first + i < r.size(); ++i) slice[i] = r[first + i];
    out.regressors.push_back(std::move(slice));
  }
  if (!s.sold_out.empty()) {
    out.sold_out.assign(count, 0);
    for (std::size_t i = 0; i < count && first + i < s.sold_out.size(); ++i) {
      out.sold_out[i] = s.sold_out[first + i];
    }
  }
  return out;
}

std::vector<Series> series_from_rows(const std::vector<Observation>& rows,
                                     const std::vector<std::string>& regressor_names,
                                     int max_days) {
  struct Span {
    Date first;
    Date last;
  };
  std::unordered_map<std::string, std::size_t> index;
  std::vector<Span> spans;
  std::vector<Series> out;
  for (const auto& row : rows) {
    const auto [it, added] = index.try_emplace(row.product, out.size());
    if (added) {
      out.emplace_back().product = row.product;
      spans.push_back({row.date, row.date});
    }
    Span& span = spans[it->second];
    span.first = std::min(span.first, row.date);
    span.last = std::max(span.last, row.date);
  }
  const long keep = std::max(1, max_days);
  for (std::size_t i = 0; i < out.size(); ++i) {
    Series& s = out[i];
    s.start = std::max(spans[i].first, spans[i].last - std::chrono::days{keep - 1});
    const auto days = static_cast<std::size_t>((spans[i].last - s.start).count() + 1);
    s.y.assign(days, kNaN);
    s.regressor_names = regressor_names;
    s.regressors.assign(regressor_names.size(), std::vector<double>(days, kNaN));
  }
  for (const auto& row : rows) {
    Series& s = out[index.at(row.product)];
    if (row.date < s.start) continue;
    const auto day = static_cast<std::size_t>((row.date - s.start).count());
    s.y[day] = row.quantity;
    if (row.sold_out && s.sold_out.empty()) s.sold_out.assign(s.y.size(), 0);
    if (!s.sold_out.empty()) s.sold_out[day] = row.sold_out ? 1 : 0;
    for (std::size_t r = 0; r < s.regressors.size() && r < row.regressors.size(); ++r) {
      s.regressors[r][day] = row.regressors[r];
    }
  }
  return out;
}

}  // namespace levain::forecast
