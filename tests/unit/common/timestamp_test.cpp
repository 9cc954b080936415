#include "common/timestamp.hpp"

#include <gtest/gtest.h>

namespace levain::common {
namespace {

TEST(Timestamp, ParsesTheContractsMicrosecondUtcForm) {
  // 2026-11-27T12:34:56Z = 1795782896 s after the epoch (date -u -d ... +%s).
  EXPECT_EQ(parse_timestamp_us("2026-11-27T12:34:56.789123Z"), 1795782896789123);
  EXPECT_EQ(parse_timestamp_us("1970-01-01T00:00:00.000000Z"), 0);
  EXPECT_EQ(parse_timestamp_us("1970-01-01T00:00:01.000001Z"), 1000001);
}

TEST(Timestamp, FractionsOfOtherLengthsScaleToMicroseconds) {
  EXPECT_EQ(parse_timestamp_us("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_timestamp_us("1970-01-01T00:00:00.5Z"), 500000);
  EXPECT_EQ(parse_timestamp_us("1970-01-01T00:00:00.123Z"), 123000);
  EXPECT_EQ(parse_timestamp_us("1970-01-01T00:00:00.123456789Z"), 123456);  // ns dropped
}

TEST(Timestamp, LeapDaysAndYearEnds) {
  EXPECT_EQ(parse_timestamp_us("2024-02-29T00:00:00Z"), 1709164800LL * 1000000);
  EXPECT_EQ(parse_timestamp_us("1999-12-31T23:59:59.999999Z"), 946684799999999LL);
}

TEST(Timestamp, RejectsAnythingElse) {
  for (const char* bad :
       {"", "2026-11-27", "2026-11-27T12:34:56", "2026-11-27T12:34:56.789123",
        "2026-11-27T12:34:56.789123+00:00", "2026-11-27 12:34:56Z", "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-27T24:00:00Z",
        "2026-11-27T12:60:00Z", "2026-11-27T12:34:60Z", "2026-11-27T12:34:56.Z",
        "2026-11-27T12:34:56.1234567890Z", "2026-11-27T12:34:56ZZ", "2026/11/27T12:34:56Z",
        "2026-11-2xT12:34:56Z", "+026-11-27T12:34:56Z"}) {
    EXPECT_EQ(parse_timestamp_us(bad), std::nullopt) << bad;
  }
}

TEST(Timestamp, WallClockIsNearTheSystemClock) {
  const auto before = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto now = wall_clock_us();
  EXPECT_GE(now, before);
}

}  // namespace
}  // namespace levain::common
