#pragma once
/// A synchronous HTTP/1.1 client for the tests (Boost.Beast behind a small header, so test files
/// stay cheap to compile). Every call has a deadline: a stuck server fails the test, it does not
/// hang it. Transport failures are reported in `transport_error`, never thrown.

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace levain::integration {

struct HttpResponse {
  int status = 0;  // 0 when no response was read
  std::string body;
  std::string content_type;
  std::string retry_after;      // the Retry-After header, if any
  std::string transport_error;  // set when the exchange failed below HTTP
  boost::json::value json;      // null unless the body parsed as JSON
  bool json_ok = false;

  /// One line for failure messages: status, content type and the start of the body.
  std::string summary() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::seconds deadline = std::chrono::seconds(120));

  /// One request on a fresh connection. `method` may be any token, known or not.
  HttpResponse request(std::string_view method, std::string_view target, std::string body = {},
                       const Headers& headers = {}) const;

  /// Shorthands that add "Authorization: Bearer TOKEN" (omitted when token is empty).
  HttpResponse get(std::string_view target, std::string_view token) const;
  HttpResponse post(std::string_view target, std::string_view token, std::string body,
                    std::string_view content_type = "application/json") const;

  std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_;
  std::chrono::seconds deadline_;
};

/// Writes `bytes` verbatim to a fresh connection and reads one HTTP response (or reports why
/// none came). For malformed requests a normal client cannot produce.
HttpResponse send_raw(std::uint16_t port, std::string_view bytes,
                      std::chrono::seconds deadline = std::chrono::seconds(60));

/// Percent-encodes a query or path component (product names have spaces and accents).
std::string url_encode(std::string_view text);

}  // namespace levain::integration
