// Opening the SQLite store: missing directories, bad files, schema version, health.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <fstream>

#include "store/temp_db.hpp"
#include "training/store/sqlite/schema.hpp"
#include "training/store/sqlite/store.hpp"

namespace levain::training {
namespace {

using testing::TempDir;

TEST(SqliteStoreOpen, CreatesFileWithCurrentSchemaAndIsHealthy) {
  TempDir dir;
  SqliteStore store(dir.file("levain.db"));
  EXPECT_TRUE(std::filesystem::exists(dir.file("levain.db")));
  EXPECT_EQ(store.schema_version(), kSqliteSchemaVersion);
  EXPECT_TRUE(store.healthy());
}

TEST(SqliteStoreOpen, ReopeningIsIdempotent) {
  TempDir dir;
  { SqliteStore first(dir.file("levain.db")); }
  SqliteStore second(dir.file("levain.db"));
  EXPECT_EQ(second.schema_version(), kSqliteSchemaVersion);
  EXPECT_TRUE(second.healthy());
}

TEST(SqliteStoreOpen, UsesWriteAheadLog) {
  TempDir dir;
  SqliteStore store(dir.file("levain.db"));
  store.list_products("t");  // any statement; the WAL file exists while the connection is open
  EXPECT_TRUE(std::filesystem::exists(dir.file("levain.db-wal")));
}

TEST(SqliteStoreOpen, MissingDirectoryIsAClearErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/levain.db");
  try {
    SqliteStore store(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("no")));
}

TEST(SqliteStoreOpen, EmptyPathIsRefused) { EXPECT_THROW(SqliteStore(""), std::invalid_argument); }

TEST(SqliteStoreOpen, NonDatabaseFileIsAClearError) {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  std::ofstream(path) << "this is not a database, just some text that is long enough to matter\n";
  try {
    SqliteStore store(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(SqliteStoreOpen, SchemaFromANewerBuildIsRefused) {
  TempDir dir;
  const std::string path = dir.file("levain.db");
  { SqliteStore store(path); }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE schema_version SET version = 99");
  }
  try {
    SqliteStore store(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(SqliteStoreOpen, MigratesAVersion1FileKeepingItsJobs) {
  TempDir dir;
  const std::string path = dir.file("levain.db");
  {
    SqliteStore store(path);
    JobRecord j;
    j.job_id = "old";
    j.tenant_id = "t";
    j.status = JobStatus::running;
    store.create_job(j);
    store.save_model({"t", "Pain", "old", {}, 1});
  }
  {  // turn the file back into what version 1 wrote
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec(
        "DROP TABLE holidays; DROP INDEX jobs_by_lease; ALTER TABLE jobs DROP COLUMN owner; "
        "ALTER TABLE jobs DROP COLUMN lease_until; ALTER TABLE jobs DROP COLUMN cancel_requested; "
        "ALTER TABLE jobs DROP COLUMN live; DROP TABLE sales_uploads; "
        "ALTER TABLE models DROP COLUMN version; DROP TABLE model_versions; "
        "DROP TABLE products; DROP TABLE tenant_settings; "
        "ALTER TABLE sales DROP COLUMN sold_out; DROP TABLE forecast_log; DROP TABLE upload_bytes; "
        "UPDATE schema_version SET version = 1");
  }
  SqliteStore store(path);
  EXPECT_EQ(store.schema_version(), kSqliteSchemaVersion);
  ASSERT_TRUE(store.get_job("t", "old"));
  EXPECT_FALSE(store.cancel_requested("old"));
  EXPECT_TRUE(store.claim_job("old", "replica", 1));  // no lease yet: free to claim
  EXPECT_TRUE(store.load_holidays("t").empty());
  EXPECT_EQ(store.get_model("t", "Pain")->version, 1);  // a model from before v6 is version 1
  EXPECT_EQ(store.list_model_versions("t", "Pain").size(), 1u);
}

TEST(SqliteStoreOpen, InMemoryDatabaseWorks) {
  SqliteStore store(":memory:");
  EXPECT_TRUE(store.healthy());
  EXPECT_TRUE(store.list_products("t").empty());
}

}  // namespace
}  // namespace levain::training
