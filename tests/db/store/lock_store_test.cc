// Leases with fencing on both engines: acquisition, conflicts, expiry and takeover (ManualClock),
// fenced writes, all-or-nothing multi-row locks, batch claims, and two "stores" (two
// SqlDatabase connections) racing for 1,000 rows.
#include "store/lock_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using testlib::DatabaseTest;

constexpr std::string_view kInsertCluster =
    "INSERT INTO Cluster (ID, Provider, Provisioner, State, AllowInstallations, CreateAt, "
    "DeleteAt, APISecurityLock, LockAcquiredAt, PgBouncerConfig, SchedulingLockAcquiredAt) "
    "VALUES ($1, 'aws', 'kops', 'stable', true, $2, 0, false, 0, 'null', 0)";
constexpr std::string_view kInsertGroup =
    "INSERT INTO \"Group\" (ID, CreateAt, DeleteAt, Sequence, MaxRolling, LockAcquiredAt, Image) "
    "VALUES ($1, $2, 0, 0, 1, 0, '')";
constexpr std::string_view kInsertLogicalDatabase =
    "INSERT INTO LogicalDatabase (ID, MultitenantDatabaseID, Name, CreateAt, DeleteAt, "
    "LockAcquiredAt) VALUES ($1, $2, $1, $3, 0, 0)";

class LockStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    for (const char* id : {"c1", "c2", "c3"}) {
      ASSERT_TRUE(db().Exec(kInsertCluster, {id, int64_t{1}}));
    }
  }

  std::string Column(std::string_view sql_column, std::string_view id) {
    auto rows = db().Query("SELECT " + std::string(sql_column) + " FROM Cluster WHERE ID = $1",
                           {std::string(id)});
    EXPECT_TRUE(rows) << rows.error().ToString();
    if (!rows || rows->empty()) return "<none>";
    return rows->front().IsNull(0) ? "NULL" : rows->front().GetString(0);
  }

  std::unique_ptr<LockStore> locks_;
};

TEST_P(LockStoreTest, AcquireIsExclusiveNotReentrantAndReleasable) {
  auto a = locks_->AcquireOne(LockTable::kCluster, "c1", "locker-a");
  ASSERT_TRUE(a) << a.error().ToString();
  ASSERT_EQ(a->rows.size(), 1u);
  EXPECT_EQ(a->rows[0].id, "c1");
  EXPECT_EQ(a->rows[0].token, 1);
  EXPECT_EQ(a->locker_id, "locker-a");
  EXPECT_EQ(Column("LockAcquiredBy", "c1"), "locker-a");
  EXPECT_EQ(Column("LockAcquiredAt", "c1"), std::to_string(clock_.NowMillis()));

  for (const char* locker : {"locker-b", "locker-a"}) {
    SCOPED_TRACE(locker);
    auto again = locks_->AcquireOne(LockTable::kCluster, "c1", locker);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    EXPECT_EQ(again.error().message, "cluster c1 is locked by another process");
  }
  auto missing = locks_->AcquireOne(LockTable::kCluster, "nope", "locker-b");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(locks_->Release(*a));
  EXPECT_EQ(Column("LockAcquiredBy", "c1"), "NULL");
  EXPECT_EQ(Column("LockAcquiredAt", "c1"), "0");
  auto b = locks_->AcquireOne(LockTable::kCluster, "c1", "locker-b");
  ASSERT_TRUE(b) << b.error().ToString();
  EXPECT_EQ(b->rows[0].token, 2);  // tokens only grow
}

TEST_P(LockStoreTest, TakeoverHappensOnlyAfterExpiry) {
  auto a = locks_->AcquireOne(LockTable::kCluster, "c1", "locker-a");
  ASSERT_TRUE(a);
  clock_.Advance(locks_->lease_duration_ms());  // exactly the lease duration: still live
  auto early = locks_->AcquireOne(LockTable::kCluster, "c1", "locker-b");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kConflict);

  // Renewal restarts the lease.
  ASSERT_TRUE(locks_->Renew(*a));
  EXPECT_EQ(a->renewed_at, clock_.NowMillis());
  clock_.Advance(locks_->lease_duration_ms());
  ASSERT_FALSE(locks_->AcquireOne(LockTable::kCluster, "c1", "locker-b"));

  clock_.Advance(1);  // now expired
  auto b = locks_->AcquireOne(LockTable::kCluster, "c1", "locker-b");
  ASSERT_TRUE(b) << b.error().ToString();
  EXPECT_EQ(b->rows[0].token, a->rows[0].token + 1);

  auto renew = locks_->Renew(*a);
  ASSERT_FALSE(renew);
  EXPECT_EQ(renew.error().code, ErrorCode::kConflict);
  EXPECT_EQ(renew.error().message, "lease on cluster c1 lost");
  EXPECT_EQ(Column("LockAcquiredBy", "c1"), "locker-b");
}

