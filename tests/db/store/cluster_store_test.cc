// SqlClusterStore on SQLite and PostgreSQL: create/get round trip with metadata and annotations,
// list paging/filters/ordering, column-restricted fenced updates with their outbox events,
// pending-work queries and claims, soft delete and annotation removal rules.
#include <gtest/gtest.h>

#include "store/sql_annotation_store.h"
#include "store/sql_cluster_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using model::ClusterState;

class ClusterStoreTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlClusterStore>(db(), *locks_, clock_);
  }

  model::Cluster KopsCluster(ClusterState state) {
    model::Cluster c;
    c.state = state;
    c.provider = model::ClusterProvider::kAws;
    c.provider_metadata_aws = model::AWSMetadata{{"us-east-1a"}};
    c.provisioner = model::ClusterProvisioner::kKops;
    model::KopsMetadata kops;
    kops.networking = "calico";
    kops.change_request = model::KopsMetadataRequestedState{};
    kops.change_request->version = "1.23.4";
    c.provisioner_metadata_kops = kops;
    c.pg_bouncer_config = model::DefaultPgBouncerConfig();
    c.allow_installations = true;
    return c;
  }

  model::Cluster Create(ClusterState state, std::vector<std::string> annotations = {}) {
    auto dto = store_->CreateCluster(KopsCluster(state), annotations, EventOptions::IfChanged());
    EXPECT_TRUE(dto) << dto.error().ToString();
    clock_.Advance(10);
    return dto ? dto->cluster : model::Cluster{};
  }

  int64_t EventCount(const std::string& id) {
    auto rows = db().Query("SELECT count(*) FROM StateChangeEvent WHERE ResourceID = $1", {id});
    EXPECT_TRUE(rows);
    return rows ? rows->front().GetInt64(0) : -1;
  }

  std::vector<std::string> Ids(const std::vector<model::Cluster>& clusters) {
    std::vector<std::string> out;
    for (const auto& c : clusters) out.push_back(c.id);
    return out;
  }

  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlClusterStore> store_;
};

TEST_P(ClusterStoreTest, CreateThenGetRoundTripsEveryStoredField) {
  const int64_t now = clock_.NowMillis();
  auto dto =
      store_->CreateCluster(KopsCluster(ClusterState::kCreationRequested), {"team-a", "team-b"},
                            EventOptions::IfChanged({{"Environment", "dev"}}));
  ASSERT_TRUE(dto) << dto.error().ToString();
  const model::Cluster& created = dto->cluster;
  EXPECT_EQ(created.id.size(), 26u);
  EXPECT_EQ(created.create_at, now);
  ASSERT_EQ(dto->annotations.size(), 2u);
  EXPECT_EQ(dto->annotations[0].name, "team-a");

  auto got = store_->GetCluster(created.id);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_TRUE(got->has_value());
  model::Cluster expected = created;
  expected.networking = "calico";  // copied on read from the kops metadata
  EXPECT_EQ(**got, expected);
  EXPECT_EQ(model::EncodeJson(**got), model::EncodeJson(expected));

  auto got_dto = store_->GetClusterDTO(created.id);
  ASSERT_TRUE(got_dto && got_dto->has_value());
  EXPECT_EQ((*got_dto)->annotations, dto->annotations);

  // The creation event, in the same transaction: n/a -> creation-requested.
  auto events = db().Query(
      "SELECT OldState, NewState, ResourceType, ExtraData FROM StateChangeEvent JOIN Event ON "
      "Event.ID = StateChangeEvent.EventID WHERE ResourceID = $1",
      {created.id});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().GetString("OldState"), "n/a");
  EXPECT_EQ(events->front().GetString("NewState"), "creation-requested");
  EXPECT_EQ(events->front().GetString("ResourceType"), "cluster");
  EXPECT_EQ(events->front().GetBlob("ExtraData"), R"({"fields":{"Environment":"dev"}})");

  auto missing = store_->GetCluster("nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_P(ClusterStoreTest, ExternalAndEksClustersKeepOnlyTheirMetadata) {
  model::Cluster ext;
  ext.state = ClusterState::kCreationRequested;
  ext.provider = model::ClusterProvider::kExternal;
  ext.provider_metadata_external = model::ExternalProviderMetadata{true};
  ext.provisioner = model::ClusterProvisioner::kExternal;
  ext.provisioner_metadata_external = model::ExternalClusterMetadata{"", "secret", "", "vpc-1", {}};
  auto created = store_->CreateCluster(ext, {}, EventOptions::None());
  ASSERT_TRUE(created) << created.error().ToString();
  auto got = store_->GetCluster(created->cluster.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, created->cluster);
  EXPECT_FALSE((*got)->pg_bouncer_config.has_value());
  EXPECT_FALSE((*got)->utility_metadata.has_value());
  EXPECT_EQ(EventCount(created->cluster.id), 0);  // EventOptions::None

  model::Cluster eks = KopsCluster(ClusterState::kStable);
  eks.provisioner = model::ClusterProvisioner::kEks;
  eks.provisioner_metadata_kops.reset();
  eks.provisioner_metadata_eks = model::EKSMetadata{};
  eks.provisioner_metadata_eks->networking = "amazon-vpc-routed-eni";
  eks.provisioner_metadata_eks->node_groups = model::NodeGroupMetadataMap{};
  auto created_eks = store_->CreateCluster(eks, {}, EventOptions::IfChanged());
  ASSERT_TRUE(created_eks);
  auto got_eks = store_->GetCluster(created_eks->cluster.id);
  ASSERT_TRUE(got_eks && got_eks->has_value());
  EXPECT_EQ((*got_eks)->networking, "amazon-vpc-routed-eni");
  EXPECT_EQ((*got_eks)->provisioner_metadata_eks, eks.provisioner_metadata_eks);
  EXPECT_FALSE((*got_eks)->provisioner_metadata_kops.has_value());
}

