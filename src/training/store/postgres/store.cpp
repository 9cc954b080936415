#include "training/store/postgres/store.hpp"

#include <algorithm>
#include <chrono>

#include "training/store/postgres/impl.hpp"
#include "training/store/postgres/schema.hpp"

namespace levain::training {
namespace {

// "host:port/db" from postgresql://user:password@host:port/db?params — for messages, so a
// password never reaches a log.
std::string describe_url(const std::string& url) {
  std::string rest = url.substr(std::min(url.size(), url.find("://") + 3));
  rest = rest.substr(0, rest.find('?'));
  const auto slash = rest.find('/');
  const auto at = rest.rfind('@', slash);
  if (at != std::string::npos) rest = rest.substr(at + 1);
  return "'" + rest + "'";
}

// Adds ?key=value (or &key=value) unless the URL sets the key itself.
std::string with_default(std::string url, const std::string& key, const std::string& value) {
  const auto q = url.find('?');
  if (q != std::string::npos) {
    const std::string params = "&" + url.substr(q + 1);
    if (params.find("&" + key + "=") != std::string::npos) return url;
  }
  url += (q == std::string::npos ? "?" : "&") + key + "=" + value;
  return url;
}

std::string session_settings(std::chrono::milliseconds statement_timeout) {
  return "SET statement_timeout = " + std::to_string(statement_timeout.count()) +
         "; SET lock_timeout = " + std::to_string(statement_timeout.count());
}

std::string add_defaults(const std::string& url, std::chrono::seconds connect_timeout) {
  // libpq rounds connect_timeout below 2 s up to 2 s. Keepalives notice a peer that vanished
  // without closing the socket (a host down, a dropped route) within about 20 s.
  auto out = with_default(url, "connect_timeout",
                          std::to_string(std::max<long>(2, connect_timeout.count())));
  out = with_default(out, "keepalives_idle", "10");
  out = with_default(out, "keepalives_interval", "3");
  out = with_default(out, "keepalives_count", "3");
  return with_default(out, "application_name", "levain");
}

}  // namespace

PostgresStore::Impl::Impl(const std::string& url, const PostgresOptions& opts)
    : options(opts),
      where(describe_url(url)),
      conninfo(add_defaults(url, opts.connect_timeout)),
      health_conninfo(
          add_defaults(url, std::chrono::ceil<std::chrono::seconds>(opts.health_timeout))),
      pool(conninfo, where, opts.max_connections, opts.acquire_timeout,
           [timeout = opts.statement_timeout](pqxx::connection& c) {
             pqxx::nontransaction n(c);
             n.exec(session_settings(timeout));
             n.commit();
             pg::prepare_statements(c);
           }) {}

PostgresStore::PostgresStore(const std::string& url, PostgresOptions options) {
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) {
    throw std::invalid_argument("postgres store: not a postgresql:// URL");
  }
  impl_ = std::make_unique<Impl>(url, options);
  impl_->schema_version = impl_->pool.run("schema", [this](pqxx::connection& c) {
    try {
      return migrate_postgres_schema(c);
    } catch (const pqxx::pqxx_exception&) {
      throw;  // the pool words these
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("postgres store " + impl_->where + ": schema: " + e.what());
    }
  });
}

PostgresStore::~PostgresStore() = default;

std::uint64_t PostgresStore::errors() const { return impl_->pool.failures(); }

bool PostgresStore::healthy() {
  std::lock_guard lock(impl_->health_mu);
  auto& conn = impl_->health_conn;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (conn && !pg_connection_looks_alive(*conn)) conn.reset();
    const bool reused = conn != nullptr;
    try {
      if (!reused) {
        conn = std::make_unique<pqxx::connection>(impl_->health_conninfo);
        pqxx::nontransaction n(*conn);
        n.exec(session_settings(impl_->options.health_timeout));
        n.commit();
      }
      pqxx::nontransaction n(*conn);
      const auto r = n.exec("SELECT 1");
      return r.size() == 1 && r[0][0].as<int>() == 1;
    } catch (const std::exception&) {
      conn.reset();
      // A connection from before a server restart gets one more try on a new one.
      if (!reused) return false;
    }
  }
  return false;
}

int PostgresStore::schema_version() const { return impl_->schema_version; }

std::size_t PostgresStore::open_connections() const { return impl_->pool.open_connections(); }

}  // namespace levain::training
