// SqlClusterInstallationStore on SQLite and PostgreSQL: creation under the scheduling lease with
// its event, list filters, fenced updates, pending work, locking all CIs of an installation and
// the cluster-to-cluster migration writes.
#include <gtest/gtest.h>

#include "store/sql_cluster_installation_store.h"
#include "testlib/counting_database.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using CIState = model::ClusterInstallationState;

class ClusterInstallationStoreTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlClusterInstallationStore>(db(), *locks_, clock_);
    for (const char* id : {"cluster1", "cluster2"}) {
      ASSERT_TRUE(db().Exec(
          "INSERT INTO Cluster (ID, Provider, Provisioner, State, AllowInstallations, CreateAt, "
          "DeleteAt, APISecurityLock, LockAcquiredAt, PgBouncerConfig, SchedulingLockAcquiredAt) "
          "VALUES ($1, 'aws', 'kops', 'stable', true, 1, 0, false, 0, 'null', 0)",
          {id}));
    }
  }

  model::ClusterInstallation Create(const std::string& cluster, const std::string& installation,
                                    CIState state = CIState::kCreationRequested,
                                    bool active = true) {
    model::ClusterInstallation ci;
    ci.cluster_id = cluster;
    ci.installation_id = installation;
    ci.namespace_ = installation;
    ci.state = state;
    ci.is_active = active;
    auto created = store_->CreateClusterInstallation(ci, nullptr, EventOptions::IfChanged());
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(10);
    return created ? *created : model::ClusterInstallation{};
  }

  int64_t Events(const std::string& id) {
    auto rows = db().Query("SELECT count(*) FROM StateChangeEvent WHERE ResourceID = $1", {id});
    EXPECT_TRUE(rows);
    return rows ? rows->front().GetInt64(0) : -1;
  }

  static std::vector<std::string> Ids(const std::vector<model::ClusterInstallation>& cis) {
    std::vector<std::string> out;
    for (const auto& ci : cis) out.push_back(ci.id);
    return out;
  }

  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlClusterInstallationStore> store_;
};

