// SqlEventStore on both engines: listing state-change events with filters and paging (newest
// first), get by ID, pending deliveries of a subscription in event order, and delivery updates
// fenced by the subscription's lease.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/sql_event_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using model::EventDeliveryStatus;
using testlib::DatabaseTest;

constexpr std::string_view kInsertSubscription =
    "INSERT INTO Subscription (ID, Name, URL, OwnerID, EventType, LastDeliveryAttemptAt, "
    "LastDeliveryStatus, FailureThreshold, CreateAt, DeleteAt, LockAcquiredAt) "
    "VALUES ($1, 'n', 'http://x', 'o', 'resourceStateChange', 0, '', 0, 1, 0, 0)";

class EventStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlEventStore>(db());
  }
  std::string Append(model::ResourceType type, const std::string& id, const std::string& from,
                     const std::string& to) {
    auto tx = db().Begin();
    EXPECT_TRUE(tx);
    auto event = AppendStateChangeEvent(**tx, {type, id, from, to, {{"Environment", "t"}}}, clock_);
    EXPECT_TRUE(event) << event.error().ToString();
    EXPECT_TRUE((*tx)->Commit());
    clock_.Advance(10);
    return event ? *event : "";
  }
  static std::vector<std::string> EventIds(const std::vector<model::StateChangeEventData>& data) {
    std::vector<std::string> ids;
    for (const auto& d : data) ids.push_back(d.event.id);
    return ids;
  }
  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlEventStore> store_;
};

TEST_P(EventStoreTest, ListFiltersAndPaging) {
  const std::string e1 = Append(model::ResourceType::kCluster, "c1", "n/a", "creation-requested");
  const std::string e2 =
      Append(model::ResourceType::kInstallation, "i1", "n/a", "creation-requested");
  const std::string e3 =
      Append(model::ResourceType::kCluster, "c1", "creation-requested", "stable");
  const std::string e4 = Append(model::ResourceType::kCluster, "c2", "n/a", "creation-requested");
  struct Case {
    std::string name;
    model::StateChangeEventFilter filter;
    std::vector<std::string> want;
  };
  std::vector<Case> cases;
  cases.push_back({"newest first", {}, {e4, e3, e2, e1}});
  {
    model::StateChangeEventFilter f;
    f.resource_type = "cluster";
    cases.push_back({"resource type", f, {e4, e3, e1}});
  }
  {
    model::StateChangeEventFilter f;
    f.resource_id = "c1";
    cases.push_back({"resource id", f, {e3, e1}});
  }
  {
    model::StateChangeEventFilter f;
    f.old_states = {"n/a"};
    f.resource_type = "cluster";
    cases.push_back({"old states", f, {e4, e1}});
  }
  {
    model::StateChangeEventFilter f;
    f.new_states = {"stable", "deleted"};
    cases.push_back({"new states", f, {e3}});
  }
  {
    model::StateChangeEventFilter f;
    f.paging.per_page = 2;
    f.paging.page = 1;
    cases.push_back({"paging", f, {e2, e1}});
  }
  {
    model::StateChangeEventFilter f;
    f.paging = model::AllPagesNotDeleted();
    f.paging.include_deleted = false;
    cases.push_back({"all pages; include_deleted irrelevant", f, {e4, e3, e2, e1}});
  }
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto got = store_->GetStateChangeEvents(tc.filter);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(EventIds(*got), tc.want);
  }
}

TEST_P(EventStoreTest, GetStateChangeEvent) {
  const int64_t at = clock_.NowMillis();
  const std::string id =
      Append(model::ResourceType::kInstallation, "i1", "stable", "update-requested");
  auto got = store_->GetStateChangeEvent(id);
  ASSERT_TRUE(got && got->has_value()) << (got ? "" : got.error().ToString());
  const model::StateChangeEventData& d = **got;
  EXPECT_EQ(d.event.id, id);
  EXPECT_EQ(d.event.timestamp, at);
  EXPECT_EQ(d.event.event_type, model::EventType::kResourceStateChange);
  EXPECT_EQ(d.event.extra_data.fields, (std::map<std::string, std::string>{{"Environment", "t"}}));
  EXPECT_EQ(d.state_change.event_id, id);
  EXPECT_EQ(d.state_change.id.size(), 26u);
  EXPECT_EQ(d.state_change.resource_id, "i1");
  EXPECT_EQ(d.state_change.resource_type, model::ResourceType::kInstallation);
  EXPECT_EQ(d.state_change.old_state, "stable");
  EXPECT_EQ(d.state_change.new_state, "update-requested");
  EXPECT_FALSE((*store_->GetStateChangeEvent("missing")).has_value());
}

TEST_P(EventStoreTest, PendingDeliveriesInEventOrderAndFencedUpdates) {
  ASSERT_TRUE(db().Exec(kInsertSubscription, {std::string("sub1")}));
  const std::string e1 = Append(model::ResourceType::kCluster, "c1", "n/a", "creation-requested");
  const std::string e2 =
      Append(model::ResourceType::kCluster, "c1", "creation-requested", "creation-in-progress");
  const std::string e3 =
      Append(model::ResourceType::kCluster, "c1", "creation-in-progress", "stable");
  auto pending = store_->GetStateChangeEventsToProcess("sub1");
  ASSERT_TRUE(pending) << pending.error().ToString();
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].event_data.event.id, e1);
  EXPECT_EQ((*pending)[1].event_data.event.id, e2);
  EXPECT_EQ((*pending)[2].event_data.event.id, e3);
  EXPECT_EQ((*pending)[0].delivery.event_id, e1);
  EXPECT_EQ((*pending)[0].delivery.subscription_id, "sub1");
  EXPECT_EQ((*pending)[0].delivery.status, EventDeliveryStatus::kNotAttempted);

  auto lease = locks_->AcquireOne(LockTable::kSubscription, "sub1", "worker");
  ASSERT_TRUE(lease);
  model::EventDelivery delivered = (*pending)[0].delivery;
  delivered.status = EventDeliveryStatus::kDelivered;
  delivered.attempts = 1;
  delivered.last_attempt = clock_.NowMillis();
  ASSERT_TRUE(store_->UpdateEventDeliveryStatus(delivered, *lease));
  model::EventDelivery retrying = (*pending)[1].delivery;
  retrying.status = EventDeliveryStatus::kRetrying;
  retrying.attempts = 2;
  ASSERT_TRUE(store_->UpdateEventDeliveryStatus(retrying, *lease));

  pending = store_->GetStateChangeEventsToProcess("sub1");
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].delivery.status, EventDeliveryStatus::kRetrying);
  EXPECT_EQ((*pending)[0].delivery.attempts, 2);
  EXPECT_EQ((*pending)[1].event_data.event.id, e3);

  auto all = store_->GetDeliveriesForSubscription("sub1");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0], delivered);

  // Lost lease: rejected.
  ASSERT_TRUE(locks_->Release(*lease));
  model::EventDelivery late = (*pending)[1].delivery;
  late.status = EventDeliveryStatus::kDelivered;
  auto stale = store_->UpdateEventDeliveryStatus(late, *lease);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->GetStateChangeEventsToProcess("sub1")->size(), 2u);

  // A delivery whose event is missing is an error (upstream's count mismatch).
  ASSERT_TRUE(db().Exec("DELETE FROM Event WHERE ID = $1", {e3}));
  auto broken = store_->GetStateChangeEventsToProcess("sub1");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kInternal);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(EventStoreTest);

}  // namespace
}  // namespace cloud::store
