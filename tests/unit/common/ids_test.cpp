#include "common/ids.hpp"

#include <gtest/gtest.h>

#include <set>

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
