// run_watch and run_train against a scripted server on 127.0.0.1:0. Each test orders its steps with
// the protocol itself (the server writes, then closes; the client reads to the close): no sleeps.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/client/train.hpp"
#include "cli/client/watch.hpp"
#include "messages.hpp"
#include "scripted_server.hpp"

namespace levain::cli {
namespace {

using namespace test_messages;
using namespace test_server;

// A port that was just free: connecting to it is refused.
unsigned short closed_port() {
  net::io_context ioc;
  tcp::acceptor probe(ioc, {net::ip::make_address("127.0.0.1"), 0});
  return probe.local_endpoint().port();
}

// A whole job from the snapshot at seq 2 ("Data Analysis" done) to the 1000 close.
ScriptedServer::Script full_run() {
  return [](tcp::socket& socket, const Request& request) {
    Ws ws(std::move(socket));
    ws.accept(request);
    send(ws, connected(2, "running", 20, 0, 2));
    send(ws, product_done(3, 50, 1, 2, "Baguette"));
    send(ws, R"({"type":"pong"})");
    send(ws, product_done(4, 80, 2, 2, "Croissant"));
    send(ws, completed(5, 2));
    close(ws, websocket::close_code::normal, "job completed");
  };
}

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result watch(const std::string& url, int max_attempts = 3,
             std::chrono::milliseconds read_timeout = std::chrono::seconds(30),
             LiveTransport transport = LiveTransport::websocket) {
  WatchOptions options;
  options.transport = transport;
  options.url = url;
  options.tenant = "t 1";
  options.job = "j1";
  options.token = "a+b/c";
  options.initial_backoff = std::chrono::milliseconds(1);
  options.max_backoff = std::chrono::milliseconds(2);
  options.max_attempts = max_attempts;
  options.read_timeout = read_timeout;
  options.redraw = false;
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_watch(options, out, err);
  return {code, out.str(), err.str()};
}

TEST(RunWatch, CompletedJobExitsZero) {
  ScriptedServer server({full_run()});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("[##########..........]  50%  Model Training  1/2  Baguette\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("100%"), std::string::npos);
  EXPECT_NE(r.out.find("job j1 completed: 2/2 products"), std::string::npos) << r.out;
  ASSERT_EQ(server.targets().size(), 1u);
  EXPECT_EQ(server.targets()[0], "/api/v1/tenants/t%201/training/jobs/j1/live?token=a%2Bb%2Fc");
}

TEST(RunWatch, FinishedJobSnapshotThenCloseExitsByStatus) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
    Ws ws(std::move(socket));
    ws.accept(request);
    send(ws, connected(7, "completed", 100, 2, 2));
    close(ws, websocket::close_code::normal, "job completed");
  }});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(RunWatch, FailedJobExitsOneWithTheServersReason) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
    Ws ws(std::move(socket));
    ws.accept(request);
    send(ws, connected(2, "running", 20, 0, 2));
    send(ws, event(3, "failed", R"("progress":20,"error":"no sales data for Baguette")"));
    close(ws, websocket::close_code::normal, "job failed");
  }});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("job j1 failed: no sales data for Baguette"), std::string::npos) << r.err;
}

TEST(RunWatch, TenantNotGrantedExitsTwoWithoutRetrying) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
    Ws ws(std::move(socket));
    ws.accept(request);
    close(ws, static_cast<websocket::close_code>(4003), "tenant t 1 not granted");
  }});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("tenant not granted (4003): tenant t 1 not granted"), std::string::npos)
      << r.err;
  EXPECT_EQ(server.targets().size(), 1u);
}

