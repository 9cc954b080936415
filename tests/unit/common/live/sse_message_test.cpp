#include "common/live/sse_message.hpp"

#include <gtest/gtest.h>

namespace levain::common::live {
namespace {

TEST(SseMessage, IdEventAndTheWebSocketJsonAsData) {
  std::string out;
  const std::string json = R"({"type":"progress","seq":7,"data":{"progress":20}})";
  append_sse_message(out, 7, "progress", json);
  EXPECT_EQ(out, "id: 7\nevent: progress\ndata: " + json + "\n\n");
  EXPECT_EQ(sse_message_size(7, "progress", json), out.size());
}

TEST(SseMessage, LineBreaksStartNewDataLines) {
  std::string out;
  append_sse_message(out, 1, "x", "{\n\"a\":1\r\n}\r");
  EXPECT_EQ(out, "id: 1\nevent: x\ndata: {\ndata: \"a\":1\ndata: }\ndata: \n\n");
}

TEST(SseMessage, CloseCarriesTheWebSocketCode) {
  std::string out;
  append_sse_close(out, 4001, "token expired \"now\"");
  EXPECT_EQ(out,
            "event: close\ndata: {\"code\":4001,\"reason\":\"token expired \\\"now\\\"\"}\n\n");
}

TEST(SseMessage, ACloseEventReadsBackAndGarbageIsNone) {
  std::string out;
  append_sse_close(out, 1008, "slow consumer");
  const auto data = out.substr(out.find("data: ") + 6, out.find("\n\n") - out.find("data: ") - 6);
  const auto close = parse_sse_close(data);
  ASSERT_TRUE(close.has_value());
  EXPECT_EQ(close->code, 1008);
  EXPECT_EQ(close->reason, "slow consumer");
  EXPECT_EQ(parse_sse_close(R"({"code":4004})")->reason, "");
  EXPECT_FALSE(parse_sse_close("not json"));
  EXPECT_FALSE(parse_sse_close(R"({"code":"1000"})"));
  EXPECT_FALSE(parse_sse_close("[1000]"));
}

TEST(SseMessage, ResponseHeadStreamsUntilClose) {
  const auto head = sse_response_head("levain");
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(head.find("Server: levain\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace levain::common::live
