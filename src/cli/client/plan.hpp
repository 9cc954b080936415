#pragma once
/// `levain plan` and `levain forecast`: read the bake plan or every product's forecast from a
/// service or gateway, and print it as a table or as the server's CSV.

#include <iosfwd>
#include <string>

namespace levain::cli {

struct PlanOptions {
  std::string url;
  std::string ca_file;
  std::string tenant;
  std::string token;
  std::string date;  // YYYY-MM-DD; empty: the server's "tomorrow" (the day after the sales)
  int days = 1;
  bool csv = false;
};

struct ForecastOptions {
  std::string url;
  std::string ca_file;
  std::string tenant;
  std::string token;
  std::string product;  // empty: every product
  int days = 14;
  bool csv = false;
};

/// Exit 0 printed, 1 refused by the server (its message on `err`), 2 unreachable.
int run_plan(const PlanOptions& options, std::ostream& out, std::ostream& err);
int run_forecast(const ForecastOptions& options, std::ostream& out, std::ostream& err);

}  // namespace levain::cli
