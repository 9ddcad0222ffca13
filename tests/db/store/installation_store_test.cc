// SqlInstallationStore on SQLite and PostgreSQL: create with DNS records and annotations in one
// transaction (conflicts -> kAlreadyExists, nothing half-written), DTO pieces, every list
// filter, counters, group merge at read time, column-restricted fenced updates with events, and
// the supervisors' pending-work queries.
#include <gtest/gtest.h>

#include "store/sql_cluster_installation_store.h"
#include "store/sql_group_store.h"
#include "store/sql_installation_store.h"
#include "testlib/counting_database.h"
#include "testlib/test_database.h"
#include "testlib/test_installation.h"

namespace cloud::store {
namespace {

using model::InstallationState;

class InstallationStoreTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlInstallationStore>(db(), *locks_, clock_);
  }

  model::Installation Make(std::string name, InstallationState state = InstallationState::kStable) {
    model::Installation i = testlib::TestInstallation(std::move(name), state, "owner1");
    i.group_id = std::string();
    return i;
  }

  model::InstallationDTO Create(model::Installation i, std::vector<std::string> dns = {},
                                std::vector<std::string> annotations = {}) {
    if (dns.empty()) dns = {i.name + ".example.com"};
    auto dto = store_->CreateInstallation(i, annotations, dns, EventOptions::IfChanged());
    EXPECT_TRUE(dto) << dto.error().ToString();
    clock_.Advance(10);
    return dto ? *dto : model::InstallationDTO{};
  }

  int64_t Count(std::string_view sql, const SqlParams& params = {}) {
    auto rows = db().Query(sql, params);
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows ? rows->front().GetInt64(0) : -1;
  }

  // A group of version 10.0, image group/image and env A=group; its ID ("" on failure).
  std::string CreateGroupOverridingA(std::string name) {
    SqlGroupStore groups(db(), *locks_, clock_);
    model::Group g;
    g.name = std::move(name);
    g.version = "10.0";
    g.image = "group/image";
    g.max_rolling = 1;
    g.mattermost_env = model::EnvVarMap{{"A", {"group", std::nullopt}}};
    auto group = groups.CreateGroup(g, {});
    EXPECT_TRUE(group) << group.error().ToString();
    return group ? group->group.id : std::string();
  }

  static std::vector<std::string> Names(const std::vector<model::Installation>& rows) {
    std::vector<std::string> out;
    for (const auto& i : rows) out.push_back(i.name);
    return out;
  }

  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlInstallationStore> store_;
};

TEST_P(InstallationStoreTest, CreateStoresRecordsAnnotationsAndEventTogether) {
  model::Installation i = Make("alpha", InstallationState::kCreationRequested);
  i.mattermost_env = model::EnvVarMap{{"A", {"1", std::nullopt}}};
  i.single_tenant_database_config = model::SingleTenantDatabaseConfig{"db.r5", "db.r5", 1};
  i.allowed_ip_ranges = model::AllowedIPRanges{{"10.0.0.0/8", "office", true, "me"}};
  i.command = std::vector<std::string>{"mattermost", "server"};
  auto dto = store_->CreateInstallation(i, {"team-a"}, {"alpha.example.com", "alpha.other.com"},
                                        EventOptions::IfChanged({{"Environment", "dev"}}));
  ASSERT_TRUE(dto) << dto.error().ToString();
  ASSERT_TRUE(dto->dns_records.has_value());
  ASSERT_EQ(dto->dns_records->size(), 2u);
  EXPECT_TRUE((*dto->dns_records)[0].is_primary);
  EXPECT_FALSE((*dto->dns_records)[1].is_primary);
  EXPECT_EQ(dto->dns, "alpha.example.com");
  ASSERT_EQ(dto->annotations.size(), 1u);

  auto got = store_->GetInstallationDTO(dto->installation.id, GroupMerge::None());
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(model::EncodeJson(**got), model::EncodeJson(*dto));
  EXPECT_EQ((*got)->installation, dto->installation);

  auto events = db().Query(
      "SELECT OldState, NewState, ExtraData FROM StateChangeEvent JOIN Event ON Event.ID = "
      "StateChangeEvent.EventID WHERE ResourceID = $1",
      {dto->installation.id});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().GetString("OldState"), "n/a");
  EXPECT_EQ(events->front().GetString("NewState"), "creation-requested");
  EXPECT_EQ(events->front().GetBlob("ExtraData"),
            R"({"fields":{"Environment":"dev","Name":"alpha"}})");
}

