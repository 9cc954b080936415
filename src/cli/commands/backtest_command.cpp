// `levain backtest`: reads a sales CSV (and an optional holiday calendar), runs the rolling-origin
// backtest of src/forecast/backtest.hpp and prints its tables or JSON.
#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "cli/client/terminal.hpp"
#include "cli/commands/commands.hpp"
#include "forecast/backtest.hpp"
#include "forecast/backtest_report.hpp"
#include "forecast/censor_check.hpp"
#include "forecast/csv.hpp"
#include "forecast/holidays.hpp"
#include "forecast/series.hpp"

namespace levain::cli {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 1ULL << 30;

struct BacktestFlags {
  std::string csv_path;
  std::string holidays_path;
  bool no_builtin_holidays = false;
  std::vector<std::string> products;
  forecast::BacktestOptions options;
  bool json = false;
  bool progress = false;
  bool censor_test = false;
  double bake_quantile = 0.7;
};

// Reads a whole file, or a pipe such as /dev/stdin, refusing more than kMaxFileBytes.
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
  std::string body;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    body.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (body.size() > kMaxFileBytes) {
      throw std::runtime_error("'" + path + "' is larger than 1 GiB");
    }
  }
  if (in.bad()) throw std::runtime_error("cannot read '" + path + "'");
  return body;
}

void warn_rejected(const std::string& path, std::size_t total,
                   const std::vector<forecast::CsvRejection>& rejected) {
  if (total == 0) return;
  std::cerr << "levain backtest: " << path << ": " << total << " row(s) skipped";
  for (std::size_t i = 0; i < rejected.size() && i < 5; ++i) {
    std::cerr << (i == 0 ? ": " : "; ") << "line " << rejected[i].line << ": "
              << rejected[i].reason;
  }
  std::cerr << (total > 5 ? "; ...\n" : "\n");
}

// Bias as a share of the scored days' true demand, in percent.
double percent_of(double error_sum, double demand_sum) {
  return demand_sum > 0 ? 100 * error_sum / demand_sum : forecast::kNaN;
}

boost::json::value number(double v) { return std::isfinite(v) ? boost::json::value(v) : nullptr; }

boost::json::object side_json(const forecast::CensorSide& side, double demand_sum) {
  return {{"bias", number(side.bias())},
          {"bias_percent", number(percent_of(side.error_sum, demand_sum))},
          {"mae", number(side.mae())},
          {"days", side.days}};
}

