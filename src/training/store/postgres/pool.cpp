#include "training/store/postgres/pool.hpp"

#include <poll.h>

#include <algorithm>
#include <thread>

namespace levain::training {

bool pg_connection_looks_alive(pqxx::connection& conn) {
  const int fd = conn.is_open() ? conn.sock() : -1;
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  // An idle connection has nothing to read; a server that shut down or ended the session has
  // sent its goodbye (or EOF). Dropping a connection that merely got a notice costs a reconnect.
  return ::poll(&p, 1, 0) == 0;
}

PgPool::PgPool(std::string conninfo, std::string where, std::size_t max_connections,
               std::chrono::milliseconds acquire_timeout, Setup setup)
    : conninfo_(std::move(conninfo)),
      where_(std::move(where)),
      max_(std::max<std::size_t>(1, max_connections)),
      acquire_timeout_(acquire_timeout),
      setup_(std::move(setup)) {}

PgPool::~PgPool() = default;

PgPool::Lease::Lease(PgPool& p, const char* op) : pool(p), conn(p.acquire(op)) {}

PgPool::Lease::~Lease() { pool.release(std::move(conn), broken); }

std::unique_ptr<pqxx::connection> PgPool::acquire(const char* op) {
  {
    std::unique_lock lock(mu_);
    const bool got =
        freed_.wait_for(lock, acquire_timeout_, [this] { return !idle_.empty() || open_ < max_; });
    if (!got) {
      throw failure(op, "all " + std::to_string(max_) + " connections stayed busy for " +
                            std::to_string(acquire_timeout_.count()) + " ms");
    }
    while (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (pg_connection_looks_alive(*conn)) return conn;
      --open_;  // closed on return; this call opens a new one below
    }
    ++open_;  // reserve the slot; connect outside the lock, it may take a while
  }
  try {
    return connect();
  } catch (const pqxx::pqxx_exception& e) {
    release(nullptr, true);
    throw failure(op, std::string("cannot connect: ") + e.base().what());
  } catch (...) {
    release(nullptr, true);
    throw;
  }
}

// A server that restarts (pg_ctl restart, a failover) refuses connections for a moment, or says
// "the database system is starting up": retried within the acquire timeout, so a job or a
// request in flight rides over a restart of a second or two instead of failing.
std::unique_ptr<pqxx::connection> PgPool::connect() {
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  auto pause = std::chrono::milliseconds(50);
  for (;;) {
    try {
      auto conn = std::make_unique<pqxx::connection>(conninfo_);
      if (setup_) setup_(*conn);
      return conn;
    } catch (const pqxx::broken_connection&) {
      if (std::chrono::steady_clock::now() + pause >= deadline) throw;
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(500));
    }
  }
}

void PgPool::release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  std::vector<std::unique_ptr<pqxx::connection>> dropped;
  {
    std::lock_guard lock(mu_);
    if (conn && !broken) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
      if (broken && conn) {
        // What broke this connection (a server restart) most likely broke the idle ones too.
        open_ -= idle_.size();
        dropped = std::move(idle_);
        idle_.clear();
      }
    }
  }
  freed_.notify_all();
  // `conn` and `dropped` close here, outside the lock.
}

std::size_t PgPool::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

StoreError PgPool::failure(const char* op, const std::string& what) const {
  failures_.fetch_add(1, std::memory_order_relaxed);
  std::string msg = what;
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return StoreError("postgres store " + where_ + ": " + op + ": " + msg);
}

}  // namespace levain::training
