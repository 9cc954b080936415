#pragma once
/// JSON text for responses and events. Like boost::json::serialize, except that doubles are
/// written in their shortest plain form ("36.0655") rather than Boost 1.81's "3.60655E1",
/// because people read these bodies, and non-finite doubles become null.

#include <boost/json/value.hpp>
#include <string>

namespace levain::common {

std::string to_json_text(const boost::json::value& value);

}  // namespace levain::common