TEST_P(ClusterInstallationStoreTest, CreateUnderTheSchedulingLeaseWritesTheCreationEvent) {
  auto scheduling = locks_->AcquireOne(LockTable::kClusterScheduling, "cluster1", "scheduler");
  ASSERT_TRUE(scheduling);
  model::ClusterInstallation ci;
  ci.cluster_id = "cluster1";
  ci.installation_id = "inst1";
  ci.namespace_ = "inst1";
  ci.is_active = true;
  auto created = store_->CreateClusterInstallation(ci, &*scheduling,
                                                   EventOptions::IfChanged({{"Environment", "t"}}));
  ASSERT_TRUE(created) << created.error().ToString();
  auto got = store_->GetClusterInstallation(created->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, *created);
  auto extra = db().Query(
      "SELECT ExtraData, OldState FROM Event JOIN StateChangeEvent ON Event.ID = "
      "StateChangeEvent.EventID WHERE ResourceID = $1",
      {created->id});
  ASSERT_TRUE(extra && extra->size() == 1u);
  EXPECT_EQ(extra->front().GetBlob(0), R"({"fields":{"ClusterID":"cluster1","Environment":"t"}})");
  EXPECT_EQ(extra->front().GetString(1), "n/a");

  // Once the scheduling lease is lost, nothing is inserted.
  clock_.Advance(locks_->lease_duration_ms() + 1);
  ASSERT_TRUE(locks_->AcquireOne(LockTable::kClusterScheduling, "cluster1", "other"));
  auto refused = store_->CreateClusterInstallation(ci, &*scheduling, EventOptions::IfChanged());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  auto all = store_->GetClusterInstallations({model::AllPagesWithDeleted(), "", "", {}, {}});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

// Issue 6: a cluster installation state change with its event is BEGIN, the fenced write (on
// PostgreSQL returning the replaced state and cluster; SQLite reads them first), the event (one
// statement on PostgreSQL, three on SQLite), COMMIT; the event names the cluster after the write.
TEST_P(ClusterInstallationStoreTest, StateWritesAreFewStatementsAndNameTheReplacedState) {
  model::ClusterInstallation ci = Create("cluster1", "inst1");
  testlib::CountingDatabase counting(db());
  SqlClusterInstallationStore counted(counting, *locks_, clock_);
  auto lease = locks_->AcquireOne(LockTable::kClusterInstallation, ci.id, "sup");
  ASSERT_TRUE(lease);
  auto event_of = [&](CIState new_state) {
    auto rows = db().Query(
        "SELECT StateChangeEvent.OldState, Event.ExtraData FROM StateChangeEvent JOIN Event ON "
        "Event.ID = StateChangeEvent.EventID WHERE ResourceID = $1 AND NewState = $2",
        {ci.id, std::string(model::ToString(new_state))});
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows && rows->size() == 1
               ? std::make_pair(rows->front().GetString(0), rows->front().GetBlob(1))
               : std::make_pair(std::string("no single event"), std::string());
  };

  ASSERT_TRUE(counted.UpdateClusterInstallationState(ci.id, CIState::kReconciling, *lease));
  EXPECT_EQ(counting.round_trips(), engine() == testlib::Engine::kPostgres ? 4 : 7);
  EXPECT_EQ(event_of(CIState::kReconciling),
            std::make_pair(std::string("creation-requested"),
                           std::string(R"({"fields":{"ClusterID":"cluster1"}})")));
  counting.Reset();
  ASSERT_TRUE(
      counted.UpdateClusterInstallationState(ci.id, CIState::kReady, *lease, EventOptions::None()));
  EXPECT_EQ(counting.round_trips(), 1);
  EXPECT_EQ(Events(ci.id), 2);  // creation, reconciling

  ci.cluster_id = "cluster2";
  ci.state = CIState::kStable;
  ASSERT_TRUE(counted.UpdateClusterInstallation(ci, *lease, EventOptions::IfChanged()));
  EXPECT_EQ(
      event_of(CIState::kStable),
      std::make_pair(std::string("ready"), std::string(R"({"fields":{"ClusterID":"cluster2"}})")));

  const Lease ghost{LockTable::kClusterInstallation, "sup", {{"missing", 1}}, 0};
  auto missing = counted.UpdateClusterInstallationState("missing", CIState::kStable, ghost);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  clock_.Advance(locks_->lease_duration_ms() + 1);
  ASSERT_TRUE(locks_->AcquireOne(LockTable::kClusterInstallation, ci.id, "other"));
  auto lost = counted.UpdateClusterInstallationState(ci.id, CIState::kReconciling, *lease);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Events(ci.id), 3);
  auto got = store_->GetClusterInstallation(ci.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->state, CIState::kStable);
  EXPECT_EQ((*got)->cluster_id, "cluster2");
}

TEST_P(ClusterInstallationStoreTest, ListFiltersAndPendingWork) {
  const auto a = Create("cluster1", "i1");
  const auto b = Create("cluster1", "i2", CIState::kStable);
  const auto c = Create("cluster2", "i1", CIState::kReconciling, false);
  const auto d = Create("cluster2", "i3", CIState::kDeletionRequested);
  struct Case {
    std::string name;
    model::ClusterInstallationFilter filter;
    std::vector<std::string> want;
  };
  const model::Paging all = model::AllPagesNotDeleted();
  std::vector<Case> cases = {
      {"all", {all, "", "", {}, {}}, {a.id, b.id, c.id, d.id}},
      {"cluster", {all, "cluster2", "", {}, {}}, {c.id, d.id}},
      {"installation", {all, "", "i1", {}, {}}, {a.id, c.id}},
      {"ids", {all, "", "", {d.id, b.id}, {}}, {b.id, d.id}},
      {"inactive", {all, "", "", {}, false}, {c.id}},
      {"active", {all, "", "", {}, true}, {a.id, b.id, d.id}},
      {"page", {{1, 3, false}, "", "", {}, {}}, {d.id}},
  };
  for (const Case& cs : cases) {
    SCOPED_TRACE(cs.name);
    auto got = store_->GetClusterInstallations(cs.filter);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(Ids(*got), cs.want);
  }
  auto pending = store_->GetUnlockedClusterInstallationsPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_EQ(Ids(*pending), (std::vector<std::string>{a.id, c.id, d.id}));
  auto claimed = store_->ClaimClusterInstallationsPendingWork("me", 2);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(Ids(claimed->rows), (std::vector<std::string>{a.id, c.id}));
  pending = store_->GetUnlockedClusterInstallationsPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_EQ(Ids(*pending), (std::vector<std::string>{d.id}));

  // Fenced state writes with events; soft delete.
  const Lease lease_a = claimed->lease.Only(a.id);
  ASSERT_TRUE(store_->UpdateClusterInstallationState(a.id, CIState::kReconciling, lease_a));
  model::ClusterInstallation updated = a;
  updated.state = CIState::kStable;
  updated.is_active = false;  // not written by UpdateClusterInstallation
  ASSERT_TRUE(store_->UpdateClusterInstallation(updated, lease_a));
  EXPECT_EQ(Events(a.id), 3);
  ASSERT_TRUE(store_->DeleteClusterInstallation(a.id, lease_a));
  auto got = store_->GetClusterInstallation(a.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->state, CIState::kStable);
  EXPECT_TRUE((*got)->is_active);
  EXPECT_NE((*got)->delete_at, 0);
  auto unfenced = store_->UpdateClusterInstallationState(b.id, CIState::kReady, lease_a);
  ASSERT_FALSE(unfenced);
  EXPECT_EQ(unfenced.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(store_->SetClusterInstallationAPISecurityLock(b.id, true));
}

TEST_P(ClusterInstallationStoreTest, LockAllOfAnInstallationIsAllOrNothing) {
  const auto a = Create("cluster1", "i1");
  const auto b = Create("cluster2", "i1");
  Create("cluster2", "i2");
  auto locked = store_->LockClusterInstallationsOfInstallation("i1", "sup", false);
  ASSERT_TRUE(locked) << locked.error().ToString();
  EXPECT_EQ(Ids(locked->rows), (std::vector<std::string>{a.id, b.id}));
  EXPECT_TRUE(locked->lease.Holds(a.id) && locked->lease.Holds(b.id));
  auto again = store_->LockClusterInstallationsOfInstallation("i1", "other", false);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto empty = store_->LockClusterInstallationsOfInstallation("nobody", "sup", false);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->rows.empty());
}

