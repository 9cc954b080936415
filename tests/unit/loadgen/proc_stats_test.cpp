#include "loadgen/proc_stats.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

namespace levain::loadgen {
namespace {

constexpr const char* kStatus =
    "Name:\tlevain\nVmPeak:\t  900000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t   40000 kB\n"
    "RssAnon:\t   30000 kB\nThreads:\t4\n";

TEST(ProcStats, ReadsKibLinesOfProcStatus) {
  EXPECT_EQ(status_kib(kStatus, "VmHWM"), 51234);
  EXPECT_EQ(status_kib(kStatus, "VmRSS"), 40000);
  EXPECT_EQ(status_kib(kStatus, "Vm"), std::nullopt);       // a prefix is not a key
  EXPECT_EQ(status_kib(kStatus, "Threads"), std::nullopt);  // not in kB
  EXPECT_EQ(status_kib(kStatus, "VmSwap"), std::nullopt);
  EXPECT_EQ(status_kib("VmRSS:\t abc kB\n", "VmRSS"), std::nullopt);
  EXPECT_EQ(status_kib("VmRSS:\t12 kB", "VmRSS"), 12);  // no final newline
}

TEST(ProcStats, ReadsThisProcess) {
  const auto mem = read_proc_memory(static_cast<int>(::getpid()));
  ASSERT_TRUE(mem);
  EXPECT_GT(mem->rss_kib, 0);
  EXPECT_GE(mem->hwm_kib, mem->rss_kib);
  const auto fds = count_open_fds(static_cast<int>(::getpid()));
  ASSERT_TRUE(fds);
  EXPECT_GE(*fds, 3u);
}

TEST(ProcStats, AMissingProcessIsNullopt) {
  EXPECT_EQ(read_proc_memory(999999999), std::nullopt);
  EXPECT_EQ(count_open_fds(999999999), std::nullopt);
}

TEST(ProcStats, RaisesTheSoftFdLimitToTheHardOne) {
  rlimit original{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
  rlimit lowered = original;
  lowered.rlim_cur = std::min<rlim_t>(original.rlim_max, 256);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  const FdLimit limit = raise_fd_limit();
  EXPECT_EQ(limit.before, lowered.rlim_cur);
  EXPECT_EQ(limit.soft, original.rlim_max);
  EXPECT_EQ(limit.hard, original.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &original);
}

TEST(ProcStats, LocalPortRangeIsARange) {
  const auto range = local_port_range();
  ASSERT_TRUE(range);
  EXPECT_LT(range->first, range->second);
}

}  // namespace
}  // namespace levain::loadgen