TEST_P(LockStoreTest, AHolderWhoseLeaseWasTakenOverCannotWrite) {
  constexpr std::string_view kUpdateState = "UPDATE Cluster SET State = $1 WHERE ID = $2";
  auto a = locks_->AcquireOne(LockTable::kCluster, "c1", "locker-a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(FencedExec(db(), kUpdateState, {"a-1", "c1"}, *a, "c1"));
  EXPECT_EQ(Column("State", "c1"), "a-1");

  clock_.Advance(locks_->lease_duration_ms() + 1);
  auto b = locks_->AcquireOne(LockTable::kCluster, "c1", "locker-b");
  ASSERT_TRUE(b);

  auto stale = FencedExec(db(), kUpdateState, {"a-2", "c1"}, *a, "c1");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(stale.error().message, "lease on cluster c1 lost");
  ASSERT_TRUE(FencedExec(db(), kUpdateState, {"b-1", "c1"}, *b, "c1"));
  EXPECT_EQ(Column("State", "c1"), "b-1");

  // Even a holder with the same locker ID (a restarted process) is fenced by the token.
  clock_.Advance(locks_->lease_duration_ms() + 1);
  auto b2 = locks_->AcquireOne(LockTable::kCluster, "c1", "locker-b");
  ASSERT_TRUE(b2);
  EXPECT_FALSE(FencedExec(db(), kUpdateState, {"b-stale", "c1"}, *b, "c1"));
  EXPECT_EQ(Column("State", "c1"), "b-1");

  // The old holder's release does not free the new holder's lease.
  auto release = locks_->Release(*a);
  ASSERT_FALSE(release);
  EXPECT_EQ(release.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Column("LockAcquiredBy", "c1"), "locker-b");

  // A lease that does not cover the row is a caller bug.
  auto other_row = FencedExec(db(), kUpdateState, {"x", "c2"}, *b2, "c2");
  ASSERT_FALSE(other_row);
  EXPECT_EQ(other_row.error().code, ErrorCode::kFailedPrecondition);

  // Fence() for hand-written statements.
  SqlFragment fence = b2->Fence("c1", 3);
  EXPECT_EQ(fence.sql, " AND LockAcquiredBy = $3 AND LockFencingToken = $4");
  auto changed = db().Exec("UPDATE Cluster SET State = $1 WHERE ID = $2" + fence.sql,
                           {"b-2", "c1", fence.params[0], fence.params[1]});
  ASSERT_TRUE(changed) << changed.error().ToString();
  EXPECT_EQ(*changed, 1);
}

TEST_P(LockStoreTest, MultiRowLocksAreAllOrNothing) {
  auto held = locks_->AcquireOne(LockTable::kCluster, "c2", "locker-b");
  ASSERT_TRUE(held);
  auto all = locks_->Acquire(LockTable::kCluster, {"c1", "c2", "c3"}, "locker-a");
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().code, ErrorCode::kConflict);
  for (const char* id : {"c1", "c3"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(Column("LockAcquiredAt", id), "0");
    EXPECT_EQ(Column("LockFencingToken", id), "0");
  }
  auto with_missing = locks_->Acquire(LockTable::kCluster, {"c1", "zz", "c3"}, "locker-a");
  ASSERT_FALSE(with_missing);
  EXPECT_EQ(with_missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(with_missing.error().message, "cluster zz not found");
  EXPECT_EQ(Column("LockAcquiredAt", "c1"), "0");

  ASSERT_TRUE(locks_->Release(*held));
  auto now_all = locks_->Acquire(LockTable::kCluster, {"c3", "c1", "c2", "c1"}, "locker-a");
  ASSERT_TRUE(now_all) << now_all.error().ToString();
  ASSERT_EQ(now_all->rows.size(), 3u);
  EXPECT_EQ(now_all->rows[0].id, "c1");
  EXPECT_EQ(now_all->rows[2].id, "c3");
  EXPECT_EQ(now_all->TokenOf("c2"), 2);
  EXPECT_EQ(now_all->Only("c3").rows, std::vector<LeasedRow>({{"c3", 1}}));
  ASSERT_TRUE(locks_->Renew(*now_all));
  ASSERT_TRUE(locks_->Release(*now_all));
  for (const char* id : {"c1", "c2", "c3"}) EXPECT_EQ(Column("LockAcquiredBy", id), "NULL");
}

TEST_P(LockStoreTest, SchedulingLockAndGroupLockUseTheirOwnColumns) {
  auto lock = locks_->AcquireOne(LockTable::kCluster, "c1", "a");
  ASSERT_TRUE(lock);
  auto scheduling = locks_->AcquireOne(LockTable::kClusterScheduling, "c1", "b");
  ASSERT_TRUE(scheduling) << scheduling.error().ToString();
  EXPECT_EQ(Column("SchedulingLockAcquiredBy", "c1"), "b");
  EXPECT_EQ(Column("SchedulingLockFencingToken", "c1"), "1");
  EXPECT_FALSE(locks_->AcquireOne(LockTable::kClusterScheduling, "c1", "c"));
  ASSERT_TRUE(FencedExec(db(), "UPDATE Cluster SET AllowInstallations = $1 WHERE ID = $2",
                         {false, "c1"}, *scheduling, "c1"));
  ASSERT_TRUE(locks_->Release(*scheduling));
  EXPECT_EQ(Column("LockAcquiredBy", "c1"), "a");

  ASSERT_TRUE(db().Exec(kInsertGroup, {"g1", int64_t{1}}));
  auto group = locks_->AcquireOne(LockTable::kGroup, "g1", "a");
  ASSERT_TRUE(group) << group.error().ToString();
  EXPECT_FALSE(locks_->AcquireOne(LockTable::kGroup, "g1", "b"));
  ASSERT_TRUE(FencedExec(db(), "UPDATE \"Group\" SET Sequence = Sequence + 1 WHERE ID = $1", {"g1"},
                         *group, "g1"));
}

TEST_P(LockStoreTest, UpstreamStyleUnlockAndForceUnlock) {
  ASSERT_TRUE(locks_->Acquire(LockTable::kCluster, {"c1", "c2"}, "request-1"));
  auto wrong = locks_->ReleaseByLocker(LockTable::kCluster, {"c1", "c2"}, "request-2");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(*wrong, 0);
  auto right = locks_->ReleaseByLocker(LockTable::kCluster, {"c1"}, "request-1");
  ASSERT_TRUE(right);
  EXPECT_EQ(*right, 1);
  auto forced = locks_->ForceRelease(LockTable::kCluster, {"c1", "c2", "c3"});
  ASSERT_TRUE(forced);
  EXPECT_EQ(*forced, 1);  // only c2 was still locked
  EXPECT_EQ(Column("LockAcquiredBy", "c2"), "NULL");
}

TEST_P(LockStoreTest, ClaimAvailableTakesFreeAndExpiredRowsInOrder) {
  ASSERT_TRUE(db().Exec("UPDATE Cluster SET CreateAt = 10 WHERE ID = 'c3'"));
  ASSERT_TRUE(db().Exec("UPDATE Cluster SET State = 'deleted' WHERE ID = 'c2'"));
  auto held = locks_->AcquireOne(LockTable::kCluster, "c1", "other");
  ASSERT_TRUE(held);

  ClaimRequest request;
  request.table = LockTable::kCluster;
  request.locker_id = "worker";
  request.limit = 10;
  request.where = "State <> $5";
  request.where_params = {"deleted"};
  request.order_by = "CreateAt DESC";
  auto claimed = locks_->ClaimAvailable(request);
  ASSERT_TRUE(claimed) << claimed.error().ToString();
  ASSERT_EQ(claimed->rows.size(), 1u);
  EXPECT_EQ(claimed->rows[0].id, "c3");

  auto none = locks_->ClaimAvailable(request);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->rows.empty());

  clock_.Advance(locks_->lease_duration_ms() + 1);
  auto expired = locks_->ClaimAvailable(request);
  ASSERT_TRUE(expired);
  ASSERT_EQ(expired->rows.size(), 2u);  // c1's and c3's leases expired
  EXPECT_EQ(expired->TokenOf("c3"), 2);

  // A pending-work query that skips rows under a live lease.
  ASSERT_TRUE(locks_->Release(expired->Only("c1")));
  SqlFragment available = locks_->AvailableCondition(LockTable::kCluster, 1);
  auto pending = db().Query("SELECT ID FROM Cluster WHERE " + available.sql + " ORDER BY ID",
                            available.params);
  ASSERT_TRUE(pending) << pending.error().ToString();
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].GetString(0), "c1");
  EXPECT_EQ((*pending)[1].GetString(0), "c2");
}

