// Sales upload semantics: row-level errors with their line numbers, all-bad uploads, and upsert.

#include <algorithm>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class UploadTest : public LevainTest {};

TEST_F(UploadTest, RowErrorsCarryLineNumbersAndReuploadsUpdate) {
  start_server();
  const std::string tok = token({"bakery"});
  const std::string sales = "/api/v1/tenants/bakery/sales";
  const std::string csv =
      "date,product,quantity\n"    // line 1
      "2024-01-01,Baguette,10\n"   // 2 ok
      "2024-13-01,Baguette,5\n"    // 3 bad month
      "2024-01-02,Baguette,abc\n"  // 4 bad quantity
      "2024-01-03,,4\n"            // 5 no product
      "2024-01-05,Baguette\n"      // 6 missing column
      "2024-01-06,Baguette,7\n"    // 7 ok
      "2024-01-06,Croissant,3\n";  // 8 ok

  auto first = http().post(sales, tok, csv, "text/csv");
  ASSERT_EQ(first.status, 200) << first.summary();
  EXPECT_EQ(int_at(first.json, "accepted"), 3) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "rejected"), 4) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "inserted"), 3) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "updated"), 0) << dump(first.json);
  EXPECT_FALSE(at(first.json, "errors_truncated").as_bool()) << dump(first.json);
  std::vector<std::int64_t> lines;
  for (const auto& e : arr_at(first.json, "errors")) {
    lines.push_back(int_at(e, "line"));
    EXPECT_FALSE(str_at(e, "reason").empty()) << dump(e);
  }
  EXPECT_EQ(lines, (std::vector<std::int64_t>{3, 4, 5, 6})) << dump(first.json);

  // The same rows again: nothing new, everything accepted is an update.
  auto second = http().post(sales, tok, csv, "text/csv");
  ASSERT_EQ(second.status, 200) << second.summary();
  EXPECT_EQ(int_at(second.json, "accepted"), 3) << dump(second.json);
  EXPECT_EQ(int_at(second.json, "inserted"), 0) << dump(second.json);
  EXPECT_EQ(int_at(second.json, "updated"), 3) << dump(second.json);

  // A mix of new and existing rows.
  auto third = http().post(sales, tok,
                           "date,product,quantity\n2024-01-01,Baguette,11\n2024-01-07,Baguette,9\n",
                           "text/csv");
  ASSERT_EQ(third.status, 200) << third.summary();
  EXPECT_EQ(int_at(third.json, "inserted"), 1) << dump(third.json);
  EXPECT_EQ(int_at(third.json, "updated"), 1) << dump(third.json);

  // Every row rejected: 422 invalid_csv with the counts and line numbers next to the error.
  auto bad =
      http().post(sales, tok, "date,product,quantity\nnope,Pan,1\n2024-01-01,Pan,x\n", "text/csv");
  ASSERT_EQ(bad.status, 422) << bad.summary();
  EXPECT_EQ(str_at(bad.json, "error/code"), "invalid_csv") << dump(bad.json);
  EXPECT_EQ(int_at(bad.json, "accepted"), 0) << dump(bad.json);
  EXPECT_EQ(int_at(bad.json, "rejected"), 2) << dump(bad.json);
  EXPECT_EQ(int_at(bad.json, "errors/0/line"), 2) << dump(bad.json);
  EXPECT_EQ(int_at(bad.json, "errors/1/line"), 3) << dump(bad.json);

  // Unusable body: 400 invalid_csv.
  auto header = http().post(sales, tok, "when,what\n1,2\n", "text/csv");
  EXPECT_EQ(header.status, 400) << header.summary();
  if (header.json_ok) {
    EXPECT_EQ(str_at(header.json, "error/code"), "invalid_csv");
  }

  // Demo data uploaded twice: the second time every row is an update.
  const std::string demo = demo_csv(4, 200, 2);
  const auto d1 = upload("bakery", tok, demo);
  const auto d2 = upload("bakery", tok, demo);
  EXPECT_EQ(int_at(d1, "rejected"), 0) << dump(d1);
  EXPECT_EQ(int_at(d1, "accepted"), 800) << dump(d1);
  EXPECT_EQ(int_at(d2, "inserted"), 0) << dump(d2);
  EXPECT_EQ(int_at(d2, "updated"), int_at(d1, "accepted")) << dump(d2);
}

TEST_F(UploadTest, TokenCommandPrintsAJwt) {
  const std::string tok = token({"bakery", "second"});
  EXPECT_EQ(std::count(tok.begin(), tok.end(), '.'), 2) << tok;
  EXPECT_EQ(tok.find_first_of(" \n\r\t"), std::string::npos) << tok;
}

}  // namespace
}  // namespace levain::integration
