#include "cli/client/close_policy.hpp"

namespace levain::cli {
namespace {

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
    default:
      return {code >= 4000 ? "refused by the server" : "connection closed", ""};
  }
}

}  // namespace

CloseAction close_action(int code) {
  if (code == 1000) return CloseAction::finish;
  if (code >= 4000 && code <= 4999) return CloseAction::refuse;
  return CloseAction::reconnect;
}

std::string describe_close(int code, std::string_view server_reason) {
  const CloseText text = close_text(code);
  std::string out = std::string(text.what) + " (" + std::to_string(code) + ")";
  if (!server_reason.empty()) out += ": " + std::string(server_reason);
  if (!text.advice.empty()) out += " \xE2\x80\x94 " + std::string(text.advice);
  return out;
}

int exit_code_for_status(std::string_view status) { return status == "completed" ? 0 : 1; }

}  // namespace levain::cli
