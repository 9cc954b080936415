#include "forecast/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "forecast/dates.hpp"

namespace levain::forecast {
namespace {

std::string reason_at(const CsvParseResult& r, std::size_t line) {
  for (const auto& rej : r.rejected) {
    if (rej.line == line) return rej.reason;
  }
  return "<none>";
}

TEST(SalesCsv, AcceptsGoodRowsInOrder) {
  const auto r = parse_sales_csv(
      "date,product,quantity\n2024-01-01,Baguette,12\n"
      "2024-01-02,Croissant,3.5\n");
  ASSERT_EQ(r.fatal_error, "");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(format_iso_date(r.rows[0].date), "2024-01-01");
  EXPECT_EQ(r.rows[0].product, "Baguette");
  EXPECT_DOUBLE_EQ(r.rows[0].quantity, 12);
  EXPECT_DOUBLE_EQ(r.rows[1].quantity, 3.5);
  EXPECT_EQ(r.rejected_total, 0u);
}

TEST(SalesCsv, CrlfBomTrailingNewlineAndBlankLines) {
  const auto r = parse_sales_csv(
      "\xEF\xBB\xBF"
      "Date , PRODUCT,Quantity\r\n2024-01-01,Baguette,1\r\n\r\n2024-01-02,Baguette,2\r\n");
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1].product, "Baguette");
}

TEST(SalesCsv, QuotedFieldsWithEscapes) {
  const auto r = parse_sales_csv(
      "date,product,quantity\n2024-01-01,\"Pan, integral\",4\n2024-01-01,\"Tarta "
      "\"\"casera\"\"\",2\n"
      "2024-01-01,\"Pan\" x,1\n2024-01-01,\"Pan,1\n");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].product, "Pan, integral");
  EXPECT_EQ(r.rows[1].product, "Tarta \"casera\"");
  EXPECT_EQ(reason_at(r, 4), "unexpected character after a closing quote");
  EXPECT_EQ(reason_at(r, 5), "unterminated quoted field");
}

TEST(SalesCsv, EachRowReasonWithLineNumbers) {
  const std::string body =
      "date,product,quantity\n"      // 1
      "2024-02-30,Baguette,1\n"      // 2
      "2024-01-01,Baguette,abc\n"    // 3
      "2024-01-01,Baguette,-3\n"     // 4
      "2024-01-01,Baguette\n"        // 5
      "2024-01-01,,4\n"              // 6
      "2024-01-01,Baguette,nan\n"    // 7
      "2024-01-01,Baguette,inf\n"    // 8
      "2024-01-01,Baguette,1e400\n"  // 9
      "2024-01-01,Baguette,\n"       // 10
      "2024-01-01,Baguette,1,2\n"    // 11
      "2024-01-01,Bag\x01uette,1\n"  // 12
      "2024-01-01,Bag\xC3uette,1\n"  // 13
      "2024-01-01,Baguette,0x10\n"   // 14
      "2024-01-03,Baguette,+7\n";    // 15: good
  const auto r = parse_sales_csv(body);
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(reason_at(r, 2), "invalid date '2024-02-30' (expected YYYY-MM-DD)");
  EXPECT_EQ(reason_at(r, 3), "quantity 'abc' is not a number");
  EXPECT_EQ(reason_at(r, 4), "negative quantity -3");
  EXPECT_EQ(reason_at(r, 5), "expected 3 fields, found 2");
  EXPECT_EQ(reason_at(r, 6), "empty product name");
  EXPECT_EQ(reason_at(r, 7), "quantity 'nan' is not a finite number");
  EXPECT_EQ(reason_at(r, 8), "quantity 'inf' is not a finite number");
  EXPECT_EQ(reason_at(r, 9), "quantity '1e400' is out of range");
  EXPECT_EQ(reason_at(r, 10), "empty quantity");
  EXPECT_EQ(reason_at(r, 11), "expected 3 fields, found 4");
  EXPECT_EQ(reason_at(r, 12), "product name contains control characters");
  EXPECT_EQ(reason_at(r, 13), "product name is not valid UTF-8");
  EXPECT_EQ(reason_at(r, 14), "quantity '0x10' is not a number");
  EXPECT_EQ(r.rejected_total, 13u);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(r.rows[0].quantity, 7);
}

TEST(SalesCsv, RegressorsKeepNamesAndAllowEmptyCells) {
  const auto r = parse_sales_csv(
      "date,product,quantity,Temperature,promo\n2024-01-01,Baguette,3,21.5,1\n"
      "2024-01-02,Baguette,4,,0\n2024-01-03,Baguette,5,warm,0\n");
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(r.regressor_names, (std::vector<std::string>{"Temperature", "promo"}));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_DOUBLE_EQ(r.rows[0].regressors[0], 21.5);
  EXPECT_TRUE(std::isnan(r.rows[1].regressors[0]));
  EXPECT_EQ(reason_at(r, 4), "regressor 'Temperature' value 'warm' is not a number");
}

TEST(SalesCsv, ColumnsInAnyOrder) {
  const auto r = parse_sales_csv("product,quantity,date\nBaguette,2,2024-01-01\n");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].product, "Baguette");
}

TEST(SalesCsv, DuplicatesAreAllKeptInOrder) {
  const auto r =
      parse_sales_csv("date,product,quantity\n2024-01-01,Baguette,1\n2024-01-01,Baguette,9\n");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_DOUBLE_EQ(r.rows.back().quantity, 9);  // last wins when the store upserts in order
}

TEST(SalesCsv, FatalErrors) {
  EXPECT_NE(parse_sales_csv("").fatal_error, "");
  EXPECT_NE(parse_sales_csv("\xEF\xBB\xBF\r\n  \n").fatal_error, "");
  EXPECT_NE(parse_sales_csv("date,product\n2024-01-01,Baguette\n").fatal_error.find("quantity"),
            std::string::npos);
  EXPECT_NE(parse_sales_csv("date,product,quantity,date\n").fatal_error.find("twice"),
            std::string::npos);
  EXPECT_NE(parse_sales_csv("date,product,quantity,\n").fatal_error, "");
  EXPECT_NE(parse_sales_csv("date,product,quantity\n").fatal_error, "");  // no data rows
  CsvLimits limits;
  limits.max_regressors = 1;
  EXPECT_NE(parse_sales_csv("date,product,quantity,a,b\n2024-01-01,x,1,2,3\n", limits)
                .fatal_error.find("too many regressor"),
            std::string::npos);
}

TEST(SalesCsv, Limits) {
  CsvLimits limits;
  limits.max_rows = 2;
  const auto too_many = parse_sales_csv(
      "date,product,quantity\n2024-01-01,a,1\n2024-01-02,a,1\n2024-01-03,a,1\n", limits);
  EXPECT_NE(too_many.fatal_error.find("too many rows"), std::string::npos);
  EXPECT_TRUE(too_many.rows.empty());

  limits = CsvLimits{};
  limits.max_line_bytes = 30;
  limits.max_product_name = 5;
  limits.max_rejections_reported = 2;
  const auto r = parse_sales_csv("date,product,quantity\n2024-01-01," + std::string(40, 'x') +
                                     ",1\n2024-01-01,Croissant,1\n2024-01-01,abc,x\n"
                                     "2024-01-01,abc,y\n2024-01-01,abc,2\n",
                                 limits);
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(reason_at(r, 2), "line longer than 30 bytes");
  EXPECT_EQ(reason_at(r, 3), "product name longer than 5 bytes");
  EXPECT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected_total, 4u);
  EXPECT_EQ(r.rows.size(), 1u);
}

}  // namespace
}  // namespace levain::forecast
