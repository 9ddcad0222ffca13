// AppendStateChangeEvent on both engines: the rows it writes, deliveries only for live
// resourceStateChange subscriptions (batched past 50), and nothing left after a rollback.
#include "store/event_outbox.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "model/json_codec.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using testlib::DatabaseTest;

constexpr std::string_view kInsertSubscription =
    "INSERT INTO Subscription (ID, Name, URL, OwnerID, EventType, LastDeliveryAttemptAt, "
    "LastDeliveryStatus, FailureThreshold, CreateAt, DeleteAt, LockAcquiredAt) "
    "VALUES ($1, 'n', 'http://x', 'o', $2, 0, '', 0, 1, $3, 0)";

class EventOutboxTest : public DatabaseTest {
 protected:
  int64_t Count(const std::string& sql, const SqlParams& params = {}) {
    auto rows = db().Query(sql, params);
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows ? rows->front().GetInt64(0) : -1;
  }
  void AddSubscription(const std::string& id, const std::string& type, int64_t delete_at = 0) {
    ASSERT_TRUE(db().Exec(kInsertSubscription, {id, type, delete_at}));
  }
  Result<std::string> Append(const StateChangeRecord& change) {
    CLOUD_TRY(std::unique_ptr<SqlTransaction> tx, db().Begin());
    CLOUD_TRY(std::string id, AppendStateChangeEvent(*tx, change, clock_));
    CLOUD_TRY_VOID(tx->Commit());
    return id;
  }
};

TEST_P(EventOutboxTest, WritesEventStateChangeAndDeliveries) {
  AddSubscription("live", "resourceStateChange");
  AddSubscription("deleted", "resourceStateChange", 5);
  AddSubscription("other-type", "somethingElse");
  auto id = Append({model::ResourceType::kClusterInstallation,
                    "ci1",
                    "n/a",
                    "creation-requested",
                    {{"Environment", "dev"}, {"ClusterID", "c1"}}});
  ASSERT_TRUE(id) << id.error().ToString();
  EXPECT_EQ(id->size(), 26u);

  auto event = db().Query("SELECT Timestamp, EventType, ExtraData FROM Event WHERE ID = $1", {*id});
  ASSERT_TRUE(event);
  ASSERT_EQ(event->size(), 1u);
  EXPECT_EQ(event->front().GetInt64(0), clock_.NowMillis());
  EXPECT_EQ(event->front().GetString(1), "resourceStateChange");
  EXPECT_EQ(event->front().GetBlob(2), R"({"fields":{"ClusterID":"c1","Environment":"dev"}})");

  auto change = db().Query(
      "SELECT ResourceID, ResourceType, OldState, NewState FROM StateChangeEvent WHERE EventID = "
      "$1",
      {*id});
  ASSERT_TRUE(change);
  ASSERT_EQ(change->size(), 1u);
  EXPECT_EQ(change->front().GetString(0), "ci1");
  EXPECT_EQ(change->front().GetString(1), "cluster_installation");
  EXPECT_EQ(change->front().GetString(2), "n/a");
  EXPECT_EQ(change->front().GetString(3), "creation-requested");

  auto deliveries = db().Query(
      "SELECT SubscriptionID, Status, LastAttempt, Attempts FROM EventDelivery WHERE EventID = $1",
      {*id});
  ASSERT_TRUE(deliveries);
  ASSERT_EQ(deliveries->size(), 1u);
  EXPECT_EQ(deliveries->front().GetString(0), "live");
  EXPECT_EQ(deliveries->front().GetString(1), "not-attempted");
  EXPECT_EQ(deliveries->front().GetInt64(2), 0);
  EXPECT_EQ(deliveries->front().GetInt64(3), 0);
}

TEST_P(EventOutboxTest, NoSubscriptionsNoDeliveriesAndManySubscriptionsAreBatched) {
  ASSERT_TRUE(Append({model::ResourceType::kCluster, "c", "a", "b", {}}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM Event"), 1);
  for (int i = 0; i < 120; ++i) AddSubscription("s" + std::to_string(i), "resourceStateChange");
  auto id = Append({model::ResourceType::kCluster, "c", "b", "c", {}});
  ASSERT_TRUE(id) << id.error().ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE EventID = $1", {*id}), 120);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT SubscriptionID) FROM EventDelivery"), 120);
}

