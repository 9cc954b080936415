#include "cli/client/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

namespace levain::cli {
namespace {

int descriptor_of(const std::ostream& out) {
  if (&out == &std::cout) return STDOUT_FILENO;
  if (&out == &std::cerr || &out == &std::clog) return STDERR_FILENO;
  return -1;
}

}  // namespace

bool is_terminal(const std::ostream& out) {
  const int fd = descriptor_of(out);
  return fd >= 0 && ::isatty(fd) == 1;
}

std::size_t terminal_width(const std::ostream& out, std::size_t fallback) {
  const int fd = descriptor_of(out);
  winsize size{};
  if (fd < 0 || ::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return fallback;
  return size.ws_col;
}

}  // namespace levain::cli
