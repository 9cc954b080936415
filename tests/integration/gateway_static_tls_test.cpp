// The gateway's own content: the dashboard's files (and nothing outside --web-root, however the
// path is spelled) and TLS with a certificate the test makes with openssl.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/stream_checks.hpp"
#include "harness/tls_client.hpp"

namespace levain::integration {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

class GatewayStaticTest : public LevainTest {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "web";
    write_file(root_ / "index.html", "<!doctype html><title>levain</title>");
    write_file(root_ / "app" / "main.js", "export const ok = true;");
    write_file(root_ / "style.css", "body{}");
    write_file(root_ / ".env", "SECRET=dotfile");
    write_file(dir_.path() / "secret.txt", "TOP-SECRET-OUTSIDE-ROOT");
    write_file(dir_.path() / "web-old" / "x.txt", "SIBLING-DIR-SECRET");
    fs::create_symlink(dir_.path() / "secret.txt", root_ / "link-out.txt");
    fs::create_directory_symlink(dir_.path(), root_ / "dir-out");
  }
  fs::path root_;
};

TEST_F(GatewayStaticTest, ServesFilesWithTheirContentTypes) {
  auto& replica = start_server();
  auto& gw = start_gateway({replica.port()}, {"--web-root", root_.string()});
  HttpClient c(gw.port());
  const auto index = c.get("/", "");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("<title>levain</title>"), std::string::npos);
  const auto js = c.get("/app/main.js", "");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(c.get("/style.css", "").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(c.get("/app/", "").status, 404);  // a directory without index.html
  EXPECT_EQ(c.get("/missing.js", "").status, 404);
  EXPECT_EQ(c.post("/index.html", "", "x").status, 405);
}

TEST_F(GatewayStaticTest, NoPathReachesAFileOutsideTheRoot) {
  auto& replica = start_server();
  auto& gw = start_gateway({replica.port()}, {"--web-root", root_.string()});
  const std::vector<std::string> attempts = {"/../secret.txt",
                                             "/%2e%2e/secret.txt",
                                             "/%2E%2E/secret.txt",
                                             "/app/../../secret.txt",
                                             "/app/%2e%2e/%2e%2e/secret.txt",
                                             "/..%2fsecret.txt",
                                             "/%2e%2e%2fsecret.txt",
                                             "/link-out.txt",
                                             "/dir-out/secret.txt",
                                             "/../web-old/x.txt",
                                             "/.env",
                                             "/app/..%5c..%5csecret.txt",
                                             "/%00/index.html",
                                             "//etc/passwd",
                                             "/dir-out/web-old/x.txt"};
  for (const auto& target : attempts) {
    const auto r = send_raw(gw.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(r.status == 403 || r.status == 404 || r.status == 400)
        << target << " -> " << r.summary();
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << target << " leaked: " << r.body;
  }
}

// A self-signed certificate for 127.0.0.1, made by openssl in the test's temp dir.
void make_certificate(const fs::path& dir) {
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
      (dir / "key.pem").string() + "' -out '" + (dir / "cert.pem").string() + "' 2>'" +
      (dir / "openssl.log").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl failed, see " << dir / "openssl.log";
}

TEST_F(LevainTest, GatewayTlsRoundTripHttpsAndWss) {
  make_certificate(dir_.path());
  auto& replica = start_server();
  const auto replica_port = replica.port();
  auto& gw = start_gateway({replica_port}, {"--tls-cert", (dir_.path() / "cert.pem").string(),
                                            "--tls-key", (dir_.path() / "key.pem").string()});
  const auto ca = (dir_.path() / "cert.pem").string();
  const auto health = https_get(gw.port(), "/healthz", ca);
  ASSERT_EQ(health.status, 200) << health.summary();
  // Plain HTTP on the TLS port gets nothing useful back.
  EXPECT_NE(HttpClient(gw.port(), std::chrono::seconds(15)).get("/healthz", "").status, 200);

  const auto tok = token({"bakery"});
  HttpClient direct(replica_port);
  ASSERT_EQ(direct.post("/api/v1/tenants/bakery/sales", tok, demo_csv(3, 120), "text/csv").status,
            200);
  const auto started = direct.post(jobs_path("bakery"), tok, "{}");
  ASSERT_EQ(started.status, 202) << started.summary();
  const auto job = str_at(started.json, "job_id");
  const auto jobs = https_get(gw.port(), jobs_path("bakery") + "/" + job, ca);
  EXPECT_EQ(jobs.status, 401) << "REST needs the Authorization header";
  const auto live = wss_read_all(gw.port(), live_target("bakery", job, tok), ca);
  EXPECT_EQ(live.end.code, 1000) << live.end.describe();
  ASSERT_FALSE(live.messages.empty());
  EXPECT_NE(live.messages.front().find("\"connected\""), std::string::npos);
  EXPECT_NE(live.messages.back().find("\"completed\""), std::string::npos);
}

}  // namespace
}  // namespace levain::integration
