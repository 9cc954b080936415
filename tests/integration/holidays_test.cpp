// A tenant's holiday calendar over REST (PUT replaces, GET lists) and its use by training: a
// product that sells more on the tenant's own fiestas is forecast higher on the next one, and
// every product_completed event carries the hold-out metrics.

#include <boost/json/value.hpp>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class HolidaysTest : public LevainTest {
 protected:
  static std::string path(const std::string& tenant) {
    return "/api/v1/tenants/" + tenant + "/holidays";
  }
  HttpResponse put(const std::string& tenant, const std::string& tok, std::string csv) {
    return http().request("PUT", path(tenant), std::move(csv),
                          {{"Authorization", "Bearer " + tok}, {"Content-Type", "text/csv"}});
  }
};

TEST_F(HolidaysTest, PutReplacesGetListsBadCsvAndViewersAreRefused) {
  start_server();
  const std::string tok = token({"bakery"});
  const std::string viewer = token({"bakery"}, /*trainer=*/false);

  const auto empty = http().get(path("bakery"), tok);
  ASSERT_EQ(empty.status, 200) << empty.summary();
  EXPECT_TRUE(arr_at(empty.json, "holidays").empty()) << dump(empty.json);

  const auto first = put("bakery", tok,
                         "date,holiday\n"                  // line 1
                         "2025-07-25,Santiago\n"           // 2 ok
                         "2025-02-30,Nope\n"               // 3 no such day
                         "2025-09-08,\"Fiesta, local\"\n"  // 4 ok
                         "2025-09-09\n");                  // 5 missing column
  ASSERT_EQ(first.status, 200) << first.summary();
  EXPECT_EQ(int_at(first.json, "accepted"), 2) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "rejected"), 2) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "stored"), 2) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "errors/0/line"), 3) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "errors/1/line"), 5) << dump(first.json);

  auto listed = http().get(path("bakery"), viewer);  // anyone granted the tenant may read
  ASSERT_EQ(listed.status, 200) << listed.summary();
  ASSERT_EQ(arr_at(listed.json, "holidays").size(), 2u) << dump(listed.json);
  EXPECT_EQ(str_at(listed.json, "holidays/0/date"), "2025-07-25");
  EXPECT_EQ(str_at(listed.json, "holidays/0/holiday"), "Santiago");
  EXPECT_EQ(str_at(listed.json, "holidays/1/holiday"), "Fiesta, local");

  // PUT replaces the whole calendar.
  const auto second = put("bakery", tok, "holiday,date\nSan Roque,2025-08-16\n");
  ASSERT_EQ(second.status, 200) << second.summary();
  listed = http().get(path("bakery"), tok);
  ASSERT_EQ(arr_at(listed.json, "holidays").size(), 1u) << dump(listed.json);
  EXPECT_EQ(str_at(listed.json, "holidays/0/holiday"), "San Roque");

  // Unusable bodies change nothing: a bad header (400), every row bad (422, with line numbers).
  const auto header = put("bakery", tok, "day,name\n2025-01-01,x\n");
  EXPECT_EQ(header.status, 400) << header.summary();
  EXPECT_EQ(str_at(header.json, "error/code"), "invalid_csv") << dump(header.json);
  const auto all_bad = put("bakery", tok, "date,holiday\n2025-13-01,x\nnot-a-date,y\n");
  ASSERT_EQ(all_bad.status, 422) << all_bad.summary();
  EXPECT_EQ(str_at(all_bad.json, "error/code"), "invalid_csv") << dump(all_bad.json);
  EXPECT_EQ(int_at(all_bad.json, "rejected"), 2) << dump(all_bad.json);
  EXPECT_EQ(int_at(all_bad.json, "errors/1/line"), 3) << dump(all_bad.json);
  EXPECT_EQ(put("bakery", tok, "").status, 400);

  // A viewer may not change it; nor may a token for another tenant, nor no token.
  const auto refused = put("bakery", viewer, "date,holiday\n2025-01-01,x\n");
  EXPECT_EQ(refused.status, 403) << refused.summary();
  EXPECT_EQ(str_at(refused.json, "error/code"), "forbidden") << dump(refused.json);
  EXPECT_EQ(put("bakery", token({"other"}), "date,holiday\n2025-01-01,x\n").status, 403);
  EXPECT_EQ(http().get(path("bakery"), "").status, 401);
  const auto del =
      http().request("DELETE", path("bakery"), "", {{"Authorization", "Bearer " + tok}});
  EXPECT_EQ(del.status, 405) << del.summary();

  listed = http().get(path("bakery"), tok);
  ASSERT_EQ(arr_at(listed.json, "holidays").size(), 1u) << dump(listed.json);
  EXPECT_EQ(str_at(listed.json, "holidays/0/date"), "2025-08-16");
  // Calendars are per tenant.
  const auto other = http().get(path("other"), token({"other"}));
  EXPECT_TRUE(arr_at(other.json, "holidays").empty()) << dump(other.json);
}

