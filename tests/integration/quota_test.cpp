// Tenant quotas as a client meets them: a 429 that names the limit, its value, what was used
// and when it resets, with Retry-After; another tenant's override; `levain train` shows it.

#include <boost/json/value.hpp>
#include <fstream>
#include <string>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class QuotaTest : public LevainTest {};

TEST_F(QuotaTest, OverALimitIsA429ThatSaysWhichAndWhen) {
  const std::string csv = demo_csv(2, 120, 5);
  const auto day = std::to_string(csv.size() * 2 + csv.size() / 2);  // two uploads fit, not three
  start_server({"--quota-jobs-per-hour", "1", "--quota-upload-bytes-per-day", day, "--quota-tenant",
                "grande:jobs-per-hour=3"});
  const std::string tok = token({"horno", "grande"});

  upload("horno", tok, csv);
  upload("horno", tok, csv);
  const auto third = http().post("/api/v1/tenants/horno/sales", tok, csv, "text/csv");
  ASSERT_EQ(third.status, 429) << third.summary();
  EXPECT_EQ(str_at(third.json, "error/code"), "quota_exceeded");
  EXPECT_EQ(str_at(third.json, "limit"), "upload_bytes_per_day");
  EXPECT_EQ(num_at(third.json, "value"), std::stod(day));
  EXPECT_EQ(num_at(third.json, "used"), 2.0 * static_cast<double>(csv.size()));
  EXPECT_TRUE(at(third.json, "resets_at").is_string()) << dump(third.json);
  const int retry = std::stoi(third.retry_after);
  EXPECT_GT(retry, 86000) << "the first upload leaves the window in about a day";
  EXPECT_EQ(num_at(third.json, "retry_after_s"), retry);
  EXPECT_NE(str_at(third.json, "error/message").find("upload_bytes_per_day is"), std::string::npos);

  auto job = start_job("horno", tok, R"({"horizon_days": 7})");
  ASSERT_EQ(str_at(wait_terminal("horno", tok, job), "status"), "completed");
  const auto second = http().post("/api/v1/tenants/horno/training/jobs", tok, "{}");
  ASSERT_EQ(second.status, 429) << second.summary();
  EXPECT_EQ(str_at(second.json, "limit"), "jobs_per_hour");
  EXPECT_EQ(num_at(second.json, "used"), 1);
  EXPECT_LE(std::stoi(second.retry_after), 3601);

  // The CLI shows the server's message as it is, and fails (its small upload still fits).
  const auto small = dir_ / "small.csv";
  std::ofstream(small) << "date,product,quantity\n2026-01-01,Baguette,3\n";
  const auto url = "http://127.0.0.1:" + std::to_string(server().port());
  const auto cli =
      run_levain({"train", "--url", url, "--tenant", "horno", "--token", tok, small.string()});
  EXPECT_NE(cli.status.code, 0);
  EXPECT_NE((cli.err + cli.out).find("quota exceeded: jobs_per_hour is 1"), std::string::npos)
      << cli.err << cli.out;

  // Another tenant with its own, larger quota.
  upload("grande", tok, csv);
  job = start_job("grande", tok, R"({"horizon_days": 7})");
  ASSERT_EQ(str_at(wait_terminal("grande", tok, job), "status"), "completed");
  job = start_job("grande", tok, R"({"horizon_days": 7})");
  EXPECT_EQ(str_at(wait_terminal("grande", tok, job), "status"), "completed");
}

TEST_F(QuotaTest, ABadTenantOverrideIsRefusedAtStart) {
  const auto r = run_levain({"training", "--jwt-secret", "s", "--data-dir",
                             (dir_ / "data").string(), "--quota-tenant", "horno:jobs=2"});
  EXPECT_NE(r.status.code, 0);
  EXPECT_NE(r.err.find("unknown quota 'jobs'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace levain::integration
