#pragma once
/// HTTPS and WSS for the gateway's TLS tests: the server's certificate is verified against the
/// CA file the test made, and the host name against the certificate (127.0.0.1 in its SAN).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "http_client.hpp"
#include "ws_client.hpp"

namespace levain::integration {

HttpResponse https_get(std::uint16_t port, const std::string& target, const std::string& ca_file,
                       std::chrono::seconds deadline = std::chrono::seconds(30));

struct WssResult {
  std::vector<std::string> messages;
  WsEnd end;
};

/// Connects over TLS, upgrades to `target` and reads until the connection ends.
WssResult wss_read_all(std::uint16_t port, const std::string& target, const std::string& ca_file,
                       std::chrono::seconds deadline = std::chrono::seconds(120));

}  // namespace levain::integration
