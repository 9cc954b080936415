// Reading stored sales back (both backends): a product's days in a range, newest kept when
// bounded, unknown products; the per-tenant summary with the last upload; the v3 -> v4 migration.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "common/ids.hpp"
#include "store/store_backends.hpp"

namespace levain::training {
namespace {

using forecast::Date;
using forecast::Observation;
using testing::day;
using testing::obs;

std::vector<Date> dates_of(const SalesWindow& w) {
  std::vector<Date> out;
  for (const auto& d : w.days) out.push_back(d.date);
  return out;
}

class StoreSalesRead : public testing::StoreTest {
 protected:
  // Baguette on Jan 1, 2, 4, 5 (no row on the 3rd); Croissant on Jan 2 only.
  void seed() {
    store_.upsert_sales("t", {},
                        {obs("Baguette", day(2026, 1, 1), 10), obs("Baguette", day(2026, 1, 2), 11),
                         obs("Baguette", day(2026, 1, 4), 13), obs("Baguette", day(2026, 1, 5), 14),
                         obs("Croissant", day(2026, 1, 2), 5)});
  }

  // Runs SQL on this test's database directly, as an older build's file would look.
  void raw_exec(const std::string& sql) {
    if (db_.backend() == testing::Backend::postgres) {
      testing::postgres_admin_exec(db_.location(), sql);
      return;
    }
    SQLite::Database raw(db_.location(), SQLite::OPEN_READWRITE);
    raw.exec(sql);
  }
};

TEST_P(StoreSalesRead, WholeHistoryAscendingWithOnlyStoredDays) {
  seed();
  const auto w = store_.load_sales("t", "Baguette", {}, 100);
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->truncated);
  EXPECT_EQ(dates_of(*w), (std::vector<Date>{day(2026, 1, 1), day(2026, 1, 2), day(2026, 1, 4),
                                             day(2026, 1, 5)}));
  EXPECT_EQ(w->days[2].quantity, 13);
}

TEST_P(StoreSalesRead, RangeIncludesBothEnds) {
  seed();
  const auto w = store_.load_sales("t", "Baguette", {day(2026, 1, 2), day(2026, 1, 4)}, 100);
  ASSERT_TRUE(w);
  EXPECT_EQ(dates_of(*w), (std::vector<Date>{day(2026, 1, 2), day(2026, 1, 4)}));
}

TEST_P(StoreSalesRead, BoundedAnswerKeepsTheNewestDaysAndSaysSo) {
  seed();
  const auto w = store_.load_sales("t", "Baguette", {}, 2);
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->truncated);
  EXPECT_EQ(dates_of(*w), (std::vector<Date>{day(2026, 1, 4), day(2026, 1, 5)}));
  // Exactly as many days as asked for is not truncated.
  EXPECT_FALSE(store_.load_sales("t", "Baguette", {}, 4)->truncated);
}

TEST_P(StoreSalesRead, EmptyRangeOfAKnownProductIsEmptyNotUnknown) {
  seed();
  const auto w = store_.load_sales("t", "Baguette", {day(2026, 1, 3), day(2026, 1, 3)}, 100);
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->days.empty());
  EXPECT_FALSE(store_.load_sales("t", "Pain", {}, 100));
}

TEST_P(StoreSalesRead, AnUpdatedDayShowsItsLatestQuantity) {
  seed();
  store_.upsert_sales("t", {}, {obs("Baguette", day(2026, 1, 2), 99)});
  const auto w = store_.load_sales("t", "Baguette", {day(2026, 1, 2), day(2026, 1, 2)}, 10);
  ASSERT_EQ(w->days.size(), 1u);
  EXPECT_EQ(w->days[0].quantity, 99);
}

