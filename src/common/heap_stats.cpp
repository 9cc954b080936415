#include "common/heap_stats.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <cstddef>
// The sanitizer runtime's public interface (sanitizer/allocator_interface.h, which GCC 12 on
// Debian does not install): bytes the sanitizer's allocator has handed out and not taken back.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

namespace levain::common {

std::int64_t heap_allocated_bytes() {
#if defined(__SANITIZE_ADDRESS__)
  return static_cast<std::int64_t>(__sanitizer_get_current_allocated_bytes());
#else
  // Every arena's chunks in use, plus the blocks too large for an arena (mmapped).
  const auto info = ::mallinfo2();
  return static_cast<std::int64_t>(info.uordblks + info.hblkhd);
#endif
}

void register_heap_metrics(MetricsRegistry& metrics) {
  metrics.sampled_gauge("levain_heap_allocated_bytes",
                        "Bytes allocated on the heap and not freed (not RSS: freed pages the "
                        "allocator keeps are not counted)",
                        [] { return heap_allocated_bytes(); });
}

}  // namespace levain::common