TEST_P(ClusterStoreTest, ListsPageFilterByAllAnnotationsAndHideDeleted) {
  const auto c1 = Create(ClusterState::kStable, {"alpha", "beta"});
  const auto c2 = Create(ClusterState::kStable, {"alpha"});
  const auto c3 = Create(ClusterState::kStable, {"alpha", "beta", "gamma"});
  auto annotations = SqlAnnotationStore(db()).GetAnnotationsByName({"alpha", "beta"});
  ASSERT_TRUE(annotations);
  ASSERT_EQ(annotations->size(), 2u);

  struct Case {
    std::string name;
    ClusterListFilter filter;
    std::vector<std::string> want;
  };
  model::Paging all = model::AllPagesNotDeleted();
  std::vector<Case> cases = {
      {"all pages", {all, {}}, {c1.id, c2.id, c3.id}},
      {"page 0 of 2", {{0, 2, false}, {}}, {c1.id, c2.id}},
      {"page 1 of 2", {{1, 2, false}, {}}, {c3.id}},
      {"per_page 0", {{0, 0, false}, {}}, {}},
      {"alpha and beta", {all, {(*annotations)[0].id, (*annotations)[1].id}}, {c1.id, c3.id}},
      {"alpha only", {all, {(*annotations)[0].id}}, {c1.id, c2.id, c3.id}},
      {"unknown annotation", {all, {"nope"}}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = store_->GetClusters(c.filter);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(Ids(*got), c.want);
  }

  auto lease = locks_->AcquireOne(LockTable::kCluster, c2.id, "supervisor");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(store_->DeleteCluster(c2.id, *lease));
  ASSERT_TRUE(store_->DeleteCluster(c2.id, *lease));  // already deleted: no-op
  auto live = store_->GetClusters({all, {}});
  ASSERT_TRUE(live);
  EXPECT_EQ(Ids(*live), (std::vector<std::string>{c1.id, c3.id}));
  auto with_deleted = store_->GetClusters({model::AllPagesWithDeleted(), {}});
  ASSERT_TRUE(with_deleted);
  EXPECT_EQ(Ids(*with_deleted), (std::vector<std::string>{c1.id, c2.id, c3.id}));
  auto deleted = store_->GetCluster(c2.id);  // Get returns deleted rows
  ASSERT_TRUE(deleted && deleted->has_value());
  EXPECT_EQ((*deleted)->delete_at, clock_.NowMillis());

  auto dtos = store_->GetClusterDTOs({{0, 1, false}, {}});
  ASSERT_TRUE(dtos);
  ASSERT_EQ(dtos->size(), 1u);
  EXPECT_EQ((*dtos)[0].annotations.size(), 2u);  // paging does not cut annotation lists
}

TEST_P(ClusterStoreTest, UpdateIsColumnRestrictedFencedAndEventedInOneTransaction) {
  const auto c = Create(ClusterState::kCreationRequested);
  ASSERT_TRUE(store_->SetClusterAPISecurityLock(c.id, true));
  auto lease = locks_->AcquireOne(LockTable::kCluster, c.id, "supervisor");
  ASSERT_TRUE(lease);

  model::Cluster changed = c;
  changed.state = ClusterState::kCreationInProgress;
  changed.name = "renamed";
  changed.api_security_lock = false;  // never written by UpdateCluster
  changed.allow_installations = false;
  ASSERT_TRUE(store_->UpdateCluster(changed, *lease, EventOptions::IfChanged()));
  auto got = store_->GetCluster(c.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->state, ClusterState::kCreationInProgress);
  EXPECT_EQ((*got)->name, "renamed");
  EXPECT_FALSE((*got)->allow_installations);
  EXPECT_TRUE((*got)->api_security_lock);
  EXPECT_EQ(EventCount(c.id), 2);

  // Same state again: no event.
  ASSERT_TRUE(store_->UpdateClusterState(c.id, ClusterState::kCreationInProgress, *lease));
  EXPECT_EQ(EventCount(c.id), 2);

  // The lease expires and another process takes the row: the old holder's writes are refused
  // and write neither the row nor an event.
  clock_.Advance(locks_->lease_duration_ms() + 1);
  auto other = locks_->AcquireOne(LockTable::kCluster, c.id, "other");
  ASSERT_TRUE(other);
  auto lost = store_->UpdateClusterState(c.id, ClusterState::kStable, *lease);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);
  auto after = store_->GetCluster(c.id);
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->state, ClusterState::kCreationInProgress);
  EXPECT_EQ(EventCount(c.id), 2);
  auto lost_delete = store_->DeleteCluster(c.id, *lease);
  ASSERT_FALSE(lost_delete);
  EXPECT_EQ(lost_delete.error().code, ErrorCode::kConflict);

  // A lease on another row cannot fence this one.
  auto wrong = store_->UpdateClusterState(c.id, ClusterState::kStable, lease->Only("x"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kFailedPrecondition);

  // The scheduling lease fences UpdateCluster too (installation supervisor auto-resize).
  auto scheduling = locks_->AcquireOne(LockTable::kClusterScheduling, c.id, "scheduler");
  ASSERT_TRUE(scheduling);
  changed.state = ClusterState::kResizeRequested;
  ASSERT_TRUE(store_->UpdateCluster(changed, *scheduling, EventOptions::IfChanged()));
  EXPECT_EQ(EventCount(c.id), 3);

  auto missing = store_->SetClusterAPISecurityLock("nope", true);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(ClusterStoreTest, PendingWorkSkipsLiveLeasesAndOtherStatesAndClaimsShareWork) {
  const auto stable = Create(ClusterState::kStable);
  const auto requested = Create(ClusterState::kCreationRequested);
  const auto deleting = Create(ClusterState::kDeletionRequested);
  const auto locked = Create(ClusterState::kProvisioningRequested);
  const auto failed = Create(ClusterState::kCreationFailed);
  (void)stable;
  (void)failed;
  auto lease = locks_->AcquireOne(LockTable::kCluster, locked.id, "someone");
  ASSERT_TRUE(lease);

  auto pending = store_->GetUnlockedClustersPendingWork();
  ASSERT_TRUE(pending) << pending.error().ToString();
  EXPECT_EQ(Ids(*pending), (std::vector<std::string>{requested.id, deleting.id}));

  clock_.Advance(locks_->lease_duration_ms() + 1);  // the stale lease can be taken over
  pending = store_->GetUnlockedClustersPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_EQ(Ids(*pending), (std::vector<std::string>{requested.id, deleting.id, locked.id}));

  auto first = store_->ClaimClustersPendingWork("a", 2);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(Ids(first->rows), (std::vector<std::string>{requested.id, deleting.id}));
  EXPECT_TRUE(first->lease.Holds(requested.id));
  auto second = store_->ClaimClustersPendingWork("b", 5);
  ASSERT_TRUE(second);
  EXPECT_EQ(Ids(second->rows), (std::vector<std::string>{locked.id}));
  auto none = store_->ClaimClustersPendingWork("c", 5);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->rows.empty());
}

