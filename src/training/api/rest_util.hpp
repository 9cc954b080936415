#pragma once
/// What several REST handler files share: the rejected-rows answer of a CSV upload, and CSV
/// answers for clients that ask for them.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "common/http/types.hpp"
#include "forecast/csv.hpp"

namespace levain::training::api {

/// {"accepted", "rejected", "errors": [{"line", "reason"}], "errors_truncated"}.
boost::json::object rejection_body(std::size_t accepted, std::size_t rejected_total,
                                   const std::vector<forecast::CsvRejection>& rejected);

/// The client's Accept header names text/csv.
bool wants_csv(const common::http::Request& req);

/// A number as CSV for a spreadsheet: 2 decimals.
std::string two_decimals(double v);

/// 200 text/csv, to be saved as `filename` (a name of [A-Za-z0-9._-] only).
common::http::Response csv_response(std::string body, const std::string& filename);

}  // namespace levain::training::api
