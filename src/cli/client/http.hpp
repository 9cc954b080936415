#pragma once
/// A small synchronous HTTP/1.1 client (HTTPS too) for the CLI's REST calls (one request per
/// connection).
/// Only this header's verb type comes from Beast; the heavy code stays in http.cpp.

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cli/client/endpoint.hpp"

namespace levain::cli {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

/// Sends one request to base_path-relative `target` (a path starting with '/', already encoded;
/// endpoint.base_path is prepended). `bearer_token` and `content_type` are left out when empty.
/// `timeout` bounds the whole exchange. With endpoint.tls the server's certificate is verified
/// (see tls.hpp). Throws std::runtime_error with a message naming the server on resolve/connect
/// failure, an untrusted certificate, timeout, or a response that is not HTTP.
/// `headers` are set last, so they may replace the defaults (User-Agent, Accept). A response
/// body over `max_body_bytes` fails the exchange.
HttpResponse http_request(const Endpoint& endpoint, boost::beast::http::verb method,
                          std::string target, std::string body, std::string content_type,
                          std::string bearer_token, std::chrono::seconds timeout,
                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                          std::uint64_t max_body_bytes = std::uint64_t{256} << 20);

}  // namespace levain::cli
