// SqlSubscriptionStore on both engines: create/get/list (owner, event type, CreateAt DESC),
// count, soft delete, fenced status updates and the up-to-date / retrying claims.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/sql_subscription_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using model::Subscription;
using model::SubscriptionDeliveryStatus;
using testlib::DatabaseTest;

class SubscriptionStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlSubscriptionStore>(db(), *locks_, clock_);
  }
  Subscription Create(const std::string& owner, const std::string& type = "resourceStateChange") {
    Subscription s;
    s.name = "sub-" + owner;
    s.url = "http://localhost/" + owner;
    s.owner_id = owner;
    s.event_type = type;
    s.failure_threshold = 60'000'000'000;
    auto created = store_->CreateSubscription(s);
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(5);
    return created ? *created : s;
  }
  void AddEvent() {
    auto tx = db().Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(AppendStateChangeEvent(
        **tx, {model::ResourceType::kCluster, "c1", "n/a", "creation-requested", {}}, clock_));
    ASSERT_TRUE((*tx)->Commit());
  }
  static std::vector<std::string> Ids(const std::vector<Subscription>& subs) {
    std::vector<std::string> ids;
    for (const auto& s : subs) ids.push_back(s.id);
    return ids;
  }
  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlSubscriptionStore> store_;
};

TEST_P(SubscriptionStoreTest, CreateGetListCountDelete) {
  Subscription s;
  s.name = "n";
  s.url = "http://x";
  s.owner_id = "o1";
  s.event_type = "resourceStateChange";
  s.failure_threshold = 123;
  s.headers = model::Headers{{"k", std::string("v"), std::nullopt}};
  auto a = store_->CreateSubscription(s);
  ASSERT_TRUE(a) << a.error().ToString();
  clock_.Advance(5);
  auto got = store_->GetSubscription(a->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, *a);
  EXPECT_EQ((*got)->last_delivery_status, SubscriptionDeliveryStatus::kNone);
  Subscription b = Create("o2");
  Subscription c = Create("o1", "other");

  struct Case {
    std::string name;
    model::SubscriptionsFilter filter;
    std::vector<std::string> want;
  };
  std::vector<Case> cases;
  cases.push_back({"CreateAt DESC", {}, {c.id, b.id, a->id}});
  {
    model::SubscriptionsFilter f;
    f.owner = "o1";
    cases.push_back({"owner", f, {c.id, a->id}});
  }
  {
    model::SubscriptionsFilter f;
    f.event_type = "resourceStateChange";
    f.paging.per_page = 1;
    cases.push_back({"event type + paging", f, {b.id}});
  }
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto list = store_->GetSubscriptions(tc.filter);
    ASSERT_TRUE(list) << list.error().ToString();
    EXPECT_EQ(Ids(*list), tc.want);
  }
  EXPECT_EQ(*store_->CountSubscriptionsForEvent("resourceStateChange"), 2);
  ASSERT_TRUE(store_->DeleteSubscription(b.id));
  ASSERT_TRUE(store_->DeleteSubscription(b.id));
  EXPECT_EQ(store_->DeleteSubscription("nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->CountSubscriptionsForEvent("resourceStateChange"), 1);
  EXPECT_EQ(Ids(*store_->GetSubscriptions({})), (std::vector<std::string>{c.id, a->id}));
  EXPECT_NE((*store_->GetSubscription(b.id))->delete_at, 0);
}

TEST_P(SubscriptionStoreTest, ClaimUpToDateNeedsNotAttemptedDeliveries) {
  Subscription s1 = Create("o1");
  Subscription s2 = Create("o2");
  auto none = store_->ClaimUpToDateSubscription("me");
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_FALSE(none->has_value());

  AddEvent();  // one not-attempted delivery for each
  auto first = store_->ClaimUpToDateSubscription("me");
  ASSERT_TRUE(first && first->has_value());
  auto second = store_->ClaimUpToDateSubscription("me");
  ASSERT_TRUE(second && second->has_value());
  EXPECT_NE((*first)->subscription.id, (*second)->subscription.id);
  EXPECT_TRUE((*first)->lease.Holds((*first)->subscription.id));
  EXPECT_EQ((*first)->subscription.lock_acquired_by, "me");
  auto third = store_->ClaimUpToDateSubscription("me");
  ASSERT_TRUE(third);
  EXPECT_FALSE(third->has_value());  // both leased

  // Status update under the lease; a failed subscription is not up to date.
  const std::string id = (*first)->subscription.id;
  ASSERT_TRUE(store_->UpdateSubscriptionStatus(id, SubscriptionDeliveryStatus::kFailed,
                                               clock_.NowMillis(), (*first)->lease));
  auto updated = *store_->GetSubscription(id);
  EXPECT_EQ(updated->last_delivery_status, SubscriptionDeliveryStatus::kFailed);
  EXPECT_EQ(updated->last_delivery_attempt_at, clock_.NowMillis());
  ASSERT_TRUE(locks_->Release((*first)->lease));
  ASSERT_TRUE(locks_->Release((*second)->lease));
  auto up_to_date = store_->ClaimUpToDateSubscription("me");
  ASSERT_TRUE(up_to_date && up_to_date->has_value());
  EXPECT_NE((*up_to_date)->subscription.id, id);
  (void)s1;
  (void)s2;

  // Retrying: only after the cooldown.
  auto too_soon = store_->ClaimRetryingSubscription("me", 20'000);
  ASSERT_TRUE(too_soon);
  EXPECT_FALSE(too_soon->has_value());
  clock_.Advance(20'001);
  auto retrying = store_->ClaimRetryingSubscription("me", 20'000);
  ASSERT_TRUE(retrying && retrying->has_value());
  EXPECT_EQ((*retrying)->subscription.id, id);

  // A lost lease rejects the status update.
  ASSERT_TRUE(locks_->Release((*retrying)->lease));
  auto stale = store_->UpdateSubscriptionStatus(id, SubscriptionDeliveryStatus::kNone, 1,
                                                (*retrying)->lease);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
}

TEST_P(SubscriptionStoreTest, DeletedSubscriptionsAreNotClaimedAndStatusUpdateIsANoOp) {
  Subscription s = Create("o1");
  AddEvent();
  auto claim = store_->ClaimUpToDateSubscription("me");
  ASSERT_TRUE(claim && claim->has_value());
  ASSERT_TRUE(store_->DeleteSubscription(s.id));
  EXPECT_TRUE(store_->UpdateSubscriptionStatus(s.id, SubscriptionDeliveryStatus::kFailed, 9,
                                               (*claim)->lease));
  EXPECT_EQ((*store_->GetSubscription(s.id))->last_delivery_attempt_at, 0);
  ASSERT_TRUE(locks_->Release((*claim)->lease));
  auto none = store_->ClaimUpToDateSubscription("me");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

CLOUD_INSTANTIATE_ENGINE_TESTS(SubscriptionStoreTest);

}  // namespace
}  // namespace cloud::store
