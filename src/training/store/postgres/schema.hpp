#pragma once
/// Creates and migrates the PostgreSQL schema at start. Migrations are numbered and applied in
/// order in one transaction that first takes an advisory lock (per schema), so two replicas
/// starting at once do not both migrate: the second waits, then finds the schema current.

#include <pqxx/pqxx>

namespace levain::training {

/// The newest schema this build knows.
inline constexpr int kPostgresSchemaVersion = 8;

/// Brings the connection's current schema up to kPostgresSchemaVersion and returns the version
/// it ends at. Throws std::runtime_error when the database was written by a newer build.
int migrate_postgres_schema(pqxx::connection& conn);

}  // namespace levain::training
