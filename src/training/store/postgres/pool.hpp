#pragma once
/// A small bounded pool of PostgreSQL connections, so REST reads, live snapshots and the job
/// runner do not queue behind one connection. A connection that breaks is thrown away (with the
/// idle ones, which a server restart broke too) and the operation gets one retry on a fresh
/// connection, which is how the store comes back by itself after the server went away.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "training/store/store.hpp"

namespace levain::training {

/// False when the server has visibly ended the session (a restart, pg_terminate_backend). A
/// query on such a connection would fail anyway — and libpqxx 6.4 leaks the result of a query
/// on a dead connection — so the pool checks before lending one out.
bool pg_connection_looks_alive(pqxx::connection& conn);

class PgPool {
 public:
  using Setup = std::function<void(pqxx::connection&)>;

  /// `setup` runs once on each new connection (session settings, prepared statements).
  /// `where` names the server in error messages (never the password).
  PgPool(std::string conninfo, std::string where, std::size_t max_connections,
         std::chrono::milliseconds acquire_timeout, Setup setup);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  /// Runs `f(pqxx::connection&)` on a pooled connection. Database errors leave as StoreError
  /// naming the server and `op`; other exceptions pass unchanged. A broken
  /// connection is retried once on a new one; a commit whose outcome is unknown is not retried.
  template <class F>
  decltype(auto) run(const char* op, F&& f) {
    for (int attempt = 0;; ++attempt) {
      Lease lease(*this, op);
      try {
        return f(*lease.conn);
      } catch (const pqxx::in_doubt_error& e) {
        lease.broken = true;
        throw failure(op, e.what());
      } catch (const pqxx::broken_connection& e) {
        lease.broken = true;
        if (attempt == 0) continue;
        throw failure(op, e.what());
      } catch (const pqxx::pqxx_exception& e) {
        lease.broken = !lease.conn->is_open();
        throw failure(op, e.base().what());
      }
    }
  }

  std::size_t open_connections() const;
  /// StoreErrors raised so far.
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  const std::string& where() const { return where_; }

 private:
  // One connection borrowed for one operation; given back (or dropped when broken) at scope end.
  struct Lease {
    Lease(PgPool& pool, const char* op);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PgPool& pool;
    std::unique_ptr<pqxx::connection> conn;
    bool broken = false;
  };

  std::unique_ptr<pqxx::connection> acquire(const char* op);
  std::unique_ptr<pqxx::connection> connect();
  void release(std::unique_ptr<pqxx::connection> conn, bool broken);
  mutable std::atomic<std::uint64_t> failures_{0};
  StoreError failure(const char* op, const std::string& what) const;

  const std::string conninfo_;
  const std::string where_;
  const std::size_t max_;
  const std::chrono::milliseconds acquire_timeout_;
  const Setup setup_;

  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;  // idle + lent out + being opened
};

}  // namespace levain::training
