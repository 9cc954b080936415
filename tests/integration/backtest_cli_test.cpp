// `levain backtest` as a user runs it: a sales CSV and a holiday calendar on disk, tables or
// JSON on stdout, clear errors and exit code 1 on bad input.

#include <boost/json/parse.hpp>
#include <fstream>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class BacktestCliTest : public LevainTest {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
};

TEST_F(BacktestCliTest, JsonAndTablesForEveryProductAndMethod) {
  const auto sales = write("sales.csv", demo_csv(3, 260, 4));
  const auto holidays = write("h.csv", "date,holiday\n2026-05-15,San Isidro\n");
  const std::vector<std::string> common = {"backtest",     sales, "--holidays", holidays,
                                           "--horizon",    "14",  "--origins",  "2",
                                           "--train-days", "180"};
  auto args = common;
  args.push_back("--json");
  const auto r = run_levain(args);
  ASSERT_TRUE(r.status.exited && r.status.code == 0) << r.status.describe() << r.err;
  const auto v = boost::json::parse(r.out);
  EXPECT_EQ(int_at(v, "horizon"), 14) << dump(v);
  EXPECT_EQ(int_at(v, "levain_fits"), 6) << dump(v);
  ASSERT_EQ(arr_at(v, "products").size(), 3u) << dump(v);
  for (const char* m : {"levain", "seasonal_naive", "weekday_mean_4"}) {
    const std::string agg = std::string("aggregate/") + m;
    EXPECT_EQ(int_at(v, agg + "/pairs"), 6) << dump(v);
    EXPECT_GT(num_at(v, agg + "/median_mase"), 0.0) << dump(v);
    EXPECT_EQ(arr_at(v, std::string("products/0/methods/") + m + "/origin_mase").size(), 2u);
  }
  EXPECT_GE(num_at(v, "aggregate/levain/coverage"), 0.0) << dump(v);
  EXPECT_TRUE(at(v, "aggregate/weekday_mean_4/coverage").is_null()) << dump(v);
  EXPECT_EQ(r.err, "") << "no progress lines unless asked or on a terminal";

  // Tables, one product, progress on stderr.
  args = common;
  args.insert(args.end(), {"--products", "Croissant", "--progress"});
  const auto t = run_levain(args);
  ASSERT_TRUE(t.status.exited && t.status.code == 0) << t.status.describe() << t.err;
  EXPECT_NE(t.out.find("Croissant"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("Baguette"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("Aggregate"), std::string::npos) << t.out;
  EXPECT_NE(t.err.find("backtest: 1/1 Croissant"), std::string::npos) << t.err;
}

TEST_F(BacktestCliTest, CensorTestComparesFitsThatKnowTheSoldOutFlagWithFitsThatDoNot) {
  const auto sales = write("sales.csv", demo_csv(2, 400, 9));
  const auto r = run_levain({"backtest", sales, "--censor-test", "--horizon", "14", "--origins",
                             "2", "--bake-quantile", "0.6", "--json"});
  ASSERT_TRUE(r.status.exited && r.status.code == 0) << r.status.describe() << r.err;
  const auto v = boost::json::parse(r.out);
  EXPECT_DOUBLE_EQ(num_at(v, "bake_quantile"), 0.6) << dump(v);
  ASSERT_EQ(arr_at(v, "products").size(), 2u) << dump(v);
  EXPECT_GT(int_at(v, "sold_out_days"), 0) << dump(v);
  for (const char* side : {"with_flag", "without_flag", "uncapped"}) {
    EXPECT_EQ(int_at(v, std::string(side) + "/days"), 56) << side << dump(v);
  }
  // Capping hides demand: the fit that takes sales as demand forecasts low.
  EXPECT_LT(num_at(v, "without_flag/bias"), 0.0) << dump(v);
  EXPECT_GT(num_at(v, "products/0/bake"), 0.0) << dump(v);

  const auto table = run_levain({"backtest", sales, "--censor-test", "--origins", "1"});
  ASSERT_EQ(table.status.code, 0) << table.err;
  EXPECT_NE(table.out.find("knows the flag"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("ignores the flag"), std::string::npos) << table.out;
  const auto bad = run_levain({"backtest", sales, "--censor-test", "--bake-quantile", "1.5"});
  EXPECT_NE(bad.status.code, 0) << bad.out;
  EXPECT_NE(bad.err.find("bake-quantile"), std::string::npos) << bad.err;
}

TEST_F(BacktestCliTest, BadInputIsAClearErrorNotACrash) {
  const auto sales = write("sales.csv", "date,product,quantity\n2024-01-01,Pan,3\nbad,Pan,1\n");
  auto missing = run_levain({"backtest", (dir_ / "nope.csv").string()});
  EXPECT_EQ(missing.status.code, 1) << missing.status.describe();
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;

  auto unknown = run_levain({"backtest", sales, "--products", "Croissant"});
  EXPECT_EQ(unknown.status.code, 1);
  EXPECT_NE(unknown.err.find("no rows for product 'Croissant'"), std::string::npos) << unknown.err;

  auto header = run_levain({"backtest", write("bad.csv", "a,b\n1,2\n")});
  EXPECT_EQ(header.status.code, 1);
  EXPECT_NE(header.err.find("bad header row"), std::string::npos) << header.err;

  auto range = run_levain({"backtest", sales, "--horizon", "0"});
  EXPECT_NE(range.status.code, 0);

  // One day of history: nothing to score, said per product; the skipped row is reported.
  auto tiny = run_levain({"backtest", sales});
  ASSERT_EQ(tiny.status.code, 0) << tiny.err;
  EXPECT_NE(tiny.out.find("Pan: skipped"), std::string::npos) << tiny.out;
  EXPECT_NE(tiny.err.find("line 3"), std::string::npos) << tiny.err;

  auto help = run_levain({"backtest", "--help"});
  EXPECT_EQ(help.status.code, 0);
  EXPECT_NE(help.out.find("--origins"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace levain::integration