TEST(RunWatch, HttpRefusalOfTheUpgradeExitsTwo) {
  ScriptedServer server({[](tcp::socket& socket, const Request&) {
    http::response<http::string_body> response{http::status::unauthorized, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = R"({"error":{"code":"unauthorized","message":"token expired"}})";
    response.prepare_payload();
    http::write(socket, response);
  }});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("HTTP 401"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("token expired"), std::string::npos) << r.err;
}

TEST(RunWatch, DroppedConnectionReconnectsAndFinishes) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
                           Ws ws(std::move(socket));
                           ws.accept(request);
                           send(ws, connected(2, "running", 20, 0, 2));
                           // Abrupt end, no close frame: what a crashed replica looks like.
                           ws.next_layer().shutdown(tcp::socket::shutdown_both);
                           ws.next_layer().close();
                         },
                         full_run()});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(server.targets().size(), 2u);
  EXPECT_NE(r.err.find("connection dropped (1006)"), std::string::npos) << r.err;
}

TEST(RunWatch, ServerShutdownCloseReconnects) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
                           Ws ws(std::move(socket));
                           ws.accept(request);
                           send(ws, connected(2, "running", 20, 0, 2));
                           close(ws, websocket::close_code::going_away, "server shutting down");
                         },
                         full_run()});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(server.targets().size(), 2u);
}

TEST(RunWatch, SeqGapResynchronisesWithAFreshSnapshot) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
                           Ws ws(std::move(socket));
                           ws.accept(request);
                           send(ws, connected(2, "running", 20, 0, 2));
                           send(ws, product_done(4, 80, 2, 2, "Croissant"));  // seq 3 missing
                           wait_for_client_to_leave(ws);
                         },
                         full_run()});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(server.targets().size(), 2u);
  EXPECT_NE(r.err.find("missed events after seq 2"), std::string::npos) << r.err;
  // Missed events are not resumed from: the resync asks for the whole snapshot.
  EXPECT_EQ(server.targets()[1].find("since="), std::string::npos) << server.targets()[1];
}

TEST(RunWatch, AReconnectResumesAfterTheLastSeqFolded) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
                           Ws ws(std::move(socket));
                           ws.accept(request);
                           send(ws, connected(2, "running", 20, 0, 2));
                           send(ws, product_done(3, 50, 1, 2, "Baguette"));
                           ws.next_layer().shutdown(tcp::socket::shutdown_both);
                           ws.next_layer().close();
                         },
                         [](tcp::socket& socket, const Request& request) {
                           Ws ws(std::move(socket));
                           ws.accept(request);
                           send(ws, R"({"type":"connected","job_id":"j1","tenant_id":"t1",)"
                                    R"("seq":3,"data":{"resumed":true}})");
                           send(ws, product_done(4, 80, 2, 2, "Croissant"));
                           send(ws, completed(5, 2));
                           close(ws, websocket::close_code::normal, "job completed");
                         }});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(server.targets().size(), 2u);
  EXPECT_EQ(server.targets()[0].find("since="), std::string::npos) << server.targets()[0];
  EXPECT_NE(server.targets()[1].find("&since=3"), std::string::npos) << server.targets()[1];
  EXPECT_NE(r.out.find("completed: 2/2"), std::string::npos) << r.out;
}

TEST(RunWatch, OverServerSentEventsWithResume) {
  ScriptedServer server(
      {[](tcp::socket& socket, const Request&) {
         sse_head(socket);
         sse_send(socket, 2, "connected", connected(2, "running", 20, 0, 2));
         net::write(socket, net::buffer(std::string(": ping\n\n")));
         sse_send(socket, 3, "product_completed", product_done(3, 50, 1, 2, "Baguette"));
         sse_close(socket, 1001, "server shutting down");
       },
       [](tcp::socket& socket, const Request&) {
         sse_head(socket);
         sse_send(socket, 3, "connected",
                  R"({"type":"connected","seq":3,"data":{"resumed":true}})");
         sse_send(socket, 4, "product_completed", product_done(4, 80, 2, 2, "Croissant"));
         sse_send(socket, 5, "completed", completed(5, 2));
         sse_close(socket, 1000, "job completed");
       }});
  const Result r = watch(server.url(), 3, std::chrono::seconds(30), LiveTransport::sse);
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0][http::field::accept], "text/event-stream");
  EXPECT_FALSE(websocket::is_upgrade(server.requests()[0]));
  EXPECT_NE(server.targets()[1].find("&since=3"), std::string::npos) << server.targets()[1];
  EXPECT_NE(r.err.find("1001"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("completed: 2/2"), std::string::npos) << r.out;
}

