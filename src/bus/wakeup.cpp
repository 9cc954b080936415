#include "bus/wakeup.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace levain::bus {

Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Wakeup::~Wakeup() { ::close(fd_); }

void Wakeup::notify() {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: it is readable already, which is all we need.
  [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
}

void Wakeup::clear() {
  std::uint64_t value = 0;
  [[maybe_unused]] const auto n = ::read(fd_, &value, sizeof value);
}

}  // namespace levain::bus
