// SqliteStore: each tenant's webhooks and every delivery attempt (docs/webhooks.md). Statements
// are made per call: these run a few times a minute, not per event.
#include <algorithm>

#include "common/ids.hpp"
#include "training/store/json_columns.hpp"
#include "training/store/sqlite/impl.hpp"

namespace levain::training {
namespace {

constexpr const char* kDeliveryColumns =
    "id, tenant, job_id, event, url, secret, body, status, attempts, next_at, created_at, "
    "last_attempt_at, last_status, last_error";

WebhookDelivery read_delivery(SQLite::Statement& q) {
  WebhookDelivery d;
  d.id = q.getColumn(0).getString();
  d.tenant = q.getColumn(1).getString();
  d.job_id = q.getColumn(2).getString();
  d.event = q.getColumn(3).getString();
  d.url = q.getColumn(4).getString();
  d.secret = q.getColumn(5).getString();
  d.body = q.getColumn(6).getString();
  d.status = q.getColumn(7).getString();
  d.attempts = q.getColumn(8).getInt();
  d.next_at_us = q.getColumn(9).getInt64();
  d.created_at_us = q.getColumn(10).getInt64();
  d.last_attempt_us = q.getColumn(11).getInt64();
  d.last_status = q.getColumn(12).getInt();
  d.last_error = q.getColumn(13).getString();
  return d;
}

}  // namespace

void SqliteStore::replace_webhooks(const std::string& tenant, const std::vector<Webhook>& hooks) {
  impl_->locked("replace_webhooks", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement clear(impl_->db, "DELETE FROM webhooks WHERE tenant = ?");
    clear.bind(1, tenant);
    clear.exec();
    for (std::size_t i = 0; i < hooks.size(); ++i) {
      SQLite::Statement ins(impl_->db,
                            "INSERT INTO webhooks (tenant, idx, url, events, secret) "
                            "VALUES (?, ?, ?, ?, ?)");
      ins.bind(1, tenant);
      ins.bind(2, static_cast<std::int64_t>(i));
      ins.bind(3, hooks[i].url);
      ins.bind(4, json_columns::encode_strings(hooks[i].events));
      ins.bind(5, hooks[i].secret);
      ins.exec();
    }
    tx.commit();
  });
}

std::vector<Webhook> SqliteStore::load_webhooks(const std::string& tenant) {
  return impl_->locked("load_webhooks", [&] {
    SQLite::Statement q(impl_->db,
                        "SELECT url, events, secret FROM webhooks WHERE tenant = ? ORDER BY idx");
    q.bind(1, tenant);
    std::vector<Webhook> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getString(),
                     json_columns::decode_strings(q.getColumn(1).getString()),
                     q.getColumn(2).getString()});
    }
    return out;
  });
}

std::size_t SqliteStore::enqueue_deliveries(const std::string& tenant, const std::string& job_id,
                                            const std::string& event, const std::string& body,
                                            std::int64_t now_us) {
  const auto hooks = load_webhooks(tenant);
  return impl_->locked("enqueue_deliveries", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    std::size_t n = 0;
    for (const auto& h : hooks) {
      if (std::find(h.events.begin(), h.events.end(), event) == h.events.end()) continue;
      SQLite::Statement ins(impl_->db,
                            "INSERT INTO webhook_deliveries (id, tenant, job_id, event, url, "
                            "secret, body, status, next_at, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)");
      ins.bind(1, common::new_uuid());
      ins.bind(2, tenant);
      ins.bind(3, job_id);
      ins.bind(4, event);
      ins.bind(5, h.url);
      ins.bind(6, h.secret);
      ins.bind(7, body);
      ins.bind(8, now_us);
      ins.bind(9, now_us);
      ins.exec();
      ++n;
    }
    tx.commit();
    return n;
  });
}

std::vector<WebhookDelivery> SqliteStore::claim_deliveries(const std::string& owner,
                                                           std::int64_t now_us,
                                                           std::int64_t until_us,
                                                           std::size_t limit) {
  return impl_->locked("claim_deliveries", [&] {
    SQLite::Statement q(
        impl_->db,
        std::string("UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ? WHERE id IN "
                    "(SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_at <= ? "
                    "AND lease_until < ? ORDER BY next_at LIMIT ?) RETURNING ") +
            kDeliveryColumns);
    q.bind(1, owner);
    q.bind(2, until_us);
    q.bind(3, now_us);
    q.bind(4, now_us);
    q.bind(5, static_cast<std::int64_t>(limit));
    std::vector<WebhookDelivery> out;
    while (q.executeStep()) out.push_back(read_delivery(q));
    return out;
  });
}

void SqliteStore::finish_delivery(const WebhookDelivery& d, const std::string& owner) {
  impl_->locked("finish_delivery", [&] {
    SQLite::Statement q(impl_->db,
                        "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_at = ?, "
                        "last_attempt_at = ?, last_status = ?, last_error = ?, lease_owner = '', "
                        "lease_until = 0 WHERE id = ? AND lease_owner = ?");
    q.bind(1, d.status);
    q.bind(2, d.attempts);
    q.bind(3, d.next_at_us);
    q.bind(4, d.last_attempt_us);
    q.bind(5, d.last_status);
    q.bind(6, d.last_error);
    q.bind(7, d.id);
    q.bind(8, owner);
    q.exec();
  });
}

std::vector<WebhookDelivery> SqliteStore::list_deliveries(const std::string& tenant,
                                                          std::size_t limit) {
  return impl_->locked("list_deliveries", [&] {
    SQLite::Statement q(impl_->db, std::string("SELECT ") + kDeliveryColumns +
                                       " FROM webhook_deliveries WHERE tenant = ? "
                                       "ORDER BY created_at DESC, id LIMIT ?");
    q.bind(1, tenant);
    q.bind(2, static_cast<std::int64_t>(limit));
    std::vector<WebhookDelivery> out;
    while (q.executeStep()) out.push_back(read_delivery(q));
    return out;
  });
}

}  // namespace levain::training
