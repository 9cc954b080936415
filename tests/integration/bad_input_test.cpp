// 100+ malformed requests and CSVs while a job runs: every one is answered 4xx with the JSON
// error shape, the job still completes, and the server still answers afterwards.

#include <iostream>
#include <string>
#include <vector>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/stream_checks.hpp"

namespace levain::integration {
namespace {

struct BadRequest {
  std::string name;
  std::string bytes;
  int status = 0;    // exact status the contract names; 0 = any 4xx
  std::string code;  // exact error.code the contract names; "" = any
};

std::string raw(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = {}, const std::string& extra_headers = {}) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
  r += extra_headers;
  if (!body.empty() || method == "POST")
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

std::vector<BadRequest> bad_requests(const std::string& tok, const std::string& viewer,
                                     const std::string& stranger, const std::string& job) {
  const std::string t = "/api/v1/tenants/bakery";
  const std::string sales = t + "/sales";
  const std::string jobs = t + "/training/jobs";
  std::vector<BadRequest> v;
  // Garbage request lines and framing.
  for (const std::string& line :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET\r\n\r\n"), std::string("GET /\r\n\r\n"),
        std::string("GET / HTTP/9.9\r\n\r\n"), std::string("\x01\x02\x03\x04\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nNoColonHeader\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\n: empty-name\r\n\r\n"),
        std::string(" GET /healthz HTTP/1.1\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
        std::string("POST " + sales +
                    " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    "\r\nZZZ\r\nnot-a-chunk\r\n\r\n"),
        std::string("GET /he\x7flthz HTTP/1.1\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2"
                    "\r\n\r\nab")}) {
    // HTTP/9.9 parses (as version 99); what it gets is up to the server, but it is a 4xx.
    const int want = line.find("9.9") != std::string::npos ? 0 : 400;
    v.push_back({"garbage #" + std::to_string(v.size()), line, want, ""});
  }
  v.push_back({"huge header",
               raw("GET", "/healthz", "", "", "X-Big: " + std::string(64 * 1024, 'a') + "\r\n"), 0,
               ""});
  v.push_back({"many headers",
               raw("GET", jobs, tok, "",
                   [] {
                     std::string h;
                     for (int i = 0; i < 2000; ++i) h += "X-H" + std::to_string(i) + ": v\r\n";
                     return h;
                   }()),
               0, ""});
  v.push_back({"declared body over the limit",
               "POST " + sales + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
                   "\r\nContent-Length: 100000000000\r\n\r\ndate",
               413, "payload_too_large"});
  // Bad job requests.
  for (const std::string& body :
       {std::string("{"), std::string("not json"), std::string("{\"products\": 5}"),
        std::string("[]"), std::string("null"), std::string("{\"products\": [1, 2]}"),
        std::string("{\"horizon_days\": \"x\"}"), std::string("{\"horizon_days\": -3}"),
        std::string("\xff\xfe{}"), std::string("{\"products\": \"Baguette\"}"),
        std::string("{\"horizon_days\": 1.5e300}")}) {
    v.push_back({"job body " + body,
                 raw("POST", jobs, tok, body, "Content-Type: application/json\r\n"), 400, ""});
  }
  v.push_back({"unknown product", raw("POST", jobs, tok, R"({"products":["No Such Bread"]})"), 422,
               "unknown_product"});
  // Wrong methods on known paths.
  for (const auto& [m, p] :
       std::vector<std::pair<std::string, std::string>>{{"DELETE", sales},
                                                        {"PUT", jobs},
                                                        {"DELETE", jobs + "/" + job},
                                                        {"PATCH", "/healthz"},
                                                        {"POST", "/healthz"},
                                                        {"PUT", "/readyz"},
                                                        {"GET", jobs + "/" + job + "/cancel"},
                                                        {"POST", "/metrics"},
                                                        {"DELETE", t + "/models"},
                                                        {"PUT", t + "/forecasts"}}) {
    v.push_back({m + " " + p, raw(m, p, tok), 405, "method_not_allowed"});
  }
  // Unknown paths.
  for (const std::string& p :
       {std::string("/nope"), std::string("/api/v2/tenants/bakery/sales"),
        std::string("/api/v1/tenants/bakery/unknown"), std::string("/api/v1/tenants/bakery"),
        std::string(jobs + "/" + job + "/x/y"), std::string("/api/v1"),
        std::string("/healthz/extra"), std::string("/%00%ff"), std::string("/api/v1/../../etc")}) {
    const bool odd = p.find('%') != std::string::npos || p.find("..") != std::string::npos;
    v.push_back({"GET " + p, raw("GET", p, tok), odd ? 0 : 404, ""});
  }
  v.push_back({"unknown job", raw("GET", jobs + "/no-such-job", tok), 404, "job_not_found"});
  v.push_back(
      {"cancel unknown job", raw("POST", jobs + "/no-such-job/cancel", tok), 404, "job_not_found"});
  v.push_back({"no model", raw("GET", t + "/forecasts?product=Nothing&days=7", tok), 404,
               "model_not_found"});
  // Bad in two ways (unknown product, bad days): either answer is a 4xx.
  v.push_back({"forecast days=abc", raw("GET", t + "/forecasts?product=x&days=abc", tok), 0, ""});
  v.push_back(
      {"forecast empty product", raw("GET", t + "/forecasts?product=&days=7", tok), 400, ""});
  v.push_back({"forecasts bad quantile", raw("GET", t + "/forecasts?quantiles=2", tok), 400, ""});
  v.push_back({"bake plan bad date", raw("GET", t + "/bake-plan?date=2026-13-01", tok), 400, ""});
  v.push_back({"products as viewer",
               raw("PUT", t + "/products", viewer, "product,unit_cost,price\nx,1,2\n"), 403, ""});
  v.push_back(
      {"rollback not json", raw("POST", t + "/models/Baguette/rollback", tok, "{"), 400, ""});
  // Auth.
  for (const auto& [m, p] :
       std::vector<std::pair<std::string, std::string>>{{"GET", jobs},
                                                        {"POST", jobs},
                                                        {"POST", sales},
                                                        {"GET", jobs + "/" + job},
                                                        {"GET", t + "/models"},
                                                        {"POST", jobs + "/" + job + "/cancel"}}) {
    v.push_back({"no token " + m + " " + p, raw(m, p, ""), 401, "unauthorized"});
    v.push_back({"bad token " + m + " " + p, raw(m, p, "x.y.z"), 401, "unauthorized"});
    v.push_back({"other tenant " + m + " " + p, raw(m, p, stranger), 403, "forbidden"});
  }
  v.push_back({"Basic auth", raw("GET", jobs, "", "", "Authorization: Basic dXNlcjpwYXNz\r\n"), 401,
               "unauthorized"});
  v.push_back({"viewer uploads",
               raw("POST", sales, viewer,
                   "date,product,quantity\n"
                   "2024-01-01,Pan,1\n"),
               403, "forbidden"});
  v.push_back({"viewer starts a job", raw("POST", jobs, viewer, "{}"), 403, "forbidden"});
  v.push_back(
      {"viewer cancels", raw("POST", jobs + "/" + job + "/cancel", viewer), 403, "forbidden"});
  // Bad CSVs.
  for (const std::string& csv :
       {std::string(""), std::string("foo,bar\n1,2\n"),
        std::string("product,date\nPan,2024-01-01\n"), std::string("\xff\xfe\x00\x01garbage"),
        std::string("date|product|quantity\n2024-01-01|Pan|3\n")}) {  // ';' is a separator now
    v.push_back({"unusable CSV", raw("POST", sales, tok, csv, "Content-Type: text/csv\r\n"), 400,
                 "invalid_csv"});
  }
  for (const std::string& rows :
       {std::string("2024-02-30,Pan,1\n"), std::string("yesterday,Pan,1\n"),
        std::string("2024-01-01,Pan,abc\n"), std::string("2024-01-01,,3\n"),
        std::string("2024-01-01,Pan\n"), std::string("2024-01-01,Pan,1,2,3,4\n"),
        std::string("2024-01-01,Pan,nan\n"), std::string("2024-01-01,Pan,1e999\n"),
        std::string("2024-01-01,\xff\xfePan,1\n"), std::string("\"2024-01-01,Pan,1\n"),
        std::string("2024-1-1,Pan,1\n2024-13-01,Pan,1\n"), std::string(",,\n,,\n")}) {
    v.push_back(
        {"all rows bad: " + rows,
         raw("POST", sales, tok, "date,product,quantity\n" + rows, "Content-Type: text/csv\r\n"),
         422, "invalid_csv"});
  }
  // Pad to well over 100 with varied garbage paths and bodies.
  for (int i = 0; v.size() < 110; ++i) {
    v.push_back({"garbage job body #" + std::to_string(i),
                 raw("POST", jobs, tok, std::string(static_cast<std::size_t>(i + 1), '{')), 400,
                 ""});
    v.push_back(
        {"random path #" + std::to_string(i), raw("GET", "/x" + std::to_string(i), tok), 404, ""});
  }
  return v;
}

class BadInputTest : public LevainTest {};

TEST_F(BadInputTest, MalformedRequestsGetJsonErrorsWhileAJobRuns) {
  start_server({"--train-threads", "1"});
  const std::string tok = token({"bakery"});
  upload("bakery", tok, demo_csv(400, 100, 17));
  const std::string job = start_job("bakery", tok);
  auto watcher = watch("bakery", job, tok);
  const auto requests =
      bad_requests(tok, token({"bakery"}, /*trainer=*/false), token({"elsewhere"}), job);
  ASSERT_GE(requests.size(), 100u);

  int answered_4xx_json = 0;
  for (const auto& r : requests) {
    SCOPED_TRACE(r.name);
    const auto res = send_raw(server().port(), r.bytes);
    const bool is_4xx = res.status >= 400 && res.status < 500;
    EXPECT_TRUE(is_4xx) << res.summary();
    const bool shape = res.json_ok && has(res.json, "error/code") &&
                       at(res.json, "error/code").is_string() && has(res.json, "error/message") &&
                       at(res.json, "error/message").is_string();
    EXPECT_TRUE(shape) << "not the JSON error shape: " << res.summary();
    if (r.status != 0) {
      EXPECT_EQ(res.status, r.status) << res.summary();
    }
    if (!r.code.empty() && shape) {
      EXPECT_EQ(str_at(res.json, "error/code"), r.code);
    }
    answered_4xx_json += (is_4xx && shape) ? 1 : 0;
  }
  EXPECT_EQ(answered_4xx_json, static_cast<int>(requests.size()));
  // Whether the barrage really overlapped the job (it should: the job is large), for the log.
  const std::string status_after = str_at(get_job("bakery", tok, job), "status");
  RecordProperty("job_status_after_barrage", status_after);
  std::cout << "job status right after the barrage: " << status_after << "\n";

  const auto view = wait_terminal("bakery", tok, job);
  EXPECT_EQ(str_at(view, "status"), "completed") << dump(view);
  watcher->read_until_close();
  EXPECT_TRUE(ends_with(*watcher, "completed", 1000));
  const auto health = http().get("/healthz", "");
  EXPECT_EQ(health.status, 200) << health.summary();
  if (health.json_ok) {
    EXPECT_EQ(str_at(health.json, "status"), "ok");
  }
  const auto jobs = http().get(jobs_path("bakery"), tok);
  EXPECT_EQ(jobs.status, 200) << jobs.summary();
  EXPECT_EQ(arr_at(jobs.json, "jobs").size(), 1u) << "a bad request created a job";
}

}  // namespace
}  // namespace levain::integration
