// Store sales (both backends): upsert counts, last-wins, all-or-nothing, series with gaps,
// isolation.
#include <gtest/gtest.h>

#include <cmath>

#include "store/store_backends.hpp"

namespace levain::training {
namespace {

using forecast::Date;
using forecast::Observation;
using testing::day;
using testing::obs;

class StoreSales : public testing::StoreTest {};

TEST_P(StoreSales, InsertThenUpdateCounts) {
  auto r = store_.upsert_sales(
      "t", {},
      {obs("Baguette", day(2026, 1, 1), 10), obs("Baguette", day(2026, 1, 2), 11),
       obs("Croissant", day(2026, 1, 1), 5)});
  EXPECT_EQ(r.inserted, 3u);
  EXPECT_EQ(r.updated, 0u);
  r = store_.upsert_sales(
      "t", {}, {obs("Baguette", day(2026, 1, 2), 12), obs("Baguette", day(2026, 1, 3), 13)});
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.updated, 1u);
  const auto s = store_.load_series("t", "Baguette");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->y, (std::vector<double>{10, 12, 13}));
}

TEST_P(StoreSales, DuplicatesInOneCallLastWinsAndCountOnce) {
  auto r = store_.upsert_sales(
      "t", {},
      {obs("B", day(2026, 1, 1), 1), obs("B", day(2026, 1, 1), 2), obs("B", day(2026, 1, 1), 3)});
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.updated, 0u);
  EXPECT_EQ(store_.load_series("t", "B")->y, std::vector<double>{3});

  r = store_.upsert_sales(
      "t", {},
      {obs("B", day(2026, 1, 1), 7), obs("B", day(2026, 1, 2), 8), obs("B", day(2026, 1, 1), 9)});
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.updated, 1u);
  EXPECT_EQ(store_.load_series("t", "B")->y, (std::vector<double>{9, 8}));
}

TEST_P(StoreSales, EmptyUpsertDoesNothing) {
  const auto r = store_.upsert_sales("t", {}, {});
  EXPECT_EQ(r.inserted + r.updated, 0u);
  EXPECT_TRUE(store_.list_products("t").empty());
}

TEST_P(StoreSales, FailingRowMidwayRollsBackTheWholeCall) {
  store_.upsert_sales("t", {}, {obs("A", day(2026, 1, 1), 1)});
  // "A" would update and "B" insert, but "C" has no finite quantity: nothing may land.
  const std::vector<Observation> rows{obs("A", day(2026, 1, 1), 100), obs("B", day(2026, 1, 1), 2),
                                      obs("C", day(2026, 1, 1), HUGE_VAL),
                                      obs("D", day(2026, 1, 1), 4)};
  try {
    store_.upsert_sales("t", {}, rows);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'C' on 2026-01-01"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store_.list_products("t"), std::vector<std::string>{"A"});
  EXPECT_EQ(store_.load_series("t", "A")->y, std::vector<double>{1});
  // The connection is usable afterwards: no transaction was left open.
  const auto r = store_.upsert_sales("t", {}, {obs("B", day(2026, 1, 1), 2)});
  EXPECT_EQ(r.inserted, 1u);
}

TEST_P(StoreSales, NaNQuantityIsRejected) {
  EXPECT_THROW(store_.upsert_sales("t", {}, {obs("A", day(2026, 1, 1), forecast::kNaN)}),
               std::invalid_argument);
  EXPECT_TRUE(store_.list_products("t").empty());
}

TEST_P(StoreSales, RegressorCountMismatchIsRejectedBeforeWriting) {
  EXPECT_THROW(
      store_.upsert_sales("t", {"temp"},
                          {obs("A", day(2026, 1, 1), 1, {20.0}), obs("A", day(2026, 1, 2), 1, {})}),
      std::invalid_argument);
  EXPECT_TRUE(store_.list_products("t").empty());
}

TEST_P(StoreSales, SeriesHasOneSlotPerDayWithNaNGaps) {
  store_.upsert_sales(
      "t", {},
      {obs("B", day(2026, 1, 5), 5), obs("B", day(2026, 1, 1), 1), obs("B", day(2026, 1, 3), 3)});
  const auto s = store_.load_series("t", "B");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->product, "B");
  EXPECT_EQ(s->start, day(2026, 1, 1));
  ASSERT_EQ(s->y.size(), 5u);
  EXPECT_EQ(s->y[0], 1);
  EXPECT_TRUE(std::isnan(s->y[1]));
  EXPECT_EQ(s->y[2], 3);
  EXPECT_TRUE(std::isnan(s->y[3]));
  EXPECT_EQ(s->y[4], 5);
  EXPECT_TRUE(s->regressor_names.empty());
  EXPECT_TRUE(s->regressors.empty());
}

