#pragma once
/// Reads the envelope of one live message ("type", "seq", "timestamp") without building a JSON
/// DOM: the gateway reads it off every message it relays to an event stream (for `id:` and
/// `event:`), and the load generator off every message of every client, where each microsecond
/// it spends is taken from the server it measures.

#include <cstdint>
#include <optional>
#include <string_view>

namespace levain::common::live {

struct MessageHeader {
  std::string_view type;             // raw text between the quotes; "" when absent
  std::optional<std::uint64_t> seq;  // absent or not a non-negative integer: nullopt
  std::string_view timestamp;        // raw text between the quotes; "" when absent
};

/// Scans the top-level members of a JSON object, skipping nested values (so a "seq" inside
/// `data` is never mistaken for the envelope's). Stops once the three members are found; the
/// rest of the text is not validated. Nullopt when the text is not an object or is cut short
/// before the members were found.
std::optional<MessageHeader> scan_header(std::string_view text);

}  // namespace levain::common::live
