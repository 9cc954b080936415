#pragma once
/// The dashboard's files from --web-root. Only regular files inside the root are served: `..`
/// segments (also percent-encoded, decoded before this point), dot-files and symlinks that lead
/// out of the root are refused, so no request can read a byte outside it.

#include <boost/beast/http/verb.hpp>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/types.hpp"

namespace levain::gateway {

class StaticFiles {
 public:
  /// Throws std::runtime_error naming the path when `root` is not a readable directory.
  explicit StaticFiles(const std::string& root, std::size_t max_file_bytes = 32 * 1024 * 1024);

  /// GET/HEAD of the decoded path segments (the caller refuses other methods); 403 for
  /// traversal, 404 for what is not there.
  common::http::Response serve(boost::beast::http::verb method,
                               const std::vector<std::string>& segments, unsigned version,
                               bool keep_alive) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;  // canonical
  std::size_t max_file_bytes_;
};

/// The Content-Type for a file name's extension; unknown ones are application/octet-stream.
std::string_view content_type_for(const std::filesystem::path& file);

}  // namespace levain::gateway
