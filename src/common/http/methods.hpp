#pragma once
/// Which methods an endpoint answers: one rule for the service's routes and the gateway's own
/// endpoints, so both doors agree. HEAD goes wherever GET goes (the server drops the body);
/// any other method is refused with 405, an Allow header and a JSON error.

#include <initializer_list>
#include <string>
#include <string_view>

#include "common/http/types.hpp"

namespace levain::common::http {

using Methods = std::initializer_list<beast_http::verb>;

bool method_allowed(beast_http::verb method, Methods allowed);

/// The Allow header's value for `allowed`, HEAD included where GET is: "GET, HEAD, PUT".
std::string allow_header(Methods allowed);

/// 405 for `method` (as the request spelled it) on an endpoint that answers `allow`.
Response method_not_allowed(std::string_view method, std::string_view allow, unsigned version = 11,
                            bool keep_alive = true);

}  // namespace levain::common::http
