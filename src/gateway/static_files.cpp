#include "gateway/static_files.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

namespace levain::gateway {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using common::http::Response;
using common::http::Status;

std::string_view content_type_for(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".txt" || ext == ".md" || ext == ".ts") return "text/plain; charset=utf-8";
  if (ext == ".csv") return "text/csv; charset=utf-8";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

StaticFiles::StaticFiles(const std::string& root, std::size_t max_file_bytes)
    : max_file_bytes_(max_file_bytes) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec || !fs::is_directory(root_)) {
    throw std::runtime_error("--web-root '" + root + "' is not a directory");
  }
}

namespace {

// True when `p` (canonical) is `root` or lies below it, compared segment by segment so that
// /srv/web-old is not "inside" /srv/web.
bool inside(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

Response refuse(Status status, std::string_view code, std::string_view message, unsigned version,
                bool keep_alive) {
  return common::http::error_response(status, code, message, version, keep_alive);
}

}  // namespace

Response StaticFiles::serve(http::verb method, const std::vector<std::string>& segments,
                            unsigned version, bool keep_alive) const {
  fs::path relative;
  for (const auto& seg : segments) {
    if (seg == "..") {
      return refuse(Status::forbidden, "forbidden", "path traversal refused", version, keep_alive);
    }
    // Dot-files (.git, .env) are never part of the dashboard.
    if (!seg.empty() && seg[0] == '.') {
      return refuse(Status::not_found, "not_found", "no such file", version, keep_alive);
    }
    if (!seg.empty()) relative /= seg;
  }
  std::error_code ec;
  fs::path file = fs::weakly_canonical(root_ / relative, ec);
  if (ec) return refuse(Status::not_found, "not_found", "no such file", version, keep_alive);
  // A symlink (or anything else) that resolves outside the root is refused like "..".
  if (!inside(root_, file)) {
    return refuse(Status::forbidden, "forbidden", "path outside the web root", version, keep_alive);
  }
  if (fs::is_directory(file, ec)) file /= "index.html";
  // index.html itself could be a symlink out of the root.
  file = fs::weakly_canonical(file, ec);
  if (ec || !inside(root_, file)) {
    return refuse(Status::not_found, "not_found", "no such file", version, keep_alive);
  }
  if (!fs::is_regular_file(file, ec)) {
    return refuse(Status::not_found, "not_found", "no such file", version, keep_alive);
  }
  const auto size = fs::file_size(file, ec);
  if (ec || size > max_file_bytes_) {
    return refuse(Status::forbidden, "forbidden", "file too large to serve", version, keep_alive);
  }
  std::ifstream in(file, std::ios::binary);
  std::string body(static_cast<std::size_t>(size), '\0');
  if (!in.read(body.data(), static_cast<std::streamsize>(size))) {
    return refuse(Status::not_found, "not_found", "file could not be read", version, keep_alive);
  }
  Response res{Status::ok, version};
  res.set(http::field::content_type, content_type_for(file));
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  res.keep_alive(keep_alive);
  if (method == http::verb::head) {
    res.content_length(size);
  } else {
    res.body() = std::move(body);
    res.prepare_payload();
  }
  return res;
}

}  // namespace levain::gateway
