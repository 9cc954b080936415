#pragma once
/// `amqp://user:pass@host:port/vhost` parsed into what a connection needs, with errors a person
/// can act on (a bad --amqp-url must stop the service at start, not surface as a retry loop).

#include <cstdint>
#include <string>
#include <string_view>

namespace levain::bus {

struct AmqpUrl {
  std::string host = "localhost";
  std::uint16_t port = 5672;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";

  /// The URL with the password replaced by `***`, for logs.
  std::string redacted() const;
};

/// Parses an AMQP 0-9-1 URI: user, password and vhost are percent-decoded; a missing part takes
/// the RabbitMQ default (guest:guest@localhost:5672, vhost `/`; `%2f` spells `/` explicitly).
/// Throws std::invalid_argument naming the problem (amqps, query parameters, a bad port, ...).
AmqpUrl parse_amqp_url(std::string_view url);

}  // namespace levain::bus