TEST(RunWatch, AnEventStreamRefusalExitsTwo) {
  ScriptedServer server({[](tcp::socket& socket, const Request&) {
    sse_head(socket);
    sse_close(socket, 4003, "tenant not granted by the token");
  }});
  const Result r = watch(server.url(), 3, std::chrono::seconds(30), LiveTransport::sse);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(server.targets().size(), 1u);
  EXPECT_NE(r.err.find("tenant not granted"), std::string::npos) << r.err;
}

TEST(RunWatch, SilentServerTimesOutAndReconnects) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
                           Ws ws(std::move(socket));
                           ws.accept(request);
                           send(ws, connected(2, "running", 20, 0, 2));
                           wait_for_client_to_leave(ws);  // the client's read timeout ends it
                         },
                         full_run()});
  const Result r = watch(server.url(), 3, std::chrono::milliseconds(200));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(server.targets().size(), 2u);
  EXPECT_NE(r.err.find("no message from the server"), std::string::npos) << r.err;
}

TEST(RunWatch, MalformedMessagesAreReportedNotFatal) {
  ScriptedServer server({[](tcp::socket& socket, const Request& request) {
    Ws ws(std::move(socket));
    ws.accept(request);
    send(ws, "this is not json");
    send(ws, connected(2, "running", 20, 0, 1));
    send(ws, R"({"type":"progress","seq":"three"})");
    send(ws, completed(3, 1));
    close(ws, websocket::close_code::normal, "job completed");
  }});
  const Result r = watch(server.url());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("not a JSON object"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("malformed"), std::string::npos) << r.err;
}

TEST(RunWatch, UnreachableServerGivesUpAfterMaxAttempts) {
  const Result r = watch("http://127.0.0.1:" + std::to_string(closed_port()), 2);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("giving up after 2 attempt(s)"), std::string::npos) << r.err;
}

TEST(RunWatch, BadOptionsExitTwo) {
  EXPECT_EQ(watch("ftp://127.0.0.1:1").code, 2);
  WatchOptions options;
  options.url = "http://127.0.0.1:1";
  std::ostringstream out, err;
  EXPECT_EQ(run_watch(options, out, err), 2);
  EXPECT_NE(err.str().find("tenant and a job id are required"), std::string::npos);
}

// --- levain train: upload, start, watch -------------------------------------------------------

class RunTrain : public ::testing::Test {
 protected:
  void SetUp() override {
    csv_path_ = std::filesystem::temp_directory_path() /
                (std::string("levain-cli-") +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
                 std::to_string(::getpid()) + ".csv");
    std::ofstream(csv_path_) << kCsv;
  }
  void TearDown() override { std::filesystem::remove(csv_path_); }

  Result train(const std::string& url, bool upload_only = false, bool strict = false) {
    TrainOptions options;
    options.upload_only = upload_only;
    options.strict = strict;
    options.url = url;
    options.tenant = "t1";
    options.token = "tok";
    options.csv_path = csv_path_.string();
    options.products = {"Baguette"};
    options.horizon_days = 7;
    std::ostringstream out, err;
    const int code = run_train(options, out, err);
    return {code, out.str(), err.str()};
  }

  static constexpr const char* kCsv =
      "date,product,quantity\n2026-01-01,Baguette,10\n2026-01-02,Baguette,x\n"
      "2026-01-03,Baguette,12\n";
  std::filesystem::path csv_path_;
};

