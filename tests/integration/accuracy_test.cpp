// Forecasts checked against what was then sold, as a bakery lives it: train, upload the days
// the forecasts were for (one product selling far above its forecast), read the accuracy,
// retrain just the drifted product, and roll it back.

#include <boost/json/value.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class AccuracyTest : public LevainTest {
 protected:
  static std::string path(const std::string& what) { return "/api/v1/tenants/horno/" + what; }
  HttpResponse post(const std::string& what, const std::string& tok, std::string body) {
    return http().request(
        "POST", path(what), std::move(body),
        {{"Authorization", "Bearer " + tok}, {"Content-Type", "application/json"}});
  }
};

// Splits a demo CSV (sorted by date) into the days before the last `tail` dates and those
// dates, multiplying `product`'s quantities in the tail by `factor`.
std::pair<std::string, std::string> split(const std::string& csv, int tail,
                                          const std::string& product, int factor) {
  std::istringstream in(csv);
  std::string header;
  std::getline(in, header);
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(line);
  std::vector<std::string> dates;
  for (const auto& r : rows) {
    const auto date = r.substr(0, r.find(','));
    if (dates.empty() || dates.back() != date) dates.push_back(date);
  }
  const std::string cut = dates.at(dates.size() - static_cast<std::size_t>(tail));
  std::string head_csv = header + "\n";
  std::string tail_csv = header + "\n";
  for (const auto& r : rows) {
    if (r.substr(0, r.find(',')) < cut) {
      head_csv += r + "\n";
      continue;
    }
    const auto last = r.rfind(',');
    const auto name = r.substr(r.find(',') + 1, last - r.find(',') - 1);
    const int quantity = std::stoi(r.substr(last + 1));
    tail_csv += r.substr(0, last + 1) +
                std::to_string(name == product ? quantity * factor : quantity) + "\n";
  }
  return {head_csv, tail_csv};
}

TEST_F(AccuracyTest, SecondUploadChecksForecastsAndDriftedProductsAreRetrainedAndRolledBack) {
  start_server();
  const std::string tok = token({"horno"});
  const std::string viewer = token({"horno"}, /*trainer=*/false);
  const auto [history, later] = split(demo_csv(3, 214, 11), 14, "Baguette", 3);
  const auto first = upload("horno", tok, history);
  EXPECT_EQ(int_at(first, "drifted_products"), 0) << dump(first);
  auto job = start_job("horno", tok, R"({"horizon_days": 14})");
  ASSERT_EQ(str_at(wait_terminal("horno", tok, job), "status"), "completed");

  auto acc = http().get(path("accuracy"), viewer);
  ASSERT_EQ(acc.status, 200) << acc.summary();
  EXPECT_TRUE(arr_at(acc.json, "products").empty()) << "no forecast day has sales yet";
  EXPECT_EQ(int_at(acc.json, "overall/1/forecasts"), 0) << dump(acc.json);
  EXPECT_TRUE(at(acc.json, "overall/1/mae").is_null()) << dump(acc.json);
  const auto none = post("training/jobs", tok, R"({"products": "drifted"})");
  EXPECT_EQ(none.status, 422) << none.summary();
  EXPECT_EQ(str_at(none.json, "error/code"), "no_drifted_products") << dump(none.json);

  // The days the forecasts were for arrive; Baguette sold three times its usual.
  const auto second = upload("horno", tok, later);
  EXPECT_EQ(int_at(second, "drifted_products"), 1) << dump(second);
  acc = http().get(path("accuracy"), viewer);
  ASSERT_EQ(acc.status, 200) << acc.summary();
  EXPECT_EQ(str_at(acc.json, "tenant"), "horno");
  EXPECT_DOUBLE_EQ(num_at(acc.json, "drift_ratio"), 1.5);
  EXPECT_EQ(int_at(acc.json, "drift_window_days"), 14);
  ASSERT_EQ(arr_at(acc.json, "drifted").size(), 1u) << dump(acc.json);
  EXPECT_EQ(str_at(acc.json, "drifted/0"), "Baguette");
  const auto& products = arr_at(acc.json, "products");
  ASSERT_EQ(products.size(), 3u) << dump(acc.json);
  EXPECT_EQ(str_at(products[0], "product"), "Baguette") << "drifted first";
  EXPECT_TRUE(at(products[0], "drifted").as_bool());
  EXPECT_EQ(int_at(products[0], "model_version"), 1);
  EXPECT_EQ(int_at(products[0], "recent_days"), 14);
  EXPECT_GT(num_at(products[0], "recent_mae"), 1.5 * num_at(products[0], "holdout_mae"));
  EXPECT_LT(str_at(products[1], "product"), str_at(products[2], "product")) << "then by name";
  for (const auto& p : products) {
    for (const char* lead : {"1", "7", "14"}) {
      EXPECT_EQ(int_at(p, std::string("leads/") + lead + "/forecasts"), 1) << lead << dump(p);
    }
  }
  EXPECT_FALSE(at(products[1], "drifted").as_bool()) << dump(acc.json);
  EXPECT_FALSE(at(products[2], "drifted").as_bool()) << dump(acc.json);
  EXPECT_EQ(int_at(acc.json, "overall/14/forecasts"), 3) << dump(acc.json);
  const double coverage = num_at(acc.json, "overall/1/coverage_80");
  EXPECT_TRUE(coverage >= 0 && coverage <= 1) << coverage;
  EXPECT_GT(num_at(acc.json, "overall/7/mase"), 0) << dump(acc.json);
  EXPECT_EQ(http().get(path("accuracy?days=3"), viewer).status, 400) << "under the drift window";
  EXPECT_EQ(http().get("/api/v1/tenants/other/accuracy", viewer).status, 403);

  // Retrain just the drifted product: a new version, judged on its own forecasts (none met).
  const auto retrain = post("training/jobs", tok, R"({"products": "drifted"})");
  ASSERT_EQ(retrain.status, 202) << retrain.summary();
  const auto done = wait_terminal("horno", tok, str_at(retrain.json, "job_id"));
  ASSERT_EQ(str_at(done, "status"), "completed") << dump(done);
  ASSERT_EQ(arr_at(done, "products").size(), 1u) << dump(done);
  EXPECT_EQ(str_at(done, "products/0/product_name"), "Baguette");
  acc = http().get(path("accuracy"), viewer);
  EXPECT_TRUE(arr_at(acc.json, "drifted").empty()) << dump(acc.json);
  EXPECT_EQ(int_at(acc.json, "products/0/model_version"), 2) << dump(acc.json);
  EXPECT_EQ(int_at(acc.json, "products/0/leads/1/forecasts"), 1) << "version 1's stay counted";

  // Rolling back serves version 1 again, and its checked forecasts flag it again.
  const auto back = post("models/Baguette/rollback", tok, R"({"version": 1})");
  ASSERT_EQ(back.status, 200) << back.summary();
  acc = http().get(path("accuracy"), viewer);
  ASSERT_EQ(arr_at(acc.json, "drifted").size(), 1u) << dump(acc.json);
  EXPECT_EQ(int_at(acc.json, "products/0/model_version"), 1) << dump(acc.json);
}

}  // namespace
}  // namespace levain::integration
