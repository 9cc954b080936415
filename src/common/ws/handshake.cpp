#include "common/ws/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <boost/beast/http/field.hpp>

namespace levain::common::ws {

namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

bool is_valid_key(std::string_view key) {
  // 16 bytes are 5 groups of 3 (20 characters) and one byte: 2 characters and `==`.
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (const char c : key.substr(0, 22)) {
    if (!is_base64_char(c)) return false;
  }
  // The last character before `==` holds 2 bits of the 16th byte and 4 bits that must be zero:
  // with any of those set the key is the encoding of more than 16 bytes' worth of bits.
  const char last = key[21];
  return last == 'A' || last == 'Q' || last == 'g' || last == 'w';
}

std::string accept_key(std::string_view key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(key);
  input += kGuid;
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr);
  std::array<unsigned char, 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1> out{};
  const int n = EVP_EncodeBlock(out.data(), digest.data(), static_cast<int>(digest.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::string upgrade_response(const http::Request& request, std::string_view server) {
  using boost::beast::http::field;
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out += accept_key(request[field::sec_websocket_key]);
  out += "\r\nServer: ";
  out += server;
  out += "\r\n\r\n";
  return out;
}

std::optional<http::Response> check_upgrade(const http::Request& request) {
  using boost::beast::http::field;
  const auto version = request.version();
  const auto refuse = [version](std::string_view message) {
    return http::error_response(http::Status::bad_request, "bad_request", message, version,
                                /*keep_alive=*/false);
  };
  if (version != 11) return refuse("a WebSocket upgrade needs HTTP/1.1");
  if (request.find(field::host) == request.end()) {
    return refuse("a WebSocket upgrade needs a Host header");
  }
  if (!is_valid_key(request[field::sec_websocket_key])) {
    return refuse("Sec-WebSocket-Key must be the base64 encoding of 16 bytes (RFC 6455 4.2.1)");
  }
  const auto ws_version = request.find(field::sec_websocket_version);
  if (ws_version == request.end()) return refuse("a WebSocket upgrade needs Sec-WebSocket-Version");
  if (ws_version->value() != "13") {
    auto res = http::error_response(http::Status::upgrade_required, "upgrade_required",
                                    "only WebSocket version 13 is spoken here", version,
                                    /*keep_alive=*/false);
    res.set(field::sec_websocket_version, "13");
    return res;
  }
  return std::nullopt;
}

}  // namespace levain::common::ws
