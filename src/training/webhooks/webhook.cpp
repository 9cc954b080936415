#include "training/webhooks/webhook.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cmath>
#include <stdexcept>

namespace levain::training::webhooks {
namespace {

namespace json = boost::json;
namespace ip = boost::asio::ip;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<std::vector<unsigned char>> address_bytes(std::string_view text) {
  boost::system::error_code ec;
  const auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    return std::vector<unsigned char>(b.begin(), b.end());
  }
  const auto b = a.to_v6().to_bytes();
  return std::vector<unsigned char>(b.begin(), b.end());
}

bool in_block(const std::vector<unsigned char>& addr, const std::vector<unsigned char>& prefix,
              unsigned bits) {
  if (addr.size() != prefix.size()) return false;
  for (unsigned i = 0; i < bits; ++i) {
    const unsigned mask = 0x80u >> (i % 8);
    if ((addr[i / 8] & mask) != (prefix[i / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  if (text.size() > kMaxUrlBytes) {
    error = "url is longer than " + std::to_string(kMaxUrlBytes) + " bytes";
    return std::nullopt;
  }
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    error = "url is not a URL: " + parsed.error().message();
    return std::nullopt;
  }
  const auto scheme = lower(parsed->scheme());
  if (scheme != "http" && scheme != "https") {
    error = "url must be http:// or https://, not " + scheme + "://";
    return std::nullopt;
  }
  if (parsed->has_userinfo()) {
    error = "url must not carry a user or password";
    return std::nullopt;
  }
  Url url;
  url.tls = scheme == "https";
  url.host = std::string(parsed->host_address());
  if (parsed->host_type() == boost::urls::host_type::ipv6) {
    url.host = url.host.substr(url.host.front() == '[' ? 1 : 0);
    if (!url.host.empty() && url.host.back() == ']') url.host.pop_back();
  }
  if (url.host.empty()) {
    error = "url has no host";
    return std::nullopt;
  }
  url.port = parsed->has_port() ? std::string(parsed->port()) : (url.tls ? "443" : "80");
  url.target = std::string(parsed->encoded_target());
  if (url.target.empty()) url.target = "/";
  if (parsed->has_fragment()) {
    error = "url must not have a #fragment";
    return std::nullopt;
  }
  return url;
}

AllowList::AllowList(const std::vector<std::string>& rules) {
  for (const auto& rule : rules) {
    const auto slash = rule.find('/');
    const std::string_view address = std::string_view(rule).substr(0, slash);
    if (auto bytes = address_bytes(address)) {
      unsigned bits = static_cast<unsigned>(bytes->size() * 8);
      if (slash != std::string::npos) {
        const auto text = rule.substr(slash + 1);
        char* end = nullptr;
        const long n = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || n < 0 || n > static_cast<long>(bits)) {
          throw std::invalid_argument("--webhook-allow '" + rule +
                                      "': the prefix length must be 0-" + std::to_string(bits));
        }
        bits = static_cast<unsigned>(n);
      }
      blocks_.push_back({std::move(*bytes), bits});
      continue;
    }
    const bool name = !rule.empty() && slash == std::string::npos &&
                      std::all_of(rule.begin(), rule.end(), [](unsigned char c) {
                        return std::isalnum(c) || c == '-' || c == '.';
                      });
    if (!name) {
      throw std::invalid_argument("--webhook-allow '" + rule +
                                  "' is neither a host name nor an address or CIDR block");
    }
    hosts_.push_back(lower(rule));
  }
}

bool AllowList::allows(const Url& url) const {
  if (const auto bytes = address_bytes(url.host)) {
    return std::any_of(blocks_.begin(), blocks_.end(),
                       [&](const Block& b) { return in_block(*bytes, b.prefix, b.bits); });
  }
  const auto host = lower(url.host);
  return std::find(hosts_.begin(), hosts_.end(), host) != hosts_.end();
}

std::vector<Webhook> parse_webhooks(const json::value& body, const AllowList& allow) {
  const auto* o = body.if_object();
  const auto* list = o ? o->if_contains("webhooks") : nullptr;
  if (!list || !list->is_array()) {
    throw std::invalid_argument(R"(body must be {"webhooks": [{"url", "events", "secret"}, …]})");
  }
  if (list->get_array().size() > kMaxWebhooks) {
    throw std::invalid_argument("at most " + std::to_string(kMaxWebhooks) + " webhooks per bakery");
  }
  std::vector<Webhook> out;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const auto where = "webhooks[" + std::to_string(i) + "]";
    const auto* w = list->get_array()[i].if_object();
    if (!w) throw std::invalid_argument(where + " must be an object");
    Webhook hook;
    const auto* url = w->if_contains("url");
    if (!url || !url->is_string()) throw std::invalid_argument(where + ".url must be a string");
    hook.url = std::string(url->get_string());
    std::string error;
    const auto parsed = parse_url(hook.url, error);
    if (!parsed) throw std::invalid_argument(where + "." + error);
    if (!allow.allows(*parsed)) {
      throw std::invalid_argument(where + ".url: host '" + parsed->host +
                                  "' is not allowed here; the operator allows hosts with "
                                  "--webhook-allow");
    }
    const auto* events = w->if_contains("events");
    if (!events || !events->is_array() || events->get_array().empty()) {
      throw std::invalid_argument(where +
                                  R"(.events must be a non-empty array of "completed", "failed")");
    }
    for (const auto& e : events->get_array()) {
      const auto* s = e.if_string();
      if (!s || (*s != "completed" && *s != "failed")) {
        throw std::invalid_argument(where + R"(.events may hold only "completed" and "failed")");
      }
      if (std::find(hook.events.begin(), hook.events.end(), *s) == hook.events.end()) {
        hook.events.emplace_back(*s);
      }
    }
    const auto* secret = w->if_contains("secret");
    if (!secret || !secret->is_string() || secret->get_string().size() < 16 ||
        secret->get_string().size() > 256) {
      throw std::invalid_argument(where + ".secret must be a string of 16-256 bytes");
    }
    hook.secret = std::string(secret->get_string());
    out.push_back(std::move(hook));
  }
  return out;
}

std::string signature(std::string_view secret, std::int64_t unix_seconds, std::string_view body) {
  const std::string signed_text = std::to_string(unix_seconds) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
       &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "t=" + std::to_string(unix_seconds) + ",v1=";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
  return out;
}

std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds first_retry,
                                      double jitter) {
  const int doublings = std::clamp(attempt - 1, 0, 20);
  const double base = static_cast<double>(first_retry.count()) * std::ldexp(1.0, doublings);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(base * (1.0 + 0.5 * std::clamp(jitter, 0.0, 1.0))));
}

}  // namespace levain::training::webhooks
