#include "common/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <limits>
#include <string>
#include <vector>

using levain::common::to_json_text;

TEST(JsonText, WritesDoublesPlainAndEverythingElseAsBoostDoes) {
  const boost::json::value v = {{"mae", 36.0655},
                                {"small", 1e-7},
                                {"n", 42},
                                {"s", "a\"b\n"},
                                {"list", {1.5, true, nullptr}}};
  const auto text = to_json_text(v);
  EXPECT_NE(text.find(R"("mae":36.0655)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("s":"a\"b\n")"), std::string::npos) << text;
  EXPECT_EQ(boost::json::parse(text), v);  // same value back, exactly
}

TEST(JsonText, NonFiniteDoublesBecomeNull) {
  const boost::json::value v = {{"nan", std::numeric_limits<double>::quiet_NaN()},
                                {"inf", std::numeric_limits<double>::infinity()}};
  EXPECT_EQ(to_json_text(v), R"({"nan":null,"inf":null})");
}

// Each ill-formed part becomes one U+FFFD, as Python's decode(errors="replace") does it, and
// the text always parses back under Boost's strict UTF-8 check.
TEST(JsonText, InvalidUtf8InStringsBecomesReplacementCharacters) {
  struct Case {
    const char* what;
    std::string in;
    std::string out;  // the JSON string literal written
  };
  const std::vector<Case> cases = {
      {"ascii", "abc", R"("abc")"},
      {"valid multibyte kept", "Cruas\xC3\xA1n \xE2\x82\xAC \xF0\x9F\xA5\x90",
       "\"Cruas\xC3\xA1n \xE2\x82\xAC \xF0\x9F\xA5\x90\""},
      {"lone FF", "\xFF", R"("\ufffd")"},
      {"lone continuation bytes",
       "a\x80\xBF"
       "b",
       R"("a\ufffd\ufffdb")"},
      {"overlong slash C0 AF", "\xC0\xAF", R"("\ufffd\ufffd")"},
      {"overlong E0 80 AF", "\xE0\x80\xAF", R"("\ufffd\ufffd\ufffd")"},
      {"overlong F0 80 80 AF", "\xF0\x80\x80\xAF", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"truncated 3-byte at end", "x\xE2\x82", R"("x\ufffd")"},
      {"truncated 4-byte before ascii", "\xF0\x9F\xA5z", R"("\ufffdz")"},
      {"truncated then valid", "\xC3\xC3\xA1", "\"\\ufffd\xC3\xA1\""},
      {"surrogate ED A0 80", "\xED\xA0\x80", R"("\ufffd\ufffd\ufffd")"},
      {"low surrogate ED BF BF", "\xED\xBF\xBF", R"("\ufffd\ufffd\ufffd")"},
      {"past U+10FFFF", "\xF4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"F5 lead", "\xF5\x80", R"("\ufffd\ufffd")"},
      {"largest code point kept", "\xF4\x8F\xBF\xBF", "\"\xF4\x8F\xBF\xBF\""},
      {"controls escaped", std::string("a\x01\x1f\0z", 5), R"("a\u0001\u001f\u0000z")"},
  };
  for (const auto& c : cases) {
    const auto text = to_json_text(boost::json::value(c.in));
    EXPECT_EQ(text, c.out) << c.what;
    boost::system::error_code ec;
    boost::json::parse(text, ec);
    EXPECT_FALSE(ec) << c.what << ": " << ec.message();
  }
}

TEST(JsonText, KeysAndNestedStringsAreCleanedToo) {
  const boost::json::value v = {{"bad\xFFkey", {{"reason", "invalid date '\xC3('"}}}};
  const auto text = to_json_text(v);
  EXPECT_EQ(text, R"({"bad\ufffdkey":{"reason":"invalid date '\ufffd('"}})");
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message();
}