TEST_P(InstallationStoreTest, DuplicateNameOrDomainIsAlreadyExistsAndWritesNothing) {
  Create(Make("alpha"), {"alpha.example.com"});
  struct Case {
    std::string name;
    std::string installation_name;
    std::vector<std::string> dns;
  };
  for (const Case& c :
       std::vector<Case>{{"same name", "alpha", {"x.example.com"}},
                         {"same domain", "beta", {"beta.a.com", "alpha.example.com"}}}) {
    SCOPED_TRACE(c.name);
    auto dup = store_->CreateInstallation(Make(c.installation_name), {"ann"}, c.dns,
                                          EventOptions::IfChanged());
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists) << dup.error().ToString();
  }
  EXPECT_EQ(Count("SELECT count(*) FROM Installation"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM InstallationDNS"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM Annotation"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM StateChangeEvent"), 1);
}

TEST_P(InstallationStoreTest, ListFiltersPagingAndOrdering) {
  model::Installation a = Make("alpha");
  a.group_id = std::string("g1");
  const auto ia = Create(a, {"alpha.example.com"});
  model::Installation b = Make("beta", InstallationState::kHibernating);
  b.owner_id = "owner2";
  const auto ib = Create(b, {"beta.example.com", "beta_x.other.com"});
  const auto ic = Create(Make("gamma"), {"gamma.example.com"});
  ASSERT_TRUE(store_->SetInstallationDeletionLocked(ic.installation.id, true));

  struct Case {
    std::string name;
    model::InstallationFilter filter;
    std::vector<std::string> want;
  };
  auto filter = [](auto edit) {
    model::InstallationFilter f;
    f.paging = model::AllPagesNotDeleted();
    edit(f);
    return f;
  };
  std::vector<Case> cases = {
      {"all", filter([](auto&) {}), {"alpha", "beta", "gamma"}},
      {"owner", filter([](auto& f) { f.owner_id = "owner2"; }), {"beta"}},
      {"group", filter([](auto& f) { f.group_id = "g1"; }), {"alpha"}},
      {"state", filter([](auto& f) { f.state = "hibernating"; }), {"beta"}},
      {"unknown state", filter([](auto& f) { f.state = "nope"; }), {}},
      {"name", filter([](auto& f) { f.name = "gamma"; }), {"gamma"}},
      {"dns exact", filter([](auto& f) { f.dns = "beta_x.other.com"; }), {"beta"}},
      {"dns exact no wildcard", filter([](auto& f) { f.dns = "beta_.other.com"; }), {}},
      {"dns like", filter([](auto& f) { f.dns = "%.example.com"; }), {"alpha", "beta", "gamma"}},
      {"dns like underscore", filter([](auto& f) { f.dns = "beta_x%"; }), {"beta"}},
      {"deletion locked", filter([](auto& f) { f.deletion_locked = true; }), {"gamma"}},
      {"not deletion locked",
       filter([](auto& f) { f.deletion_locked = false; }),
       {"alpha", "beta"}},
      {"ids",
       filter([&](auto& f) {
         f.installation_ids = {ic.installation.id, ia.installation.id};
       }),
       {"alpha", "gamma"}},
      {"page 1 of 2",
       filter([](auto& f) {
         f.paging = {1, 2, false};
       }),
       {"gamma"}},
      {"per_page 0",
       filter([](auto& f) {
         f.paging = {0, 0, false};
       }),
       {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = store_->GetInstallations(c.filter);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(Names(*got), c.want);
  }

  // Soft delete: hidden by default, listed with include_deleted; Get still returns it.
  auto lease = locks_->AcquireOne(LockTable::kInstallation, ib.installation.id, "sup");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(store_->DeleteInstallation(ib.installation.id, *lease));
  auto live = store_->GetInstallations(filter([](auto&) {}));
  ASSERT_TRUE(live);
  EXPECT_EQ(Names(*live), (std::vector<std::string>{"alpha", "gamma"}));
  auto all = store_->GetInstallations(filter([](auto& f) { f.paging.include_deleted = true; }));
  ASSERT_TRUE(all);
  EXPECT_EQ(Names(*all), (std::vector<std::string>{"alpha", "beta", "gamma"}));
  auto count = store_->GetInstallationsCount(false);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 2);
  count = store_->GetInstallationsCount(true);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 3);

  auto dtos = store_->GetInstallationDTOs(filter([](auto&) {}));
  ASSERT_TRUE(dtos);
  ASSERT_EQ(dtos->size(), 2u);
  EXPECT_EQ((*dtos)[0].dns, "alpha.example.com");
}

TEST_P(InstallationStoreTest, StatusCountsNonDeletedInstallationsByState) {
  Create(Make("a1"));
  Create(Make("a2"));
  Create(Make("h1", InstallationState::kHibernating));
  Create(Make("p1", InstallationState::kDeletionPending));
  Create(Make("u1", InstallationState::kUpdateRequested));
  Create(Make("c1", InstallationState::kCreationRequested));
  auto status = store_->GetInstallationsStatus();
  ASSERT_TRUE(status) << status.error().ToString();
  EXPECT_EQ(model::EncodeJson(*status),
            R"({"InstallationsTotal":6,"InstallationsStable":2,"InstallationsHibernating":1,)"
            R"("InstallationsPendingDeletion":1,"InstallationsUpdating":2})");
}

TEST_P(InstallationStoreTest, ReadsMergeGroupConfigAndMergedValuesCannotBeSaved) {
  const std::string group_id = CreateGroupOverridingA("g");
  ASSERT_FALSE(group_id.empty());
  model::Installation i = Make("alpha");
  i.group_id = group_id;
  i.mattermost_env = model::EnvVarMap{{"A", {"mine", std::nullopt}}};
  const auto created = Create(i);

  auto plain = store_->GetInstallation(created.installation.id, GroupMerge::None());
  ASSERT_TRUE(plain && plain->has_value());
  EXPECT_EQ((*plain)->version, "9.0");
  auto merged = store_->GetInstallation(created.installation.id, GroupMerge::ConfigAndOverrides());
  ASSERT_TRUE(merged && merged->has_value());
  EXPECT_EQ((*merged)->version, "10.0");
  EXPECT_EQ((*merged)->image, "group/image");
  EXPECT_EQ((*merged)->mattermost_env->at("A").value, "group");
  EXPECT_EQ((*merged)->group_overrides.at("Installation Version"), "9.0");
  EXPECT_TRUE((*merged)->ConfigMergedWithGroup());

  auto lease = locks_->AcquireOne(LockTable::kInstallation, created.installation.id, "api");
  ASSERT_TRUE(lease);
  auto refused = store_->UpdateInstallation(**merged, *lease);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
}

// GetInstallationDTO reads the row and its DTO parts in one statement: it must give what the
// list path (row, then the parts of the listed IDs) gives, parts ordered the same way, deleted
// DNS records and cluster installations left out, nothing of another installation mixed in,
// and the group merge applied as GetInstallation applies it.
TEST_P(InstallationStoreTest, SingleDtoReadMatchesListPathPartsAndGroupMerge) {
  const std::string group_id = CreateGroupOverridingA("dto-group");
  ASSERT_FALSE(group_id.empty());
  model::Installation i = Make("dto-alpha");
  i.group_id = group_id;
  i.mattermost_env = model::EnvVarMap{{"A", {"mine", std::nullopt}}};
  const auto alpha = Create(i, {"alpha.example.com", "alpha.two.com", "alpha.three.com"},
                            {"zeta", "alpha", "mid"});
  const auto other = Create(Make("dto-other"), {"other.example.com"}, {"other-only"});
  const std::string& id = alpha.installation.id;
  ASSERT_TRUE(db().Exec("UPDATE InstallationDNS SET DeleteAt = 5 WHERE DomainName = $1",
                        {"alpha.two.com"}));

  SqlClusterInstallationStore cis(db(), *locks_, clock_);
  for (const char* cluster : {"dto-cluster-b", "dto-cluster-a", "dto-cluster-c"}) {
    ASSERT_TRUE(db().Exec(
        "INSERT INTO Cluster (ID, Provider, Provisioner, State, AllowInstallations, CreateAt, "
        "DeleteAt, APISecurityLock, LockAcquiredAt, PgBouncerConfig, SchedulingLockAcquiredAt) "
        "VALUES ($1, 'aws', 'kops', 'stable', true, 1, 0, false, 0, 'null', 0)",
        {cluster}));
  }
  std::vector<std::string> ci_ids;
  for (const auto& [cluster, installation] :
       std::vector<std::pair<std::string, std::string>>{{"dto-cluster-b", id},
                                                        {"dto-cluster-a", id},
                                                        {"dto-cluster-c", id},
                                                        {"dto-cluster-a", other.installation.id}}) {
    model::ClusterInstallation ci;
    ci.cluster_id = cluster;
    ci.installation_id = installation;
    ci.namespace_ = installation;
    ci.state = model::ClusterInstallationState::kCreationRequested;
    ci.is_active = true;
    auto created = cis.CreateClusterInstallation(ci, nullptr, EventOptions::IfChanged());
    ASSERT_TRUE(created) << created.error().ToString();
    ci_ids.push_back(created->id);
    clock_.Advance(10);
  }
  ASSERT_TRUE(db().Exec("UPDATE ClusterInstallation SET DeleteAt = 7 WHERE ID = $1", {ci_ids[2]}));

  for (GroupMerge merge :
       {GroupMerge::None(), GroupMerge::Config(), GroupMerge::ConfigAndOverrides()}) {
    SCOPED_TRACE(testing::Message() << "merge config=" << merge.include_group_config
                                    << " overrides=" << merge.include_group_config_overrides);
    model::InstallationFilter filter;
    filter.installation_ids = {id};
    filter.include_group_config = merge.include_group_config;
    filter.include_group_config_overrides = merge.include_group_config_overrides;
    auto listed = store_->GetInstallationDTOs(filter);
    ASSERT_TRUE(listed) << listed.error().ToString();
    ASSERT_EQ(listed->size(), 1u);
    auto got = store_->GetInstallationDTO(id, merge);
    ASSERT_TRUE(got) << got.error().ToString();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, listed->front());
    EXPECT_EQ(model::EncodeJson(**got), model::EncodeJson(listed->front()));
    EXPECT_EQ((*got)->installation.version, merge.include_group_config ? "10.0" : "9.0");
    EXPECT_EQ((*got)->installation.group_overrides.empty(), !merge.include_group_config_overrides);

    ASSERT_EQ((*got)->annotations.size(), 3u);
    EXPECT_EQ((*got)->annotations[0].name, "alpha");
    EXPECT_EQ((*got)->annotations[2].name, "zeta");
    ASSERT_TRUE((*got)->dns_records.has_value());
    ASSERT_EQ((*got)->dns_records->size(), 2u);
    EXPECT_EQ((*got)->dns_records->at(0).domain_name, "alpha.example.com");
    EXPECT_EQ((*got)->dns_records->at(1).domain_name, "alpha.three.com");
    EXPECT_EQ((*got)->cluster_ids, (std::vector<std::string>{"dto-cluster-b", "dto-cluster-a"}));
  }

  // Creation times against the rows' insertion order: the single read orders its parts (on
  // SQLite in C++, its statement has no ORDER BY) as the list path does.
  ASSERT_TRUE(db().Exec("UPDATE InstallationDNS SET CreateAt = 2000 WHERE DomainName = $1",
                        {"alpha.example.com"}));
  ASSERT_TRUE(db().Exec("UPDATE InstallationDNS SET CreateAt = 1000 WHERE DomainName = $1",
                        {"alpha.three.com"}));
  ASSERT_TRUE(db().Exec("UPDATE ClusterInstallation SET CreateAt = 1000000 - CreateAt"));
  model::InstallationFilter filter;
  filter.installation_ids = {id};
  auto listed = store_->GetInstallationDTOs(filter);
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
  auto got = store_->GetInstallationDTO(id, GroupMerge::ConfigAndOverrides());
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, listed->front());
  ASSERT_TRUE((*got)->dns_records.has_value());
  ASSERT_EQ((*got)->dns_records->size(), 2u);
  EXPECT_EQ((*got)->dns_records->at(0).domain_name, "alpha.three.com");
  EXPECT_EQ((*got)->cluster_ids, (std::vector<std::string>{"dto-cluster-a", "dto-cluster-b"}));

  auto missing = store_->GetInstallationDTO("abcdefghijklmnopqrstuvwxyz", GroupMerge::None());
  ASSERT_TRUE(missing) << missing.error().ToString();
  EXPECT_FALSE(missing->has_value());
}

