#pragma once
/// How `levain backtest` shows its result: aligned tables for people, one JSON document for
/// tools. Undefined metrics print as "-" in tables and null in JSON.

#include <ostream>
#include <string>

#include "forecast/backtest.hpp"

namespace levain::forecast {

/// A block per product (one row per method), then the aggregate over products.
void write_backtest_table(std::ostream& out, const BacktestResult& result);

/// The whole result as one JSON object (see docs/forecasting.md for its fields), no newline.
std::string backtest_json(const BacktestResult& result);

}  // namespace levain::forecast
