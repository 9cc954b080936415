#include "loadgen/proc_stats.hpp"

#include <sys/resource.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace levain::loadgen {
namespace {

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<std::int64_t> status_kib(std::string_view status_text, std::string_view key) {
  std::size_t line_start = 0;
  while (line_start < status_text.size()) {
    std::size_t line_end = status_text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = status_text.size();
    const std::string_view line = status_text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') {
      continue;
    }
    std::string_view rest = line.substr(key.size() + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || end == rest.data()) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(rest.data() + rest.size() - end));
    if (unit != " kB") return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::optional<ProcMemory> read_proc_memory(int pid) {
  const auto text = read_small_file("/proc/" + std::to_string(pid) + "/status");
  if (!text) return std::nullopt;
  const auto rss = status_kib(*text, "VmRSS");
  const auto hwm = status_kib(*text, "VmHWM");
  if (!rss || !hwm) return std::nullopt;
  return ProcMemory{*rss, *hwm};
}

std::optional<std::size_t> count_open_fds(int pid) {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
  if (ec) return std::nullopt;
  std::size_t count = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return std::nullopt;
    ++count;
  }
  return count;
}

FdLimit raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  FdLimit result{limit.rlim_cur, limit.rlim_cur, limit.rlim_max};
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) result.soft = raised.rlim_cur;
  }
  return result;
}

std::optional<std::pair<int, int>> local_port_range() {
  const auto text = read_small_file("/proc/sys/net/ipv4/ip_local_port_range");
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  int low = 0, high = 0;
  if (!(in >> low >> high) || low <= 0 || high < low) return std::nullopt;
  return std::make_pair(low, high);
}

}  // namespace levain::loadgen
