// The products' economics CSV: columns in any order, optional batches, each bad row by line.
#include "forecast/products_csv.hpp"

#include <gtest/gtest.h>

namespace levain::forecast {
namespace {

TEST(ProductsCsv, ReadsRequiredAndOptionalColumnsInAnyOrder) {
  const auto r = parse_products_csv(
      "price,product,unit_cost,batch_size\n1.2,Pan,0.4,6\n"
      "2,Brioche,0.9,\n1.3,Pan,0.5,12\n");
  ASSERT_EQ(r.fatal_error, "");
  ASSERT_EQ(r.rows.size(), 2u);  // a repeated product: the last row wins, in its first place
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(r.rows[0].product, "Pan");
  EXPECT_EQ(r.rows[0].economics.price, 1.3);
  EXPECT_EQ(r.rows[0].economics.batch_size, 12);
  EXPECT_EQ(r.rows[1].economics.batch_size, 1);  // empty: the default
  EXPECT_EQ(r.rows[1].economics.min_batch, 0);
}

TEST(ProductsCsv, SemicolonFilesUseDecimalCommas) {
  const auto r = parse_products_csv("product;unit_cost;price\nPan;0,40;1,20\n");
  ASSERT_EQ(r.rows.size(), 1u) << r.fatal_error;
  EXPECT_DOUBLE_EQ(r.rows[0].economics.unit_cost, 0.4);
  EXPECT_DOUBLE_EQ(r.rows[0].economics.price, 1.2);
}

TEST(ProductsCsv, EachBadRowIsNamedWithItsLine) {
  struct Case {
    const char* row;
    const char* reason_part;
  };
  const Case cases[] = {
      {",0.4,1,,", "empty product name"},
      {"Pan,abc,1,,", "unit_cost 'abc'"},
      {"Pan,0.4,0,,", "price must be above 0"},
      {"Pan,-0.1,1,,", "unit_cost must not be negative"},
      {"Pan,0.4,1,-1,", "min_batch must be a whole number"},
      {"Pan,0.4,1,,0", "batch_size must be a whole number from 1"},
      {"Pan,0.4,1,2.5,", "min_batch must be a whole number"},
      {"Pan,0.4,1,,1000000", "batch_size must be a whole number"},
      {"Pan,0.4,1", "expected 5 fields, found 3"},
      {"Pan,0.4,inf,,", "price 'inf'"},
  };
  for (const auto& c : cases) {
    const auto r = parse_products_csv(
        std::string("product,unit_cost,price,min_batch,batch_size\n") + c.row + "\n");
    ASSERT_EQ(r.fatal_error, "") << c.row;
    ASSERT_EQ(r.rejected.size(), 1u) << c.row;
    EXPECT_EQ(r.rejected[0].line, 2u);
    EXPECT_NE(r.rejected[0].reason.find(c.reason_part), std::string::npos)
        << c.row << ": " << r.rejected[0].reason;
  }
}

TEST(ProductsCsv, AnUnusableBodyIsFatal) {
  for (const char* body :
       {"", "product,price\nPan,1\n", "product,unit_cost,price,colour\n",
        "product,unit_cost,price,price\nPan,1,2,3\n", "product,unit_cost,price\n"}) {
    EXPECT_NE(parse_products_csv(body).fatal_error, "") << body;
  }
}

}  // namespace
}  // namespace levain::forecast
