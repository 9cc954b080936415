#include "training/store/open_store.hpp"

#include <filesystem>
#include <stdexcept>

#include "training/store/postgres/store.hpp"
#include "training/store/sqlite/store.hpp"

namespace levain::training {

bool is_postgres_url(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Store> open_store(const std::string& database_url, const std::string& data_dir) {
  if (database_url.empty()) {
    if (data_dir.empty()) throw std::invalid_argument("data directory is empty");
    std::filesystem::create_directories(data_dir);
    return std::make_unique<SqliteStore>((std::filesystem::path(data_dir) / "levain.db").string());
  }
  if (is_postgres_url(database_url)) return std::make_unique<PostgresStore>(database_url);
  const auto colon = database_url.find("://");
  const std::string scheme =
      colon == std::string::npos ? std::string() : database_url.substr(0, colon);
  throw std::invalid_argument(
      "database URL " +
      (scheme.empty() ? std::string("without a scheme") : "scheme '" + scheme + "'") +
      " is not supported: use postgresql://user:password@host:port/database, or no URL for the "
      "embedded SQLite store");
}

}  // namespace levain::training
