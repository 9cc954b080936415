// Server-Sent Events on the live path, directly and through the gateway: the same bytes as the
// WebSocket for every seq, refusals as `event: close`, resume by seq, and the send bound.
#include <gtest/gtest.h>

#include <map>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/sse_client.hpp"
#include "harness/stream_checks.hpp"

namespace levain::integration {
namespace {

/// seq -> the exact text of every event (not `connected`) a watcher got.
using BySeq = std::map<std::uint64_t, std::string>;

BySeq events_by_seq(const std::vector<std::string>& texts, const Messages& parsed) {
  BySeq out;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const auto type = type_of(parsed[i]);
    if (type == "connected" || type == "pong") continue;
    out.emplace(static_cast<std::uint64_t>(int_at(parsed[i], "seq")), texts[i]);
  }
  return out;
}

BySeq events_by_seq(const SseClient& c) {
  std::vector<std::string> texts;
  for (const auto& m : c.raw()) texts.push_back(m.data);
  return events_by_seq(texts, c.messages());
}

/// Every seq two watchers both got carries the same bytes; returns how many were compared.
std::size_t expect_same_bytes(const BySeq& a, const BySeq& b, const std::string& what) {
  std::size_t compared = 0;
  for (const auto& [seq, text] : a) {
    const auto it = b.find(seq);
    if (it == b.end()) continue;
    ++compared;
    EXPECT_EQ(text, it->second) << what << " differ at seq " << seq;
  }
  return compared;
}

/// SSE-specific framing: `id` is the message's seq, `event` its type.
void expect_ids_and_events(const SseClient& c) {
  ASSERT_EQ(c.raw().size(), c.messages().size());
  for (std::size_t i = 0; i < c.raw().size(); ++i) {
    EXPECT_EQ(c.raw()[i].id, std::to_string(int_at(c.messages()[i], "seq")));
    EXPECT_EQ(c.raw()[i].event, type_of(c.messages()[i]));
  }
}

class SseTest : public LevainTest {
 protected:
  std::unique_ptr<SseClient> sse(std::uint16_t port, const std::string& job, const std::string& tok,
                                 SseOptions options = {}, const std::string& query = "") {
    return std::make_unique<SseClient>(port, target(job, tok, query), std::move(options));
  }
  std::unique_ptr<WsClient> ws(std::uint16_t port, const std::string& job, const std::string& tok,
                               const std::string& query = "") {
    return std::make_unique<WsClient>(port, target(job, tok, query));
  }

