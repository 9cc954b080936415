#pragma once
/// What the process has allocated on the heap right now, for the `levain_heap_allocated_bytes`
/// gauge: RSS keeps pages a free() gave back to the allocator, so only this shows whether
/// memory is returned (e.g. once thousands of watchers have gone). With ASan the sanitizer's
/// allocator answers (glibc's statistics do not see its allocations), else glibc's mallinfo2.

#include <cstdint>

#include "common/metrics.hpp"

namespace levain::common {

std::int64_t heap_allocated_bytes();

/// Registers `levain_heap_allocated_bytes` (sampled at each scrape).
void register_heap_metrics(MetricsRegistry& metrics);

}  // namespace levain::common