TEST_P(InstallationStoreTest, UpdatesAreColumnRestrictedFencedAndEvented) {
  const auto created = Create(Make("alpha", InstallationState::kCreationRequested));
  const std::string id = created.installation.id;
  ASSERT_TRUE(store_->SetInstallationAPISecurityLock(id, true));
  ASSERT_TRUE(store_->SetInstallationDeletionLocked(id, true));
  auto lease = locks_->AcquireOne(LockTable::kInstallation, id, "sup");
  ASSERT_TRUE(lease);

  model::Installation changed = created.installation;
  changed.state = InstallationState::kUpdateRequested;
  changed.version = "9.1";
  changed.api_security_lock = false;  // not written by UpdateInstallation
  changed.deletion_locked = false;    // not written by UpdateInstallation
  changed.volumes = model::VolumeMap{{"v", {"secret", "s", "/mnt", true}}};
  ASSERT_TRUE(store_->UpdateInstallation(changed, *lease, EventOptions::Always()));
  ASSERT_TRUE(store_->UpdateInstallation(changed, *lease, EventOptions::Always()));
  ASSERT_TRUE(store_->UpdateInstallation(changed, *lease));  // unchanged state: no event
  ASSERT_TRUE(store_->UpdateInstallationGroupSequence(id, 4, *lease));
  ASSERT_TRUE(store_->UpdateInstallationCRVersion(id, "mattermost.com/v1alpha1", *lease));
  auto got = store_->GetInstallation(id, GroupMerge::None());
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->version, "9.1");
  EXPECT_EQ((*got)->state, InstallationState::kUpdateRequested);
  EXPECT_TRUE((*got)->api_security_lock);
  EXPECT_TRUE((*got)->deletion_locked);
  EXPECT_EQ((*got)->volumes, changed.volumes);
  EXPECT_EQ((*got)->group_sequence, 4);
  EXPECT_EQ((*got)->cr_version, "mattermost.com/v1alpha1");
  EXPECT_EQ(Count("SELECT count(*) FROM StateChangeEvent WHERE ResourceID = $1", {id}), 3);

  ASSERT_TRUE(store_->UpdateInstallationState(id, InstallationState::kUpdateInProgress, *lease,
                                              EventOptions::None()));
  EXPECT_EQ(Count("SELECT count(*) FROM StateChangeEvent WHERE ResourceID = $1", {id}), 3);

  ASSERT_TRUE(locks_->Release(*lease));
  auto lost = store_->UpdateInstallationState(id, InstallationState::kStable, *lease);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Count("SELECT count(*) FROM StateChangeEvent WHERE ResourceID = $1", {id}), 3);
  auto after = store_->GetInstallation(id, GroupMerge::None());
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->state, InstallationState::kUpdateInProgress);
}