 private:
  std::string target(const std::string& job, const std::string& tok,
                     const std::string& query) const {
    auto t = live_target("bakery", job, tok);
    if (!query.empty()) t += (tok.empty() ? "?" : "&") + query;
    return t;
  }
};

TEST_F(SseTest, SameBytesAsTheWebSocketForEverySeqDirectAndThroughTheGateway) {
  auto& replica = start_server({"--train-threads", "1"});
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(30, 400));
  const auto job = start_job("bakery", tok);
  auto ws_direct = ws(replica.port(), job, tok);
  auto sse_direct = sse(replica.port(), job, tok);
  auto ws_gw = ws(gw.port(), job, tok);
  auto sse_gw = sse(gw.port(), job, tok);
  ASSERT_EQ(sse_direct->status(), 200) << sse_direct->end().describe();
  EXPECT_NE(sse_direct->head().find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(sse_gw->head().find("Server: levain-gateway"), std::string::npos);
  // Two more join mid-job, once products are coming in.
  ASSERT_TRUE(ws_direct->read_until_type("product_completed", 2)) << ws_direct->end().describe();
  auto sse_direct_late = sse(replica.port(), job, tok);
  auto sse_gw_late = sse(gw.port(), job, tok);

  for (auto* c : {ws_direct.get(), ws_gw.get()}) {
    c->read_until_close();
    EXPECT_TRUE(events_follow_snapshot(c->messages()));
    EXPECT_TRUE(ends_with(*c, "completed", 1000));
  }
  for (auto* c : {sse_direct.get(), sse_gw.get(), sse_direct_late.get(), sse_gw_late.get()}) {
    c->read_until_close();
    EXPECT_TRUE(starts_with_connected(c->messages(), job));
    EXPECT_TRUE(events_follow_snapshot(c->messages()));
    expect_ids_and_events(*c);
    EXPECT_EQ(c->end().code, 1000) << c->end().describe();
    EXPECT_EQ(c->end().reason, "job completed");
  }
  // Each stream runs without a gap to the job's end (events_follow_snapshot), so any two share
  // every seq from the later joiner's first event on: those must be the same bytes.
  const auto reference = events_by_seq(ws_direct->raw(), ws_direct->messages());
  ASSERT_FALSE(reference.empty());
  EXPECT_GT(expect_same_bytes(reference, events_by_seq(ws_gw->raw(), ws_gw->messages()),
                              "websocket via gateway"),
            0u);
  EXPECT_GT(expect_same_bytes(reference, events_by_seq(*sse_direct), "sse direct"), 0u);
  EXPECT_GT(expect_same_bytes(reference, events_by_seq(*sse_gw), "sse via gateway"), 0u);
  expect_same_bytes(reference, events_by_seq(*sse_direct_late), "sse direct, joined late");
  expect_same_bytes(reference, events_by_seq(*sse_gw_late), "sse via gateway, joined late");
}

TEST_F(SseTest, RefusalsAreCloseEventsWithTheWebSocketCodes) {
  auto& replica = start_server();
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  const auto other = token({"elsewhere"});
  upload("bakery", tok, demo_csv(2, 200));
  const auto job = start_job("bakery", tok);
  for (const auto port : {replica.port(), gw.port()}) {
    const std::string where = port == gw.port() ? "gateway" : "service";
    struct Case {
      std::string job, token;
      int code;
    };
    for (const auto& c : {Case{job, "", 4001}, Case{job, "not.a.token", 4001},
                          Case{job, other, 4003}, Case{"no-such-job", tok, 4004}}) {
      auto client = sse(port, c.job, c.token);
      EXPECT_EQ(client->status(), 200) << where;
      client->read_until_close();
      EXPECT_TRUE(client->messages().empty()) << where << " " << c.code;
      EXPECT_EQ(client->end().code, c.code) << where << ": " << client->end().describe();
      EXPECT_FALSE(client->end().reason.empty()) << where;
    }
    // The token may come in the header instead of the query.
    SseOptions bearer;
    bearer.headers = {{"Authorization", "Bearer " + tok}};
    auto client = sse(port, job, "", bearer);
    client->read_until_close();
    EXPECT_TRUE(starts_with_connected(client->messages(), job)) << where;
    EXPECT_EQ(client->end().code, 1000) << where << ": " << client->end().describe();
  }
}

TEST_F(SseTest, ThroughTheGatewayAnAllowedOriginMayReadTheStream) {
  auto& replica = start_server();
  auto& gw = start_gateway({replica.port()}, {"--cors-origin", "http://shop.example"});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(2, 200));
  const auto job = start_job("bakery", tok);
  SseOptions allowed;
  allowed.headers = {{"Origin", "http://shop.example"}};
  auto shop = sse(gw.port(), job, tok, allowed);
  EXPECT_NE(shop->head().find("Access-Control-Allow-Origin: http://shop.example\r\n"),
            std::string::npos)
      << shop->head();
  shop->read_until_close();
  EXPECT_EQ(shop->end().code, 1000) << shop->end().describe();
  SseOptions other;
  other.headers = {{"Origin", "http://elsewhere.example"}};
  auto stranger = sse(gw.port(), job, tok, other);
  EXPECT_EQ(stranger->head().find("Access-Control-Allow-Origin"), std::string::npos)
      << stranger->head();
}

/// The stream of a resumed watcher: `connected` with resumed and seq `since`, no snapshot, then
/// exactly since+1 … to the job's last event.
void expect_resumed(const Messages& messages, std::uint64_t since, std::uint64_t last) {
  ASSERT_FALSE(messages.empty());
  const auto& first = messages.front();
  EXPECT_EQ(type_of(first), "connected");
  EXPECT_TRUE(bool_at(first, "data/resumed")) << dump(first);
  EXPECT_FALSE(has(first, "data/snapshot")) << dump(first);
  EXPECT_EQ(static_cast<std::uint64_t>(int_at(first, "seq")), since);
  ASSERT_EQ(messages.size(), 1 + last - since);
  for (std::size_t i = 1; i < messages.size(); ++i) {
    EXPECT_EQ(static_cast<std::uint64_t>(int_at(messages[i], "seq")), since + i);
  }
  EXPECT_EQ(type_of(messages.back()), "completed");
}

