// `levain --config levain.toml`: the service starts from its [training] section, a flag beats
// its LEVAIN_* variable, which beats the file, which beats the default; --print-config shows the
// result with secrets masked; a misspelt key or a missing file is an error, not a default.

#include <cstdlib>
#include <fstream>

#include "harness/fixture.hpp"
#include "harness/http_client.hpp"

namespace levain::integration {
namespace {

class ConfigFileTest : public LevainTest {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  void TearDown() override { unsetenv("LEVAIN_MAX_CONCURRENT_JOBS"); }
};

TEST_F(ConfigFileTest, TheFileSetsFlagsUnderTheVariablesAndTheCommandLine) {
  const auto file = write("levain.toml",
                          "# one file for both services\n"
                          "[training]\n"
                          "listen = \"127.0.0.1:0\"\n"
                          "data-dir = \"" +
                              (dir_ / "data").string() +
                              "\"\n"
                              "max_concurrent_jobs = 3\n"
                              "jwt-secret = \"do-not-print-me\"\n"
                              "amqp-url = \"amqp://levain:hunter2@127.0.0.1:5672/\"\n"
                              "[gateway]\n"
                              "upstream = [\"127.0.0.1:8081\"]\n"
                              "listen = \"127.0.0.1:9000\"\n");
  auto r = run_levain({"training", "--config", file, "--print-config"});
  ASSERT_EQ(r.status.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("[training]\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("max-concurrent-jobs=3\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("listen=\"127.0.0.1:0\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("max-products-per-job=5000"), std::string::npos) << "defaults too";
  EXPECT_NE(r.out.find("jwt-secret=\"***\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("do-not-print-me"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("amqp://levain:***@127.0.0.1:5672/"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;

  setenv("LEVAIN_MAX_CONCURRENT_JOBS", "5", 1);
  r = run_levain({"training", "--config", file, "--print-config"});
  EXPECT_NE(r.out.find("max-concurrent-jobs=5\n"), std::string::npos) << "variable over file";
  r = run_levain({"training", "--config", file, "--print-config", "--max-concurrent-jobs", "7"});
  EXPECT_NE(r.out.find("max-concurrent-jobs=7\n"), std::string::npos) << "flag over variable";
  unsetenv("LEVAIN_MAX_CONCURRENT_JOBS");

  const auto gw = run_levain({"gateway", "--config", file, "--print-config"});
  ASSERT_EQ(gw.status.code, 0) << gw.err;
  EXPECT_NE(gw.out.find("listen=\"127.0.0.1:9000\""), std::string::npos) << gw.out;

  // The service really runs on what the file says.
  LevainProcess service({"training", "--config", file}, dir_ / "service.log");
  HttpClient client(service.port());
  EXPECT_EQ(client.get("/healthz", "").status, 200);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "data")) << "the file's data-dir";
  EXPECT_EQ(service.terminate().code, 0);
}

TEST_F(ConfigFileTest, AMisspeltKeyOrAMissingFileIsAnError) {
  const auto typo = write("typo.toml", "[training]\nmax_concurent_jobs = 3\n");
  auto r = run_levain({"training", "--config", typo, "--print-config"});
  EXPECT_NE(r.status.code, 0);
  EXPECT_NE(r.err.find("max-concurent-jobs"), std::string::npos) << r.err;
  r = run_levain({"training", "--config", (dir_ / "nope.toml").string(), "--print-config"});
  EXPECT_NE(r.status.code, 0);
  EXPECT_NE(r.err.find("nope.toml"), std::string::npos) << r.err;
  const auto help = run_levain({"training", "--help"});
  EXPECT_NE(help.out.find("--config levain.toml"), std::string::npos) << help.out;
  const auto version = run_levain({"--version"});
  EXPECT_EQ(version.out.rfind("levain 0.1.0 (commit ", 0), 0u) << version.out;
}

}  // namespace
}  // namespace levain::integration