TEST_P(LockStoreTest, TwoStoresRacingFor1000RowsClaimEachRowExactlyOnce) {
  constexpr int kRows = 1000;
  std::vector<std::string> ids;
  {
    auto tx = db().Begin();
    ASSERT_TRUE(tx);
    for (int i = 0; i < kRows; ++i) {
      ids.push_back("ld" + std::to_string(10000 + i));
      ASSERT_TRUE((*tx)->Exec(kInsertLogicalDatabase, {ids.back(), "m", int64_t{i}}));
    }
    ASSERT_TRUE((*tx)->Commit());
  }
  auto second_db = test_db().OpenAnother();
  ASSERT_TRUE(second_db) << second_db.error().ToString();
  auto second_locks = MakeSqlLockStore(**second_db, clock_);

  // Round 1: every thread tries to lock every row (single-row Acquire), in its own order.
  std::mutex mu;
  std::vector<std::string> won;
  std::vector<std::string> errors;
  auto contender = [&](LockStore& store, std::string locker, unsigned seed) {
    std::vector<std::string> order = ids;
    std::shuffle(order.begin(), order.end(), std::mt19937(seed));
    for (const std::string& id : order) {
      auto lease = store.AcquireOne(LockTable::kLogicalDatabase, id, locker);
      std::lock_guard lock(mu);
      if (lease) {
        won.push_back(id);
      } else if (lease.error().code != ErrorCode::kConflict) {
        errors.push_back(lease.error().ToString());
      }
    }
  };
  {
    std::vector<std::thread> threads;
    threads.emplace_back(contender, std::ref(*locks_), "a1", 1);
    threads.emplace_back(contender, std::ref(*locks_), "a2", 2);
    threads.emplace_back(contender, std::ref(*second_locks), "b1", 3);
    threads.emplace_back(contender, std::ref(*second_locks), "b2", 4);
    for (auto& t : threads) t.join();
  }
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(won.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(std::set<std::string>(won.begin(), won.end()).size(), static_cast<size_t>(kRows));

  // Round 2: after expiry, batch claims (FOR UPDATE SKIP LOCKED on PostgreSQL).
  clock_.Advance(locks_->lease_duration_ms() + 1);
  std::vector<std::string> claimed;
  auto claimer = [&](LockStore& store, std::string locker) {
    for (;;) {
      ClaimRequest request{LockTable::kLogicalDatabase, locker, 25, "", {}, "CreateAt"};
      auto lease = store.ClaimAvailable(request);
      std::lock_guard lock(mu);
      if (!lease) {
        errors.push_back(lease.error().ToString());
        return;
      }
      if (lease->rows.empty()) return;
      for (const LeasedRow& row : lease->rows) claimed.push_back(row.id);
    }
  };
  {
    std::vector<std::thread> threads;
    threads.emplace_back(claimer, std::ref(*locks_), "a1");
    threads.emplace_back(claimer, std::ref(*locks_), "a2");
    threads.emplace_back(claimer, std::ref(*second_locks), "b1");
    threads.emplace_back(claimer, std::ref(*second_locks), "b2");
    for (auto& t : threads) t.join();
  }
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(),
            static_cast<size_t>(kRows));
  auto tokens =
      db().Query("SELECT MIN(LockFencingToken), MAX(LockFencingToken) FROM LogicalDatabase");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(tokens->front().GetInt64(0), 2);
  EXPECT_EQ(tokens->front().GetInt64(1), 2);
}

