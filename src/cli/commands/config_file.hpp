#pragma once
/// `levain --config FILE` and `--print-config` (docs/deploy.md, "Configuration file"): one TOML
/// (or INI) file for the long-running commands, a section per command holding its long flags by
/// name, e.g. `[training]` then `listen = "127.0.0.1:8081"` (dashes or underscores). A flag on
/// the command line wins, then its LEVAIN_* variable, then the file, then the default.

#include <CLI/CLI.hpp>
#include <string>

namespace levain::cli {

/// Adds --config to the top-level app; it may also follow the command (`levain training
/// --config F`). Call after the commands are added.
void add_config_file(CLI::App& app);

/// Adds --print-config to a command that reads its section of the file.
void add_print_config(CLI::App& cmd, bool& print_config);

/// The effective configuration of `cmd` as its TOML section, every option with its value,
/// secrets (keys naming a secret, passwords inside URLs) replaced by "***".
std::string effective_config(const CLI::App& cmd);

/// Prints effective_config(cmd) to stdout; the exit code.
int print_config(const CLI::App& cmd);

}  // namespace levain::cli
