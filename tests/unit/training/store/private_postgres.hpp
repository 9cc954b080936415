#pragma once
/// A PostgreSQL server of one test's own (scripts/postgres-instance in a temp directory), for
/// tests that stop and start the server: the shared fixture server must stay up for the others.

#include <string>

#include "store/temp_db.hpp"

namespace levain::training::testing {

class PrivatePostgres {
 public:
  /// initdb and start; throws std::runtime_error with the script's output when that fails.
  PrivatePostgres();
  /// Stops the server by its PID (pg_ctl -m fast).
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  void start();  // on the same port again, so url() stays valid
  void stop();
  const std::string& url() const { return url_; }

 private:
  std::string run(const std::string& command);
  TempDir dir_;
  std::string url_;
};

}  // namespace levain::training::testing