// Issue 6: the supervisors' state writes are the bulk of a burst's statements. A state change
// with its event is BEGIN, the fenced write (which on PostgreSQL also returns the replaced state
// and name; SQLite reads them first), the event (one statement on PostgreSQL: Event,
// StateChangeEvent and the recipients; three on SQLite), COMMIT. A write without an event is
// one statement. Errors stay as they were: kNotFound for a missing row, kConflict for a lost
// lease, and nothing written either way.
TEST_P(InstallationStoreTest, StateWritesAreFewStatementsAndNameTheReplacedState) {
  const auto created = Create(Make("alpha", InstallationState::kCreationRequested));
  const std::string id = created.installation.id;
  testlib::CountingDatabase counting(db());
  SqlInstallationStore counted(counting, *locks_, clock_);
  auto lease = locks_->AcquireOne(LockTable::kInstallation, id, "sup");
  ASSERT_TRUE(lease);
  const bool pg = engine() == testlib::Engine::kPostgres;
  auto event_of = [&](InstallationState new_state) {
    auto rows = db().Query(
        "SELECT StateChangeEvent.OldState, Event.ExtraData FROM StateChangeEvent JOIN Event ON "
        "Event.ID = StateChangeEvent.EventID WHERE ResourceID = $1 AND NewState = $2",
        {id, std::string(model::ToString(new_state))});
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows && rows->size() == 1
               ? std::make_pair(rows->front().GetString(0), rows->front().GetBlob(1))
               : std::make_pair(std::string("no single event"), std::string());
  };

  ASSERT_TRUE(counted.UpdateInstallationState(id, InstallationState::kCreationInProgress, *lease,
                                              EventOptions::IfChanged({{"Environment", "t"}})));
  EXPECT_EQ(counting.round_trips(), pg ? 4 : 7);
  EXPECT_EQ(event_of(InstallationState::kCreationInProgress),
            std::make_pair(std::string("creation-requested"),
                           std::string(R"({"fields":{"Environment":"t","Name":"alpha"}})")));

  counting.Reset();
  ASSERT_TRUE(counted.UpdateInstallationGroupSequence(id, 7, *lease));
  ASSERT_TRUE(counted.UpdateInstallationState(id, InstallationState::kStable, *lease,
                                              EventOptions::None()));
  EXPECT_EQ(counting.round_trips(), 2);

  // A rename: the event names the installation as it is after the write.
  model::Installation renamed = created.installation;
  renamed.name = "beta";
  renamed.group_sequence = 7;  // UpdateInstallation writes GroupSequence too
  renamed.state = InstallationState::kUpdateRequested;
  ASSERT_TRUE(counted.UpdateInstallation(renamed, *lease));
  EXPECT_EQ(event_of(InstallationState::kUpdateRequested),
            std::make_pair(std::string("stable"), std::string(R"({"fields":{"Name":"beta"}})")));
  auto got = store_->GetInstallation(id, GroupMerge::None());
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->name, "beta");
  EXPECT_EQ((*got)->group_sequence, 7);

  const Lease ghost{LockTable::kInstallation, "sup", {{"missing", 1}}, 0};
  auto missing = counted.UpdateInstallationState("missing", InstallationState::kStable, ghost);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto missing_silent = counted.UpdateInstallationCRVersion("missing", "v", ghost);
  ASSERT_FALSE(missing_silent);
  EXPECT_EQ(missing_silent.error().code, ErrorCode::kNotFound);

  // Taken over by another locker: the old lease writes nothing, with or without an event.
  clock_.Advance(locks_->lease_duration_ms() + 1);
  ASSERT_TRUE(locks_->AcquireOne(LockTable::kInstallation, id, "other"));
  const int64_t events = Count("SELECT count(*) FROM StateChangeEvent WHERE ResourceID = $1", {id});
  auto lost = counted.UpdateInstallationState(id, InstallationState::kUpdateInProgress, *lease);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);
  auto lost_silent = counted.UpdateInstallationGroupSequence(id, 8, *lease);
  ASSERT_FALSE(lost_silent);
  EXPECT_EQ(lost_silent.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Count("SELECT count(*) FROM StateChangeEvent WHERE ResourceID = $1", {id}), events);
  got = store_->GetInstallation(id, GroupMerge::None());
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->state, InstallationState::kUpdateRequested);
  EXPECT_EQ((*got)->group_sequence, 7);
}

