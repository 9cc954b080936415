#pragma once
/// `?max_rate=R` on a live URL (docs/live-protocol.md): the messages per second a watcher
/// wants. Read here by the service, which folds events to it, and by the gateway, which refuses a
/// bad one in HTTP before it opens anything upstream (a replica's 400 would otherwise look like a
/// replica that cannot be reached).

#include <string>
#include <string_view>

namespace levain::common::live {

struct MaxRate {
  double value = 0;   // 0: not asked for (every event as it comes)
  std::string error;  // set when the query has a max_rate that is not a number in (0, 1000]
};

/// From a request target's query ("/…/live?token=…&max_rate=2").
MaxRate max_rate_of(std::string_view target);

}  // namespace levain::common::live
