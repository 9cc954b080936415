#include "common/live/sse_parser.hpp"

#include <gtest/gtest.h>

#include "common/live/sse_message.hpp"

namespace levain::common::live {
namespace {

TEST(SseParser, ReadsBackWhatTheServerWritesWhateverTheChunks) {
  std::string stream;
  append_sse_message(stream, 7, "progress", R"({"seq":7})");
  stream += kSseHeartbeat;
  append_sse_message(stream, 8, "completed", "{\n\"seq\":8}");
  append_sse_close(stream, 1000, "job completed");
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, stream.size()}) {
    SseParser parser;
    std::vector<SseEvent> out;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      ASSERT_TRUE(parser.feed(std::string_view(stream).substr(at, chunk), out));
    }
    ASSERT_EQ(out.size(), 3u) << chunk;
    EXPECT_EQ(out[0].id, "7");
    EXPECT_EQ(out[0].event, "progress");
    EXPECT_EQ(out[0].data, R"({"seq":7})");
    EXPECT_EQ(out[1].data, "{\n\"seq\":8}");
    EXPECT_EQ(out[2].event, "close");
    EXPECT_EQ(out[2].data, R"({"code":1000,"reason":"job completed"})");
    EXPECT_EQ(parser.comments(), 1u);
  }
}

TEST(SseParser, AnyLineEndAndNoSpaceAfterTheColon) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("event:a\r\ndata:1\rdata: 2\n\r\n", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event, "a");
  EXPECT_EQ(out[0].data, "1\n2");
  // A block without data dispatches nothing (EventSource's rule).
  ASSERT_TRUE(parser.feed("event: b\n\n", out));
  EXPECT_EQ(out.size(), 1u);
}

TEST(SseParser, ALineOverTheLimitIsAnError) {
  SseParser parser(8);
  std::vector<SseEvent> out;
  EXPECT_FALSE(parser.feed("data: 0123456789\n\n", out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace levain::common::live
