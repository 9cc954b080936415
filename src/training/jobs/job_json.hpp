#pragma once
/// The one JSON form of a job, its product results and a stored model: REST bodies and the
/// WebSocket snapshot are built here so both always show the same field names and formats.

#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "forecast/types.hpp"
#include "training/jobs/job.hpp"
#include "training/store/store.hpp"

namespace levain::training {

/// A metric as JSON: null when not finite, else rounded to 4 decimal places.
boost::json::value metric_json(double x);

/// {"mae","rmse","mape","smape","mase"}; a non-finite metric is null, others are rounded to
/// 4 decimal places.
boost::json::value to_json(const forecast::Accuracy& a);

/// product_name, status, error (failed only), model, fallback, fallback_reason (when set),
/// metrics, fit_ms, duration_ms (the fit in whole milliseconds).
boost::json::object to_json(const ProductResult& r);

/// The job as REST and the snapshot show it; timestamps are ISO-8601 UTC or null when unset.
boost::json::object to_json(const JobRecord& job);

/// product, job_id, model, fallback, fallback_reason, metrics, trained_at, horizon_days.
boost::json::object to_json(const StoredModel& m);

/// "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC) for Unix microseconds; also the event timestamp format.
/// Throws std::out_of_range outside years 0000..9999.
std::string iso8601_micros(std::int64_t unix_micros);

}  // namespace levain::training