TEST_P(ClusterInstallationStoreTest, MigrationCopiesSwitchesAndDeletesInactive) {
  const auto a = Create("cluster1", "i1", CIState::kStable);
  const auto b = Create("cluster1", "i2", CIState::kStable);
  Create("cluster1", "i3", CIState::kStable, false);  // inactive: not migrated
  auto migrated = store_->MigrateClusterInstallations("cluster1", "cluster2", "");
  ASSERT_TRUE(migrated) << migrated.error().ToString();
  EXPECT_EQ(*migrated, 2);
  auto again = store_->MigrateClusterInstallations("cluster1", "cluster2", "");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);  // already migrated
  auto copies =
      store_->GetClusterInstallations({model::AllPagesNotDeleted(), "cluster2", "", {}, {}});
  ASSERT_TRUE(copies);
  ASSERT_EQ(copies->size(), 2u);
  EXPECT_EQ((*copies)[0].state, CIState::kCreationRequested);
  EXPECT_FALSE((*copies)[0].is_active);
  EXPECT_EQ(Events((*copies)[0].id), 0);  // upstream emits no event for migration copies

  ASSERT_TRUE(db().Exec(
      "INSERT INTO Installation (ID, OwnerID, Version, Affinity, State, CreateAt, DeleteAt, "
      "LockAcquiredAt, Database, Filestore, Image, Name) VALUES ('i1', 'o', '', '', 'stable', 1, "
      "0, 0, '', '', '', 'i1'), ('i2', 'o', '', '', 'hibernating', 1, 0, 0, '', '', '', 'i2')"));
  ASSERT_TRUE(store_->SwitchDNS({a.id, b.id}, {(*copies)[0].id, (*copies)[1].id}, {"i1"}, {"i2"}));
  auto old_ci = store_->GetClusterInstallation(a.id);
  ASSERT_TRUE(old_ci && old_ci->has_value());
  EXPECT_FALSE((*old_ci)->is_active);
  auto states = db().Query("SELECT State FROM Installation ORDER BY ID");
  ASSERT_TRUE(states);
  EXPECT_EQ((*states)[0].GetString(0), "creation-configuring-dns");
  EXPECT_EQ((*states)[1].GetString(0), "dns-migration-hibernated");

  auto deleted = store_->DeleteInactiveClusterInstallationsOfCluster("cluster1");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 3);
  auto one = store_->RequestClusterInstallationDeletion((*copies)[0].id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->state, CIState::kDeletionRequested);
  auto missing = store_->RequestClusterInstallationDeletion("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(ClusterInstallationStoreTest);

}  // namespace
}  // namespace cloud::store
