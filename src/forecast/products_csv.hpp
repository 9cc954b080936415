#pragma once
/// The products' economics upload (PUT …/products): `product,unit_cost,price[,min_batch]
/// [,batch_size]`, with the same dialects and rejected-row reporting as the sales upload.

#include <string>
#include <string_view>
#include <vector>

#include "forecast/csv.hpp"
#include "forecast/newsvendor.hpp"

namespace levain::forecast {

struct ProductRow {
  std::string product;
  Economics economics;
};

struct ProductsCsvResult {
  std::vector<ProductRow> rows;  // accepted, in file order; a repeated product: the last wins
  std::size_t accepted = 0;      // rows accepted (a repeated product counts each time)
  std::vector<CsvRejection> rejected;
  std::size_t rejected_total = 0;
  std::string fatal_error;  // set when the body as a whole is unusable; rows is then empty
};

/// Batches above this are a typing error, not a bakery's tray.
inline constexpr int kMaxBatch = 100'000;

ProductsCsvResult parse_products_csv(std::string_view body, const CsvLimits& limits = {});

}  // namespace levain::forecast
