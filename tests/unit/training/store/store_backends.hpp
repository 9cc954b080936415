#pragma once
/// Runs one store test suite against both stores: each test gets a fresh, empty database of
/// its backend — a SQLite file in its own directory, or its own schema on the test PostgreSQL
/// server that the `postgres` CTest fixture started — so tests run in parallel.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/temp_db.hpp"
#include "training/store/postgres/store.hpp"
#include "training/store/store.hpp"

namespace levain::training::testing {

enum class Backend { sqlite, postgres };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

/// The URL of the fixture's server (read from LEVAIN_TEST_POSTGRES_DIR/url). Throws with
/// instructions when the fixture is not running: a store test is never skipped.
std::string fixture_postgres_url();

/// Runs one statement on the fixture server's database (outside any test schema).
void postgres_admin_exec(const std::string& url, const std::string& sql);
/// Runs a query whose first column of the first row is a count.
long postgres_admin_count(const std::string& url, const std::string& sql);

class TestDatabase {
 public:
  explicit TestDatabase(Backend backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// A store on this database; call again to reopen the same data.
  std::unique_ptr<Store> open(const PostgresOptions& options = {}) const;
  Backend backend() const { return backend_; }
  /// PostgreSQL: the URL with this test's schema; SQLite: the file path.
  const std::string& location() const { return location_; }

 private:
  Backend backend_;
  std::optional<TempDir> dir_;
  std::string schema_;
  std::string location_;
};

/// A calendar date for test data.
inline forecast::Date day(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

/// One sales row for test data.
inline forecast::Observation obs(const std::string& product, forecast::Date date, double quantity,
                                 std::vector<double> regressors = {}) {
  return forecast::Observation{date, product, quantity, std::move(regressors)};
}

/// Base of the value-parameterized store suites: `store_` is a fresh store of the backend.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  TestDatabase db_{GetParam()};
  std::unique_ptr<Store> owned_ = db_.open();
  Store& store_ = *owned_;
};

}  // namespace levain::training::testing

#define LEVAIN_STORE_BACKENDS(Suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                   \
                           ::testing::Values(::levain::training::testing::Backend::sqlite,    \
                                             ::levain::training::testing::Backend::postgres), \
                           ::levain::training::testing::backend_name)
