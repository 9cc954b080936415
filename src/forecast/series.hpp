#pragma once
/// Daily series from validated CSV rows, and windows of them: the backtest and the model both
/// cut histories into the days a fit may see, so the cutting lives in one place.

#include <cstddef>
#include <vector>

#include "forecast/types.hpp"

namespace levain::forecast {

/// Days [first, first + count) of `s` (clipped to the series), regressors included.
Series slice_series(const Series& s, std::size_t first, std::size_t count);

/// One series per product, in order of first appearance. Missing days are NaN; when a
/// (date, product) pair repeats, the last row wins, as in the sales upload. Only the last
/// `max_days` days up to each product's last row are kept (bounds memory on wild date ranges).
std::vector<Series> series_from_rows(const std::vector<Observation>& rows,
                                     const std::vector<std::string>& regressor_names, int max_days);

}  // namespace levain::forecast
