#pragma once
/// How `levain train` reads the service's answers: the sales-upload report and REST errors
/// ({"error":{"code","message"}}), turned into lines a person can act on. Pure: no I/O but streams.

#include <cstddef>
#include <ostream>
#include <string>

#include "cli/client/http.hpp"

namespace levain::cli {

/// Rejected rows listed at most; the rest are summarised as "... and N more".
inline constexpr std::size_t kMaxRejectedRowsShown = 10;

/// "HTTP 422 no_sales_data: the tenant has no sales" — falls back to the start of the raw body
/// when it is not the contract's error JSON.
std::string describe_http_error(const HttpResponse& response);

/// Prints "uploaded: N accepted, M rejected" and up to 10 rejected rows with their line numbers
/// (also for a 422, whose body carries the same counts). Returns 0 on 200, else 1 after printing
/// the error to `err`; with `strict` a 200 with rejected rows is 1 too, and says why.
int report_upload(const HttpResponse& response, std::ostream& out, std::ostream& err,
                  bool strict = false);

}  // namespace levain::cli
