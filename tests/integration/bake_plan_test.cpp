// The bake plan as a baker and a spreadsheet use it: products' economics with bad rows, the plan
// in JSON and CSV, every product's forecasts at once, quantiles and the explanation, and model
// versions with rollback; `levain plan` and `levain forecast --csv` print the same.

#include <boost/json/value.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class BakePlanTest : public LevainTest {
 protected:
  static std::string path(const std::string& what) { return "/api/v1/tenants/horno/" + what; }
  HttpResponse put(const std::string& what, const std::string& tok, std::string body,
                   const std::string& type = "text/csv") {
    return http().request("PUT", path(what), std::move(body),
                          {{"Authorization", "Bearer " + tok}, {"Content-Type", type}});
  }
  HttpResponse get_csv(const std::string& what, const std::string& tok) {
    return http().request("GET", path(what), "",
                          {{"Authorization", "Bearer " + tok}, {"Accept", "text/csv"}});
  }
  void train(const std::string& tok) {
    const auto job = start_job("horno", tok, R"({"horizon_days": 14})");
    const auto done = wait_terminal("horno", tok, job);
    ASSERT_EQ(str_at(done, "status"), "completed") << dump(done);
  }
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
};

TEST_F(BakePlanTest, EconomicsPlanExportExplanationAndRollback) {
  start_server();
  const std::string tok = token({"horno"});
  const std::string viewer = token({"horno"}, /*trainer=*/false);
  upload("horno", tok, demo_csv(3, 200, 11));  // Baguette, Croissant, Pan de pueblo
  EXPECT_EQ(http().get(path("bake-plan"), tok).status, 404) << "no model yet";
  train(tok);

  // Products: good rows stored, bad ones named by line; viewers read but may not write.
  const auto stored = put("products", tok,
                          "product,unit_cost,price,min_batch,batch_size\n"  // 1
                          "Baguette,0.30,1.10,12,6\n"                       // 2 ok
                          "Croissant,0.50,0\n"                              // 3 too few fields
                          "Croissant,0.50,0,,\n"                            // 4 price 0
                          "Croissant,-1,2,,\n"                              // 5 negative cost
                          "Croissant,0.5,2,1.5,\n"                          // 6 fractional batch
                          "Pan de pueblo,1.20,3.00,,\n");                   // 7 ok, defaults
  ASSERT_EQ(stored.status, 200) << stored.summary();
  EXPECT_EQ(int_at(stored.json, "stored"), 2) << dump(stored.json);
  EXPECT_EQ(int_at(stored.json, "rejected"), 4) << dump(stored.json);
  EXPECT_EQ(int_at(stored.json, "errors/0/line"), 3) << dump(stored.json);
  EXPECT_NE(str_at(stored.json, "errors/1/reason").find("price"), std::string::npos);
  EXPECT_NE(str_at(stored.json, "errors/3/reason").find("min_batch"), std::string::npos);
  EXPECT_EQ(put("products", tok, "name,cost\nx,1\n").status, 400);
  EXPECT_EQ(put("products", tok, "product,unit_cost,price\nx,1,-2\n").status, 422);
  EXPECT_EQ(put("products", viewer, "product,unit_cost,price\nx,1,2\n").status, 403);
  EXPECT_EQ(put("products", tok, R"({"unit_cost_share": 1.5})", "application/json").status, 400);
  EXPECT_EQ(put("products", tok, R"({"share": 0.4})", "application/json").status, 400);
  const auto share = put("products", tok, R"({"unit_cost_share": 0.4})", "application/json");
  ASSERT_EQ(share.status, 200) << share.summary();
  const auto listed = http().get(path("products"), viewer);
  ASSERT_EQ(listed.status, 200) << listed.summary();
  ASSERT_EQ(arr_at(listed.json, "products").size(), 2u) << dump(listed.json);
  EXPECT_EQ(str_at(listed.json, "products/0/product"), "Baguette");
  EXPECT_EQ(int_at(listed.json, "products/0/batch_size"), 6);
  EXPECT_EQ(int_at(listed.json, "products/1/batch_size"), 1);
  EXPECT_DOUBLE_EQ(num_at(listed.json, "default/unit_cost_share"), 0.4);

  // The plan for "tomorrow": one line per product, by product, whole batches.
  const auto plan = http().get(path("bake-plan"), viewer);
  ASSERT_EQ(plan.status, 200) << plan.summary();
  const auto& rows = arr_at(plan.json, "plan");
  ASSERT_EQ(rows.size(), 3u) << dump(plan.json);
  const std::string tomorrow = str_at(plan.json, "date");
  for (const auto& r : rows) {
    EXPECT_EQ(str_at(r, "date"), tomorrow);
    const double q = num_at(r, "quantity");
    EXPECT_EQ(q, std::floor(q)) << dump(r);
    EXPECT_NEAR(num_at(r, "expected_sold") + num_at(r, "expected_waste"), q, 1e-6) << dump(r);
    EXPECT_GE(num_at(r, "expected_lost_sales"), 0) << dump(r);
    EXPECT_EQ(int_at(r, "model_version"), 1) << dump(r);
  }
  EXPECT_EQ(str_at(rows[0], "product"), "Baguette");
  EXPECT_EQ(static_cast<int>(num_at(rows[0], "quantity")) % 6, 0) << dump(rows[0]);
  EXPECT_GE(num_at(rows[0], "quantity"), 12) << dump(rows[0]);
  EXPECT_NEAR(num_at(rows[0], "service_level"), (1.10 - 0.30) / 1.10, 1e-9);
  EXPECT_EQ(str_at(rows[1], "product"), "Croissant");  // no row: the tenant's default share
  EXPECT_EQ(str_at(rows[1], "economics"), "default");
  EXPECT_TRUE(at(rows[1], "expected_profit").is_null()) << dump(rows[1]);
  EXPECT_NEAR(num_at(rows[1], "service_level"), 0.6, 1e-9);
  EXPECT_GE(num_at(rows[1], "quantity"), num_at(rows[1], "median") - 1) << dump(rows[1]);
  EXPECT_TRUE(at(rows[2], "expected_profit").is_number()) << dump(rows[2]);

  // The same as CSV, a day range, a day past every forecast, bad dates.
  const auto csv = get_csv("bake-plan", viewer);
  ASSERT_EQ(csv.status, 200) << csv.summary();
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  const auto csv_lines = lines(csv.body);
  ASSERT_EQ(csv_lines.size(), 4u) << csv.body;
  EXPECT_EQ(csv_lines[0],
            "date,product,quantity,service_level,median,expected_sold,expected_waste,"
            "expected_lost_sales,expected_profit,unit_cost,price,economics,model_version");
  EXPECT_EQ(csv_lines[1].rfind(tomorrow + ",Baguette,", 0), 0u) << csv.body;
  EXPECT_NE(csv_lines[2].find(",,,default,1"), std::string::npos) << csv.body;
  const auto week = http().get(path("bake-plan?date=" + tomorrow + "&days=7"), tok);
  ASSERT_EQ(week.status, 200) << week.summary();
  EXPECT_EQ(arr_at(week.json, "plan").size(), 21u) << dump(week.json);
  const auto far = http().get(path("bake-plan?date=2099-01-01"), tok);
  ASSERT_EQ(far.status, 200) << far.summary();
  EXPECT_TRUE(arr_at(far.json, "plan").empty());
  ASSERT_EQ(arr_at(far.json, "skipped").size(), 3u) << dump(far.json);
  EXPECT_NE(str_at(far.json, "skipped/0/reason").find("no forecast for 2099-01-01"),
            std::string::npos);
  EXPECT_EQ(http().get(path("bake-plan?date=tomorrow"), tok).status, 400);
  EXPECT_EQ(http().get(path("bake-plan?days=15"), tok).status, 400);

  // Every product's forecasts at once, in JSON and CSV (2 decimals).
  const auto all = http().get(path("forecasts?days=5"), viewer);
  ASSERT_EQ(all.status, 200) << all.summary();
  ASSERT_EQ(arr_at(all.json, "products").size(), 3u) << dump(all.json);
  EXPECT_EQ(arr_at(all.json, "products/2/points").size(), 5u);
  const auto all_csv = get_csv("forecasts?days=5", viewer);
  ASSERT_EQ(all_csv.status, 200) << all_csv.summary();
  const auto fc_lines = lines(all_csv.body);
  ASSERT_EQ(fc_lines.size(), 16u) << all_csv.body;
  EXPECT_EQ(fc_lines[0], "product,model_version,date,yhat,yhat_lower,yhat_upper");
  const auto last_field = fc_lines[1].substr(fc_lines[1].rfind(',') + 1);
  EXPECT_EQ(last_field.size() - last_field.find('.'), 3u) << fc_lines[1];

  // Quantiles: monotone in the level and never negative; bad levels are refused.
  const auto q =
      http().get(path("forecasts?product=Croissant&days=14&quantiles=0.95,0.5,0.8"), tok);
  ASSERT_EQ(q.status, 200) << q.summary();
  for (const auto& p : arr_at(q.json, "points")) {
    const double q50 = num_at(p, "quantiles/0.5"), q80 = num_at(p, "quantiles/0.8"),
                 q95 = num_at(p, "quantiles/0.95");
    EXPECT_GE(q50, 0) << dump(p);
    EXPECT_LE(q50, q80) << dump(p);
    EXPECT_LE(q80, q95) << dump(p);
  }
  for (const char* bad :
       {"1", "0", "0.5,abc", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95", "", "0.5,0.50"}) {
    const auto r = http().get(path("forecasts?product=Croissant&quantiles=") + bad, tok);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.summary();
  }

  // The explanation adds up to the forecast.
  const auto ex = http().get(path("forecasts?product=Baguette&days=14&explain=1"), tok);
  ASSERT_EQ(ex.status, 200) << ex.summary();
  for (const auto& p : arr_at(ex.json, "points")) {
    double sum = 0;
    for (const auto& [key, value] : at(p, "components").as_object()) {
      if (value.is_number()) {
        sum += value.to_number<double>();
      } else {
        for (const auto& [name, part] : value.as_object()) sum += part.to_number<double>();
      }
    }
    EXPECT_NEAR(sum, num_at(p, "yhat"), 1e-6 * (1 + num_at(p, "yhat"))) << dump(p);
    EXPECT_TRUE(has(p, "components/trend")) << dump(p);
  }
  EXPECT_EQ(http().get(path("forecasts?product=Baguette&explain=yes"), tok).status, 400);

  // A second training is version 2; rollback serves version 1 again.
  train(tok);
  const auto versions = http().get(path("models/Baguette/versions"), viewer);
  ASSERT_EQ(versions.status, 200) << versions.summary();
  ASSERT_EQ(arr_at(versions.json, "versions").size(), 2u) << dump(versions.json);
  EXPECT_EQ(int_at(versions.json, "served_version"), 2);
  EXPECT_EQ(int_at(versions.json, "versions/0/version"), 2);
  const auto rollback = [&](const std::string& who, const std::string& body) {
    return http().request(
        "POST", path("models/Baguette/rollback"), body,
        {{"Authorization", "Bearer " + who}, {"Content-Type", "application/json"}});
  };
  EXPECT_EQ(rollback(viewer, R"({"version": 1})").status, 403);
  EXPECT_EQ(rollback(tok, R"({"version": 7})").status, 404);
  EXPECT_EQ(rollback(tok, R"({"version": "1"})").status, 400);
  EXPECT_EQ(rollback(tok, "not json").status, 400);
  const auto back = rollback(tok, R"({"version": 1})");
  ASSERT_EQ(back.status, 200) << back.summary();
  EXPECT_EQ(int_at(back.json, "version"), 1);
  const auto served = http().get(path("forecasts?product=Baguette&days=1"), tok);
  EXPECT_EQ(int_at(served.json, "model_version"), 1) << dump(served.json);
  const auto after = http().get(path("bake-plan"), tok);
  EXPECT_EQ(int_at(after.json, "plan/0/model_version"), 1) << dump(after.json);
  EXPECT_EQ(int_at(after.json, "plan/1/model_version"), 2) << dump(after.json);
  EXPECT_EQ(http().get(path("models/Nothing/versions"), tok).status, 404);

  // The CLI prints the same plan and the export.
  const std::string url = "http://127.0.0.1:" + std::to_string(server().port());
  const auto table = run_levain({"plan", "--url", url, "--tenant", "horno", "--token", viewer});
  ASSERT_TRUE(table.status.exited && table.status.code == 0)
      << table.status.describe() << table.err;
  EXPECT_NE(table.out.find("Bake plan for " + tomorrow), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Pan de pueblo"), std::string::npos) << table.out;
  const auto plan_csv =
      run_levain({"plan", "--url", url, "--tenant", "horno", "--token", viewer, "--csv"});
  EXPECT_EQ(lines(plan_csv.out).size(), 4u) << plan_csv.out;
  const auto export_csv = run_levain(
      {"forecast", "--url", url, "--tenant", "horno", "--token", viewer, "--days", "3", "--csv"});
  ASSERT_EQ(export_csv.status.code, 0) << export_csv.err;
  EXPECT_EQ(lines(export_csv.out).size(), 10u) << export_csv.out;
  const auto refused = run_levain({"plan", "--url", url, "--tenant", "other", "--token", viewer});
  EXPECT_EQ(refused.status.code, 1) << refused.out;
  EXPECT_NE(refused.err.find("403"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace levain::integration
