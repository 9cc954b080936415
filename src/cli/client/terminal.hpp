#pragma once
/// The few facts about the terminal the CLI needs: is an output stream a terminal, and how wide.

#include <cstddef>
#include <ostream>

namespace levain::cli {

/// True only when `out` is std::cout or std::cerr and that file descriptor is a terminal; any
/// other stream (a file, a test's ostringstream) gets line-per-change output without colours.
bool is_terminal(const std::ostream& out);

/// Columns of the terminal behind `out`, or `fallback` when unknown.
std::size_t terminal_width(const std::ostream& out, std::size_t fallback);

}  // namespace levain::cli