TEST_P(ClusterStoreTest, AnnotationsAddAndRemoveWithTheInstallationRule) {
  const auto c = Create(ClusterState::kStable, {"alpha"});
  auto added = store_->CreateClusterAnnotations(c.id, {"beta", "gamma"});
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_EQ(added->size(), 2u);
  auto dup = store_->CreateClusterAnnotations(c.id, {"delta", "alpha"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  auto empty = store_->CreateClusterAnnotations(c.id, {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);

  // An installation annotated "beta" with a live CI on the cluster blocks removing "beta".
  auto beta = SqlAnnotationStore(db()).GetAnnotationsByName({"beta"});
  ASSERT_TRUE(beta && beta->size() == 1u);
  ASSERT_TRUE(
      db().Exec("INSERT INTO InstallationAnnotation (ID, InstallationID, AnnotationID) VALUES "
                "('l1', 'i1', $1)",
                {(*beta)[0].id}));
  ASSERT_TRUE(db().Exec(
      "INSERT INTO ClusterInstallation (ID, ClusterID, InstallationID, Namespace, State, CreateAt, "
      "DeleteAt, LockAcquiredAt) VALUES ('ci1', $1, 'i1', 'i1', 'stable', 1, 0, 0)",
      {c.id}));
  auto forbidden = store_->DeleteClusterAnnotation(c.id, "beta");
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(store_->DeleteClusterAnnotation(c.id, "gamma"));
  EXPECT_TRUE(store_->DeleteClusterAnnotation(c.id, "unknown"));
  auto dto = store_->GetClusterDTO(c.id);
  ASSERT_TRUE(dto && dto->has_value());
  ASSERT_EQ((*dto)->annotations.size(), 2u);
  EXPECT_EQ((*dto)->annotations[0].name, "alpha");
  EXPECT_EQ((*dto)->annotations[1].name, "beta");

  auto count = store_->CountLiveClusterInstallations(c.id);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 1);
  auto deleting = store_->HasInstallationDeletingOnCluster(c.id);
  ASSERT_TRUE(deleting);
  EXPECT_FALSE(*deleting);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(ClusterStoreTest);

}  // namespace
}  // namespace cloud::store
