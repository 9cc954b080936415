#pragma once
/// How `levain` answers a command line it cannot run. Usage errors exit 2 (the convention of
/// getopt-style tools; CLI11's own codes range from 101 to 115); --help and --version exit 0.
/// An unknown subcommand is named, and the subcommands are listed.

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>

namespace levain::cli {

inline constexpr int kUsageExit = 2;

/// Prints `error` as CLI11 would and returns 0 for --help/--version, kUsageExit otherwise.
int usage_exit(CLI::App& app, const CLI::Error& error);

/// When the first argument is neither an option nor a subcommand of `app`, prints
/// "levain: unknown subcommand 'X'" with the list to `err` and returns kUsageExit.
std::optional<int> refuse_unknown_subcommand(const CLI::App& app, int argc, char** argv,
                                             std::ostream& err);

}  // namespace levain::cli
