// `levain backtest`: reads a sales CSV (and an optional holiday calendar), runs the rolling-origin
// backtest of src/forecast/backtest.hpp and prints its tables or JSON.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/client/terminal.hpp"
#include "cli/commands/commands.hpp"
#include "forecast/backtest.hpp"
#include "forecast/backtest_report.hpp"
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
  cmd->add_flag("--json", f->json, "Print one JSON document instead of tables");
  cmd->add_flag("--progress", f->progress,
                "Report each product on stderr (the default when stderr is a terminal)");
  env_from_flags(*cmd);
  cmd->callback([&run, f] { run = [f] { return run_backtest_command(*f); }; });
}

}  // namespace levain::cli