TEST_P(StoreSalesRead, SummaryPerProductAndOverallWithTheLastUpload) {
  const auto before = common::now_micros();
  seed();
  const auto after = common::now_micros();
  const auto s = store_.sales_summary("t", 100);
  ASSERT_EQ(s.products.size(), 2u);
  EXPECT_EQ(s.products[0].product, "Baguette");
  EXPECT_EQ(s.products[0].first, day(2026, 1, 1));
  EXPECT_EQ(s.products[0].last, day(2026, 1, 5));
  EXPECT_EQ(s.products[0].rows, 4u);
  EXPECT_EQ(s.products[1].product, "Croissant");
  EXPECT_EQ(s.products[1].rows, 1u);
  EXPECT_EQ(s.product_count, 2u);
  EXPECT_EQ(s.rows, 5u);
  EXPECT_EQ(s.first, day(2026, 1, 1));
  EXPECT_EQ(s.last, day(2026, 1, 5));
  EXPECT_GE(s.last_upload_us, before);
  EXPECT_LE(s.last_upload_us, after);
  EXPECT_EQ(s.last_upload_rows, 5u);

  // The next upload replaces the record: its time and the rows it wrote.
  store_.upsert_sales("t", {},
                      {obs("Baguette", day(2026, 1, 2), 1), obs("Brioche", day(2025, 12, 31), 2)});
  const auto again = store_.sales_summary("t", 100);
  EXPECT_GE(again.last_upload_us, s.last_upload_us);
  EXPECT_EQ(again.last_upload_rows, 2u);
  EXPECT_EQ(again.first, day(2025, 12, 31));
  EXPECT_EQ(again.rows, 6u);
}

TEST_P(StoreSalesRead, SummaryListsAtMostTheProductsAskedForButCountsAll) {
  seed();
  const auto s = store_.sales_summary("t", 1);
  ASSERT_EQ(s.products.size(), 1u);
  EXPECT_EQ(s.products[0].product, "Baguette");
  EXPECT_EQ(s.product_count, 2u);
  EXPECT_EQ(s.rows, 5u);
  EXPECT_EQ(s.last, day(2026, 1, 5));
}

TEST_P(StoreSalesRead, AnUploadTheStoreRefusesRecordsNothing) {
  EXPECT_THROW(store_.upsert_sales("t", {}, {obs("A", day(2026, 1, 1), forecast::kNaN)}),
               std::invalid_argument);
  const auto s = store_.sales_summary("t", 10);
  EXPECT_EQ(s.last_upload_us, 0);
  EXPECT_EQ(s.product_count, 0u);
  EXPECT_FALSE(s.first);
  EXPECT_FALSE(s.last);
}

TEST_P(StoreSalesRead, TenantsAreIsolated) {
  seed();
  store_.upsert_sales("other", {}, {obs("Secret", day(2020, 1, 1), 7)});
  EXPECT_FALSE(store_.load_sales("t", "Secret", {}, 10));
  EXPECT_FALSE(store_.load_sales("other", "Baguette", {}, 10));
  const auto s = store_.sales_summary("t", 10);
  EXPECT_EQ(s.product_count, 2u);
  EXPECT_EQ(s.first, day(2026, 1, 1));
  EXPECT_EQ(store_.sales_summary("other", 10).last_upload_rows, 1u);
  EXPECT_EQ(store_.sales_summary("nobody", 10).last_upload_us, 0);
}

TEST_P(StoreSalesRead, AVersion3DatabaseMigratesKeepingItsSales) {
  seed();
  owned_.reset();
  raw_exec("DROP TABLE sales_uploads");
  raw_exec("ALTER TABLE jobs DROP COLUMN live");
  raw_exec("ALTER TABLE models DROP COLUMN version");
  raw_exec("DROP TABLE model_versions");
  raw_exec("DROP TABLE products");
  raw_exec("DROP TABLE tenant_settings");
  raw_exec("ALTER TABLE sales DROP COLUMN sold_out");
  raw_exec("DROP TABLE forecast_log");
  raw_exec("DROP TABLE upload_bytes");
  raw_exec("UPDATE schema_version SET version = 3");
  auto store = db_.open();
  auto s = store->sales_summary("t", 10);
  EXPECT_EQ(s.rows, 5u);
  EXPECT_EQ(s.last_upload_us, 0) << "sales from before v4 have no recorded upload";
  store->upsert_sales("t", {}, {obs("Baguette", day(2026, 1, 6), 15)});
  s = store->sales_summary("t", 10);
  EXPECT_NE(s.last_upload_us, 0);
  EXPECT_EQ(s.last_upload_rows, 1u);
}

LEVAIN_STORE_BACKENDS(StoreSalesRead);

}  // namespace
}  // namespace levain::training
