// SqlGroupStore on SQLite and PostgreSQL: unique names, DTOs with annotations and member counts,
// the Sequence bump rules, status counters, pending work, rolling metadata and group selection
// by annotations.
#include <gtest/gtest.h>

#include <functional>

#include "store/sql_annotation_store.h"
#include "store/sql_group_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

class GroupStoreTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlGroupStore>(db(), *locks_, clock_);
  }

  model::Group CreateGroup(std::string name, std::vector<std::string> annotations = {}) {
    model::Group g;
    g.name = std::move(name);
    g.version = "9.0";
    g.image = "img";
    g.max_rolling = 2;
    auto dto = store_->CreateGroup(g, annotations);
    EXPECT_TRUE(dto) << dto.error().ToString();
    clock_.Advance(10);
    return dto ? dto->group : model::Group{};
  }

  void AddInstallation(const std::string& id, const std::string& group_id, std::string_view state,
                       std::optional<int64_t> sequence, int64_t delete_at = 0) {
    auto r = db().Exec(
        "INSERT INTO Installation (ID, OwnerID, Version, Affinity, GroupID, State, CreateAt, "
        "DeleteAt, LockAcquiredAt, Database, Filestore, Image, Name, GroupSequence) VALUES ($1, "
        "'o', '', '', $2, $3, $4, $5, 0, '', '', '', $1, $6)",
        {id, group_id, std::string(state), clock_.NowMillis(), delete_at, sequence});
    ASSERT_TRUE(r) << r.error().ToString();
    clock_.Advance(1);
  }

  static model::Group Named(std::string name) {
    model::Group g;
    g.name = std::move(name);
    g.max_rolling = 1;
    return g;
  }

  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlGroupStore> store_;
};

TEST_P(GroupStoreTest, CreateGetAndUniqueNames) {
  auto dto = store_->CreateGroup(Named("g1"), {"ann-a"});
  ASSERT_TRUE(dto) << dto.error().ToString();
  EXPECT_EQ(dto->group.sequence, 0);
  ASSERT_TRUE(dto->annotations.has_value());
  auto dup = store_->CreateGroup(Named("g1"), {});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

  auto got = store_->GetGroupDTO(dto->group.id, true);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->group, dto->group);
  EXPECT_EQ((*got)->installation_count, 0);
  EXPECT_EQ((*got)->annotations, dto->annotations);
  const auto plain = CreateGroup("g2");
  auto plain_dto = store_->GetGroupDTO(plain.id, false);
  ASSERT_TRUE(plain_dto && plain_dto->has_value());
  EXPECT_FALSE((*plain_dto)->annotations.has_value());  // "annotations": null
  EXPECT_FALSE((*plain_dto)->installation_count.has_value());

  // A deleted group's name can be reused; lists hide it by default.
  auto lease = locks_->AcquireOne(LockTable::kGroup, dto->group.id, "api");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(store_->DeleteGroup(dto->group.id, *lease));
  ASSERT_TRUE(store_->CreateGroup(Named("g1"), {}));
  auto live = store_->GetGroups({model::AllPagesNotDeleted(), {}, false});
  ASSERT_TRUE(live);
  EXPECT_EQ(live->size(), 2u);
  auto all = store_->GetGroups({model::AllPagesWithDeleted(), {}, false});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_P(GroupStoreTest, UpdateBumpsSequenceOnlyForConfigChangesOrForce) {
  const auto g = CreateGroup("g");
  auto lease = locks_->AcquireOne(LockTable::kGroup, g.id, "api");
  ASSERT_TRUE(lease);
  struct Case {
    std::string name;
    std::function<void(model::Group&)> edit;
    bool force;
    int64_t want_sequence;
  };
  std::vector<Case> cases = {
      {"name only", [](auto& x) { x.name = "renamed"; }, false, 0},
      {"max rolling only", [](auto& x) { x.max_rolling = 9; }, false, 0},
      {"version", [](auto& x) { x.version = "9.1"; }, false, 1},
      {"image", [](auto& x) { x.image = "img2"; }, false, 2},
      {"env",
       [](auto& x) {
         x.mattermost_env = model::EnvVarMap{{"K", {"v", std::nullopt}}};
       },
       false, 3},
      {"scheduling",
       [](auto& x) {
         x.scheduling =
             model::Scheduling{std::map<std::string, std::string>{{"a", "b"}}, std::nullopt};
       },
       false, 4},
      {"nothing", [](auto&) {}, false, 4},
      {"forced", [](auto&) {}, true, 5},
  };
  model::Group current = g;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    c.edit(current);
    auto updated = store_->UpdateGroup(current, c.force, *lease);
    ASSERT_TRUE(updated) << updated.error().ToString();
    EXPECT_EQ(updated->sequence, c.want_sequence);
    current = *updated;
  }
  auto got = store_->GetGroup(g.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, current);

  ASSERT_TRUE(locks_->Release(*lease));
  auto lost = store_->UpdateGroup(current, true, *lease);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);
}