// 400 days of a steady product that sells 150 more on the tenant's fiesta every 30 days, one of
// which falls 3 days after the last sale; plus a 30-day product that must stay seasonal naive.
std::string fiesta_sales(std::string& calendar) {
  std::string csv = "date,product,quantity\n";
  calendar = "date,holiday\n";
  char date[16];
  const auto day = [&](int d) {  // 2024-01-01 + d, without a date library in the test
    const std::time_t t = 1704067200 + static_cast<std::time_t>(d) * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
    return std::string(date);
  };
  constexpr int kDays = 400;
  for (int d = 13; d <= kDays + 3; d += 30) calendar += day(d) + ",Fiesta del pueblo\n";
  for (int d = 0; d < kDays; ++d) {
    const bool fiesta = d >= 13 && (d - 13) % 30 == 0;
    const int noise = static_cast<int>((d * 7919) % 11) - 5;
    csv += day(d) + ",Roscon," +
           std::to_string(100 + (d % 7 == 5 ? 40 : 0) + noise + (fiesta ? 150 : 0)) + "\n";
  }
  for (int d = kDays - 30; d < kDays; ++d)
    csv += day(d) + ",Nuevo," + std::to_string(20 + d % 3) + "\n";
  return csv;
}

TEST_F(HolidaysTest, TrainingUsesTheTenantCalendarAndEventsCarryMetrics) {
  start_server();
  const std::string tok = token({"fiesta"});
  std::string calendar;
  const std::string sales = fiesta_sales(calendar);
  upload("fiesta", tok, sales);
  ASSERT_EQ(put("fiesta", tok, calendar).status, 200);

  const std::string job = start_job("fiesta", tok, R"({"horizon_days": 7})");
  auto ws = watch("fiesta", job, tok);
  ws->read_until_close();
  // Products done before the watcher connected are in its snapshot, the rest arrive as
  // product_completed events: both carry the same product object.
  std::vector<boost::json::value> products;
  for (const auto& m : ws->messages()) {
    if (str_at(m, "type") == "connected") {
      for (const auto& p : arr_at(m, "data/snapshot/products")) products.push_back(p);
    } else if (str_at(m, "type") == "product_completed") {
      products.push_back(at(m, "data"));
    }
  }
  int completed = 0;
  for (const auto& data : products) {
    ++completed;
    for (const char* key : {"mae", "rmse", "mape", "smape", "mase"}) {
      EXPECT_TRUE(has(data, std::string("metrics/") + key)) << key << " missing: " << dump(data);
    }
    for (const char* key : {"mae", "mase"}) {
      EXPECT_TRUE(at(data, std::string("metrics/") + key).is_number()) << key << ": " << dump(data);
    }
    if (str_at(data, "product_name") == "Nuevo") {
      EXPECT_EQ(str_at(data, "model"), "seasonal_naive") << dump(data);
      EXPECT_TRUE(at(data, "fallback").as_bool()) << dump(data);
      EXPECT_NE(str_at(data, "fallback_reason").find("shorter than 8 weeks"), std::string::npos)
          << dump(data);
    } else {
      EXPECT_FALSE(at(data, "fallback").as_bool()) << dump(data);
      EXPECT_FALSE(has(data, "fallback_reason")) << dump(data);
    }
  }
  EXPECT_EQ(completed, 2);

  // The fiesta 3 days after the last sale (2025-02-07, day 403) is forecast far above every
  // other day of that week: the model could only learn that from the tenant's calendar.
  const auto fc = http().get("/api/v1/tenants/fiesta/forecasts?product=Roscon", tok);
  ASSERT_EQ(fc.status, 200) << fc.summary();
  const auto& points = arr_at(fc.json, "points");
  ASSERT_EQ(points.size(), 7u) << dump(fc.json);
  EXPECT_EQ(str_at(points[3], "date"), "2025-02-07") << dump(fc.json);
  double others = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i != 3) others = std::max(others, num_at(points[i], "yhat"));
  }
  EXPECT_GT(num_at(points[3], "yhat"), others + 75) << dump(fc.json);
}

}  // namespace
}  // namespace levain::integration