TEST_P(InstallationStoreTest, PendingWorkAndDeletionSupervisorQueries) {
  const auto requested = Create(Make("a", InstallationState::kCreationRequested));
  const auto stable = Create(Make("b"));
  model::Installation scheduled = Make("c");
  scheduled.scheduled_deletion_time = clock_.NowMillis() + 1000;
  const auto sched = Create(scheduled);
  model::Installation locked_sched = Make("d", InstallationState::kHibernating);
  locked_sched.scheduled_deletion_time = 5;
  const auto dlocked = Create(locked_sched);
  ASSERT_TRUE(store_->SetInstallationDeletionLocked(dlocked.installation.id, true));
  const auto pending = Create(Make("e", InstallationState::kDeletionPending));
  const auto deleting = Create(Make("f", InstallationState::kDeletionRequested));
  auto lease = locks_->AcquireOne(LockTable::kInstallation, deleting.installation.id, "x");
  ASSERT_TRUE(lease);
  (void)stable;

  auto work = store_->GetUnlockedInstallationsPendingWork();
  ASSERT_TRUE(work) << work.error().ToString();
  EXPECT_EQ(Names(*work), (std::vector<std::string>{"a"}));
  auto scheduled_rows = store_->GetUnlockedInstallationsScheduledForDeletion();
  ASSERT_TRUE(scheduled_rows);
  EXPECT_EQ(Names(*scheduled_rows), (std::vector<std::string>{"c"}));
  auto pending_rows = store_->GetUnlockedInstallationsPendingDeletion();
  ASSERT_TRUE(pending_rows);
  EXPECT_EQ(Names(*pending_rows), (std::vector<std::string>{"e"}));

  auto claimed = store_->ClaimInstallationsPendingWork("me", 10);
  ASSERT_TRUE(claimed) << claimed.error().ToString();
  EXPECT_EQ(Names(claimed->rows), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(claimed->lease.Holds(requested.installation.id));
  (void)sched;
  (void)pending;
}

CLOUD_INSTANTIATE_ENGINE_TESTS(InstallationStoreTest);

}  // namespace
}  // namespace cloud::store