TEST_P(GroupStoreTest, StatusRollingMetadataAndPendingWork) {
  const auto g = CreateGroup("g");
  const auto idle = CreateGroup("idle");
  AddInstallation("updated", g.id, "stable", 0);
  AddInstallation("awaiting-null", g.id, "stable", std::nullopt);
  AddInstallation("awaiting-old", g.id, "stable", 7);
  AddInstallation("hib", g.id, "hibernating", 0);
  AddInstallation("pending-del", g.id, "deletion-pending", 0);
  AddInstallation("deleting", g.id, "deletion-requested", 0);
  AddInstallation("updating", g.id, "update-in-progress", 0);
  AddInstallation("gone", g.id, "stable", std::nullopt, 5);
  AddInstallation("idle-member", idle.id, "stable", 0);

  auto status = store_->GetGroupStatus(g.id);
  ASSERT_TRUE(status && status->has_value()) << status.error().ToString();
  EXPECT_EQ(model::EncodeJson(**status),
            R"({"InstallationsTotal":7,"InstallationsUpdated":1,"InstallationsUpdating":1,)"
            R"("InstallationsHibernating":1,"InstallationsPendingDeletion":2,)"
            R"("InstallationsAwaitingUpdate":2})");
  auto none = store_->GetGroupStatus("nope");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto all = store_->GetGroupsStatus();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].status.installations_total, 1);

  auto rolling = store_->GetGroupRollingMetadata(g.id);
  ASSERT_TRUE(rolling) << rolling.error().ToString();
  EXPECT_EQ(rolling->installation_ids_to_be_rolled,
            (std::vector<std::string>{"awaiting-null", "awaiting-old"}));
  EXPECT_EQ(rolling->installations_total_count, 7);
  EXPECT_EQ(rolling->installations_rolling, 2);  // deletion-requested + update-in-progress

  auto pending = store_->GetUnlockedGroupsPendingWork();
  ASSERT_TRUE(pending) << pending.error().ToString();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, g.id);
  auto claimed = store_->ClaimGroupsPendingWork("me", 5);
  ASSERT_TRUE(claimed) << claimed.error().ToString();
  ASSERT_EQ(claimed->rows.size(), 1u);
  EXPECT_TRUE(claimed->lease.Holds(g.id));
  pending = store_->GetUnlockedGroupsPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());

  auto dtos = store_->GetGroupDTOs({model::AllPagesNotDeleted(), {}, true});
  ASSERT_TRUE(dtos);
  ASSERT_EQ(dtos->size(), 2u);
  EXPECT_EQ((*dtos)[0].installation_count, 7);
  EXPECT_EQ((*dtos)[1].installation_count, 1);
}

TEST_P(GroupStoreTest, SelectionByAnnotationsPicksTheLeastLoadedGroupWithAllOfThem) {
  const auto busy = CreateGroup("busy", {"a", "b"});
  const auto quiet = CreateGroup("quiet", {"a", "b", "c"});
  const auto partial = CreateGroup("partial", {"a"});
  AddInstallation("i1", busy.id, "stable", 0);
  AddInstallation("i2", partial.id, "stable", 0);
  auto ann = SqlAnnotationStore(db()).GetAnnotationsByName({"a", "b"});
  ASSERT_TRUE(ann && ann->size() == 2u);
  const std::vector<std::string> ids = {(*ann)[0].id, (*ann)[1].id};
  auto chosen = store_->GetGroupForAnnotations(ids);
  ASSERT_TRUE(chosen && chosen->has_value()) << chosen.error().ToString();
  EXPECT_EQ((*chosen)->id, quiet.id);
  AddInstallation("i3", quiet.id, "stable", 0);
  chosen = store_->GetGroupForAnnotations(ids);  // tie (1 each): the earliest created wins
  ASSERT_TRUE(chosen && chosen->has_value());
  EXPECT_EQ((*chosen)->id, busy.id);
  auto filtered = store_->GetGroups({model::AllPagesNotDeleted(), ids, false});
  ASSERT_TRUE(filtered);
  EXPECT_EQ(filtered->size(), 2u);
  auto nothing = store_->GetGroupForAnnotations({"nope"});
  ASSERT_TRUE(nothing);
  EXPECT_FALSE(nothing->has_value());
}

CLOUD_INSTANTIATE_ENGINE_TESTS(GroupStoreTest);

}  // namespace
}  // namespace cloud::store
