#include "training/progress/data_report.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>

#include "forecast/dates.hpp"
#include "forecast/model.hpp"

namespace levain::training {
namespace {

using forecast::Date;
using forecast::Series;

// A weekday counts as "never zero otherwise" when at least 8 of its days sold and its zeros are
// at most one, or 1 in 20 of those: enough weeks to call a zero unusual rather than a quiet day.
constexpr std::size_t kMinWeekdaySales = 8;
constexpr std::size_t kZeroShareDivisor = 20;
constexpr auto kStaleAfter = std::chrono::days{28};

Date day_of(const Series& s, std::size_t i) {
  return s.start + std::chrono::days{static_cast<long>(i)};
}

unsigned weekday_of(Date d) { return std::chrono::weekday{d}.c_encoding(); }

boost::json::string iso(Date d) { return boost::json::string(forecast::format_iso_date(d)); }

template <class T, class Less>
void keep_first(std::vector<T>& items, Less less) {
  std::stable_sort(items.begin(), items.end(), less);
  if (items.size() > kReportListMax) items.resize(kReportListMax);
}

}  // namespace

boost::json::object data_report(const std::vector<std::string>& products,
                                const std::vector<std::optional<Series>>& series,
                                const UploadQuality& upload,
                                const forecast::HolidayCalendar* holidays) {
  const auto holiday = [holidays](Date d) { return holidays != nullptr && holidays->contains(d); };
  std::optional<Date> first, last;
  std::vector<std::size_t> rows;
  std::size_t unknown_cells = 0;
  for (const auto& s : series) {
    if (!s || s->y.empty()) continue;
    const Date end = day_of(*s, s->y.size() - 1);
    first = first ? std::min(*first, s->start) : s->start;
    last = last ? std::max(*last, end) : end;
    rows.push_back(static_cast<std::size_t>(
        std::count_if(s->y.begin(), s->y.end(), [](double v) { return std::isfinite(v); })));
    for (std::size_t i = 0; i < s->y.size(); ++i) {
      if (!std::isfinite(s->y[i])) continue;
      for (const auto& column : s->regressors) {
        if (i < column.size() && std::isnan(column[i])) ++unknown_cells;
      }
    }
  }

  struct Gap {
    std::string product;
    std::size_t missing;
  };
  struct Stale {
    std::string product;
    Date last_sale;
  };
  struct SoldOut {
    std::string product;
    Date day;
  };
  std::vector<Gap> gaps;
  std::vector<Stale> stale;
  std::vector<std::string> short_history;
  std::vector<SoldOut> sold_out;
  std::size_t missing_days = 0, short_count = 0;
  // Per day of the whole range: products whose history covers it, and those of them at zero or
  // without a row (a closed shop has every product at zero on the same day).
  const std::size_t span = first ? static_cast<std::size_t>((*last - *first).count()) + 1 : 0;
  std::vector<std::uint32_t> covering(span), quiet(span), zeros(span);

  for (std::size_t p = 0; p < series.size(); ++p) {
    const std::string& name = p < products.size() ? products[p] : std::string();
    const auto& s = series[p];
    if (!s || s->y.empty()) {
      short_history.push_back(name);
      ++short_count;
      continue;
    }
    const auto offset = static_cast<std::size_t>((s->start - *first).count());
    std::size_t missing = 0;
    std::optional<Date> last_sale;
    std::array<std::size_t, 7> zero_days{}, sale_days{};
    for (std::size_t i = 0; i < s->y.size(); ++i) {
      const double v = s->y[i];
      ++covering[offset + i];
      if (!std::isfinite(v)) {
        ++missing;
        ++quiet[offset + i];
        continue;
      }
      if (v == 0) {
        if (!holiday(day_of(*s, i))) ++zero_days[weekday_of(day_of(*s, i))];
        ++quiet[offset + i];
        ++zeros[offset + i];
      } else {
        ++sale_days[weekday_of(day_of(*s, i))];
        last_sale = day_of(*s, i);
      }
    }
    missing_days += missing;
    if (missing > 0) gaps.push_back({name, missing});
    if (forecast::falls_back_for_history(*s)) {
      ++short_count;
      short_history.push_back(name);
    }
    if (!last_sale || *last_sale + kStaleAfter < *last)
      stale.push_back({name, last_sale.value_or(s->start)});
    for (std::size_t i = 0; i < s->y.size(); ++i) {
      if (s->y[i] != 0 || holiday(day_of(*s, i))) continue;
      const auto w = weekday_of(day_of(*s, i));
      if (sale_days[w] >= kMinWeekdaySales &&
          zero_days[w] <= std::max<std::size_t>(1, sale_days[w] / kZeroShareDivisor)) {
        sold_out.push_back({name, day_of(*s, i)});
      }
    }
  }

  // A day the whole shop stood still: at least two products cover it and none sold anything.
  std::vector<Date> closed;
  for (std::size_t d = 0; d < span; ++d) {
    if (covering[d] >= 2 && quiet[d] == covering[d] && zeros[d] > 0) {
      closed.push_back(*first + std::chrono::days{static_cast<long>(d)});
    }
  }
  // A closed day is not a product sold out on it.
  std::erase_if(sold_out, [&](const SoldOut& s) {
    return std::binary_search(closed.begin(), closed.end(), s.day);
  });

  const std::size_t gap_count = gaps.size(), stale_count = stale.size();
  const std::size_t closed_count = closed.size(), sold_out_count = sold_out.size();
  keep_first(gaps, [](const Gap& a, const Gap& b) { return a.missing > b.missing; });
  keep_first(stale, [](const Stale& a, const Stale& b) { return a.last_sale < b.last_sale; });
  keep_first(sold_out, [](const SoldOut& a, const SoldOut& b) { return a.day > b.day; });
  if (short_history.size() > kReportListMax) short_history.resize(kReportListMax);
  if (closed.size() > kReportListMax) closed.erase(closed.begin(), closed.end() - kReportListMax);

  boost::json::object rows_per_product{{"min", nullptr}, {"median", nullptr}, {"max", nullptr}};
  if (!rows.empty()) {
    std::sort(rows.begin(), rows.end());
    rows_per_product = {
        {"min", rows.front()}, {"median", rows[rows.size() / 2]}, {"max", rows.back()}};
  }
  boost::json::array gap_list, stale_list, short_list, closed_list, sold_out_list;
  for (const auto& g : gaps)
    gap_list.push_back({{"product_name", g.product}, {"missing_days", g.missing}});
  for (const auto& s : stale)
    stale_list.push_back({{"product_name", s.product}, {"last_sale", iso(s.last_sale)}});
  for (const auto& n : short_history) short_list.emplace_back(n);
  for (const auto& d : closed) closed_list.emplace_back(iso(d));
  for (const auto& s : sold_out)
    sold_out_list.push_back({{"product_name", s.product}, {"date", iso(s.day)}});

  return {{"products", products.size()},
          {"days", span},
          {"first_date", first ? boost::json::value(iso(*first)) : nullptr},
          {"last_date", last ? boost::json::value(iso(*last)) : nullptr},
          {"rows_per_product", std::move(rows_per_product)},
          {"products_with_gaps", gap_count},
          {"missing_days", missing_days},
          {"gaps", std::move(gap_list)},
          {"negative_values", upload.negative},
          {"unknown_values", upload.unknown + unknown_cells},
          {"short_history", std::move(short_list)},
          {"short_history_count", short_count},
          {"stale", std::move(stale_list)},
          {"stale_count", stale_count},
          {"closed_days", std::move(closed_list)},
          {"closed_days_count", closed_count},
          {"sold_out_days", std::move(sold_out_list)},
          {"sold_out_days_count", sold_out_count},
          {"duplicates_replaced", upload.replaced}};
}

}  // namespace levain::training
