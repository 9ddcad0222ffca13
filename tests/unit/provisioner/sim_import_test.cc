// SimCloud as ImportOperator: teams, MaxUsersPerTeam, the archive copy (only multitenant S3 and
// bifrost filestores), import jobs that run for their duration on the injected clock and fail on
// request, FindImportJob by archive name, and failure injection on the import steps.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "provisioner/sim/sim_cloud.h"

namespace cloud::provisioner::sim {
namespace {

class SimImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.id = "cluster1";
    cluster_.provisioner_metadata_kops.emplace();
    installation_.id = "inst1";
    installation_.filestore = "bifrost";
    ci_.id = "ci1";
    ci_.cluster_id = cluster_.id;
    ci_.installation_id = installation_.id;
    ASSERT_TRUE(sim_.CreateCluster(cluster_));
    ASSERT_TRUE(sim_.CreateClusterInstallation(cluster_, installation_, {}, ci_));
  }

  ManualClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  SimCloud sim_{clock_, Logger(sink_), SimOptions{.default_duration_ms = 0}};
  model::Cluster cluster_;
  model::Installation installation_;
  model::ClusterInstallation ci_;
};

TEST_F(SimImportTest, TeamAndUserLimit) {
  EXPECT_FALSE(sim_.TeamExists("inst1", "t"));
  ASSERT_TRUE(sim_.EnsureTeam(cluster_, ci_, "t"));
  ASSERT_TRUE(sim_.EnsureTeam(cluster_, ci_, "t"));  // idempotent
  EXPECT_TRUE(sim_.TeamExists("inst1", "t"));
  EXPECT_EQ(sim_.Calls(SimStep::kEnsureTeam, "inst1"), 2);
  auto max = sim_.GetMaxUsersPerTeam(cluster_, ci_);
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, 50);
  ASSERT_TRUE(sim_.SetMaxUsersPerTeam(cluster_, ci_, 75));
  EXPECT_EQ(sim_.MaxUsersPerTeam("inst1"), 75);
  model::ClusterInstallation unknown = ci_;
  unknown.id = "nope";
  EXPECT_EQ(sim_.EnsureTeam(cluster_, unknown, "t").error().code, ErrorCode::kNotFound);
}

TEST_F(SimImportTest, ArchiveCopyOnlyIntoMultitenantFilestores) {
  model::Installation s3 = installation_;
  s3.filestore = "aws-s3";
  auto refused = sim_.CopyImportArchive(s3, "bucket", "a.zip");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  // No job without the archive in the filestore.
  EXPECT_EQ(sim_.StartImportJob(cluster_, ci_, "a.zip").error().code,
            ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(sim_.CopyImportArchive(installation_, "bucket", "a.zip"));
  ASSERT_TRUE(sim_.CopyImportArchive(installation_, "bucket", "a.zip"));  // overwrites
  EXPECT_EQ(sim_.ImportArchives("inst1"),
            std::vector<std::string>{"sim-multitenant-filestore/inst1/import/a.zip"});
}

TEST_F(SimImportTest, JobsRunForTheirDurationAndFailOnRequest) {
  ASSERT_TRUE(sim_.CopyImportArchive(installation_, "bucket", "a.zip"));
  sim_.SetDuration(SimStep::kStartImportJob, 100);
  auto job = sim_.StartImportJob(cluster_, ci_, "a.zip");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, "pending");
  EXPECT_TRUE(job->Running());
  clock_.Advance(50);
  auto half = sim_.GetImportJob(cluster_, ci_, job->id);
  ASSERT_TRUE(half);
  EXPECT_EQ(half->status, "in_progress");
  EXPECT_EQ(half->progress, 50);
  clock_.Advance(50);
  auto done = sim_.GetImportJob(cluster_, ci_, job->id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, "success");
  EXPECT_FALSE(done->Running());
  auto found = sim_.FindImportJob(cluster_, ci_, "a.zip");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->id, job->id);
  auto missing = sim_.FindImportJob(cluster_, ci_, "b.zip");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(sim_.GetImportJob(cluster_, ci_, "nope").error().code, ErrorCode::kNotFound);

  sim_.SetImportJobError("inst1", "bad line");
  auto failing = sim_.StartImportJob(cluster_, ci_, "a.zip");
  ASSERT_TRUE(failing);
  clock_.Advance(100);
  auto failed = sim_.GetImportJob(cluster_, ci_, failing->id);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, "error");
  EXPECT_EQ(failed->error, "bad line");
  EXPECT_EQ(failed->import_file, "a.zip");
  EXPECT_EQ(sim_.ImportJobsStarted("inst1"), 2);

  sim_.FailNext(SimStep::kStartImportJob, "inst1");
  EXPECT_EQ(sim_.StartImportJob(cluster_, ci_, "a.zip").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(sim_.ImportJobsStarted("inst1"), 2);
  EXPECT_EQ(sim_.Calls(SimStep::kStartImportJob), 3);  // a failing call counts too
}

}  // namespace
}  // namespace cloud::provisioner::sim
