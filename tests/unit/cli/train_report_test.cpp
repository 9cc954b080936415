#include "cli/client/train_report.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/client/train.hpp"

namespace levain::cli {
namespace {

HttpResponse response(int status, std::string body) {
  return {status, std::move(body), "application/json"};
}

TEST(TrainReport, UploadSummaryListsAtMostTenRejectedRows) {
  std::string errors;
  for (int line = 2; line < 14; ++line) {
    if (!errors.empty()) errors += ",";
    errors += R"({"line":)" + std::to_string(line) + R"(,"reason":"bad date"})";
  }
  std::ostringstream out, err;
  const int code = report_upload(
      response(200, R"({"accepted":100,"rejected":12,"inserted":90,"updated":10,"errors":[)" +
                        errors + R"(],"errors_truncated":false})"),
      out, err);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out.str().rfind("uploaded: 100 accepted, 12 rejected\n  line 2: bad date\n", 0), 0u)
      << out.str();
  EXPECT_NE(out.str().find("  line 11: bad date\n"), std::string::npos);
  EXPECT_EQ(out.str().find("line 12:"), std::string::npos);
  EXPECT_NE(out.str().find("... and 2 more rejected row(s)"), std::string::npos);
  EXPECT_TRUE(err.str().empty());
}

TEST(TrainReport, EveryRowRejectedIsAnError) {
  std::ostringstream out, err;
  const int code = report_upload(
      response(422, R"({"error":{"code":"invalid_csv","message":"every row was rejected"},
                       "accepted":0,"rejected":1,"errors":[{"line":2,"reason":"bad quantity"}]})"),
      out, err);
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.str().find("uploaded: 0 accepted, 1 rejected\n  line 2: bad quantity"),
            std::string::npos);
  EXPECT_NE(err.str().find("HTTP 422 invalid_csv: every row was rejected"), std::string::npos)
      << err.str();
}

TEST(TrainReport, ErrorsThatAreNotTheContractsJson) {
  EXPECT_EQ(describe_http_error(response(413, R"({"error":{"code":"payload_too_large",
      "message":"body over 64 MiB"}})")),
            "HTTP 413 payload_too_large: body over 64 MiB");
  EXPECT_EQ(describe_http_error(response(502, "Bad Gateway")), "HTTP 502: Bad Gateway");
  EXPECT_EQ(describe_http_error(response(500, "")), "HTTP 500");
  EXPECT_EQ(describe_http_error(response(500, std::string(1000, 'x'))).size(),
            std::string("HTTP 500: ").size() + 300 + 3);
  std::ostringstream out, err;
  EXPECT_EQ(report_upload(response(401, "[1,2]"), out, err), 1);
  EXPECT_TRUE(out.str().empty());
}

class RunTrainFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("levain-cli-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string run(const std::string& csv_path) {
    TrainOptions options;
    options.url = "http://127.0.0.1:1";  // never reached: the file is refused first
    options.tenant = "t1";
    options.csv_path = csv_path;
    std::ostringstream out, err;
    EXPECT_EQ(run_train(options, out, err), 1);
    return err.str();
  }

  std::filesystem::path dir_;
};

TEST_F(RunTrainFiles, MissingFile) {
  EXPECT_NE(run((dir_ / "nope.csv").string()).find("cannot read CSV file"), std::string::npos);
}

TEST_F(RunTrainFiles, DirectoryIsNotACsv) {
  EXPECT_NE(run(dir_.string()).find("not a regular file"), std::string::npos);
}

TEST_F(RunTrainFiles, EmptyFile) {
  std::ofstream(dir_ / "empty.csv").close();
  EXPECT_NE(run((dir_ / "empty.csv").string()).find("is empty"), std::string::npos);
}

TEST_F(RunTrainFiles, OverTheSizeLimit) {
  const auto path = dir_ / "huge.csv";
  std::ofstream(path).close();
  std::filesystem::resize_file(path, kMaxCsvBytes + 1);  // sparse: no disk is used
  EXPECT_NE(run(path.string()).find("the limit is 512 MiB"), std::string::npos);
}

}  // namespace
}  // namespace levain::cli
