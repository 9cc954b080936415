#include "common/http/methods.hpp"

#include <algorithm>

namespace levain::common::http {

using beast_http::verb;

bool method_allowed(verb method, Methods allowed) {
  const auto listed = [&](verb v) {
    return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
  };
  return listed(method) || (method == verb::head && listed(verb::get));
}

std::string allow_header(Methods allowed) {
  std::string out;
  const auto add = [&out](verb v) {
    if (!out.empty()) out += ", ";
    out += beast_http::to_string(v);
  };
  for (const auto v : allowed) {
    add(v);
    if (v == verb::get && std::find(allowed.begin(), allowed.end(), verb::head) == allowed.end()) {
      add(verb::head);
    }
  }
  return out;
}

Response method_not_allowed(std::string_view method, std::string_view allow, unsigned version,
                            bool keep_alive) {
  auto res = error_response(Status::method_not_allowed, "method_not_allowed",
                            std::string(method) + " is not allowed here; use " + std::string(allow),
                            version, keep_alive);
  res.set(beast_http::field::allow, allow);
  return res;
}

}  // namespace levain::common::http
