// AMQP URL parsing: the defaults, percent-decoding, and a clear error for each bad shape.

#include "bus/amqp_url.hpp"

#include <gtest/gtest.h>

using levain::bus::parse_amqp_url;

TEST(AmqpUrl, FullFormWithPercentEncodedParts) {
  const auto u = parse_amqp_url("amqp://us%40er:p%3Ass@broker.example:5673/prod%2fa");
  EXPECT_EQ(u.user, "us@er");
  EXPECT_EQ(u.password, "p:ss");
  EXPECT_EQ(u.host, "broker.example");
  EXPECT_EQ(u.port, 5673);
  EXPECT_EQ(u.vhost, "prod/a");
  EXPECT_EQ(u.redacted(), "amqp://us@er:***@broker.example:5673/prod%2fa");
}

TEST(AmqpUrl, DefaultsAreRabbitMqs) {
  const auto u = parse_amqp_url("amqp://");
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 5672);
  EXPECT_EQ(u.user, "guest");
  EXPECT_EQ(u.password, "guest");
  EXPECT_EQ(u.vhost, "/");
  EXPECT_EQ(parse_amqp_url("amqp://h/").vhost, "/");
  EXPECT_EQ(parse_amqp_url("amqp://h/%2f").vhost, "/");
  EXPECT_EQ(parse_amqp_url("amqp://h/v").vhost, "v");
}

TEST(AmqpUrl, Ipv6HostAndUserWithoutPassword) {
  const auto u = parse_amqp_url("amqp://bob@[::1]:5999");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 5999);
  EXPECT_EQ(u.user, "bob");
  EXPECT_EQ(u.password, "");
  EXPECT_EQ(u.redacted(), "amqp://bob:***@[::1]:5999/%2f");
}

TEST(AmqpUrl, BadUrlsSayWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"http://h", "must start with amqp://"},
      {"amqps://h", "TLS"},
      {"amqp://h:0", "port"},
      {"amqp://h:65536", "port"},
      {"amqp://h:12ab", "port"},
      {"amqp://h:", "port"},
      {"amqp://h/a/b", "%2f"},
      {"amqp://h/v?heartbeat=5", "query"},
      {"amqp://u:p%zz@h", "%-escape"},
      {"amqp://u:p%2@h", "%-escape"},
      {"amqp://u%00:p@h", "%00"},
      {"amqp://:p@h", "user is empty"},
      {"amqp://[::1", "']'"},
      {"amqp://h x", "space"},
  };
  for (const auto& [url, needle] : cases) {
    try {
      parse_amqp_url(url);
      ADD_FAILURE() << url << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << url << " -> " << e.what();
    }
  }
  EXPECT_THROW(parse_amqp_url("amqp://" + std::string(3000, 'h')), std::invalid_argument);
}
