#include "cli/commands/key_source.hpp"

#include <CLI/CLI.hpp>
#include <boost/beast/http/verb.hpp>
#include <stdexcept>

#include "auth/token.hpp"
#include "cli/client/endpoint.hpp"
#include "cli/client/http.hpp"

namespace levain::cli {
namespace {

constexpr std::chrono::seconds kFetchTimeout{10};

auth::KeyRing::Fetch url_fetch(const KeySourceFlags& f) {
  if (f.jwks_url.rfind("http://", 0) != 0 && f.jwks_url.rfind("https://", 0) != 0) {
    throw CLI::ValidationError("--jwt-jwks-url", "expected an http:// or https:// URL");
  }
  std::string error;
  auto endpoint = parse_endpoint(f.jwks_url, &error);
  if (!endpoint) throw CLI::ValidationError("--jwt-jwks-url", error);
  endpoint->ca_file = f.jwks_ca_file;
  return [endpoint = *endpoint] {
    const std::string target = endpoint.base_path.empty() ? "/" : "";
    const auto response = http_request(endpoint, boost::beast::http::verb::get, target, "", "", "",
                                       kFetchTimeout, {}, auth::kMaxJwksBytes);
    if (response.status != 200) {
      throw std::runtime_error("HTTP " + std::to_string(response.status) + " from " +
                               origin(endpoint));
    }
    return response.body;
  };
}

}  // namespace

std::shared_ptr<auth::KeyRing> start_key_ring(const KeySourceFlags& f) {
  if (f.jwks_file.empty() && f.jwks_url.empty()) return nullptr;
  if (!f.jwks_file.empty() && !f.jwks_url.empty()) {
    throw CLI::ValidationError("--jwt-jwks-file",
                               "give --jwt-jwks-file or --jwt-jwks-url, not both");
  }
  auth::KeyRingOptions options{std::chrono::seconds(f.refresh_s),
                               std::chrono::seconds(f.min_interval_s)};
  std::shared_ptr<auth::KeyRing> ring;
  if (!f.jwks_file.empty()) {
    ring = std::make_shared<auth::KeyRing>(
        "--jwt-jwks-file " + f.jwks_file,
        [path = f.jwks_file] { return auth::read_key_file(path, auth::kMaxJwksBytes); }, options);
  } else {
    ring = std::make_shared<auth::KeyRing>("--jwt-jwks-url " + f.jwks_url, url_fetch(f), options);
  }
  ring->start();
  return ring;
}

}  // namespace levain::cli
