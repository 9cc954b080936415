// PostgresStore: each tenant's webhooks and every delivery attempt (docs/webhooks.md). Plain
// parameterised statements: these run a few times a minute, not per event. A claim skips rows
// another replica is claiming, so no delivery is leased twice.
#include <algorithm>

#include "common/ids.hpp"
#include "training/store/json_columns.hpp"
#include "training/store/postgres/impl.hpp"

namespace levain::training {
namespace {

constexpr const char* kDeliveryColumns =
    "id, tenant, job_id, event, url, secret, body, status, attempts, next_at, created_at, "
    "last_attempt_at, last_status, last_error";

WebhookDelivery read_delivery(const pqxx::row& r) {
  WebhookDelivery d;
  d.id = r[0].as<std::string>();
  d.tenant = r[1].as<std::string>();
  d.job_id = r[2].as<std::string>();
  d.event = r[3].as<std::string>();
  d.url = r[4].as<std::string>();
  d.secret = r[5].as<std::string>();
  d.body = r[6].as<std::string>();
  d.status = r[7].as<std::string>();
  d.attempts = r[8].as<int>();
  d.next_at_us = r[9].as<std::int64_t>();
  d.created_at_us = r[10].as<std::int64_t>();
  d.last_attempt_us = r[11].as<std::int64_t>();
  d.last_status = r[12].as<int>();
  d.last_error = r[13].as<std::string>();
  return d;
}

}  // namespace

void PostgresStore::replace_webhooks(const std::string& tenant, const std::vector<Webhook>& hooks) {
  impl_->pool.run("replace_webhooks", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params("DELETE FROM webhooks WHERE tenant = $1", tenant);
    for (std::size_t i = 0; i < hooks.size(); ++i) {
      tx.exec_params(
          "INSERT INTO webhooks (tenant, idx, url, events, secret) VALUES ($1, $2, $3, $4, $5)",
          tenant, static_cast<std::int64_t>(i), hooks[i].url,
          json_columns::encode_strings(hooks[i].events), hooks[i].secret);
    }
    tx.commit();
  });
}

std::vector<Webhook> PostgresStore::load_webhooks(const std::string& tenant) {
  return impl_->pool.run("load_webhooks", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<Webhook> out;
    for (const auto& r : tx.exec_params(
             "SELECT url, events, secret FROM webhooks WHERE tenant = $1 ORDER BY idx", tenant)) {
      out.push_back({r[0].as<std::string>(), json_columns::decode_strings(r[1].as<std::string>()),
                     r[2].as<std::string>()});
    }
    return out;
  });
}

std::size_t PostgresStore::enqueue_deliveries(const std::string& tenant, const std::string& job_id,
                                              const std::string& event, const std::string& body,
                                              std::int64_t now_us) {
  const auto hooks = load_webhooks(tenant);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < hooks.size(); ++i) ids.push_back(common::new_uuid());
  return impl_->pool.run("enqueue_deliveries", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::size_t n = 0;
    for (std::size_t i = 0; i < hooks.size(); ++i) {
      const auto& h = hooks[i];
      if (std::find(h.events.begin(), h.events.end(), event) == h.events.end()) continue;
      // The id is made once, outside the pool's retry: a retried transaction inserts the same row.
      tx.exec_params(
          "INSERT INTO webhook_deliveries (id, tenant, job_id, event, url, secret, body, status, "
          "next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8) "
          "ON CONFLICT (id) DO NOTHING",
          ids[i], tenant, job_id, event, h.url, h.secret, body, now_us);
      ++n;
    }
    tx.commit();
    return n;
  });
}

std::vector<WebhookDelivery> PostgresStore::claim_deliveries(const std::string& owner,
                                                             std::int64_t now_us,
                                                             std::int64_t until_us,
                                                             std::size_t limit) {
  return impl_->pool.run("claim_deliveries", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::vector<WebhookDelivery> out;
    for (const auto& r : tx.exec_params(
             std::string("UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 "
                         "WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' "
                         "AND next_at <= $3 AND lease_until < $3 ORDER BY next_at LIMIT $4 "
                         "FOR UPDATE SKIP LOCKED) RETURNING ") +
                 kDeliveryColumns,
             owner, until_us, now_us, static_cast<std::int64_t>(limit))) {
      out.push_back(read_delivery(r));
    }
    tx.commit();
    return out;
  });
}

void PostgresStore::finish_delivery(const WebhookDelivery& d, const std::string& owner) {
  impl_->pool.run("finish_delivery", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_at = $3, "
        "last_attempt_at = $4, last_status = $5, last_error = $6, lease_owner = '', "
        "lease_until = 0 WHERE id = $7 AND lease_owner = $8",
        d.status, d.attempts, d.next_at_us, d.last_attempt_us, d.last_status, d.last_error, d.id,
        owner);
    tx.commit();
  });
}

std::vector<WebhookDelivery> PostgresStore::list_deliveries(const std::string& tenant,
                                                            std::size_t limit) {
  return impl_->pool.run("list_deliveries", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<WebhookDelivery> out;
    for (const auto& r : tx.exec_params(std::string("SELECT ") + kDeliveryColumns +
                                            " FROM webhook_deliveries WHERE tenant = $1 "
                                            "ORDER BY created_at DESC, id LIMIT $2",
                                        tenant, static_cast<std::int64_t>(limit))) {
      out.push_back(read_delivery(r));
    }
    return out;
  });
}

}  // namespace levain::training
