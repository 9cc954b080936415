#include "store/store_backends.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

#include "training/store/sqlite/store.hpp"

namespace levain::training::testing {
namespace {

std::string unique_schema() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return "test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 1'000'000);
}

}  // namespace

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgres";
}

std::string fixture_postgres_url() {
  const std::string file = std::string(LEVAIN_TEST_POSTGRES_DIR) + "/url";
  std::ifstream in(file);
  std::string url;
  if (!(in >> url) || url.empty()) {
    throw std::runtime_error("no test PostgreSQL server (" + file +
                             " is missing): run these tests through ctest, which starts it, or "
                             "run scripts/postgres-instance start " LEVAIN_TEST_POSTGRES_DIR);
  }
  return url;
}

void postgres_admin_exec(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  tx.exec(sql);
  tx.commit();
}

long postgres_admin_count(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<long>();
}

TestDatabase::TestDatabase(Backend backend) : backend_(backend) {
  if (backend_ == Backend::sqlite) {
    dir_.emplace();
    location_ = dir_->file("levain.db");
    return;
  }
  const auto base = fixture_postgres_url();
  schema_ = unique_schema();
  postgres_admin_exec(base, "CREATE SCHEMA " + schema_);
  location_ = base + "?options=-csearch_path%3D" + schema_;
}

TestDatabase::~TestDatabase() {
  if (schema_.empty()) return;
  try {
    postgres_admin_exec(fixture_postgres_url(), "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "could not drop test schema " << schema_ << ": " << e.what();
  }
}

std::unique_ptr<Store> TestDatabase::open(const PostgresOptions& options) const {
  if (backend_ == Backend::sqlite) return std::make_unique<SqliteStore>(location_);
  return std::make_unique<PostgresStore>(location_, options);
}

}  // namespace levain::training::testing
