#pragma once
/// Encodings of the store's JSON columns (regressors, requested products, model reports).
/// Unlike the REST form these keep full double precision and every field, so a read returns
/// exactly what was written; a column that does not decode throws std::runtime_error.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "forecast/types.hpp"

namespace levain::training::json_columns {

/// {"name": value, ...}; NaN as null.
std::string encode_regressors(const std::vector<std::string>& names,
                              const std::vector<double>& values);
/// Calls `put(name, value)` for each stored regressor (NaN for null).
template <class Put>
void decode_regressors(std::string_view text, Put&& put);

std::string encode_strings(const std::vector<std::string>& items);
std::vector<std::string> decode_strings(std::string_view text);

/// A JSON object as text ("{}" when empty); decoding anything but an object throws.
std::string encode_object(const boost::json::object& object);
boost::json::object decode_object(std::string_view text);

std::string encode_report(const forecast::FitReport& report);
forecast::FitReport decode_report(std::string_view text);

// --- implementation detail of decode_regressors ----------------------------------------------
struct NamedValue {
  std::string name;
  double value;
};
std::vector<NamedValue> decode_regressor_list(std::string_view text);

template <class Put>
void decode_regressors(std::string_view text, Put&& put) {
  if (text == "{}") return;  // the common case: no regressor columns
  for (auto& nv : decode_regressor_list(text)) put(nv.name, nv.value);
}

}  // namespace levain::training::json_columns