TEST_P(StoreSales, RegressorsFilledPerNameWithNaNWhereUnknown) {
  store_.upsert_sales(
      "t", {"temp", "promo"},
      {obs("B", day(2026, 1, 1), 1, {20.5, 0}), obs("B", day(2026, 1, 2), 2, {forecast::kNaN, 1})});
  store_.upsert_sales("t", {"rain"}, {obs("B", day(2026, 1, 4), 4, {3.25})});
  const auto s = store_.load_series("t", "B");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->regressor_names, (std::vector<std::string>{"temp", "promo", "rain"}));
  ASSERT_EQ(s->regressors.size(), 3u);
  for (const auto& r : s->regressors) ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(s->regressors[0][0], 20.5);
  EXPECT_TRUE(std::isnan(s->regressors[0][1]));
  EXPECT_TRUE(std::isnan(s->regressors[0][2]));
  EXPECT_TRUE(std::isnan(s->regressors[0][3]));
  EXPECT_EQ(s->regressors[1][0], 0);
  EXPECT_EQ(s->regressors[1][1], 1);
  EXPECT_TRUE(std::isnan(s->regressors[2][0]));
  EXPECT_EQ(s->regressors[2][3], 3.25);
}

TEST_P(StoreSales, UpdateReplacesRegressorsToo) {
  store_.upsert_sales("t", {"temp"}, {obs("B", day(2026, 1, 1), 1, {20})});
  store_.upsert_sales("t", {}, {obs("B", day(2026, 1, 1), 2)});
  const auto s = store_.load_series("t", "B");
  EXPECT_EQ(s->y, std::vector<double>{2});
  EXPECT_TRUE(s->regressor_names.empty());
}

TEST_P(StoreSales, ProductsSortedAndMissingSeriesIsNullopt) {
  store_.upsert_sales("t", {},
                      {obs("Pain", day(2026, 1, 1), 1), obs("Brioche", day(2026, 1, 1), 1),
                       obs("Pain", day(2026, 1, 2), 1)});
  EXPECT_EQ(store_.list_products("t"), (std::vector<std::string>{"Brioche", "Pain"}));
  EXPECT_FALSE(store_.load_series("t", "Croissant"));
}

TEST_P(StoreSales, TenantsAreIsolated) {
  store_.upsert_sales("a", {}, {obs("Baguette", day(2026, 1, 1), 1)});
  const auto r = store_.upsert_sales(
      "b", {}, {obs("Baguette", day(2026, 1, 1), 2), obs("Secret", day(2026, 1, 1), 3)});
  EXPECT_EQ(r.inserted, 2u);  // same (product, date) under another tenant is a new row
  EXPECT_EQ(store_.list_products("a"), std::vector<std::string>{"Baguette"});
  EXPECT_EQ(store_.load_series("a", "Baguette")->y, std::vector<double>{1});
  EXPECT_FALSE(store_.load_series("a", "Secret"));
}

TEST_P(StoreSales, DataSurvivesReopen) {
  store_.upsert_sales("t", {"temp"}, {obs("B", day(2026, 2, 1), 4, {1.5})});
  owned_.reset();
  const auto store = db_.open();
  const auto s = store->load_series("t", "B");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->y, std::vector<double>{4});
  EXPECT_EQ(s->regressors, (std::vector<std::vector<double>>{{1.5}}));
}

LEVAIN_STORE_BACKENDS(StoreSales);

}  // namespace
}  // namespace levain::training