TEST_F(RunTrain, UploadsStartsAndWatchesToTheEnd) {
  ScriptedServer server({[](tcp::socket& socket, const Request&) {
                           respond(socket, http::status::ok,
                                   R"({"accepted":2,"rejected":1,"inserted":2,"updated":0,)"
                                   R"("errors":[{"line":3,"reason":"bad quantity 'x'"}],)"
                                   R"("errors_truncated":false})");
                         },
                         [](tcp::socket& socket, const Request&) {
                           respond(socket, http::status::accepted,
                                   R"({"job_id":"j1","status":"pending","live_url":)"
                                   R"("/api/v1/tenants/t1/training/jobs/j1/live"})");
                         },
                         full_run()});
  const Result r = train(server.url());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("uploaded: 2 accepted, 1 rejected\n  line 3: bad quantity 'x'\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("job: j1\nlive: /api/v1/tenants/t1/training/jobs/j1/live\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("job j1 completed"), std::string::npos) << r.out;

  const std::vector<Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method(), http::verb::post);
  EXPECT_EQ(requests[0].target(), "/api/v1/tenants/t1/sales");
  EXPECT_EQ(requests[0][http::field::content_type], "text/csv");
  EXPECT_EQ(requests[0][http::field::authorization], "Bearer tok");
  EXPECT_EQ(requests[0].body(), kCsv);
  EXPECT_EQ(requests[1].target(), "/api/v1/tenants/t1/training/jobs");
  EXPECT_EQ(requests[1][http::field::content_type], "application/json");
  EXPECT_EQ(requests[1].body(), R"({"products":["Baguette"],"horizon_days":7})");
  EXPECT_EQ(requests[2].target(), "/api/v1/tenants/t1/training/jobs/j1/live?token=tok");
}

TEST_F(RunTrain, UploadOnlyStopsAfterTheUpload) {
  ScriptedServer server({[](tcp::socket& socket, const Request&) {
    respond(socket, http::status::ok, R"({"accepted":2,"rejected":0,"errors":[]})");
  }});
  const Result r = train(server.url(), /*upload_only=*/true);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("uploaded: 2 accepted, 0 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("job:"), std::string::npos) << r.out;
  const std::vector<Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target(), "/api/v1/tenants/t1/sales");
}

TEST_F(RunTrain, ServerRefusingTheJobExitsOneWithItsMessage) {
  ScriptedServer server({[](tcp::socket& socket, const Request&) {
                           respond(socket, http::status::ok,
                                   R"({"accepted":3,"rejected":0,"errors":[]})");
                         },
                         [](tcp::socket& socket, const Request&) {
                           respond(socket, http::status::unprocessable_entity,
                                   R"({"error":{"code":"unknown_product",)"
                                   R"("message":"no sales for product Baguette"}})");
                         }});
  const Result r = train(server.url());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("HTTP 422 unknown_product: no sales for product Baguette"),
            std::string::npos)
      << r.err;
}

TEST_F(RunTrain, StrictStopsWhenRowsWereRejected) {
  ScriptedServer server({[](tcp::socket& socket, const Request&) {
    respond(socket, http::status::ok,
            R"({"accepted":2,"rejected":1,"errors":[{"line":3,"reason":"bad quantity 'x'"}]})");
  }});
  const Result r = train(server.url(), /*upload_only=*/false, /*strict=*/true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("line 3: bad quantity 'x'"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("--strict: the server rejected 1 row(s)"), std::string::npos) << r.err;
  EXPECT_EQ(server.requests().size(), 1u) << "no job may start";
}

TEST_F(RunTrain, StrictPassesWhenNothingWasRejected) {
  ScriptedServer server({[](tcp::socket& socket, const Request&) {
    respond(socket, http::status::ok, R"({"accepted":2,"rejected":0,"errors":[]})");
  }});
  const Result r = train(server.url(), /*upload_only=*/true, /*strict=*/true);
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(RunWatch, GivesUpByDefault) {
  // A watch of a server that never comes back must end by itself (issue 13, item 7).
  EXPECT_GT(WatchOptions{}.max_attempts, 0);
}

TEST_F(RunTrain, UnreachableServerExitsTwo) {
  const Result r = train("http://127.0.0.1:" + std::to_string(closed_port()));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("connecting to http://127.0.0.1:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace levain::cli
