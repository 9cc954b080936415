#include "bus/amqp_url.hpp"

#include <charconv>
#include <stdexcept>

namespace levain::bus {

namespace {

constexpr std::size_t kMaxUrl = 2048;

[[noreturn]] void fail(const std::string& why) {
  throw std::invalid_argument("AMQP URL: " + why +
                              " (expected amqp://user:password@host:port/vhost)");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s, const char* part) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) fail(std::string("bad %-escape in the ") + part);
    if (hi == 0 && lo == 0) fail(std::string("%00 is not allowed in the ") + part);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::uint16_t parse_port(std::string_view s) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value == 0 || value > 65535) {
    fail("the port must be a number from 1 to 65535, got '" + std::string(s) + "'");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

AmqpUrl parse_amqp_url(std::string_view url) {
  if (url.size() > kMaxUrl) fail("longer than " + std::to_string(kMaxUrl) + " characters");
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      fail("contains a space or control character");
  }
  constexpr std::string_view kScheme = "amqp://";
  if (url.starts_with("amqps://")) fail("TLS (amqps://) is not supported; use amqp://");
  if (!url.starts_with(kScheme)) fail("it must start with amqp://");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos)
    fail("query and fragment parts are not supported");

  AmqpUrl out;
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view path = rest.substr(slash + 1);
    if (path.find('/') != std::string_view::npos)
      fail("a '/' inside the vhost must be written %2f");
    if (!path.empty()) out.vhost = percent_decode(path, "vhost");
  }

  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    out.user = percent_decode(userinfo.substr(0, colon), "user");
    out.password = colon == std::string_view::npos
                       ? ""
                       : percent_decode(userinfo.substr(colon + 1), "password");
    if (out.user.empty()) fail("the user is empty");
  }

  std::string_view host = authority;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) fail("an IPv6 host needs a closing ']'");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') fail("unexpected text after the IPv6 host");
      out.port = parse_port(after.substr(1));
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    out.port = parse_port(authority.substr(colon + 1));
  }
  if (!host.empty()) out.host = percent_decode(host, "host");
  return out;
}

std::string AmqpUrl::redacted() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string vh;
  for (const char c : vhost) vh += c == '/' ? std::string("%2f") : std::string(1, c);
  return "amqp://" + user + ":***@" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) +
         "/" + vh;
}

}  // namespace levain::bus
