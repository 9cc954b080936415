#pragma once
/// Runs one of the private-instance scripts (scripts/rabbitmq-instance, scripts/postgres-instance):
/// `SCRIPT COMMAND DIR`, its output captured. The servers they start are stopped by the same
/// script, by the PID file in DIR.

#include <filesystem>
#include <string>

namespace levain::integration {

/// Output (stdout and stderr) of `script command dir [argument]`; throws std::runtime_error with
/// that output when the script fails.
std::string run_instance_script(const std::string& script, const std::string& command,
                                const std::filesystem::path& dir, const std::string& argument = {});

/// The URL a `start` printed (its last line); throws unless it begins with `scheme`.
std::string url_from_start(const std::string& output, const std::string& scheme);

}  // namespace levain::integration
