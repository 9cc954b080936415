#pragma once
/// The API's OpenAPI 3.1 document (docs/openapi.json, embedded at build time), which the service
/// and the gateway both serve at GET /api/v1/openapi.json without a token: it holds no tenant's
/// data, and the tools that read it must not need one.

#include <string_view>

#include "common/http/types.hpp"

namespace levain::common::http {

std::string_view openapi_document();

Response openapi_response(unsigned version = 11, bool keep_alive = true);

}  // namespace levain::common::http
