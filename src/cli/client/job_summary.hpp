#pragma once
/// What `levain watch` and `levain train` print under a job's result: the running accuracy and
/// the data report (docs/live-protocol.md), a line each, as a person reads them. Pure.

#include <string>
#include <vector>

#include "cli/client/live_state.hpp"

namespace levain::cli {

/// "accuracy: median MASE 0.83, mean MAPE 12.1%, 2 fallbacks, 0 failed; worst: Rye 2.10, …"
/// and "data: 60 products, 730 days from … to …; …"; lines for what the state holds.
std::vector<std::string> summary_lines(const LiveState& state);

}  // namespace levain::cli
