#include "common/http/openapi.hpp"

#include <string>

namespace levain::common::http {

Response openapi_response(unsigned version, bool keep_alive) {
  return text_response(Status::ok, std::string(openapi_document()), "application/json", version,
                       keep_alive);
}

}  // namespace levain::common::http