TEST_F(SseTest, AWatcherCutAtSeqKResumesWithOnlyTheEventsItMissed) {
  auto& replica = start_server({"--train-threads", "1"});
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(12, 400));
  const auto job = start_job("bakery", tok);
  auto first = sse(gw.port(), job, tok);
  ASSERT_TRUE(first->read_until_type("product_completed", 1)) << first->end().describe();
  const auto k = static_cast<std::uint64_t>(std::stoull(first->raw().back().id));
  first->cut();
  const auto done = wait_terminal("bakery", tok, job);
  const auto last = static_cast<std::uint64_t>(int_at(done, "seq"));
  ASSERT_GT(last, k);

  for (const auto port : {replica.port(), gw.port()}) {
    SseOptions resume;
    resume.headers = {{"Last-Event-ID", std::to_string(k)}};
    auto again = sse(port, job, tok, resume);
    again->read_until_close();
    expect_resumed(again->messages(), k, last);
    EXPECT_EQ(again->end().code, 1000) << again->end().describe();
    // The same over a WebSocket with ?since=, and over SSE with it in the query (what a new
    // EventSource can send).
    auto ws_again = ws(port, job, tok, "since=" + std::to_string(k));
    ws_again->read_until_close();
    expect_resumed(ws_again->messages(), k, last);
    EXPECT_EQ(ws_again->end().code, 1000) << ws_again->end().describe();
    auto query_again = sse(port, job, tok, {}, "since=" + std::to_string(k));
    query_again->read_until_close();
    expect_resumed(query_again->messages(), k, last);
  }
  // Past the job's last event, a seq this replica never had, and garbage: the full snapshot,
  // resumed false (for a job that is over, the snapshot and the close say all there is).
  for (const std::string& since :
       {std::to_string(last), std::to_string(last + 5), std::string("abc"), std::string("0")}) {
    auto fresh = ws(replica.port(), job, tok, "since=" + since);
    fresh->read_until_close();
    ASSERT_FALSE(fresh->messages().empty()) << since;
    EXPECT_TRUE(starts_with_connected(fresh->messages(), job)) << since;
    EXPECT_FALSE(bool_at(fresh->messages().front(), "data/resumed")) << since;
    EXPECT_EQ(fresh->messages().size(), 1u) << since;
    EXPECT_EQ(fresh->end().code, 1000) << fresh->end().describe();
  }
}

TEST_F(SseTest, PastTheRingAResumeGetsTheSnapshot) {
  auto& replica = start_server({"--resume-events", "3"});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(6, 200));
  const auto job = start_job("bakery", tok);
  const auto last = static_cast<std::uint64_t>(int_at(wait_terminal("bakery", tok, job), "seq"));
  SseOptions resume;
  resume.headers = {{"Last-Event-ID", "1"}};
  auto old = sse(replica.port(), job, tok, resume);
  old->read_until_close();
  ASSERT_TRUE(starts_with_connected(old->messages(), job));
  EXPECT_FALSE(bool_at(old->messages().front(), "data/resumed"));
  EXPECT_EQ(old->messages().size(), 1u);  // the job is over: its snapshot says it all
  EXPECT_EQ(old->end().code, 1000) << old->end().describe();
  // Within the ring's three: resumed.
  resume.headers = {{"Last-Event-ID", std::to_string(last - 2)}};
  auto recent = sse(replica.port(), job, tok, resume);
  recent->read_until_close();
  expect_resumed(recent->messages(), last - 2, last);
}

TEST_F(SseTest, AReaderThatStopsReadingIsClosedWith1008LikeAWebSocket) {
  auto& replica = start_server({"--train-threads", "1", "--ws-send-queue-bytes", "4096"});
  auto& gw = start_gateway({replica.port()}, {"--ws-send-queue-bytes", "4096"});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(200, 120));
  const auto job = start_job("bakery", tok);
  SseOptions tiny;
  tiny.receive_buffer_bytes = 1024;
  tiny.max_segment_bytes = 536;
  auto direct = sse(replica.port(), job, tok, tiny);
  auto via = sse(gw.port(), job, tok, tiny);
  ASSERT_TRUE(direct->next().has_value()) << direct->end().describe();
  ASSERT_TRUE(via->next().has_value()) << via->end().describe();
  wait_terminal("bakery", tok, job);  // neither reads while the job runs
  for (auto* c : {direct.get(), via.get()}) {
    c->read_until_close();
    EXPECT_EQ(c->end().code, 1008) << c->end().describe();
    EXPECT_NE(c->end().reason.find("slow consumer"), std::string::npos) << c->end().reason;
  }
}

}  // namespace
}  // namespace levain::integration
