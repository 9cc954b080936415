// Fit + hold-out + forecast time of one product on 3 years of demo-like daily data
// (issue 5's target: under 5 ms on one core).
#include <benchmark/benchmark.h>

#include <map>
#include <sstream>

#include "forecast/csv.hpp"
#include "forecast/demo_data.hpp"
#include "forecast/model.hpp"

namespace {

using levain::forecast::Series;

std::vector<Series> demo_series(int products, int days) {
  std::ostringstream out;
  levain::forecast::write_demo_csv(out, {.products = products, .days = days, .seed = 7});
  const auto parsed = levain::forecast::parse_sales_csv(out.str());
  std::map<std::string, Series> by_product;
  for (const auto& row : parsed.rows) {
    Series& s = by_product[row.product];
    if (s.y.empty()) {
      s.product = row.product;
      s.start = row.date;
    }
    s.y.push_back(row.quantity);  // the demo writes every day of every product, in date order
  }
  std::vector<Series> out_series;
  for (auto& [name, s] : by_product) out_series.push_back(std::move(s));
  return out_series;
}

void BM_FitAndForecast3Years(benchmark::State& state) {
  const auto series = demo_series(8, 3 * 365);
  const levain::forecast::ModelOptions options{.horizon_days = 14, .holdout_days = 28};
  std::size_t i = 0;
  for (auto _ : state) {
    auto report = levain::forecast::fit_and_forecast(series[i++ % series.size()], options);
    benchmark::DoNotOptimize(report);
  }
}
BENCHMARK(BM_FitAndForecast3Years)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
