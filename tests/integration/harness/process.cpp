#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace levain::integration {
namespace {

using Clock = std::chrono::steady_clock;

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

ExitStatus decode(int raw) {
  ExitStatus status;
  if (WIFEXITED(raw)) {
    status.exited = true;
    status.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    status.signal = WTERMSIG(raw);
  }
  return status;
}

/// Spawns the binary; `out_fd`/`err_fd` become the child's stdout/stderr. Every other
/// descriptor of the test process (sockets of other clients, say) stays out of the child, and
/// the child gets SIGKILL if the test process dies first (an ASan abort runs no destructors),
/// which posix_spawn cannot arrange: hence fork + exec with only async-signal-safe calls between.
pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd) {
  std::vector<std::string> argv_storage;
  argv_storage.push_back(levain_binary());
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  int exec_errors[2];  // CLOEXEC: closed by a successful exec, carries errno otherwise
  if (pipe2(exec_errors, O_CLOEXEC) != 0) throw sys_error("pipe2");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(exec_errors[0]);
    close(exec_errors[1]);
    throw sys_error("fork");
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
      _exit(127);
    }
    const int keep = exec_errors[1];
    // Everything from 3 up except the error pipe goes.
    if (keep > 3) close_range(3, static_cast<unsigned>(keep - 1), 0);
    close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
    execve(argv[0], argv.data(), environ);
    const int err = errno;
    (void)!write(keep, &err, sizeof err);
    _exit(127);
  }
  close(exec_errors[1]);
  int child_errno = 0;
  ssize_t n;
  while ((n = read(exec_errors[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  close(exec_errors[0]);
  if (n > 0) {
    int raw = 0;
    waitpid(pid, &raw, 0);
    throw std::runtime_error("cannot run " + argv_storage[0] + ": " + std::strerror(child_errno));
  }
  return pid;
}

std::string read_tail(const std::filesystem::path& file, std::size_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.size() > max_bytes ? "..." + all.substr(all.size() - max_bytes) : all;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  if (signal != 0) return std::string("killed by signal ") + strsignal(signal);
  return "unknown exit status";
}

std::string levain_binary() {
#ifdef LEVAIN_BINARY
  return LEVAIN_BINARY;
#else
  if (const char* env = std::getenv("LEVAIN_BINARY"); env != nullptr && *env != '\0') return env;
  throw std::runtime_error(
      "the levain binary is unknown: the CMake target `levain` did not exist when the "
      "integration tests were configured; re-run cmake, or set LEVAIN_BINARY=/path/to/levain");
#endif
}

CommandResult run_levain(const std::vector<std::string>& args, std::chrono::seconds deadline) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw sys_error("pipe2");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) throw sys_error("pipe2");
  pid_t pid = -1;
  try {
    pid = spawn(args, out_pipe[1], err_pipe[1]);
  } catch (...) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    throw;
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  CommandResult result;
  const auto end = Clock::now() + deadline;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  bool timed_out = false;
  while (open_count > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  if (timed_out) kill(pid, SIGKILL);
  int raw = 0;
  while (waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    throw std::runtime_error("levain command did not finish within " +
                             std::to_string(deadline.count()) + " s; stderr: " + result.err);
  }
  result.status = decode(raw);
  return result;
}

LevainProcess::LevainProcess(std::vector<std::string> args, std::filesystem::path log_file,
                             std::chrono::seconds startup_deadline)
    : log_file_(std::move(log_file)) {
  const int log_fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw sys_error("open " + log_file_.string());
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(log_fd);
    throw sys_error("pipe2");
  }
  try {
    pid_ = spawn(args, out_pipe[1], log_fd);
  } catch (...) {
    close(log_fd);
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw;
  }
  close(log_fd);
  close(out_pipe[1]);
  // The read end stays open for the process's life: the server may write to stdout again, and
  // a closed pipe would kill it with SIGPIPE.
  stdout_fd_ = out_pipe[0];

  static constexpr std::string_view kPrefix = "levain: listening on 127.0.0.1:";
  std::string line;
  const auto end = Clock::now() + startup_deadline;
  std::string problem;
  while (problem.empty()) {
    if (auto nl = line.find('\n'); nl != std::string::npos) {
      const std::string first = line.substr(0, nl);
      if (first.rfind(kPrefix, 0) != 0) {
        problem = "unexpected first stdout line: '" + first + "'";
        break;
      }
      const int port = std::atoi(first.c_str() + kPrefix.size());
      if (port <= 0 || port > 65535) {
        problem = "bad port in '" + first + "'";
        break;
      }
      port_ = static_cast<std::uint16_t>(port);
      return;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0) {
      problem = "no listening line within " + std::to_string(startup_deadline.count()) + " s";
      break;
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[512];
    const ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n > 0) {
      line.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      int raw = 0;
      waitpid(pid_, &raw, 0);
      pid_ = -1;
      problem = "the server exited before listening (" + decode(raw).describe() + ")";
    }
  }
  stop_quietly();
  throw std::runtime_error("levain " + (args.empty() ? std::string() : args.front()) + ": " +
                           problem + "\n--- stdout ---\n" + line + "\n--- log tail (" +
                           log_file_.string() + ") ---\n" + log_tail());
}

LevainProcess::~LevainProcess() { stop_quietly(); }

void LevainProcess::stop_quietly() noexcept {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int raw = 0;
    while (waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

void LevainProcess::send_signal(int signal) {
  if (pid_ <= 0) throw std::logic_error("the server is not running");
  if (kill(pid_, signal) != 0) throw sys_error("kill");
}

ExitStatus LevainProcess::wait_exit(std::chrono::seconds deadline) {
  if (pid_ <= 0) throw std::logic_error("the server is not running");
  const auto end = Clock::now() + deadline;
  for (;;) {
    int raw = 0;
    const pid_t r = waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return decode(raw);
    }
    if (r < 0 && errno != EINTR) throw sys_error("waitpid");
    if (Clock::now() >= end) {
      stop_quietly();
      throw std::runtime_error("the server did not exit within " +
                               std::to_string(deadline.count()) + " s (killed); log tail:\n" +
                               log_tail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ExitStatus LevainProcess::terminate(std::chrono::seconds deadline) {
  send_signal(SIGTERM);
  return wait_exit(deadline);
}

ExitStatus LevainProcess::kill9() {
  send_signal(SIGKILL);
  return wait_exit(std::chrono::seconds(30));
}

std::string LevainProcess::log_tail(std::size_t max_bytes) const {
  return read_tail(log_file_, max_bytes);
}

}  // namespace levain::integration
