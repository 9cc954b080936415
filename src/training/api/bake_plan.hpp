#pragma once
/// The bake plan (GET …/bake-plan) as pure logic: for each product with a model and each day
/// asked for, the newsvendor decision under that day's stored forecast distribution, with the
/// product's economics or the tenant's default cost share. Nothing is refitted.

#include <optional>
#include <string>
#include <vector>

#include "forecast/newsvendor.hpp"
#include "training/store/store.hpp"

namespace levain::training::api {

struct PlanLine {
  std::string product;
  forecast::Date date;
  forecast::BakeDecision decision;
  forecast::Economics economics;  // what was used (price 1 and the share as cost by default)
  bool default_economics = false;
  std::string model;
  int model_version = 0;
};

struct PlanSkip {
  std::string product;
  std::string reason;
};

struct BakePlan {
  forecast::Date date;
  int days = 1;
  std::vector<PlanLine> lines;  // by product, then date
  std::vector<PlanSkip> skipped;
};

/// `models` non-empty. `date` defaults to the latest first forecast day among the models (the
/// day after the tenant's newest sales). Products keep `models`' order.
BakePlan make_bake_plan(const std::vector<StoredModel>& models,
                        const std::vector<ProductEconomics>& economics, double unit_cost_share,
                        std::optional<forecast::Date> date, int days);

/// The plan as CSV (numbers to 2 decimals, an empty cell for what the default cannot know).
std::string bake_plan_csv(const BakePlan& plan);

}  // namespace levain::training::api
