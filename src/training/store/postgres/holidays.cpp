// PostgresStore: each tenant's holiday calendar.
#include "training/store/postgres/impl.hpp"
#include "training/store/sales_rows.hpp"

namespace levain::training {

void PostgresStore::replace_holidays(const std::string& tenant,
                                     const std::vector<HolidayRow>& rows) {
  std::vector<std::int64_t> days;
  std::vector<std::string> names;
  for (const auto& h : rows) {
    days.push_back(sales_rows::day_number(h.date));
    names.push_back(h.name);
  }
  const auto day_list = pg::int_array(days);
  const auto name_list = pg::text_array(names);
  impl_->pool.run("replace_holidays", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(pg::stmt::kHolidayClear, tenant);
    if (!rows.empty()) tx.exec_prepared(pg::stmt::kHolidayInsert, tenant, day_list, name_list);
    tx.commit();
  });
}

std::vector<HolidayRow> PostgresStore::load_holidays(const std::string& tenant) {
  return impl_->pool.run("load_holidays", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<HolidayRow> out;
    for (const auto& r : tx.exec_prepared(pg::stmt::kHolidayList, tenant)) {
      out.push_back(
          {forecast::Date{std::chrono::days{r[0].as<std::int64_t>()}}, r[1].as<std::string>()});
    }
    return out;
  });
}

}  // namespace levain::training
