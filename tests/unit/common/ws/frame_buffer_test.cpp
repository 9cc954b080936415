// The one repair FrameBuffer makes on the way out: Beast's echo of a close code RFC 6455 does not
// allow becomes a close with 1002.
#include "common/ws/frame_buffer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>

namespace {

using levain::common::ws::FrameBuffer;

std::string close_frame(std::uint16_t code, const std::string& reason) {
  std::string f = {'\x88', static_cast<char>(2 + reason.size()), static_cast<char>(code >> 8),
                   static_cast<char>(code & 0xff)};
  return f + reason;
}

std::string unsent(const FrameBuffer& b) { return {b.unsent_data(), b.unsent_bytes()}; }

TEST(FrameBuffer, AnEchoedInvalidCloseCodeLeavesAs1002) {
  for (const std::uint16_t code : {5000, 65535}) {
    FrameBuffer b;
    b.start_frames();
    const std::string text = "\x81\x02hi";
    b.append(boost::asio::buffer(text));
    const auto echo = close_frame(code, "bye");
    EXPECT_EQ(b.append(boost::asio::buffer(echo)), echo.size()) << "Beast sees its bytes taken";
    EXPECT_EQ(unsent(b), text + close_frame(1002, "")) << code;
    b.advance(b.unsent_bytes());
    EXPECT_EQ(b.unsent_bytes(), 0u);
  }
}

TEST(FrameBuffer, ValidCloseCodesLeaveAsTheyAre) {
  for (const std::uint16_t code : {1000, 1002, 1008, 1012, 3000, 4000, 4999}) {
    FrameBuffer b;
    b.start_frames();
    const auto frame = close_frame(code, "bye");
    b.append(boost::asio::buffer(frame));
    EXPECT_EQ(unsent(b), frame) << code;
  }
  FrameBuffer b;
  b.start_frames();
  const std::string empty_close = "\x88\x00";
  b.append(boost::asio::buffer(empty_close));
  EXPECT_EQ(unsent(b), empty_close);
}

}  // namespace
