// GET …/sales against the real binary: a product's stored history (rejected rows never appear,
// missing days are absent, from/to inclusive, bounded size), the summary of what the server
// holds with the last upload, bad parameters as JSON errors, tenant isolation, and the gateway.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

const std::string kSales = "/api/v1/tenants/bakery/sales";

// Line 4 (a bad quantity) and line 6 (negative) are rejected; 2024-01-04 has no row at all.
const std::string kCsv =
    "date,product,quantity\n"
    "2024-01-01,Baguette,10\n"
    "2024-01-02,Baguette,11\n"
    "2024-01-03,Baguette,abc\n"
    "2024-01-05,Baguette,15\n"
    "2024-01-04,Baguette,-5\n"
    "2024-01-06,Baguette,16\n"
    "2024-01-03,Pan de pueblo,4\n";

std::vector<std::string> dates_of(const boost::json::value& body) {
  std::vector<std::string> out;
  for (const auto& p : arr_at(body, "points")) out.push_back(str_at(p, "date"));
  return out;
}

void expect_error(const HttpResponse& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.summary();
  ASSERT_TRUE(r.json_ok) << r.summary();
  EXPECT_EQ(str_at(r.json, "error/code"), code) << r.summary();
  EXPECT_FALSE(str_at(r.json, "error/message").empty()) << r.summary();
}

class SalesReadTest : public LevainTest {};

TEST_F(SalesReadTest, HistoryIsWhatWasStoredNeverTheRejectedRows) {
  start_server();
  const auto tok = token({"bakery"});
  const auto up = upload("bakery", tok, kCsv);
  ASSERT_EQ(int_at(up, "rejected"), 2) << dump(up);

  const auto all = http().get(kSales + "?product=Baguette", tok);
  ASSERT_EQ(all.status, 200) << all.summary();
  EXPECT_EQ(str_at(all.json, "product"), "Baguette");
  EXPECT_EQ(dates_of(all.json),
            (std::vector<std::string>{"2024-01-01", "2024-01-02", "2024-01-05", "2024-01-06"}));
  EXPECT_EQ(num_at(all.json, "points/2/quantity"), 15);
  EXPECT_FALSE(at(all.json, "truncated").as_bool());
  EXPECT_TRUE(at(all.json, "from").is_null());

  const auto range = http().get(kSales + "?product=Baguette&from=2024-01-02&to=2024-01-05", tok);
  ASSERT_EQ(range.status, 200) << range.summary();
  EXPECT_EQ(dates_of(range.json), (std::vector<std::string>{"2024-01-02", "2024-01-05"}));
  EXPECT_EQ(str_at(range.json, "from"), "2024-01-02");
  EXPECT_EQ(str_at(range.json, "to"), "2024-01-05");

  // A range with no stored day of a known product is empty, not unknown.
  const auto empty = http().get(kSales + "?product=Baguette&from=2024-01-03&to=2024-01-04", tok);
  ASSERT_EQ(empty.status, 200) << empty.summary();
  EXPECT_TRUE(arr_at(empty.json, "points").empty());

  const auto spaced = http().get(kSales + "?product=" + url_encode("Pan de pueblo"), tok);
  ASSERT_EQ(spaced.status, 200) << spaced.summary();
  EXPECT_EQ(dates_of(spaced.json), std::vector<std::string>{"2024-01-03"});
}

TEST_F(SalesReadTest, SummaryShowsProductsRangeAndLastUpload) {
  start_server();
  const auto tok = token({"bakery"});
  const auto before = http().get(kSales, tok);
  ASSERT_EQ(before.status, 200) << before.summary();
  EXPECT_EQ(int_at(before.json, "product_count"), 0);
  EXPECT_TRUE(at(before.json, "first_date").is_null());
  EXPECT_TRUE(at(before.json, "last_upload").is_null());

  upload("bakery", tok, kCsv);
  const auto s = http().get(kSales, tok);
  ASSERT_EQ(s.status, 200) << s.summary();
  EXPECT_EQ(int_at(s.json, "product_count"), 2) << dump(s.json);
  EXPECT_EQ(int_at(s.json, "rows"), 5);
  EXPECT_EQ(str_at(s.json, "first_date"), "2024-01-01");
  EXPECT_EQ(str_at(s.json, "last_date"), "2024-01-06");
  EXPECT_FALSE(at(s.json, "products_truncated").as_bool());
  EXPECT_EQ(str_at(s.json, "products/0/product"), "Baguette");
  EXPECT_EQ(str_at(s.json, "products/0/first_date"), "2024-01-01");
  EXPECT_EQ(str_at(s.json, "products/0/last_date"), "2024-01-06");
  EXPECT_EQ(int_at(s.json, "products/0/rows"), 4);
  EXPECT_EQ(str_at(s.json, "products/1/product"), "Pan de pueblo");
  EXPECT_EQ(int_at(s.json, "last_upload/rows"), 5);
  const auto at_text = str_at(s.json, "last_upload/at");
  EXPECT_EQ(at_text.size(), 27u) << at_text;  // 2026-01-02T03:04:05.123456Z
  EXPECT_EQ(at_text.back(), 'Z') << at_text;

  // An upload the server refuses as a whole (every row bad) is not the last upload.
  const auto bad = http().post(kSales, tok, "date,product,quantity\nnope,Pan,1\n", "text/csv");
  ASSERT_EQ(bad.status, 422) << bad.summary();
  EXPECT_EQ(str_at(http().get(kSales, tok).json, "last_upload/at"), at_text);
}

