#pragma once
/// Runs the real `levain` binary: long-lived servers (LevainProcess) and one-shot commands
/// (run_levain). A server is always stopped by its PID when its owner goes away, and dies with
/// the test process if that one crashes, so a failing test never leaves an orphan behind.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace levain::integration {

/// Path of the binary under test: the LEVAIN_BINARY compile definition, else the LEVAIN_BINARY
/// environment variable. Throws std::runtime_error with a clear message when neither is set.
std::string levain_binary();

struct ExitStatus {
  bool exited = false;  // normal exit (code valid) vs. killed by a signal (signal valid)
  int code = -1;
  int signal = 0;
  std::string describe() const;
};

struct CommandResult {
  ExitStatus status;
  std::string out;
  std::string err;
};

/// Runs `levain ARGS...` to completion, capturing stdout and stderr. Throws if it does not end
/// before the deadline (after killing it).
CommandResult run_levain(const std::vector<std::string>& args,
                         std::chrono::seconds deadline = std::chrono::seconds(120));

class LevainProcess {
 public:
  /// Spawns `levain ARGS...` with stderr appended to `log_file` and waits for the
  /// "levain: listening on 127.0.0.1:PORT" line on stdout. Throws std::runtime_error (with the
  /// log tail) if the line does not come before the deadline or the process exits first.
  LevainProcess(std::vector<std::string> args, std::filesystem::path log_file,
                std::chrono::seconds startup_deadline = std::chrono::seconds(30));
  ~LevainProcess();
  LevainProcess(const LevainProcess&) = delete;
  LevainProcess& operator=(const LevainProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  void send_signal(int signal);
  /// Waits for the process to exit; on timeout kills it with SIGKILL and throws.
  ExitStatus wait_exit(std::chrono::seconds deadline = std::chrono::seconds(60));
  /// SIGTERM then wait_exit.
  ExitStatus terminate(std::chrono::seconds deadline = std::chrono::seconds(60));
  /// SIGKILL and reap.
  ExitStatus kill9();

  std::string log_tail(std::size_t max_bytes = 4000) const;
  const std::filesystem::path& log_file() const { return log_file_; }

 private:
  void stop_quietly() noexcept;

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path log_file_;
};

}  // namespace levain::integration
