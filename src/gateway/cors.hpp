#pragma once
/// Cross-origin REST for pages served elsewhere (`--cors-origin`, exact origins only). A browser
/// asks first with a preflight (OPTIONS + Origin + Access-Control-Request-Method) that carries no
/// token: the gateway answers it itself, and only an allowed origin is told it may go on. The
/// actual answers to an allowed origin carry Access-Control-Allow-Origin too; any other origin
/// gets none, so its page cannot read them. Tokens still decide what a request may do.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http/types.hpp"

namespace levain::gateway {

/// Why `origin` is not an exact origin (scheme://host[:port], http or https, lower case, no
/// path, no trailing slash); nullopt when it is one.
std::optional<std::string> origin_problem(std::string_view origin);

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

  static bool is_preflight(const common::http::Request& request);
  /// 204 with the allowances for an allowed origin and method, else 403 with a JSON error.
  common::http::Response preflight(const common::http::Request& request) const;
  bool allows(std::string_view origin) const;

 private:
  std::vector<std::string> origins_;
};

/// The headers that make an answer readable by a page of `origin` (allowed by the policy).
std::vector<std::pair<std::string, std::string>> cors_headers(std::string_view origin);
/// Marks an actual answer with cors_headers().
void allow_origin(common::http::Response& response, std::string_view origin);

}  // namespace levain::gateway
