#pragma once
/// The `levain` subcommands. Each registers its flags on the CLI11 app and sets `run` to what
/// the subcommand does; main() parses and calls it. Flags are also read from LEVAIN_* variables.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace levain::cli {

using Runner = std::function<int()>;

void add_training_command(CLI::App& app, Runner& run);
void add_gateway_command(CLI::App& app, Runner& run);
void add_demo_command(CLI::App& app, Runner& run);
void add_demo_data_command(CLI::App& app, Runner& run);
void add_token_command(CLI::App& app, Runner& run);
void add_train_command(CLI::App& app, Runner& run);
void add_watch_command(CLI::App& app, Runner& run);
void add_cancel_command(CLI::App& app, Runner& run);
void add_plan_command(CLI::App& app, Runner& run);
void add_forecast_command(CLI::App& app, Runner& run);
void add_bench_command(CLI::App& app, Runner& run);
void add_bench_publish_command(CLI::App& app, Runner& run);
void add_backtest_command(CLI::App& app, Runner& run);

/// --ca-file for the subcommands that take a --url.
void add_ca_file_flag(CLI::App& cmd, std::string& ca_file);

/// Gives every long option of `cmd` the environment variable LEVAIN_<NAME> (dashes to '_').
void env_from_flags(CLI::App& cmd);

}  // namespace levain::cli
