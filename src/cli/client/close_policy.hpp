#pragma once
/// What a watcher does when its live connection ends, by WebSocket close code (the table in
/// DESIGN.md "Close codes"), and the words it uses to tell a person why.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace levain::cli {

enum class CloseAction {
  finish,     // 1000: the job ended; exit by its status
  reconnect,  // transient (1001, 1006, 1008, 1011, 1012, 4029 ...): back off and reconnect
  refuse,     // 4001/4003/4004 and other 4xxx: reconnecting with the same input cannot help
};

/// Close code used when the TCP connection ended without a close frame (RFC 6455 §7.1.5).
inline constexpr int kAbnormalClosure = 1006;

CloseAction close_action(int code);

/// e.g. "token rejected (4001): token expired — get a new token (levain token ...)".
/// `server_reason` is the close frame's reason text (may be empty).
std::string describe_close(int code, std::string_view server_reason);

/// How long the server asked the watcher to wait before it tries again: a 4029 (watcher quota)
/// reason's `retry_after_s`, at most an hour; nullopt for any other close, or no usable hint.
std::optional<std::chrono::seconds> retry_hint(int code, std::string_view server_reason);

/// Exit code of `levain watch` for a job that reached a terminal status: 0 completed, 1 otherwise.
int exit_code_for_status(std::string_view status);

}  // namespace levain::cli
