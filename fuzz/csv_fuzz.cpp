// libFuzzer target for the CSV uploads (src/forecast/csv*.cpp, holiday_csv.cpp, products_csv.cpp)
// and the JSON writer their answers go through. Input: the first byte picks the parser and the
// date format, the rest is the body. Oracles: nothing crashes or throws; a fatal body keeps no
// rows; the reported rejections are bounded and in line order; every reason, echoed bytes
// included, turns into JSON that Boost parses back under its strict UTF-8 check; parsing is
// deterministic.
#include <boost/json/parse.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/json_text.hpp"
#include "forecast/csv.hpp"
#include "forecast/holidays.hpp"
#include "forecast/products_csv.hpp"

namespace levain::fuzz {
namespace {

using forecast::CsvRejection;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "csv_fuzz invariant violated: %s\n", what);
  std::abort();
}

void check_json(const std::string& text) {
  const auto written = common::to_json_text(boost::json::value(text));
  boost::system::error_code ec;
  const auto back = boost::json::parse(written, ec);
  require(!ec && back.is_string(), "a reason is written as a JSON string that parses back");
}

void check_rejections(const std::vector<CsvRejection>& rejected, std::size_t total,
                      const forecast::CsvLimits& limits) {
  require(rejected.size() <= limits.max_rejections_reported, "reported rejections are bounded");
  require(rejected.size() <= total, "the total counts every reported rejection");
  for (std::size_t i = 0; i < rejected.size(); ++i) {
    require(rejected[i].line >= 2, "a rejected row is after the header");
    require(i == 0 || rejected[i - 1].line < rejected[i].line, "rejections are in line order");
    require(!rejected[i].reason.empty(), "a rejection has a reason");
    check_json(rejected[i].reason);
  }
}

}  // namespace
}  // namespace levain::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace levain;
  using namespace levain::fuzz;
  if (size == 0) return 0;
  const auto format = static_cast<forecast::DateFormat>(data[0] % 4);
  const bool holidays = (data[0] / 4) % 2 == 1;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  // Small limits, so that the limit paths are reached by small inputs too.
  const forecast::CsvLimits limits{.max_rows = 64,
                                   .max_line_bytes = 256,
                                   .max_rejections_reported = 8,
                                   .max_product_name = 32,
                                   .max_regressors = 4};
  if ((data[0] / 8) % 2 == 1) {
    const auto r = forecast::parse_products_csv(body, limits);
    check_json(r.fatal_error);
    require(r.fatal_error.empty() || (r.rows.empty() && r.accepted == 0),
            "a fatal body keeps nothing");
    check_rejections(r.rejected, r.rejected_total, limits);
    require(r.rows.size() <= r.accepted, "a product is kept once");
    for (const auto& row : r.rows) {
      const auto& e = row.economics;
      require(std::isfinite(e.unit_cost) && e.unit_cost >= 0 && std::isfinite(e.price) &&
                  e.price > 0 && e.min_batch >= 0 && e.batch_size >= 1,
              "economics are in range");
      check_json(row.product);
    }
    return 0;
  }
  if (holidays) {
    const auto r = forecast::parse_holiday_csv(body, limits, format);
    check_json(r.fatal_error);
    require(r.fatal_error.empty() || r.accepted == 0, "a fatal body keeps nothing");
    check_rejections(r.rejected, r.rejected_total, limits);
    const auto again = forecast::parse_holiday_csv(body, limits, format);
    require(again.fatal_error == r.fatal_error && again.accepted == r.accepted,
            "parsing is deterministic");
    return 0;
  }
  const auto r = forecast::parse_sales_csv(body, limits, format);
  check_json(r.fatal_error);
  require(r.fatal_error.empty() || (r.rows.empty() && r.rejected.empty()),
          "a fatal body keeps nothing");
  require(r.rows.size() + r.rejected_total <= limits.max_rows, "rows are bounded");
  check_rejections(r.rejected, r.rejected_total, limits);
  for (const auto& row : r.rows) {
    require(row.regressors.size() == r.regressor_names.size(), "a row has every regressor");
    require(row.quantity >= 0, "quantities are not negative");
    check_json(row.product);
  }
  const auto again = forecast::parse_sales_csv(body, limits, format);
  require(again.fatal_error == r.fatal_error && again.rows.size() == r.rows.size() &&
              again.rejected_total == r.rejected_total,
          "parsing is deterministic");
  return 0;
}
