#include "common/live/message_scan.hpp"

#include <gtest/gtest.h>

namespace levain::common::live {
namespace {

TEST(MessageScan, ReadsTheEnvelopeOfAnEvent) {
  const auto h =
      scan_header(R"({"type":"product_completed","job_id":"j","tenant_id":"t","seq":17,)"
                  R"("timestamp":"2026-11-27T12:34:56.789123Z","data":{"seq":99,"type":"x"}})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->type, "product_completed");
  EXPECT_EQ(h->seq, 17u);
  EXPECT_EQ(h->timestamp, "2026-11-27T12:34:56.789123Z");
}

TEST(MessageScan, NestedMembersAreNeverTheEnvelopes) {
  // `data` first: its "seq" and "type" must be skipped, with strings holding braces and quotes.
  const auto h = scan_header(
      R"({ "data" : {"seq": 5, "type": "started", "name": "a \"}\" b", "list": [1, {"seq": 2}]},)"
      R"( "type" : "progress" , "seq" : 3 , "timestamp" : "t" })");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->type, "progress");
  EXPECT_EQ(h->seq, 3u);
  EXPECT_EQ(h->timestamp, "t");
}

TEST(MessageScan, MessagesWithoutSomeMembers) {
  auto h = scan_header(R"({"type":"pong"})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->type, "pong");
  EXPECT_FALSE(h->seq);
  EXPECT_EQ(h->timestamp, "");
  h = scan_header("{}");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->type, "");
  h = scan_header(R"({"type":"error","data":{"message":"only ping"}})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->type, "error");
}

TEST(MessageScan, WrongKindsOfValuesAreLeftOut) {
  const auto h = scan_header(R"({"type":7,"seq":"17","timestamp":null})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->type, "");
  EXPECT_FALSE(h->seq);
  EXPECT_EQ(h->timestamp, "");
  EXPECT_FALSE(scan_header(R"({"seq":-1})")->seq);
  EXPECT_FALSE(scan_header(R"({"seq":1.5})")->seq);
  EXPECT_FALSE(scan_header(R"({"seq":99999999999999999999999})")->seq);
  EXPECT_EQ(scan_header(R"({"seq":18446744073709551615})")->seq, UINT64_MAX);
}

TEST(MessageScan, StopsOnceTheEnvelopeIsKnown) {
  // What follows the three members is not read, so a truncated tail does not matter.
  const auto h = scan_header(R"({"type":"started","seq":1,"timestamp":"t","data":{"broken)");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->seq, 1u);
}

TEST(MessageScan, NotAnObjectOrCutShort) {
  for (const char* bad : {"", "ping", "[1,2]", "\"type\"", "{", R"({"type")", R"({"type":)",
                          R"({"type":"started")", R"({"type":"started",)", R"({"type":"sta)",
                          R"({"data":{"a":1},"type":"x" "seq":1})", R"({type:"x"})"}) {
    EXPECT_FALSE(scan_header(bad)) << bad;
  }
}

}  // namespace
}  // namespace levain::common::live
