#include "training/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace levain::training {
namespace {

std::runtime_error failure(const std::string& step, const std::string& path) {
  return std::runtime_error(step + " '" + path + "' failed: " + std::strerror(errno));
}

// The owner writes its PID right after it takes the lock; a reader that comes in between sees
// an empty file, hence the fallback wording.
std::string owner_of(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid;
  for (ssize_t i = 0; i < n && buffer[i] >= '0' && buffer[i] <= '9'; ++i) pid += buffer[i];
  return pid.empty() ? "another process" : "another process (PID " + pid + ")";
}

}  // namespace

DataDirLock::DataDirLock(const std::string& data_dir) {
  if (data_dir.empty()) throw std::invalid_argument("data directory is empty");
  std::filesystem::create_directories(data_dir);
  const std::string path = (std::filesystem::path(data_dir) / kFileName).string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw failure("opening the lock file", path);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string owner = error == EWOULDBLOCK ? owner_of(fd_) : "";
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) {
      errno = error;
      throw failure("locking", path);
    }
    throw std::runtime_error("data directory '" + data_dir + "' is in use by " + owner +
                             ": stop it first, or give this instance its own --data-dir (" + path +
                             " holds the owner's PID)");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const auto error = failure("writing the PID to", path);
    ::close(fd_);
    fd_ = -1;
    throw error;
  }
}

DataDirLock::~DataDirLock() {
  // The file stays: unlinking it would let a newcomer lock a fresh inode while a third process
  // still holds the old one.
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace levain::training
