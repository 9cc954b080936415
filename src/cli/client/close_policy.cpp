#include "cli/client/close_policy.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace levain::cli {
namespace {

constexpr int kQuotaExceeded = 4029;
constexpr std::chrono::seconds kMaxRetryHint{3600};

/// A 4029's reason is JSON (docs/live-protocol.md); nullopt when this one is not.
std::optional<boost::json::object> quota_reason(int code, std::string_view reason) {
  if (code != kQuotaExceeded) return std::nullopt;
  boost::system::error_code ec;
  auto value = boost::json::parse(reason, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

struct CloseText {
  std::string_view what;
  std::string_view advice;  // empty when the watcher handles it by itself
};

CloseText close_text(int code) {
  switch (code) {
    case 1000:
      return {"closed normally", ""};
    case 1001:
      return {"server shutting down", ""};
    case 1006:
      return {"connection dropped", ""};
    case 1008:
      return {"too slow to keep up (server send queue full)", ""};
    case 1011:
      return {"unexpected server error", ""};
    case 1012:
      return {"gateway lost its upstream", ""};
    case 4001:
      return {"token rejected", "get a new token (levain token ...) and pass it with --token"};
    case 4003:
      return {"tenant not granted",
              "the token does not grant this tenant; use a token issued for it"};
    case 4004:
      return {"no such job", "check the job id and the tenant"};
    case kQuotaExceeded:
      return {"watcher quota reached", ""};
    default:
      return {code >= 4000 ? "refused by the server" : "connection closed", ""};
  }
}

}  // namespace

CloseAction close_action(int code) {
  if (code == 1000) return CloseAction::finish;
  // A watcher place frees when another watcher leaves: worth waiting for.
  if (code == kQuotaExceeded) return CloseAction::reconnect;
  if (code >= 4000 && code <= 4999) return CloseAction::refuse;
  return CloseAction::reconnect;
}

std::string describe_close(int code, std::string_view server_reason) {
  const CloseText text = close_text(code);
  std::string out = std::string(text.what) + " (" + std::to_string(code) + ")";
  std::string sentence;  // a 4029's message: the server's sentence as it is, not the JSON
  if (const auto quota = quota_reason(code, server_reason)) {
    if (const auto* message = quota->if_contains("message"); message && message->is_string()) {
      sentence = message->get_string();
      server_reason = sentence;
    }
  }
  if (!server_reason.empty()) out += ": " + std::string(server_reason);
  if (!text.advice.empty()) out += " \xE2\x80\x94 " + std::string(text.advice);
  return out;
}

std::optional<std::chrono::seconds> retry_hint(int code, std::string_view server_reason) {
  const auto quota = quota_reason(code, server_reason);
  const auto* after = quota ? quota->if_contains("retry_after_s") : nullptr;
  if (after == nullptr || !after->is_int64() || after->get_int64() <= 0) return std::nullopt;
  return std::min(std::chrono::seconds(after->get_int64()), kMaxRetryHint);
}

int exit_code_for_status(std::string_view status) { return status == "completed" ? 0 : 1; }

}  // namespace levain::cli
