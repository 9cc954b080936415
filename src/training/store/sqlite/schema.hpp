#pragma once
/// Creates and migrates the SQLite schema. Migrations are numbered, applied in order inside one
/// IMMEDIATE transaction each, and recorded in `schema_version`, so opening twice is harmless.

#include <SQLiteCpp/Database.h>

namespace levain::training {

/// The newest schema this build knows.
inline constexpr int kSqliteSchemaVersion = 8;

/// Brings `db` up to kSqliteSchemaVersion and returns the version it ends at. Throws
/// std::runtime_error when the file was written by a newer build.
int migrate_sqlite_schema(SQLite::Database& db);

}  // namespace levain::training
