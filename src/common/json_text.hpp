#pragma once
/// JSON text for responses and events: the one writer every answer and message goes through.
/// Like boost::json::serialize, except that
/// - doubles are written in their shortest plain form ("36.0655") rather than Boost 1.81's
///   "3.60655E1", because people read these bodies, and non-finite doubles become null;
/// - strings are always valid UTF-8: each ill-formed part (a stray byte echoed from a request,
///   an overlong form, a surrogate, a truncated sequence) becomes one "\ufffd" (U+FFFD).

#include <boost/json/value.hpp>
#include <string>

namespace levain::common {

std::string to_json_text(const boost::json::value& value);

}  // namespace levain::common
