#pragma once
/// A unique directory under /tmp that lives exactly as long as the test using it, so every
/// server instance gets a fresh data dir and log files without leaking state between tests.

#include <filesystem>
#include <string_view>

namespace levain::integration {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "levain-it");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  /// Keeps the directory after the test (for post-mortem of a failed test's logs).
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace levain::integration