int print_censor_check(const BacktestFlags& f, const std::vector<forecast::Series>& series) {
  const auto& b = f.options;
  const forecast::CensorCheckOptions options{.horizon = b.horizon,
                                             .origins = b.origins,
                                             .spacing = b.spacing,
                                             .train_days = b.train_days,
                                             .holdout_days = b.holdout_days,
                                             .bake_quantile = f.bake_quantile,
                                             .holidays = b.holidays,
                                             .extra_holidays = b.extra_holidays,
                                             .on_product = b.on_product};
  const auto r = forecast::run_censor_check(series, options);
  const double ratio = std::abs(r.with_flag.bias()) / std::abs(r.without_flag.bias());
  if (f.json) {
    boost::json::array products;
    for (const auto& p : r.products) {
      products.push_back({{"product", p.product},
                          {"bake", number(p.bake)},
                          {"sold_out_days", p.sold_out_days},
                          {"history_days", p.history_days},
                          {"with_flag", side_json(p.with_flag, p.demand_sum)},
                          {"without_flag", side_json(p.without_flag, p.demand_sum)},
                          {"uncapped", side_json(p.uncapped, p.demand_sum)},
                          {"skipped", p.skipped.empty() ? boost::json::value(nullptr)
                                                        : boost::json::value(p.skipped)}});
    }
    std::cout << boost::json::object{{"bake_quantile", r.options.bake_quantile},
                                     {"horizon", r.options.horizon},
                                     {"origins", r.options.origins},
                                     {"sold_out_days", r.sold_out_days},
                                     {"history_days", r.history_days},
                                     {"with_flag", side_json(r.with_flag, r.demand_sum)},
                                     {"without_flag", side_json(r.without_flag, r.demand_sum)},
                                     {"uncapped", side_json(r.uncapped, r.demand_sum)},
                                     {"bias_ratio", number(ratio)},
                                     {"products", std::move(products)}}
              << '\n';
  } else {
    std::cout << "Censor test: each product's demand capped at a fixed daily bake (its "
              << r.options.bake_quantile << " quantile), those days marked sold out; "
              << r.sold_out_days << " of " << r.history_days
              << " history days sold out. Forecast minus true demand over " << r.with_flag.days
              << " scored days:\n"
              << std::fixed << std::setprecision(2);
    const auto row = [&](const char* name, const forecast::CensorSide& side) {
      std::cout << "  " << std::left << std::setw(22) << name << std::right << " bias "
                << std::setw(8) << side.bias() << " units/day ("
                << percent_of(side.error_sum, r.demand_sum) << "%), MAE " << side.mae() << '\n';
    };
    row("knows the flag", r.with_flag);
    row("ignores the flag", r.without_flag);
    row("uncapped (the model)", r.uncapped);
    std::cout << "  |bias| knowing the flag / ignoring it: " << ratio << '\n';
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

int run_backtest_command(BacktestFlags& f) {
  const auto sales = forecast::parse_sales_csv(read_file(f.csv_path));
  if (!sales.fatal_error.empty()) throw std::runtime_error(f.csv_path + ": " + sales.fatal_error);
  warn_rejected(f.csv_path, sales.rejected_total, sales.rejected);

  forecast::HolidayCalendar calendar;
  if (!f.holidays_path.empty()) {
    auto parsed = forecast::parse_holiday_csv(read_file(f.holidays_path), {.max_rows = 100'000});
    if (!parsed.fatal_error.empty()) {
      throw std::runtime_error(f.holidays_path + ": " + parsed.fatal_error);
    }
    warn_rejected(f.holidays_path, parsed.rejected_total, parsed.rejected);
    calendar = std::move(parsed.calendar);
  }
  auto& o = f.options;
  if (f.no_builtin_holidays) {
    o.holidays = &calendar;  // only the file's holidays (none without --holidays)
  } else if (!calendar.empty()) {
    o.extra_holidays = &calendar;  // Spain's plus the file's, as training does
  }

  const int keep = o.train_days + o.horizon + o.spacing * (o.origins - 1);
  auto series = forecast::series_from_rows(sales.rows, sales.regressor_names, keep);
  if (!f.products.empty()) {
    std::vector<forecast::Series> chosen;
    for (const auto& name : f.products) {
      const auto it = std::find_if(series.begin(), series.end(),
                                   [&](const forecast::Series& s) { return s.product == name; });
      if (it == series.end()) throw std::runtime_error("no rows for product '" + name + "'");
      chosen.push_back(std::move(*it));
      series.erase(it);
    }
    series = std::move(chosen);
  }
  if (f.progress || is_terminal(std::cerr)) {
    o.on_product = [](std::size_t done, std::size_t total, const std::string& product) {
      std::cerr << "backtest: " << done << "/" << total << " " << product << std::endl;
    };
  }
  if (f.censor_test) return print_censor_check(f, series);
  const auto result = forecast::run_backtest(series, o);
  if (f.json) {
    std::cout << forecast::backtest_json(result) << '\n';
  } else {
    forecast::write_backtest_table(std::cout, result);
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace

void add_backtest_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "backtest",
      "Rolling-origin backtest of Levain's model against seasonal naive and the mean of the last "
      "4 same weekdays, on a sales CSV (date,product,quantity)");
  auto f = std::make_shared<BacktestFlags>();
  cmd->add_option("csv", f->csv_path, "Sales CSV: date,product,quantity[,regressors...]")
      ->required();
  cmd->add_option("--holidays", f->holidays_path,
                  "Holiday calendar CSV (date,holiday), added to Spain's built-in holidays");
  cmd->add_flag("--no-builtin-holidays", f->no_builtin_holidays,
                "Leave Spain's national holidays out (for data from elsewhere)");
  cmd->add_option("--horizon", f->options.horizon, "Days scored after each origin")
      ->capture_default_str()
      ->check(CLI::Range(1, 366));
  cmd->add_option("--origins", f->options.origins,
                  "Number of origins; the last origin's horizon ends on the product's last day")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--spacing", f->options.spacing, "Days between origins")
      ->capture_default_str()
      ->check(CLI::Range(1, 366));
  cmd->add_option("--train-days", f->options.train_days,
                  "Days of history before each origin that the fits see")
      ->capture_default_str()
      ->check(CLI::Range(7, 20000));
  cmd->add_option("--products", f->products, "Only these products (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--quantiles", f->options.quantiles,
                  "Quantile levels scored (comma-separated, each in (0, 1), at most 9)")
      ->delimiter(',')
      ->expected(1, 9)
      ->check(CLI::Range(1e-6, 1 - 1e-6))
      ->capture_default_str();
  cmd->add_flag("--plan", f->options.plan,
                "Simulate the bake plan: Levain's quantile at the critical ratio against baking "
                "last week's sales and the mean of the last 4 same weekdays + 10%");
  cmd->add_option("--cost-share", f->options.cost_share,
                  "With --plan: the unit cost as a share of the price (price 1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--censor-test", f->censor_test,
                "Instead of the backtest: cap each product's demand at a fixed daily bake, mark "
                "those days sold out, and compare the bias of fits that know the flag with fits "
                "that ignore it (against the true demand)");
  cmd->add_option("--bake-quantile", f->bake_quantile,
                  "With --censor-test: the fixed bake is this quantile of the product's history")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 0.95));
  cmd->add_flag("--json", f->json, "Print one JSON document instead of tables");
  cmd->add_flag("--progress", f->progress,
                "Report each product on stderr (the default when stderr is a terminal)");
  env_from_flags(*cmd);
  cmd->callback([&run, f] { run = [f] { return run_backtest_command(*f); }; });
}

}  // namespace levain::cli
