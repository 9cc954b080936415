#include "loadgen/recorder.hpp"

#include <gtest/gtest.h>

#include "common/timestamp.hpp"

namespace levain::loadgen {
namespace {

constexpr std::int64_t kStart = 1795782896000000;  // 2026-11-27T12:34:56Z

std::string message(const std::string& type, int seq, const std::string& timestamp) {
  return R"({"type":")" + type + R"(","job_id":"j","tenant_id":"t","seq":)" + std::to_string(seq) +
         R"(,"timestamp":")" + timestamp + R"(","data":{}})";
}

TEST(Recorder, ClassifiesTheContractsTypes) {
  EXPECT_EQ(classify("connected", true), MessageKind::connected);
  EXPECT_EQ(classify("started", true), MessageKind::event);
  EXPECT_EQ(classify("progress", true), MessageKind::event);
  EXPECT_EQ(classify("product_completed", true), MessageKind::event);
  EXPECT_EQ(classify("completed", true), MessageKind::terminal);
  EXPECT_EQ(classify("failed", true), MessageKind::terminal);
  EXPECT_EQ(classify("pong", false), MessageKind::other);
  EXPECT_EQ(classify("error", false), MessageKind::other);
  EXPECT_EQ(classify("retrained", true), MessageKind::event);  // a newer server's event
}

TEST(Recorder, RecordsSeqReceiveTimeAndLatency) {
  ClientResult c;
  record_message(c, message("connected", 2, "2026-11-27T12:34:56.000100Z"), kStart + 500, kStart,
                 100);
  record_message(c, message("product_completed", 3, "2026-11-27T12:34:56.001000Z"), kStart + 1750,
                 kStart, 100);
  record_message(c, R"({"type":"pong"})", kStart + 1800, kStart, 100);
  ASSERT_EQ(c.messages.size(), 3u);
  EXPECT_EQ(c.messages[0].kind, MessageKind::connected);
  EXPECT_EQ(c.messages[0].seq, 2u);
  EXPECT_EQ(c.messages[0].latency_us, kNoLatency);  // a snapshot is not an event
  EXPECT_EQ(c.joined_at_us, 500);
  EXPECT_EQ(c.messages[1].kind, MessageKind::event);
  EXPECT_EQ(c.messages[1].at_us, 1750u);
  EXPECT_EQ(c.messages[1].latency_us, 750);
  EXPECT_EQ(c.messages[2].bytes, 15u);
  EXPECT_EQ(c.messages[2].kind, MessageKind::other);
  EXPECT_EQ(c.ledger.snapshot_seq(), 2u);
  EXPECT_EQ(c.ledger.last_seq(), 3u);
  EXPECT_EQ(c.unparsed, 0u);
}

TEST(Recorder, UnreadableMessagesAreCountedAndKeptOutOfTheLedger) {
  ClientResult c;
  EXPECT_FALSE(record_message(c, "not json", kStart, kStart, 100));
  EXPECT_FALSE(record_message(c, R"({"seq":1})", kStart, kStart, 100));  // no type
  EXPECT_FALSE(record_message(c, R"({"type":"started","timestamp":"x"})", kStart, kStart, 100));
  EXPECT_EQ(c.unparsed, 3u);
  EXPECT_TRUE(c.messages.empty());
  EXPECT_FALSE(c.ledger.joined());
  // An event whose timestamp cannot be read still counts for loss, without a latency.
  record_message(c, message("connected", 0, "x"), kStart, kStart, 100);
  record_message(c, message("started", 1, "yesterday"), kStart, kStart, 100);
  EXPECT_EQ(c.unparsed, 4u);
  EXPECT_EQ(c.ledger.last_seq(), 1u);
  EXPECT_EQ(c.messages.back().latency_us, kNoLatency);
}

TEST(Recorder, TheRecordCapStopsRecordingButNotCounting) {
  ClientResult c;
  record_message(c, message("connected", 0, "2026-11-27T12:34:56Z"), kStart, kStart, 2);
  for (int s = 1; s <= 4; ++s) {
    record_message(c, message("progress", s, "2026-11-27T12:34:56Z"), kStart, kStart, 2);
  }
  EXPECT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.not_recorded, 3u);
  EXPECT_EQ(c.ledger.tally(4).lost, 0u);
}

TEST(Recorder, ExtremeValuesAreClamped) {
  ClientResult c;
  record_message(c, message("connected", 0, "1970-01-01T00:00:00Z"), kStart, kStart, 10);
  record_message(c, message("progress", 1, "1970-01-01T00:00:00Z"), kStart, kStart, 10);
  EXPECT_EQ(c.messages.back().latency_us, INT32_MAX);
  record_message(c, message("progress", 2, "2026-11-27T12:34:56Z"), kStart - 5, kStart, 10);
  EXPECT_EQ(c.messages.back().at_us, 0u);  // before the start (clock step): clamped at 0
  EXPECT_EQ(c.messages.back().latency_us, -5);
}

}  // namespace
}  // namespace levain::loadgen
