#pragma once
/// Where the CLI talks to: a base URL such as "http://127.0.0.1:8081" or "https://gw.example"
/// reduced to what a socket needs, plus the percent-encoding the CLI uses to build request
/// targets from user input.

#include <optional>
#include <string>
#include <string_view>

namespace levain::cli {

struct Endpoint {
  std::string host;       // without IPv6 brackets: ready for the resolver
  std::string port;       // always set ("80", or "443" with TLS, when the URL has none)
  std::string base_path;  // "" or "/prefix" (no trailing slash): prepended to every target
  bool tls = false;       // https:// or wss://: the server's certificate and name are verified
  /// PEM file of the CA certificate(s) to trust (--ca-file); empty: the system's trust store.
  std::string ca_file;
};

/// Accepts http:// and ws://, https:// and wss:// (the same server answers both of a pair).
/// Returns nullopt and sets *error (when non-null) to a message a person can act on.
std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* error);

/// The value for an HTTP Host header: brackets around IPv6 literals, ":port" unless it is the
/// scheme's default (80, or 443 with TLS).
std::string host_header(const Endpoint& endpoint);

/// "https://host:port" or "http://host:port", for messages.
std::string origin(const Endpoint& endpoint);

/// Percent-encodes everything except RFC 3986 unreserved characters, so a tenant id, job id or
/// token can never change the shape of a path or query.
std::string percent_encode(std::string_view text);

/// "/api/v1/tenants/{tenant}" with the tenant encoded (callers prepend endpoint.base_path).
std::string tenant_path(std::string_view tenant);

}  // namespace levain::cli
