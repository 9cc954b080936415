// The PostgreSQL store's own concerns: schema migration (also by two replicas at once), clear
// errors, the bounded pool, and coming back by itself after connections or the server went away.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "store/private_postgres.hpp"
#include "store/store_backends.hpp"
#include "training/store/postgres/schema.hpp"

namespace levain::training {
namespace {

using testing::Backend;
using testing::TestDatabase;
using namespace std::chrono_literals;

forecast::Observation obs(const std::string& product, int day, double q) {
  return {forecast::Date{std::chrono::days{day}}, product, q, {}};
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PostgresStoreOpen, CreatesTheCurrentSchemaAndIsHealthy) {
  TestDatabase db(Backend::postgres);
  PostgresStore store(db.location());
  EXPECT_EQ(store.schema_version(), kPostgresSchemaVersion);
  EXPECT_TRUE(store.healthy());
  EXPECT_TRUE(store.list_products("t").empty());
}

TEST(PostgresStoreOpen, ReopeningIsIdempotentAndKeepsData) {
  TestDatabase db(Backend::postgres);
  PostgresStore(db.location()).upsert_sales("t", {}, {obs("A", 1, 2)});
  PostgresStore again(db.location());
  EXPECT_EQ(again.schema_version(), kPostgresSchemaVersion);
  EXPECT_EQ(again.list_products("t"), std::vector<std::string>{"A"});
}

TEST(PostgresStoreOpen, ReplicasStartingTogetherMigrateOnce) {
  TestDatabase db(Backend::postgres);
  constexpr int kReplicas = 6;
  std::atomic<int> ok{0};
  std::vector<std::string> errors(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] {
      try {
        PostgresStore store(db.location());
        if (store.schema_version() == kPostgresSchemaVersion) ++ok;
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(ok.load(), kReplicas);
}

TEST(PostgresStoreOpen, SchemaFromANewerBuildIsRefused) {
  TestDatabase db(Backend::postgres);
  { PostgresStore store(db.location()); }
  testing::postgres_admin_exec(db.location(), "UPDATE schema_version SET version = 99");
  const auto msg = message_of([&] { PostgresStore store(db.location()); });
  EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
}

TEST(PostgresStoreOpen, UnreachableServerIsAClearErrorWithoutThePassword) {
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  const auto msg =
      message_of([] { PostgresStore store("postgresql://levain:s3cret@127.0.0.1:1/levain"); });
  EXPECT_NE(msg.find("127.0.0.1:1/levain"), std::string::npos) << msg;
  EXPECT_NE(msg.find("connect"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
}

TEST(PostgresStoreOpen, NonPostgresUrlIsRefused) {
  EXPECT_THROW(PostgresStore("mysql://x@127.0.0.1/db"), std::invalid_argument);
}

TEST(PostgresStorePool, StaysWithinItsBoundUnderConcurrentCallers) {
  TestDatabase db(Backend::postgres);
  PostgresOptions options;
  options.max_connections = 3;
  PostgresStore store(db.location(), options);
  store.upsert_sales("t", {}, {obs("A", 1, 1), obs("A", 2, 2)});
  std::vector<std::thread> threads;
  std::atomic<int> reads{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 25; ++k) {
        if (store.load_series("t", "A")) ++reads;
        EXPECT_LE(store.open_connections(), 3u);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(reads.load(), 200);
  EXPECT_LE(store.open_connections(), 3u);
}

TEST(PostgresStorePool, ReconnectsAfterTheServerDroppedItsConnections) {
  TestDatabase db(Backend::postgres);
  const std::string app = "levain-test-drop-" + std::to_string(::getpid());
  PostgresStore store(db.location() + "&application_name=" + app);
  store.upsert_sales("t", {}, {obs("A", 1, 1)});
  ASSERT_TRUE(store.healthy());
  // What a server restart or an idle-connection reaper does to every open session.
  const auto admin = testing::fixture_postgres_url();
  testing::postgres_admin_exec(
      admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" +
                 app + "'");
  // pg_terminate_backend only signals: wait until the sessions are really gone.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (testing::postgres_admin_count(
             admin,
             "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'") > 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(store.list_products("t"), std::vector<std::string>{"A"});
  EXPECT_EQ(store.upsert_sales("t", {}, {obs("B", 1, 1)}).inserted, 1u);
  EXPECT_TRUE(store.healthy());
}

TEST(PostgresStoreServer, UnhealthyWhileDownAndRecoversByItself) {
  testing::PrivatePostgres server;
  PostgresStore store(server.url());
  store.upsert_sales("t", {}, {obs("A", 1, 1)});
  ASSERT_TRUE(store.healthy());

  EXPECT_EQ(store.errors(), 0u);

  server.stop();
  EXPECT_FALSE(store.healthy());
  EXPECT_THROW(store.list_products("t"), std::runtime_error);
  EXPECT_EQ(store.errors(), 1u) << "levain_store_errors_total counts the failed operation";

  server.start();
  EXPECT_TRUE(store.healthy());
  EXPECT_EQ(store.list_products("t"), std::vector<std::string>{"A"});
  EXPECT_EQ(store.errors(), 1u) << "a working store adds none";
  store.save_model({"t", "A", "j1", {}, 1});
  EXPECT_TRUE(store.get_model("t", "A"));
}

}  // namespace
}  // namespace levain::training
