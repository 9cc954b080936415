#pragma once
/// A file descriptor another thread can make readable (an eventfd), so an I/O thread can sleep
/// in poll() on its broker socket and this at once, and be woken for new work or shutdown.

namespace levain::bus {

class Wakeup {
 public:
  Wakeup();  // throws std::system_error when the kernel refuses an eventfd
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  /// Thread-safe; cheap when already signalled.
  void notify();
  /// Resets to not readable; called by the waiting thread before it looks for work.
  void clear();
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace levain::bus
