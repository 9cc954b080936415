#pragma once
/// Chooses the Store from configuration: the embedded SQLite file when no database URL is set,
/// the shared PostgreSQL store for a postgresql:// URL (several replicas).

#include <memory>
#include <string>

#include "training/store/store.hpp"

namespace levain::training {

/// Empty `database_url`: SQLite at `data_dir`/levain.db (the directory is created).
/// postgresql:// or postgres://: PostgresStore. Anything else: std::invalid_argument saying
/// which schemes are accepted (the URL itself is not echoed: it may hold a password).
/// Connection and schema errors leave as std::runtime_error.
std::unique_ptr<Store> open_store(const std::string& database_url, const std::string& data_dir);

/// True for the URLs open_store hands to PostgresStore.
bool is_postgres_url(const std::string& database_url);

}  // namespace levain::training
