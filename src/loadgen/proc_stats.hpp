#pragma once
/// What the load generator reads from /proc and the resource limits: the memory of the server
/// processes it measures (VmRSS now, VmHWM = peak), their open descriptors, and its own
/// descriptor limit, which decides how many clients one process can hold.

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace levain::loadgen {

/// The value of a "Key:   1234 kB" line of /proc/PID/status text, in KiB.
std::optional<std::int64_t> status_kib(std::string_view status_text, std::string_view key);

struct ProcMemory {
  std::int64_t rss_kib = 0;  // VmRSS
  std::int64_t hwm_kib = 0;  // VmHWM: the peak RSS since the process started
};

/// Nullopt when the process does not exist (or its status cannot be read).
std::optional<ProcMemory> read_proc_memory(int pid);

/// Entries of /proc/PID/fd; nullopt when it cannot be listed.
std::optional<std::size_t> count_open_fds(int pid);

struct FdLimit {
  std::uint64_t before = 0;  // soft limit found at start
  std::uint64_t soft = 0;    // soft limit now
  std::uint64_t hard = 0;
};

/// Raises this process's RLIMIT_NOFILE soft limit to the hard limit (a process may always do
/// that; raising the hard limit needs privileges this tool does not ask for).
FdLimit raise_fd_limit();

/// net.ipv4.ip_local_port_range: the ephemeral ports one source address can use per server
/// address and port. Nullopt when it cannot be read.
std::optional<std::pair<int, int>> local_port_range();

}  // namespace levain::loadgen
