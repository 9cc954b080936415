#include "common/ids.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {
// 8-4-4-4-12 lowercase hex, version nibble 4, variant nibble 8..b.
bool is_uuid_v4(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    if (!dash && std::isupper(static_cast<unsigned char>(s[i]))) return false;
  }
  return s[14] == '4' && std::string_view("89ab").find(s[19]) != std::string_view::npos;
}
}  // namespace

TEST(Ids, UuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = levain::common::new_uuid();
    EXPECT_TRUE(is_uuid_v4(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, UuidsStayDistinctAcrossThreads) {
  // RAND_bytes is shared by every thread; no thread may repeat another's ids.
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&made, t] {
      for (int i = 0; i < kEach; ++i) made[t].push_back(levain::common::new_uuid());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> seen;
  for (const auto& ids : made) seen.insert(ids.begin(), ids.end());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST(Ids, RandomHexHasTheAskedLengthAndVaries) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto hex = levain::common::random_hex(16);
    ASSERT_EQ(hex.size(), 32u);
    for (const char c : hex) {
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << hex;
    }
    seen.insert(hex);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(levain::common::random_hex(0), "");
  // Every nibble value shows up in 3200 random nibbles (missing one has odds below 1e-80).
  std::set<char> nibbles;
  for (const auto& hex : seen) nibbles.insert(hex.begin(), hex.end());
  EXPECT_EQ(nibbles.size(), 16u);
}
