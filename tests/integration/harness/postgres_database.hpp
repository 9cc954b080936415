#pragma once
/// Databases for tests on the PostgreSQL server of the `postgres` CTest fixture (started and
/// stopped by scripts/postgres-instance from tests/unit/training/store). Each test gets a new
/// empty database, so no state leaks between tests, and a test that crashes leaves no server
/// behind: the fixture's cleanup stops the one server by its PID.

#include <string>

namespace levain::integration {

/// Creates a new, uniquely named database on the fixture's server and returns its URL. Throws
/// std::runtime_error saying how to start the server when it is not running.
std::string fresh_test_database();

}  // namespace levain::integration
