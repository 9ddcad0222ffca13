// Deep pages of GET /api/installations' default listing come from page anchors
// (list_page_anchors.h) on SQLite and PostgreSQL: every page equals the slice of the full
// listing, CreateAt ties included; a change made through another connection (another process,
// even one whose clock is behind) is never answered from stale anchors; state-only writes do not
// invalidate them; rebuilds are throttled.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/id.h"
#include "store/sql_installation_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

constexpr int64_t kAnchorSeedBase = 1'600'000'000'000;

// Another server process on the same database: its own connection, clock and store.
struct AnchorTestOtherProcess {
  AnchorTestOtherProcess(std::unique_ptr<SqlDatabase> opened, int64_t clock_start)
      : db(std::move(opened)),
        clock(clock_start),
        locks(MakeSqlLockStore(*db, clock)),
        store(*db, *locks, clock) {}
  std::unique_ptr<SqlDatabase> db;
  ManualClock clock;
  std::unique_ptr<LockStore> locks;
  SqlInstallationStore store;
};

class InstallationPageAnchorTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlInstallationStore>(db(), *locks_, clock_);
  }

  // `rows` live installations; three share each CreateAt, so the order's ID tie-break matters.
  void SeedAnchorRows(SqlDatabase& on, int rows) {
    constexpr int kChunk = 250;
    for (int start = 0; start < rows; start += kChunk) {
      std::string sql =
          "INSERT INTO Installation (ID, OwnerID, Version, Affinity, State, CreateAt, DeleteAt, "
          "LockAcquiredAt, Database, Filestore, Image, Name) VALUES ";
      SqlParams params;
      for (int i = start; i < std::min(rows, start + kChunk); ++i) {
        const size_t p = params.size();
        if (i > start) sql += ", ";
        sql += "($" + std::to_string(p + 1) + ", 'owner', 'stable', 'multitenant', 'stable', $" +
               std::to_string(p + 2) + ", 0, 0, 'perseus', 'bifrost', 'mm', $" +
               std::to_string(p + 3) + ")";
        params.push_back(NewId());
        params.push_back(kAnchorSeedBase + i / 3);
        params.push_back("anchor" + std::to_string(i));
      }
      auto inserted = on.Exec(sql, params);
      ASSERT_TRUE(inserted) << inserted.error().ToString();
    }
  }

  // The IDs of the whole default listing, in order (no LIMIT: never served from anchors).
  std::vector<std::string> AllIds() {
    model::InstallationFilter all;
    all.paging = model::AllPagesNotDeleted();
    auto rows = store_->GetInstallations(all);
    EXPECT_TRUE(rows) << rows.error().ToString();
    std::vector<std::string> out;
    if (rows) {
      for (const auto& i : *rows) out.push_back(i.id);
    }
    return out;
  }

  std::vector<std::string> PageIds(int64_t page, int64_t per_page) {
    model::InstallationFilter filter;
    filter.paging.page = page;
    filter.paging.per_page = per_page;
    auto rows = store_->GetInstallations(filter);
    EXPECT_TRUE(rows) << rows.error().ToString();
    std::vector<std::string> out;
    if (rows) {
      for (const auto& i : *rows) out.push_back(i.id);
    }
    return out;
  }

  static std::vector<std::string> Slice(const std::vector<std::string>& all, int64_t page,
                                        int64_t per_page) {
    const size_t from = std::min(all.size(), static_cast<size_t>(page * per_page));
    const size_t to = std::min(all.size(), from + static_cast<size_t>(per_page));
    return {all.begin() + static_cast<std::ptrdiff_t>(from),
            all.begin() + static_cast<std::ptrdiff_t>(to)};
  }

  int64_t ListVersion(SqlDatabase& on, const char* column = "Version") {
    auto rows =
        on.Query("SELECT " + std::string(column) + " FROM InstallationListVersion WHERE ID = 1");
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows && !rows->empty() ? rows->front().GetInt64(0) : -1;
  }

  Result<model::InstallationDTO> CreateOn(SqlInstallationStore& on, std::string name) {
    model::Installation i;
    i.name = std::move(name);
    i.owner_id = "owner";
    i.state = model::InstallationState::kStable;
    i.affinity = "multitenant";
    return on.CreateInstallation(i, {}, {i.name + ".example.com"}, EventOptions::None());
  }

  // nullptr (and a test failure) when the second connection cannot be opened.
  std::unique_ptr<AnchorTestOtherProcess> OtherProcess(int64_t clock_start) {
    auto opened = test_db().OpenAnother();
    EXPECT_TRUE(opened) << opened.error().ToString();
    if (!opened) return nullptr;
    return std::make_unique<AnchorTestOtherProcess>(std::move(*opened), clock_start);
  }

  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlInstallationStore> store_;
};

