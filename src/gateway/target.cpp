#include "gateway/target.hpp"

#include <boost/url/parse.hpp>

#include "common/ids.hpp"

namespace levain::gateway {
namespace http = boost::beast::http;

namespace {

Target bad(std::string why) {
  Target t;
  t.error = std::move(why);
  return t;
}

bool under_tenant_tree(const std::vector<std::string>& s) {
  return s.size() >= 4 && s[0] == "api" && s[1] == "v1" && s[2] == "tenants";
}

}  // namespace

Target classify(std::string_view raw) {
  auto parsed = boost::urls::parse_origin_form(raw);
  if (!parsed) return bad("the request target is not a path");
  Target t;
  for (auto seg : parsed->segments()) {
    // Decoded: "%2e%2e" is "..", and a NUL or an encoded slash inside one segment is refused,
    // so no later step can be tricked into a different file or tenant than it checked.
    if (seg.find('\0') != std::string::npos || seg.find('/') != std::string::npos) {
      return bad("the path holds an encoded NUL or slash");
    }
    t.segments.push_back(std::move(seg));
  }
  for (auto param : parsed->params()) {
    if (param.key == "token" && param.has_value) t.token = param.value;
  }
  const auto& s = t.segments;
  if (s.size() == 1 && s[0] == "healthz") {
    t.kind = TargetKind::healthz;
  } else if (s.size() == 1 && s[0] == "readyz") {
    t.kind = TargetKind::readyz;
  } else if (s.size() == 1 && s[0] == "metrics") {
    t.kind = TargetKind::metrics;
  } else if (s.size() == 3 && s[0] == "api" && s[1] == "v1" && s[2] == "openapi.json") {
    t.kind = TargetKind::openapi;
  } else if (under_tenant_tree(s)) {
    if (!common::valid_id(s[3])) return bad("a tenant id is 1-64 of A-Z a-z 0-9 . _ -");
    t.tenant = s[3];
    const bool live = s.size() == 8 && s[4] == "training" && s[5] == "jobs" && s[7] == "live";
    t.kind = live ? TargetKind::live : TargetKind::api;
  } else if (!s.empty() && s[0] == "api") {
    t.kind = TargetKind::api_unknown;
  } else {
    t.kind = TargetKind::static_file;
  }
  return t;
}

bool is_write(http::verb method) {
  return method != http::verb::get && method != http::verb::head && method != http::verb::options;
}

}  // namespace levain::gateway
