#include "common/http/types.hpp"

#include <boost/beast/http/field.hpp>

#include "common/ids.hpp"
#include "common/json_text.hpp"

namespace levain::common::http {

Response text_response(Status status, std::string body, std::string_view content_type,
                       unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(beast_http::field::server, "levain");
  res.set(beast_http::field::content_type, content_type);
  res.set(beast_http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(Status status, const boost::json::value& body, unsigned version,
                       bool keep_alive) {
  return text_response(status, common::to_json_text(body), "application/json", version, keep_alive);
}

Response error_response(Status status, std::string_view code, std::string_view message,
                        unsigned version, bool keep_alive, const boost::json::object& extra) {
  boost::json::object body = extra;
  body["error"] = {{"code", code}, {"message", message}};
  return json_response(status, body, version, keep_alive);
}

std::string request_id_of(const Request& request) {
  const auto given = request["X-Request-Id"];
  bool ok = !given.empty() && given.size() <= 128;
  for (const char c : given) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-');
  }
  return ok ? std::string(given) : new_uuid();
}

}  // namespace levain::common::http