TEST_P(EventOutboxTest, RollbackRemovesEverything) {
  AddSubscription("live", "resourceStateChange");
  {
    auto tx = db().Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(AppendStateChangeEvent(
        **tx, {model::ResourceType::kInstallation, "i", "n/a", "creation-requested", {}}, clock_));
    // Destroyed without Commit: rolled back.
  }
  {
    auto tx = db().Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(AppendStateChangeEvent(
        **tx, {model::ResourceType::kInstallation, "i", "n/a", "creation-requested", {}}, clock_));
    ASSERT_TRUE((*tx)->Rollback());
  }
  // A failing statement later in the same transaction (RunInTransaction) rolls it back too.
  auto failed = RunInTransaction(db(), [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(std::string id,
              AppendStateChangeEvent(tx, {model::ResourceType::kInstallation, "i", "a", "b", {}},
                                     clock_));
    (void)id;
    return Conflict("state write lost its lease");
  });
  ASSERT_FALSE(failed);
  for (const char* table : {"Event", "StateChangeEvent", "EventDelivery"}) {
    SCOPED_TRACE(table);
    EXPECT_EQ(Count(std::string("SELECT COUNT(*) FROM ") + table), 0);
  }
}

// Subscriptions and legacy webhooks are found by one query (issue 6): both get their rows, live
// ones only, each in (CreateAt, ID) order of Sequence, subscriptions first; the webhook payload
// carries the new event's ID.
TEST_P(EventOutboxTest, SubscriptionsAndWebhooksAreServedInCreationOrder) {
  for (const auto& [id, create_at] :
       std::vector<std::pair<std::string, int64_t>>{{"s-b", 5}, {"s-a", 5}, {"s-c", 2}}) {
    ASSERT_TRUE(db().Exec(
        "INSERT INTO Subscription (ID, Name, URL, OwnerID, EventType, LastDeliveryAttemptAt, "
        "LastDeliveryStatus, FailureThreshold, CreateAt, DeleteAt, LockAcquiredAt) VALUES ($1, "
        "'n', 'http://x', 'o', 'resourceStateChange', 0, '', 0, $2, 0, 0)",
        {id, create_at}));
  }
  for (const auto& [id, create_at, delete_at] :
       std::vector<std::tuple<std::string, int64_t, int64_t>>{
           {"w-b", 3, 0}, {"w-a", 3, 0}, {"w-c", 1, 0}, {"w-gone", 1, 9}}) {
    ASSERT_TRUE(db().Exec(
        "INSERT INTO Webhooks (ID, OwnerID, URL, CreateAt, DeleteAt) VALUES ($1, 'o', $2, $3, $4)",
        {id, "http://" + id, create_at, delete_at}));
  }
  auto event = Append({model::ResourceType::kInstallation, "i1", "stable", "update-requested", {}});
  ASSERT_TRUE(event) << event.error().ToString();
  auto subscriptions = db().Query(
      "SELECT SubscriptionID FROM EventDelivery WHERE EventID = $1 ORDER BY Sequence", {*event});
  ASSERT_TRUE(subscriptions) << subscriptions.error().ToString();
  std::vector<std::string> got;
  for (Row row : *subscriptions) got.push_back(row.GetString(0));
  EXPECT_EQ(got, (std::vector<std::string>{"s-c", "s-a", "s-b"}));
  auto webhooks = db().Query(
      "SELECT WebhookID, Payload, Sequence FROM WebhookDelivery WHERE EventID = $1 ORDER BY "
      "Sequence",
      {*event});
  ASSERT_TRUE(webhooks) << webhooks.error().ToString();
  got.clear();
  for (Row row : *webhooks) {
    got.push_back(row.GetString(0));
    EXPECT_NE(row.GetBlob(1).find("\"event_id\":\"" + *event + "\""), std::string::npos)
        << row.GetBlob(1);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"w-c", "w-a", "w-b"}));
  EXPECT_LT(Count("SELECT MAX(Sequence) FROM EventDelivery"),
            Count("SELECT MIN(Sequence) FROM WebhookDelivery"));
}

CLOUD_INSTANTIATE_ENGINE_TESTS(EventOutboxTest);

}  // namespace
}  // namespace cloud::store
