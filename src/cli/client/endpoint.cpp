#include "cli/client/endpoint.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

namespace levain::cli {
namespace {

std::optional<Endpoint> fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return std::nullopt;
}

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// IPv6 literals go in brackets wherever a port may follow.
std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* error) {
  const std::string shown(url);
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return fail(error,
                "invalid URL '" + shown + "': expected something like http://127.0.0.1:8081");
  }
  const auto& uri = *parsed;
  const std::string scheme = uri.scheme();
  const bool tls = scheme == "https" || scheme == "wss";
  if (!tls && scheme != "http" && scheme != "ws") {
    return fail(error, "unsupported scheme '" + scheme + "' in '" + shown +
                           "': use http://, https://, ws:// or wss://");
  }
  if (!uri.has_authority() || uri.encoded_host().empty()) {
    return fail(error,
                "missing host in '" + shown + "': expected something like http://127.0.0.1:8081");
  }
  if (uri.has_userinfo()) {
    return fail(error,
                "user info is not supported in '" + shown + "': pass the token with --token");
  }
  if (uri.has_query() || uri.has_fragment()) {
    return fail(error, "'" + shown + "' must not have a query or fragment");
  }

  // Boost.URL 1.81 reads "host:80a" as port 80 and path "a"; a real path starts with '/'.
  if (!uri.encoded_path().empty() && uri.encoded_path().front() != '/') {
    return fail(error, "bad port or path in '" + shown +
                           "': expected something like http://127.0.0.1:8081");
  }

  Endpoint endpoint;
  endpoint.host = uri.host_address();
  endpoint.tls = tls;
  endpoint.port = tls ? "443" : "80";
  if (uri.has_port()) {
    const std::string_view port = uri.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return fail(error,
                  "bad port '" + std::string(port) + "' in '" + shown + "': expected 1..65535");
    }
    endpoint.port = std::to_string(value);
  }
  endpoint.base_path = uri.encoded_path();
  while (!endpoint.base_path.empty() && endpoint.base_path.back() == '/') {
    endpoint.base_path.pop_back();
  }
  return endpoint;
}

std::string host_header(const Endpoint& endpoint) {
  std::string host = bracketed(endpoint.host);
  if (endpoint.port != (endpoint.tls ? "443" : "80")) host += ":" + endpoint.port;
  return host;
}

std::string origin(const Endpoint& endpoint) {
  return (endpoint.tls ? "https://" : "http://") + bracketed(endpoint.host) + ":" + endpoint.port;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::string tenant_path(std::string_view tenant) {
  return "/api/v1/tenants/" + percent_encode(tenant);
}

}  // namespace levain::cli
