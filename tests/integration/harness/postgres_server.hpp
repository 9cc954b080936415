#pragma once
/// A PostgreSQL server of one test's own, run by scripts/postgres-instance on a free loopback
/// port (a cluster of replicas shares it as their --database-url).

#include <filesystem>
#include <string>

namespace levain::integration {

class PrivatePostgres {
 public:
  /// initdb and start with the cluster under `dir`; throws std::runtime_error with the
  /// script's output when the server does not come up.
  explicit PrivatePostgres(std::filesystem::path dir);
  /// Stops the server by its PID file (pg_ctl -m fast).
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  const std::string& url() const { return url_; }

 private:
  std::filesystem::path dir_;
  std::string url_;
};

}  // namespace levain::integration