TEST_P(InstallationPageAnchorTest, DeepPagesEqualTheSlicesOfTheFullListing) {
  SeedAnchorRows(db(), 2450);
  ASSERT_FALSE(HasFatalFailure());
  const std::vector<std::string> all = AllIds();
  ASSERT_EQ(all.size(), 2450u);

  int deep = 0;
  for (int64_t page = 0; page <= 25; ++page) {  // 24 is partial (50 rows), 25 is past the end
    SCOPED_TRACE("page " + std::to_string(page));
    EXPECT_EQ(PageIds(page, 100), Slice(all, page, 100));
    if (page * 100 >= SqlInstallationStore::kPageAnchorStride) ++deep;
  }
  for (int64_t page : {143, 144, 349, 350, 351}) {  // per_page 7: pages that straddle anchors
    SCOPED_TRACE("per_page 7, page " + std::to_string(page));
    EXPECT_EQ(PageIds(page, 7), Slice(all, page, 7));
    ++deep;
  }
  const PageAnchorStats stats = store_->page_anchor_stats();
  EXPECT_EQ(stats.builds, 1);  // one walk of the list for all of them
  EXPECT_EQ(stats.hits, deep);
  EXPECT_EQ(stats.fallbacks, 0);
}

TEST_P(InstallationPageAnchorTest, ChangesThroughAnotherConnectionAreNeverServedStale) {
  SeedAnchorRows(db(), 2300);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(PageIds(15, 100), Slice(AllIds(), 15, 100));
  ASSERT_EQ(store_->page_anchor_stats().builds, 1);

  // "Another process", with a clock far behind: its installation sorts first, shifting every
  // position by one.
  auto behind = OtherProcess(kAnchorSeedBase - 1'000'000);
  ASSERT_TRUE(behind);
  SqlInstallationStore& other = behind->store;
  const int64_t before_create = ListVersion(db());
  auto created = CreateOn(other, "early");
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_GT(ListVersion(db()), before_create);

  std::vector<std::string> all = AllIds();
  ASSERT_EQ(all.front(), created->installation.id);
  // Within the rebuild throttle: the stale anchors are not used, the page walks the OFFSET.
  EXPECT_EQ(PageIds(15, 100), Slice(all, 15, 100));
  EXPECT_EQ(store_->page_anchor_stats().fallbacks, 1);
  EXPECT_EQ(store_->page_anchor_stats().builds, 1);
  // After the throttle interval the anchors are rebuilt for the new version.
  clock_.Advance(SqlInstallationStore::kPageAnchorRebuildIntervalMs);
  EXPECT_EQ(PageIds(15, 100), Slice(all, 15, 100));
  EXPECT_EQ(store_->page_anchor_stats().builds, 2);

  // A state write does not change the listing: the anchors stay valid (no rebuild).
  const int64_t before_state = ListVersion(db());
  auto lease = behind->locks->AcquireOne(LockTable::kInstallation, all[5], "other");
  ASSERT_TRUE(lease) << lease.error().ToString();
  ASSERT_TRUE(other.UpdateInstallationState(all[5], model::InstallationState::kUpdateRequested,
                                            *lease, EventOptions::None()));
  EXPECT_EQ(ListVersion(db()), before_state);
  const int64_t hits = store_->page_anchor_stats().hits;
  EXPECT_EQ(PageIds(20, 100), Slice(all, 20, 100));
  EXPECT_EQ(store_->page_anchor_stats().hits, hits + 1);

  // A soft delete near the start (another connection) shifts the rest back by one.
  ASSERT_TRUE(other.DeleteInstallation(all[5], *lease));
  EXPECT_GT(ListVersion(db()), before_state);
  all = AllIds();
  ASSERT_EQ(all.size(), 2300u);
  clock_.Advance(SqlInstallationStore::kPageAnchorRebuildIntervalMs);
  for (int64_t page : {10, 17, 22, 23}) {
    SCOPED_TRACE("page " + std::to_string(page));
    EXPECT_EQ(PageIds(page, 100), Slice(all, page, 100));
  }
  EXPECT_EQ(store_->page_anchor_stats().builds, 3);
}

