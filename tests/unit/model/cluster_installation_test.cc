#include "model/cluster_installation.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace cloud::model {
namespace {

TEST(ClusterInstallation, RoundTripsInSpecOrder) {
  const std::string text =
      R"({"ID":"ci1","ClusterID":"c1","InstallationID":"i1","Namespace":"i1",)"
      R"("State":"reconciling","CreateAt":1,"DeleteAt":2,"APISecurityLock":true,)"
      R"("LockAcquiredBy":"me","LockAcquiredAt":3,"IsActive":true})";
  Result<ClusterInstallation> ci = DecodeJson<ClusterInstallation>(text);
  ASSERT_TRUE(ci) << ci.error().message;
  EXPECT_EQ(EncodeJson(*ci), text);
  EXPECT_EQ(ci->state, ClusterInstallationState::kReconciling);
  EXPECT_EQ(ci->namespace_, "i1");
  EXPECT_TRUE(ci->IsDeleted());

  EXPECT_EQ(EncodeJson(ClusterInstallation{}),
            R"({"ID":"","ClusterID":"","InstallationID":"","Namespace":"",)"
            R"("State":"creation-requested","CreateAt":0,"DeleteAt":0,"APISecurityLock":false,)"
            R"("LockAcquiredBy":null,"LockAcquiredAt":0,"IsActive":false})");
  EXPECT_FALSE(DecodeJson<ClusterInstallation>(R"({"State":"running"})"));
}

TEST(ClusterInstallationStates, StringsAndLists) {
  const std::vector<std::string> want = {"creation-requested",
                                         "creation-failed",
                                         "deletion-requested",
                                         "deletion-failed",
                                         "deleted",
                                         "reconciling",
                                         "ready",
                                         "stable"};
  ASSERT_EQ(AllClusterInstallationStates().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i]);
    EXPECT_EQ(ToString(AllClusterInstallationStates()[i]), want[i]);
    ClusterInstallationState parsed{};
    ASSERT_TRUE(ParseEnum(want[i], parsed));
    EXPECT_EQ(parsed, AllClusterInstallationStates()[i]);
  }
  ClusterInstallationState state{};
  EXPECT_FALSE(ParseEnum("Stable", state));
  EXPECT_FALSE(ParseEnum("", state));

  std::set<std::string> pending;
  for (ClusterInstallationState s : AllClusterInstallationStatesPendingWork()) {
    pending.insert(std::string(ToString(s)));
  }
  EXPECT_EQ(pending, (std::set<std::string>{"creation-requested", "reconciling", "ready",
                                            "deletion-requested"}));
  EXPECT_EQ(ClusterInstallationStateWorkPriority(ClusterInstallationState::kCreationRequested), 3);
  EXPECT_EQ(ClusterInstallationStateWorkPriority(ClusterInstallationState::kReconciling), 2);
  EXPECT_EQ(ClusterInstallationStateWorkPriority(ClusterInstallationState::kReady), 1);
  EXPECT_EQ(ClusterInstallationStateWorkPriority(ClusterInstallationState::kStable), 0);
  EXPECT_EQ(ClusterInstallationStateWorkPriority(ClusterInstallationState::kDeletionRequested), 0);
}

TEST(ClusterInstallationStatus, OmitsUnsetFields) {
  EXPECT_EQ(EncodeJson(ClusterInstallationStatus{}), "{}");
  const std::string full =
      R"({"InstallationFound":true,"Replicas":2,"TotalPod":3,"RunningPod":3,"ReadyPod":2,)"
      R"("StartedPod":3,"ReadyLocalServer":1})";
  Result<ClusterInstallationStatus> status = DecodeJson<ClusterInstallationStatus>(full);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(EncodeJson(*status), full);

  ClusterInstallationStatus zeros;
  zeros.replicas = 0;  // a set pointer to zero is kept
  EXPECT_EQ(EncodeJson(zeros), R"({"Replicas":0})");
  EXPECT_FALSE(DecodeJson<ClusterInstallationStatus>(R"({"Replicas":2147483648})"));
}

TEST(MigrateClusterInstallationRequest, RoundTripAndValidate) {
  const std::string text =
      R"({"InstallationID":"i","SourceClusterID":"s","TargetClusterID":"t","DNSSwitch":true,)"
      R"("LockInstallation":true})";
  Result<MigrateClusterInstallationRequest> request =
      DecodeJson<MigrateClusterInstallationRequest>(text);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(EncodeJson(*request), text);
  EXPECT_TRUE(request->Validate());

  struct Case {
    std::string name;
    std::string source, target;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"both", "s", "t", ""},
      {"no source", "", "t", "missing mandatory source cluster"},
      {"no target", "s", "", "missing mandatory target cluster"},
      {"neither: source reported", "", "", "missing mandatory source cluster"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    MigrateClusterInstallationRequest r;
    r.source_cluster_id = c.source;
    r.target_cluster_id = c.target;
    Result<void> result = r.Validate();
    if (c.error.empty()) {
      EXPECT_TRUE(result);
    } else {
      ASSERT_FALSE(result);
      EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(result.error().message.find(c.error), std::string::npos);
    }
  }
}

TEST(MigrateClusterInstallationResponse, OperationsOnTheWire) {
  struct Case {
    ClusterInstallationOperation operation;
    std::string text;
  };
  const std::vector<Case> cases = {
      {ClusterInstallationOperation::kMigration, "MigratingClusterInstallation"},
      {ClusterInstallationOperation::kDNSSwitch, "DNSSwitch"},
      {ClusterInstallationOperation::kSwitchClusterRoles, "SwitchClusterRoles"},
      {ClusterInstallationOperation::kDeletingInActiveCIs, "DeletingInActiveClusterInstallations"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    MigrateClusterInstallationResponse response{"s", "t", c.operation, 4};
    const std::string text = R"({"SourceClusterID":"s","TargetClusterID":"t","Operation":")" +
                             c.text + R"(","TotalClusterInstallations":4})";
    EXPECT_EQ(EncodeJson(response), text);
    Result<MigrateClusterInstallationResponse> back =
        DecodeJson<MigrateClusterInstallationResponse>(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, response);
  }
  EXPECT_FALSE(DecodeJson<MigrateClusterInstallationResponse>(R"({"Operation":"Other"})"));
}

TEST(ClusterInstallation, ExecCommands) {
  EXPECT_TRUE(IsSupportedExecCommand("mmctl"));
  EXPECT_TRUE(IsSupportedExecCommand("mattermost"));
  EXPECT_FALSE(IsSupportedExecCommand("bash"));
  EXPECT_FALSE(IsSupportedExecCommand("MMCTL"));
  EXPECT_FALSE(IsSupportedExecCommand(""));
}

}  // namespace
}  // namespace cloud::model
