// Big uploads through the gateway with plain curl, the way a person sends a file: curl asks
// `Expect: 100-continue` for bodies over 1 MiB, the gateway answers it, and the replica's own
// interim answer must never reach curl as the final one.

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

struct CurlResult {
  int exit_code = -1;
  int status = 0;
  std::string stderr_text;
  boost::json::value json;
  std::string body;
};

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class GatewayCurlTest : public LevainTest {
 protected:
  /// `curl --data-binary @file` with nothing turned off; --max-time only keeps a broken
  /// gateway from hanging the suite (its verdict is the exit code, not the time).
  CurlResult send_file(const std::string& method, std::uint16_t port, const std::string& target,
                       const std::filesystem::path& file, const std::string& tok) {
    const auto out = dir_ / "curl-body.json";
    const auto err = dir_ / "curl-stderr.txt";
    const std::string line =
        "curl -sS --max-time 150 -X " + method + " --data-binary " + quoted("@" + file.string()) +
        " -H " + quoted("Authorization: Bearer " + tok) + " -H 'Content-Type: text/csv'" + " -o " +
        quoted(out.string()) + " -w '%{http_code}' " +
        quoted("http://127.0.0.1:" + std::to_string(port) + target) + " 2>" + quoted(err.string());
    FILE* pipe = ::popen(line.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("could not run curl");
    std::string code;
    std::array<char, 256> buf{};
    while (const auto n = std::fread(buf.data(), 1, buf.size(), pipe)) code.append(buf.data(), n);
    const int status = ::pclose(pipe);
    CurlResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.status = code.empty() ? 0 : std::stoi(code);
    r.stderr_text = slurp(err);
    r.body = slurp(out);
    boost::system::error_code ec;
    r.json = boost::json::parse(r.body, ec);
    return r;
  }

  /// curl ended well with a 200 whose counts say every one of `rows` rows was taken.
  static void expect_all_accepted(const CurlResult& r, std::int64_t rows, const char* stored) {
    ASSERT_EQ(r.exit_code, 0) << "curl: " << r.stderr_text;
    ASSERT_EQ(r.status, 200) << r.body;
    const auto shown = r.body.substr(0, 300);
    EXPECT_EQ(int_at(r.json, "accepted"), rows) << shown;
    EXPECT_EQ(int_at(r.json, "rejected"), 0) << shown;
    EXPECT_EQ(int_at(r.json, stored), rows) << shown;
  }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
};

TEST_F(GatewayCurlTest, FiveMegabyteCsvUploadGetsItsCounts) {
  auto& replica = start_server();
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  const std::string csv = demo_csv(200, 900);
  ASSERT_GT(csv.size(), 5'000'000u) << "the file must be well over curl's 1 MiB threshold";
  const auto rows = static_cast<std::int64_t>(std::count(csv.begin(), csv.end(), '\n')) - 1;
  const auto file = write("sales.csv", csv);

  expect_all_accepted(send_file("POST", gw.port(), "/api/v1/tenants/bakery/sales", file, tok), rows,
                      "inserted");
}

TEST_F(GatewayCurlTest, BigHolidayCalendarPutGetsItsCounts) {
  auto& replica = start_server();
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  std::string csv = "date,holiday\n";
  constexpr int kRows = 19'000;  // under the calendar's 20,000-row limit, over 1 MiB in all
  for (int i = 0; i < kRows; ++i) {
    const int year = 2000 + i / 365;
    const int month = 1 + (i % 365) / 31;
    const int day = 1 + (i % 365) % 28;
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
    csv += std::string(date) + ",Fiesta mayor del barrio numero " + std::to_string(i) +
           " con verbena y chocolate\n";
  }
  ASSERT_GT(csv.size(), 1'100'000u);
  const auto file = write("holidays.csv", csv);

  expect_all_accepted(send_file("PUT", gw.port(), "/api/v1/tenants/bakery/holidays", file, tok),
                      kRows, "stored");
}

}  // namespace
}  // namespace levain::integration