TEST_P(InstallationPageAnchorTest, AppendsKeepTheAnchorsAndAreListed) {
  SeedAnchorRows(db(), 2100);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(PageIds(20, 100), Slice(AllIds(), 20, 100));
  ASSERT_EQ(store_->page_anchor_stats().builds, 1);

  // Creates from another connection whose clock is ahead: each sorts after every listed row.
  auto ahead = OtherProcess(kAnchorSeedBase + 1'000'000);
  ASSERT_TRUE(ahead);
  const int64_t version = ListVersion(db());
  const int64_t changes = ListVersion(db(), "Changes");
  for (int n = 0; n < 150; ++n) {
    ahead->clock.Advance(1);
    ASSERT_TRUE(CreateOn(ahead->store, "appended" + std::to_string(n)));
  }
  EXPECT_EQ(ListVersion(db()), version);  // the anchors' version: nothing listed moved
  EXPECT_EQ(ListVersion(db(), "Changes"), changes + 150);

  const std::vector<std::string> all = AllIds();
  ASSERT_EQ(all.size(), 2250u);
  for (int64_t page : {10, 20, 21, 22, 23}) {  // 21 and 22 hold appended rows, 23 is empty
    SCOPED_TRACE("page " + std::to_string(page));
    EXPECT_EQ(PageIds(page, 100), Slice(all, page, 100));
  }
  const PageAnchorStats stats = store_->page_anchor_stats();
  EXPECT_EQ(stats.builds, 1);
  EXPECT_EQ(stats.fallbacks, 0);
  EXPECT_EQ(stats.hits, 6);

  // One create that sorts among the listed rows (a clock behind) does move them.
  ahead->clock.Set(kAnchorSeedBase + 500);
  ASSERT_TRUE(CreateOn(ahead->store, "between"));
  EXPECT_EQ(ListVersion(db()), version + 1);
  clock_.Advance(SqlInstallationStore::kPageAnchorRebuildIntervalMs);
  EXPECT_EQ(PageIds(15, 100), Slice(AllIds(), 15, 100));
  EXPECT_EQ(store_->page_anchor_stats().builds, 2);
}

// Writers on their own connections (appends from two clocks that interleave, and inserts among
// the listed rows) race a reader that rebuilds anchors whenever it may. Whatever anchors the
// reader holds at the end must still give exactly the slices of the final listing.
TEST_P(InstallationPageAnchorTest, AnchorsBuiltDuringConcurrentWritesAreNeverStale) {
  SeedAnchorRows(db(), 2000);
  ASSERT_FALSE(HasFatalFailure());
  std::atomic<bool> failed{false};
  std::atomic<int> writers_done{0};
  auto writer = [&](std::shared_ptr<AnchorTestOtherProcess> process, int64_t step, int creates) {
    for (int n = 0; n < creates && !failed; ++n) {
      process->clock.Advance(step);
      const std::string name =
          "w" + std::to_string(process->clock.NowMillis()) + "-" + std::to_string(n);
      if (!CreateOn(process->store, name)) failed = true;
    }
    ++writers_done;
  };
  std::vector<std::shared_ptr<AnchorTestOtherProcess>> processes;
  for (int64_t start :
       {kAnchorSeedBase + 1'000'000, kAnchorSeedBase + 1'000'001, kAnchorSeedBase + 10}) {
    processes.push_back(OtherProcess(start));
    ASSERT_TRUE(processes.back());
  }
  std::vector<std::thread> writers;
  writers.emplace_back(writer, processes[0], 3, 120);  // appends
  writers.emplace_back(writer, processes[1], 3, 120);  // appends, interleaved
  writers.emplace_back(writer, processes[2], 5, 40);   // among the listed rows
  std::mt19937 rng(7);
  while (writers_done.load() < 3) {
    clock_.Advance(SqlInstallationStore::kPageAnchorRebuildIntervalMs);  // rebuild when stale
    (void)PageIds(10 + static_cast<int64_t>(rng() % 10), 100);
  }
  for (std::thread& t : writers) t.join();
  ASSERT_FALSE(failed.load());
  EXPECT_GT(store_->page_anchor_stats().builds, 1);

  const std::vector<std::string> all = AllIds();
  ASSERT_EQ(all.size(), 2280u);
  const int64_t builds = store_->page_anchor_stats().builds;
  for (int64_t page = 10; page <= 23; ++page) {
    SCOPED_TRACE("page " + std::to_string(page));
    EXPECT_EQ(PageIds(page, 100), Slice(all, page, 100));
  }
  // No clock advance since the writers stopped: the pages came from the anchors already held
  // (or the OFFSET walk if they were stale), never from a fresh build.
  EXPECT_LE(store_->page_anchor_stats().builds, builds + 1);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(InstallationPageAnchorTest);

}  // namespace
}  // namespace cloud::store
