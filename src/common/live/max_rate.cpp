#include "common/live/max_rate.hpp"

#include <charconv>

namespace levain::common::live {

MaxRate max_rate_of(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.substr(0, pair.find('=')) != "max_rate") continue;
    const auto text = pair.find('=') == std::string_view::npos ? std::string_view()
                                                               : pair.substr(pair.find('=') + 1);
    double value = 0;
    const auto* end = text.data() + text.size();
    const auto [at, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || at != end || !(value > 0) || value > 1000) {
      return {0, "max_rate must be a number of messages per second in (0, 1000]"};
    }
    return {value, ""};
  }
  return {};
}

}  // namespace levain::common::live
