#include "fixture.hpp"

#include <unistd.h>

#include <iostream>

#include "json_access.hpp"
#include "wait.hpp"

namespace levain::integration {

void LevainTest::TearDown() {
  if (HasFailure()) {
    for (const auto& s : servers_) {
      std::cerr << "--- server log tail " << s->log_file() << " ---\n" << s->log_tail() << "\n";
    }
  }
  servers_.clear();  // stops every server still running (SIGKILL by PID)
}

LevainProcess& LevainTest::start_server(const std::vector<std::string>& extra,
                                        const std::string& data_subdir) {
  std::vector<std::string> args = {"training",         "--listen",     "127.0.0.1:0", "--data-dir",
                                   dir_ / data_subdir, "--jwt-secret", secret_};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto log = dir_ / ("server-" + std::to_string(servers_.size() + 1) + ".log");
  servers_.push_back(std::make_unique<LevainProcess>(args, log));
  return *servers_.back();
}

LevainProcess& LevainTest::start_gateway(const std::vector<std::uint16_t>& upstream_ports,
                                         const std::vector<std::string>& extra) {
  std::string upstreams;
  for (const auto port : upstream_ports) {
    upstreams += (upstreams.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(port);
  }
  std::vector<std::string> args = {"gateway", "--listen",     "127.0.0.1:0", "--upstream",
                                   upstreams, "--jwt-secret", secret_};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto log = dir_ / ("gateway-" + std::to_string(servers_.size() + 1) + ".log");
  servers_.push_back(std::make_unique<LevainProcess>(args, log));
  return *servers_.back();
}

std::string LevainTest::token(const std::vector<std::string>& tenants, bool trainer) {
  std::vector<std::string> args = {"token", "--ttl", "1h", "--secret", secret_};
  for (const auto& t : tenants) {
    args.push_back("--tenant");
    args.push_back(t);
  }
  if (trainer) {
    args.push_back("--role");
    args.push_back("trainer");
  }
  const auto r = run_levain(args);
  if (!r.status.exited || r.status.code != 0) {
    throw std::runtime_error("levain token failed (" + r.status.describe() + "): " + r.err);
  }
  std::string tok = r.out;
  while (!tok.empty() && (tok.back() == '\n' || tok.back() == '\r')) tok.pop_back();
  return tok;
}

std::string LevainTest::demo_csv(int products, int days, int seed) {
  const auto r = run_levain({"demo-data", "--products", std::to_string(products), "--days",
                             std::to_string(days), "--seed", std::to_string(seed)});
  if (!r.status.exited || r.status.code != 0) {
    throw std::runtime_error("levain demo-data failed (" + r.status.describe() + "): " + r.err);
  }
  return r.out;
}

boost::json::value LevainTest::upload(const std::string& tenant, const std::string& tok,
                                      const std::string& csv, std::uint16_t port) {
  const auto r = http(port).post("/api/v1/tenants/" + tenant + "/sales", tok, csv, "text/csv");
  EXPECT_EQ(r.status, 200) << r.summary();
  return r.json;
}

std::string LevainTest::start_job(const std::string& tenant, const std::string& tok,
                                  const std::string& body, std::uint16_t port) {
  const auto r = http(port).post(jobs_path(tenant), tok, body);
  if (r.status != 202 || !r.json_ok) {
    throw std::runtime_error("starting a job failed: " + r.summary());
  }
  EXPECT_EQ(str_at(r.json, "status"), "pending");
  const std::string id = str_at(r.json, "job_id");
  EXPECT_EQ(str_at(r.json, "live_url"), jobs_path(tenant) + "/" + id + "/live");
  return id;
}

boost::json::value LevainTest::get_job(const std::string& tenant, const std::string& tok,
                                       const std::string& job_id, std::uint16_t port) {
  const auto r = http(port).get(jobs_path(tenant) + "/" + job_id, tok);
  if (r.status != 200 || !r.json_ok) throw std::runtime_error("GET job: " + r.summary());
  return r.json;
}

boost::json::value LevainTest::wait_terminal(const std::string& tenant, const std::string& tok,
                                             const std::string& job_id,
                                             std::chrono::seconds deadline) {
  boost::json::value last;
  const bool ok = wait_until(
      [&] {
        last = get_job(tenant, tok, job_id);
        const auto st = str_at(last, "status");
        return st != "pending" && st != "running";
      },
      deadline, std::chrono::milliseconds(100));
  EXPECT_TRUE(ok) << "job " << job_id << " not terminal after " << deadline.count()
                  << " s: " << dump(last);
  return last;
}

std::string LevainTest::live_target(const std::string& tenant, const std::string& job_id,
                                    const std::string& tok) const {
  std::string t = jobs_path(tenant) + "/" + job_id + "/live";
  if (!tok.empty()) t += "?token=" + url_encode(tok);
  return t;
}

std::unique_ptr<WsClient> LevainTest::watch(const std::string& tenant, const std::string& job_id,
                                            const std::string& tok, WsOptions options,
                                            std::uint16_t port) {
  return std::make_unique<WsClient>(port != 0 ? port : server().port(),
                                    live_target(tenant, job_id, tok), options);
}

}  // namespace levain::integration
