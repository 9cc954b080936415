#pragma once
/// Where the CLI talks to: a base URL such as "http://127.0.0.1:8081" reduced to what a socket
/// needs, plus the percent-encoding the CLI uses to build request targets from user input.

#include <optional>
#include <string>
#include <string_view>

namespace levain::cli {

struct Endpoint {
  std::string host;       // without IPv6 brackets: ready for the resolver
  std::string port;       // always set ("80" when the URL has none)
  std::string base_path;  // "" or "/prefix" (no trailing slash): prepended to every target
};

/// Accepts http:// and ws:// (the same server answers both). https/wss give "TLS not supported
/// yet". Returns nullopt and sets *error (when non-null) to a message a person can act on.
std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* error);

/// The value for an HTTP Host header: brackets around IPv6 literals, ":port" unless it is 80.
std::string host_header(const Endpoint& endpoint);

/// Percent-encodes everything except RFC 3986 unreserved characters, so a tenant id, job id or
/// token can never change the shape of a path or query.
std::string percent_encode(std::string_view text);

/// "/api/v1/tenants/{tenant}" with the tenant encoded (callers prepend endpoint.base_path).
std::string tenant_path(std::string_view tenant);

}  // namespace levain::cli