TEST_P(LockStoreTest, ConcurrentMultiRowAcquisitionsNeverDeadlockOrOverlap) {
  // Overlapping sets locked in opposite orders from two connections.
  auto second_db = test_db().OpenAnother();
  ASSERT_TRUE(second_db);
  auto second_locks = MakeSqlLockStore(**second_db, clock_);
  std::atomic<int> wins{0};
  std::mutex mu;
  std::vector<std::string> errors;
  auto run = [&](LockStore& store, std::vector<std::string> ids, std::string locker) {
    for (int i = 0; i < 100; ++i) {
      auto lease = store.Acquire(LockTable::kCluster, ids, locker);
      if (lease) {
        ++wins;
        auto released = store.Release(*lease);
        if (!released) {
          std::lock_guard lock(mu);
          errors.push_back(released.error().ToString());
        }
      } else if (lease.error().code != ErrorCode::kConflict) {
        std::lock_guard lock(mu);
        errors.push_back(lease.error().ToString());
      }
    }
  };
  std::thread t1(run, std::ref(*locks_), std::vector<std::string>{"c1", "c2", "c3"}, "a");
  std::thread t2(run, std::ref(*second_locks), std::vector<std::string>{"c3", "c2", "c1"}, "b");
  t1.join();
  t2.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_GT(wins.load(), 0);
  for (const char* id : {"c1", "c2", "c3"}) EXPECT_EQ(Column("LockAcquiredAt", id), "0");
}

CLOUD_INSTANTIATE_ENGINE_TESTS(LockStoreTest);

}  // namespace
}  // namespace cloud::store
