// Every JSON answer is valid UTF-8, even when it echoes bytes that are not: a CSV cell (sales or
// holidays), a query parameter. Checked with Python's strict UTF-8 decoder and JSON parser (not the
// writer's own code), against the replica directly and through the gateway.

#include <cstdlib>
#include <fstream>
#include <string>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class JsonUtf8Test : public LevainTest {
 protected:
  // "" when `body` decodes as strict UTF-8 and parses as JSON, else what Python said.
  std::string strict_json_problem(const std::string& body) {
    const auto file = dir_ / ("body-" + std::to_string(++bodies_) + ".json");
    std::ofstream(file, std::ios::binary) << body;
    const auto err = dir_ / "python.err";
    const std::string cmd =
        "/usr/bin/python3 -c 'import json,sys; json.loads(open(sys.argv[1],\"rb\").read()"
        ".decode(\"utf-8\", \"strict\"))' " +
        file.string() + " 2>" + err.string();
    if (std::system(cmd.c_str()) == 0) return "";
    std::ifstream in(err);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  int bodies_ = 0;
};

TEST_F(JsonUtf8Test, EchoedInvalidBytesAreReplacedAtBothDoors) {
  auto& replica = start_server();
  const auto replica_port = replica.port();
  auto& gateway = start_gateway({replica_port});
  const std::string tok = token({"bakery"});
  const std::string sales = "/api/v1/tenants/bakery/sales";
  const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD

  for (const auto port : {replica_port, gateway.port()}) {
    SCOPED_TRACE("port " + std::to_string(port));
    const auto upload = http(port).post(sales, tok,
                                        "date,product,quantity\n"
                                        "2024-01-0\xFF,Pan,1\n"          // a lone FF in a date
                                        "2024-01-02,Pan,\xC3(\n"         // truncated sequence
                                        "2024-01-03,Pan,\xED\xA0\x80\n"  // a surrogate
                                        "2024-01-04,Pan,\xC0\xAF\n"      // overlong '/'
                                        "2024-01-05,Pan,2\n",
                                        "text/csv");
    ASSERT_EQ(upload.status, 200) << upload.summary();
    EXPECT_EQ(strict_json_problem(upload.body), "") << upload.summary();
    ASSERT_TRUE(upload.json_ok) << upload.summary();
    EXPECT_EQ(int_at(upload.json, "rejected"), 4) << dump(upload.json);
    EXPECT_EQ(str_at(upload.json, "errors/0/reason"),
              "invalid date '2024-01-0" + replacement + "' (expected YYYY-MM-DD)");
    EXPECT_EQ(str_at(upload.json, "errors/1/reason"),
              "quantity '" + replacement + "(' is not a number");

    // A holiday file's rows are echoed the same way, in a 422 (every row was bad).
    const auto holidays = http(port).request(
        "PUT", "/api/v1/tenants/bakery/holidays", "date,holiday\n2024-06-2\xFF,San Juan\n",
        {{"Authorization", "Bearer " + tok}, {"Content-Type", "text/csv"}});
    ASSERT_EQ(holidays.status, 422) << holidays.summary();
    EXPECT_EQ(strict_json_problem(holidays.body), "") << holidays.summary();
    EXPECT_EQ(str_at(holidays.json, "errors/0/reason"),
              "invalid date '2024-06-2" + replacement + "' (expected YYYY-MM-DD)");

    // A query value that is not UTF-8 names nothing stored: a 400 that says so (with PostgreSQL
    // it was a 500), in valid JSON like every other answer.
    for (const char* target : {"/api/v1/tenants/bakery/forecasts?product=%FF",
                               "/api/v1/tenants/bakery/sales?product=%FF",
                               "/api/v1/tenants/bakery/forecasts?product=%ED%A0%80x"}) {
      const auto res = http(port).get(target, tok);
      EXPECT_EQ(res.status, 400) << target << ": " << res.summary();
      EXPECT_EQ(strict_json_problem(res.body), "") << target << ": " << res.summary();
      ASSERT_TRUE(res.json_ok) << target << ": " << res.summary();
      EXPECT_EQ(str_at(res.json, "error/message"),
                "query parameter 'product' is not valid UTF-8 (percent-encode UTF-8 text)");
    }
  }
}

}  // namespace
}  // namespace levain::integration