TEST_F(SalesReadTest, BadParametersAreJsonErrors) {
  start_server();
  const auto tok = token({"bakery"});
  upload("bakery", tok, kCsv);
  for (const std::string query :
       {"?product=Baguette&from=2024-13-01", "?product=Baguette&to=yesterday",
        "?product=Baguette&from=2024-02-30", "?product=Baguette&from=",
        "?product=Baguette&from=2024-01-05&to=2024-01-01", "?product="}) {
    SCOPED_TRACE(query);
    expect_error(http().get(kSales + query, tok), 400, "invalid_request");
  }
  expect_error(http().get(kSales + "?product=Brioche", tok), 404, "product_not_found");
  expect_error(http().get(kSales, ""), 401, "unauthorized");
  expect_error(http().request("DELETE", kSales, "", {{"Authorization", "Bearer " + tok}}), 405,
               "method_not_allowed");
}

TEST_F(SalesReadTest, TenantsSeeOnlyTheirOwnSales) {
  start_server();
  const auto a = token({"bakery"});
  const auto b = token({"other"});
  upload("bakery", a, kCsv);
  upload("other", b, "date,product,quantity\n2020-05-05,Secret,9\n");

  expect_error(http().get(kSales + "?product=Baguette", b), 403, "forbidden");
  expect_error(http().get(kSales, b), 403, "forbidden");
  expect_error(http().get(kSales + "?product=Secret", a), 404, "product_not_found");
  // Reading needs no trainer role: anyone granted the tenant may see its sales.
  const auto viewer = http().get(kSales + "?product=Baguette", token({"bakery"}, false));
  EXPECT_EQ(viewer.status, 200) << viewer.summary();
  const auto mine = http().get(kSales, a);
  EXPECT_EQ(int_at(mine.json, "product_count"), 2) << mine.summary();
  EXPECT_EQ(str_at(mine.json, "first_date"), "2024-01-01");
  const auto theirs = http().get("/api/v1/tenants/other/sales", b);
  EXPECT_EQ(int_at(theirs.json, "product_count"), 1) << theirs.summary();
  EXPECT_EQ(int_at(theirs.json, "last_upload/rows"), 1);
}

TEST_F(SalesReadTest, LongHistoryIsBoundedToTheNewestDaysThroughTheGateway) {
  auto& service = start_server();
  auto& gateway = start_gateway({service.port()});
  const auto tok = token({"bakery"});
  // 4000 consecutive days of one product: more than one answer holds.
  std::string csv = "date,product,quantity\n";
  const auto first = std::chrono::sys_days{std::chrono::year{2010} / 1 / 1};
  std::string last;
  for (int i = 0; i < 4000; ++i) {
    const std::chrono::year_month_day d{first + std::chrono::days{i}};
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    csv += std::string(date) + ",Baguette," + std::to_string(i % 50) + "\n";
    last = date;
  }
  upload("bakery", tok, csv, service.port());

  const auto r = HttpClient(gateway.port()).get(kSales + "?product=Baguette", tok);
  ASSERT_EQ(r.status, 200) << r.summary();
  const auto max = int_at(r.json, "max_points");
  EXPECT_GT(max, 0);
  EXPECT_LT(max, 4000);
  EXPECT_TRUE(at(r.json, "truncated").as_bool());
  const auto& points = arr_at(r.json, "points");
  ASSERT_EQ(static_cast<std::int64_t>(points.size()), max);
  EXPECT_EQ(str_at(points.back(), "date"), last);
  // The older days are there for a range that asks for them.
  const auto older =
      HttpClient(gateway.port()).get(kSales + "?product=Baguette&to=2010-01-31", tok);
  ASSERT_EQ(older.status, 200) << older.summary();
  EXPECT_EQ(arr_at(older.json, "points").size(), 31u);
  EXPECT_FALSE(at(older.json, "truncated").as_bool());
  const auto summary = HttpClient(gateway.port()).get(kSales, tok);
  EXPECT_EQ(int_at(summary.json, "rows"), 4000) << summary.summary();
}

}  // namespace
}  // namespace levain::integration
