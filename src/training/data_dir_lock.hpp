#pragma once
/// Exclusive ownership of an embedded store's directory: one process per --data-dir. A second
/// `levain training` on the same directory would otherwise run its restart recovery and mark
/// the first one's running jobs "interrupted by restart" (issue 13, item 14).

#include <string>

namespace levain::training {

/// Holds flock(LOCK_EX) on DATA_DIR/levain.lock, which holds the owner's PID, for its lifetime.
/// The kernel drops the lock when the process dies, so a crash never leaves a stale lock.
class DataDirLock {
 public:
  /// Creates the directory when missing. Throws std::runtime_error naming the directory and
  /// the owner's PID when another process holds it, or naming the failing step otherwise.
  explicit DataDirLock(const std::string& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  static constexpr const char* kFileName = "levain.lock";

 private:
  int fd_ = -1;
};

}  // namespace levain::training
