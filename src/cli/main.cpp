// levain: the one executable; each subcommand's logic lives in the libraries.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/commands/config_file.hpp"
#include "cli/commands/usage.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Levain: demand-forecast training for bakeries, with live progress", "levain"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "levain " LEVAIN_VERSION " (commit " LEVAIN_GIT_COMMIT ")");
  levain::cli::Runner run;
  levain::cli::add_training_command(app, run);
  levain::cli::add_gateway_command(app, run);
  levain::cli::add_demo_command(app, run);
  levain::cli::add_demo_data_command(app, run);
  levain::cli::add_token_command(app, run);
  levain::cli::add_train_command(app, run);
  levain::cli::add_watch_command(app, run);
  levain::cli::add_cancel_command(app, run);
  levain::cli::add_plan_command(app, run);
  levain::cli::add_forecast_command(app, run);
  levain::cli::add_bench_command(app, run);
  levain::cli::add_bench_publish_command(app, run);
  levain::cli::add_backtest_command(app, run);
  levain::cli::add_config_file(app);
  if (const auto code = levain::cli::refuse_unknown_subcommand(app, argc, argv, std::cerr)) {
    return *code;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return levain::cli::usage_exit(app, e);
  }
  try {
    return run ? run() : 0;
  } catch (const CLI::Error& e) {
    return levain::cli::usage_exit(app, e);  // flags that parse but do not fit together
  } catch (const std::exception& e) {
    std::cerr << "levain: " << e.what() << '\n';
    return 1;
  }
}
