#pragma once
/// Checks of a recorded live stream against the WebSocket contract (DESIGN.md §2): the
/// `connected` snapshot first, then events numbered snapshot.seq+1, +2, ... with the progress
/// formula, never going backwards, ending with a terminal event and close 1000.

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "ws_client.hpp"

namespace levain::integration {

using Messages = std::vector<boost::json::value>;

/// The contract's progress for a product_completed event.
std::int64_t expected_progress(std::int64_t completed, std::int64_t total);

/// Message type, or "" when it has none.
std::string type_of(const boost::json::value& message);

/// The events of a stream: everything after `connected`, without `pong` replies.
Messages events_of(const Messages& messages);

/// messages[0] is `connected` with seq == data.snapshot.seq and a snapshot for `job_id`.
::testing::AssertionResult starts_with_connected(const Messages& messages,
                                                 const std::string& job_id);

/// A job snapshot is internally consistent: products_completed == rows in products, progress
/// matches status and the formula, seq fits the status.
::testing::AssertionResult snapshot_consistent(const boost::json::value& snapshot);

/// The events after the snapshot: seq consecutive from snapshot.seq+1, every event well formed
/// (envelope + data.progress/current_step/products_completed/total_products), progress monotone
/// from the snapshot's, per-type rules (started 0, progress 20, product_completed formula and
/// count +1, completed 100 with success+failed == total), nothing after a terminal event.
::testing::AssertionResult events_follow_snapshot(const Messages& messages);

/// The events are exactly: started, progress, `total` × product_completed, completed.
::testing::AssertionResult full_success_sequence(const Messages& messages, std::int64_t total);

/// The last message is of `type` and the server closed with `code`.
::testing::AssertionResult ends_with(const WsClient& client, const std::string& type, int code);

}  // namespace levain::integration
