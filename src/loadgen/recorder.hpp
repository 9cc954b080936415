#pragma once
/// Turns one received text message into a Received record and a ledger step for its client.
/// Separate from the networking so the classification is unit-tested without sockets.

#include <cstdint>
#include <optional>
#include <string_view>

#include "loadgen/watchers.hpp"

namespace levain::loadgen {

/// started/progress/product_completed → event; completed/failed → terminal; connected; any other
/// type with a seq → event (a newer server's event kinds still count); without a seq → other.
MessageKind classify(std::string_view type, bool has_seq);

/// Records `text`, received at `now_us` (wall clock), on `client`. Returns the kind, or nullopt
/// for a message without a readable envelope (counted in client.unparsed).
std::optional<MessageKind> record_message(ClientResult& client, std::string_view text,
                                          std::int64_t now_us, std::int64_t started_wall_us,
                                          std::size_t max_messages);

}  // namespace levain::loadgen
