#pragma once
/// The Data Analysis stage made visible (docs/live-protocol.md, "The data report"): what the
/// job's input looks like before any model sees it, so a manager can fix an upload instead of
/// wondering why a product fell back. Pure: built from the series the job loaded anyway and what
/// the last upload refused or replaced (the store keeps that).

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "forecast/holidays.hpp"
#include "training/store/store.hpp"

namespace levain::training {

/// Lists are worst or oldest first and hold at most this many entries; each has a count beside.
inline constexpr std::size_t kReportListMax = 20;

/// `series[i]` is the history of `products[i]` (nullopt: no rows). A zero on one of `holidays`
/// (Spain's and the tenant's; may be null) is the holiday, not a product sold out.
boost::json::object data_report(const std::vector<std::string>& products,
                                const std::vector<std::optional<forecast::Series>>& series,
                                const UploadQuality& upload,
                                const forecast::HolidayCalendar* holidays = nullptr);

}  // namespace levain::training
