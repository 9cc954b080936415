#pragma once
/// A tenant's notifications (docs/webhooks.md): which URLs hear which job endings, how each POST
/// is signed, which hosts an operator allows, and when a failed delivery is tried again. Pure:
/// no sockets, no store, no clock but the one passed in.

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "training/store/store.hpp"

namespace levain::training::webhooks {

/// At most this many webhooks per tenant, each URL at most 2,048 bytes, a secret 16-256 bytes.
inline constexpr std::size_t kMaxWebhooks = 10;
inline constexpr std::size_t kMaxUrlBytes = 2048;

/// The parts of an http/https URL a delivery needs; nullopt with `error` set when it is not one.
struct Url {
  bool tls = false;
  std::string host;    // as written (a name, an IPv4 literal, or an IPv6 literal without brackets)
  std::string port;    // "80"/"443" when not written
  std::string target;  // path and query, "/" when empty
};
std::optional<Url> parse_url(std::string_view text, std::string& error);

/// `--webhook-allow` rules: a host name (matched exactly, case-insensitively) or an IPv4/IPv6
/// address or CIDR block (matched by URLs whose host is an address literal inside it). Names are
/// not resolved to be checked: an operator names the hosts, so a tenant cannot point a name it
/// controls at the operator's network.
class AllowList {
 public:
  /// Throws std::invalid_argument naming a rule that is neither a host name nor an address/CIDR.
  explicit AllowList(const std::vector<std::string>& rules);
  bool allows(const Url& url) const;
  bool empty() const { return hosts_.empty() && blocks_.empty(); }

 private:
  struct Block {
    std::vector<unsigned char> prefix;  // 4 or 16 bytes
    unsigned bits;
  };
  std::vector<std::string> hosts_;  // lower-case
  std::vector<Block> blocks_;
};

/// Reads the PUT body {"webhooks": [{"url", "events": ["completed","failed"], "secret"}]}:
/// throws std::invalid_argument with a message a person can act on (the first problem).
std::vector<Webhook> parse_webhooks(const boost::json::value& body, const AllowList& allow);

/// "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>", the Levain-Signature header.
std::string signature(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

/// When attempt `attempt` (1-based) failed, the next is `first_retry` × 2^(attempt-1) later,
/// stretched by `jitter` in [0, 1) up to half as much again (so retries of many deliveries do not
/// land together, and never sooner than the doubling says).
std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds first_retry,
                                      double jitter);

}  // namespace levain::training::webhooks
