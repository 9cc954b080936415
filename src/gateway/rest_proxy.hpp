#pragma once
/// Forwards one REST exchange to a training replica: the next replica in round-robin order, the
/// one after it when a connection is refused (nothing was sent yet, so even a POST is safe to
/// retry), never after the request went out. The answer comes back as it was, minus hop-by-hop
/// headers and any interim 1xx answer; a replica that cannot be reached is a 502 and one that
/// does not answer in time a 504, both as JSON errors.

#include <boost/asio/any_io_executor.hpp>
#include <string>

#include "common/http/server.hpp"
#include "gateway/config.hpp"
#include "gateway/upstreams.hpp"

namespace levain::gateway {

struct ProxyContext {
  UpstreamPool& pool;
  const GatewayConfig& config;
  GatewayMetrics& metrics;
};

struct ForwardOptions {
  std::string request_id;
  std::string client_address;
  bool tls = false;  // for X-Forwarded-Proto
  /// For /readyz: also move on to the next replica when one answers anything but 2xx.
  bool until_success = false;
};

void forward_rest(boost::asio::any_io_executor executor, const ProxyContext& context,
                  common::http::Request&& request, ForwardOptions options,
                  common::http::Responder respond);

/// Removes the headers that describe one connection rather than the message (RFC 9110 §7.6.1),
/// including any the Connection header names.
template <class Fields>
void strip_hop_by_hop(Fields& fields);

}  // namespace levain::gateway
