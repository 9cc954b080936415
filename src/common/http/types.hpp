#pragma once
/// Beast HTTP types and the JSON error form every endpoint uses (DESIGN.md §2:
/// `{"error": {"code": "…", "message": "…"}}`). Domain code throws ApiError; the edge turns it
/// into a response in one place.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <string>

namespace levain::common::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;

/// An error a client caused or can act on; `extra` fields are merged into the body's top level.
class ApiError : public std::runtime_error {
 public:
  ApiError(Status status, std::string code, const std::string& message,
           boost::json::object extra = {})
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        extra_(std::move(extra)) {}
  Status status() const { return status_; }
  const std::string& code() const { return code_; }
  const boost::json::object& extra() const { return extra_; }

 private:
  Status status_;
  std::string code_;
  boost::json::object extra_;
};

Response json_response(Status status, const boost::json::value& body, unsigned version = 11,
                       bool keep_alive = true);
Response error_response(Status status, std::string_view code, std::string_view message,
                        unsigned version = 11, bool keep_alive = true,
                        const boost::json::object& extra = {});
/// The request's X-Request-Id when it is a sane token (1-128 of [A-Za-z0-9._-]), else a new
/// UUID. Ids end up in logs on every hop, so arbitrary client text never does.
std::string request_id_of(const Request& request);

Response text_response(Status status, std::string body, std::string_view content_type,
                       unsigned version = 11, bool keep_alive = true);

}  // namespace levain::common::http
