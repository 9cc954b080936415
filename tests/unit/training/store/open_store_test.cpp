// open_store: the store follows the configuration (no URL: SQLite in the data dir).
#include "training/store/open_store.hpp"

#include <gtest/gtest.h>

#include "store/store_backends.hpp"

namespace levain::training {
namespace {

TEST(OpenStore, NoUrlMeansSqliteInTheDataDirectory) {
  testing::TempDir dir;
  const auto data = dir.file("data/sub");
  auto store = open_store("", data);
  EXPECT_TRUE(store->healthy());
  EXPECT_TRUE(std::filesystem::exists(data + "/levain.db"));
}

TEST(OpenStore, PostgresUrlOpensThePostgresStore) {
  testing::TestDatabase db(testing::Backend::postgres);
  auto store = open_store(db.location(), "unused");
  EXPECT_NE(dynamic_cast<PostgresStore*>(store.get()), nullptr);
  EXPECT_TRUE(store->healthy());
  EXPECT_FALSE(std::filesystem::exists("unused"));
}

TEST(OpenStore, ShortPostgresSchemeIsAccepted) {
  testing::TestDatabase db(testing::Backend::postgres);
  const auto url = "postgres://" + db.location().substr(std::string("postgresql://").size());
  EXPECT_TRUE(open_store(url, "unused")->healthy());
}

TEST(OpenStore, OtherSchemesAreAClearErrorWithoutEchoingTheUrl) {
  try {
    open_store("mysql://root:hunter2@db/levain", "unused");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'mysql'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("postgresql://"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
  }
  EXPECT_THROW(open_store("levain.db", "unused"), std::invalid_argument);
}

}  // namespace
}  // namespace levain::training
