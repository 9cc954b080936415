// SqliteStore: each tenant's holiday calendar.
#include "training/store/sqlite/impl.hpp"

namespace levain::training {

void SqliteStore::replace_holidays(const std::string& tenant, const std::vector<HolidayRow>& rows) {
  impl_->locked("replace_holidays", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    {
      StatementUse s(impl_->holiday_clear);
      s->bind(1, tenant);
      s->exec();
    }
    for (const HolidayRow& row : rows) {
      StatementUse s(impl_->holiday_insert);
      s->bind(1, tenant);
      s->bind(2, static_cast<std::int64_t>(row.date.time_since_epoch().count()));
      s->bind(3, row.name);
      s->exec();
    }
    tx.commit();
  });
}

std::vector<HolidayRow> SqliteStore::load_holidays(const std::string& tenant) {
  return impl_->locked("load_holidays", [&] {
    StatementUse q(impl_->holiday_list);
    q->bind(1, tenant);
    std::vector<HolidayRow> out;
    while (q->executeStep()) {
      out.push_back({forecast::Date{std::chrono::days{q->getColumn(0).getInt64()}},
                     q->getColumn(1).getString()});
    }
    return out;
  });
}

}  // namespace levain::training
