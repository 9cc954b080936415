#include "gateway/cors.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <cctype>

#include "common/http/methods.hpp"

namespace levain::gateway {

namespace http = boost::beast::http;
using common::http::Request;
using common::http::Response;
using common::http::Status;

namespace {

// What the JS client's REST helpers send; X-Request-Id lets a page tie its calls to our logs.
const common::http::Methods kMethods = {http::verb::get, http::verb::post, http::verb::put};
constexpr std::string_view kHeaders = "Authorization, Content-Type, Accept, X-Request-Id";
constexpr std::string_view kMaxAgeSeconds = "600";

}  // namespace

std::optional<std::string> origin_problem(std::string_view origin) {
  std::string_view rest;
  if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else {
    return "an origin starts with http:// or https:// (got '" + std::string(origin) + "')";
  }
  const auto shape = [&origin] {
    return "the origin '" + std::string(origin) +
           "' is not scheme://host[:port] in lower case, without a path or a trailing slash";
  };
  const bool ipv6 = rest.starts_with('[');
  const auto host_end = ipv6 ? rest.find(']') : rest.find(':');
  if (ipv6 && host_end == std::string_view::npos) return shape();
  const auto host = ipv6 ? rest.substr(1, host_end - 1) : rest.substr(0, host_end);
  if (host.empty()) return "the origin '" + std::string(origin) + "' has no host";
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '.' || c == '-' || (ipv6 && c == ':'))) {
      return shape();
    }
  }
  const auto after = host_end == std::string_view::npos ? std::string_view()
                                                        : rest.substr(host_end + (ipv6 ? 1 : 0));
  if (after.empty()) return std::nullopt;
  const auto port = after.substr(1);
  if (after[0] != ':') return shape();
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(std::string(port)) > 65535) {
    return "the origin '" + std::string(origin) + "' has a bad port";
  }
  return std::nullopt;
}

bool CorsPolicy::is_preflight(const Request& req) {
  return req.method() == http::verb::options && req.count(http::field::origin) > 0 &&
         req.count(http::field::access_control_request_method) > 0;
}

bool CorsPolicy::allows(std::string_view origin) const {
  return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

Response CorsPolicy::preflight(const Request& req) const {
  const auto origin = req[http::field::origin];
  const auto method = req[http::field::access_control_request_method];
  Response res;
  if (!allows(origin)) {
    res = common::http::error_response(
        Status::forbidden, "origin_not_allowed",
        "pages from " + std::string(origin) + " may not call this gateway (see --cors-origin)",
        req.version(), req.keep_alive());
  } else if (!common::http::method_allowed(http::string_to_verb(method), kMethods)) {
    res =
        common::http::error_response(Status::forbidden, "method_not_allowed",
                                     std::string(method) + " is not allowed across origins; use " +
                                         common::http::allow_header(kMethods),
                                     req.version(), req.keep_alive());
  } else {
    res = Response{Status::no_content, req.version()};
    res.set(http::field::server, "levain");
    res.keep_alive(req.keep_alive());
    allow_origin(res, origin);
    res.set(http::field::access_control_allow_methods, common::http::allow_header(kMethods));
    res.set(http::field::access_control_allow_headers, kHeaders);
    res.set(http::field::access_control_max_age, kMaxAgeSeconds);
  }
  res.set(http::field::vary, "Origin");
  return res;
}

std::vector<std::pair<std::string, std::string>> cors_headers(std::string_view origin) {
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Access-Control-Expose-Headers", "X-Request-Id"},
          {"Vary", "Origin"}};
}

void allow_origin(Response& res, std::string_view origin) {
  for (const auto& [name, value] : cors_headers(origin)) res.set(name, value);
}

}  // namespace levain::gateway
