// JobStatus names: the wire and storage spelling.
#include "training/jobs/job.hpp"

#include <gtest/gtest.h>

namespace levain::training {
namespace {

TEST(JobStatus, NamesRoundTrip) {
  for (auto s : {JobStatus::pending, JobStatus::running, JobStatus::completed, JobStatus::failed,
                 JobStatus::cancelled}) {
    EXPECT_EQ(parse_job_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(JobStatus::cancelled), "cancelled");
  EXPECT_EQ(to_string(JobStatus::pending), "pending");
}

TEST(JobStatus, UnknownNamesAreRejected) {
  EXPECT_FALSE(parse_job_status(""));
  EXPECT_FALSE(parse_job_status("Running"));
  EXPECT_FALSE(parse_job_status("canceled"));
}

TEST(JobStatus, TerminalStates) {
  EXPECT_FALSE(is_terminal(JobStatus::pending));
  EXPECT_FALSE(is_terminal(JobStatus::running));
  EXPECT_TRUE(is_terminal(JobStatus::completed));
  EXPECT_TRUE(is_terminal(JobStatus::failed));
  EXPECT_TRUE(is_terminal(JobStatus::cancelled));
}

}  // namespace
}  // namespace levain::training
