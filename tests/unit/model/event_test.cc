#include "model/event.h"

#include <gtest/gtest.h>

namespace cloud::model {
namespace {

TEST(StateChangeEventData, RoundTripFullyPopulated) {
  const std::string text =
      R"({"Event":{"ID":"e1","EventType":"resourceStateChange","Timestamp":1700000000123,)"
      R"("ExtraData":{"fields":{"Environment":"dev","Name":"inst"}}},)"
      R"("StateChange":{"ID":"s1","EventID":"e1","OldState":"n/a",)"
      R"("NewState":"creation-requested","ResourceID":"i1","ResourceType":"installation"}})";
  auto d = DecodeJson<StateChangeEventData>(text);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->event.event_type, EventType::kResourceStateChange);
  EXPECT_EQ(d->state_change.resource_type, ResourceType::kInstallation);
  EXPECT_EQ(EncodeJson(*d), text);
}

TEST(StateChangeEventData, FieldsNullWhenNil) {
  EXPECT_EQ(EncodeJson(Event{}), R"({"ID":"","EventType":"resourceStateChange","Timestamp":0,)"
                                 R"("ExtraData":{"fields":null}})");
}

TEST(StateChangeEventPayload, RoundTripMixedKeyStyles) {
  const std::string text =
      R"({"eventId":"e1","timestamp":1700000000123,"resourceId":"c1",)"
      R"("resourceType":"cluster_installation","newState":"stable","oldState":"reconciling",)"
      R"("ExtraData":{"ClusterID":"c9"}})";
  auto p = DecodeJson<StateChangeEventPayload>(text);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->resource_type, ResourceType::kClusterInstallation);
  EXPECT_EQ(EncodeJson(*p), text);
  // ExtraData has no omitempty: null when nil, {} when empty.
  StateChangeEventPayload empty;
  EXPECT_EQ(EncodeJson(empty),
            R"({"eventId":"","timestamp":0,"resourceId":"","resourceType":"cluster",)"
            R"("newState":"","oldState":"","ExtraData":null})");
  empty.extra_data.emplace();
  EXPECT_NE(EncodeJson(empty).find(R"("ExtraData":{})"), std::string::npos);
}

TEST(StateChangeEventPayload, FromEventData) {
  StateChangeEventData data;
  data.event = Event{"e1", EventType::kResourceStateChange, 99,
                     EventExtraData{std::map<std::string, std::string>{{"Environment", "dev"}}}};
  data.state_change =
      StateChangeEvent{"s1", "e1", "stable", "deletion-requested", "c1", ResourceType::kCluster};
  StateChangeEventPayload p = ToEventPayload(data);
  EXPECT_EQ(p, (StateChangeEventPayload{
                   "e1", 99, "c1", ResourceType::kCluster, "deletion-requested", "stable",
                   std::map<std::string, std::string>{{"Environment", "dev"}}}));
}

TEST(EventDelivery, RoundTrip) {
  const std::string text =
      R"({"ID":"d1","Status":"retrying","LastAttempt":5,"Attempts":2,"EventID":"e1",)"
      R"("SubscriptionID":"s1"})";
  auto d = DecodeJson<EventDelivery>(text);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->status, EventDeliveryStatus::kRetrying);
  EXPECT_EQ(EncodeJson(*d), text);
}

TEST(EventEnums, EveryString) {
  const std::vector<std::pair<ResourceType, std::string>> types = {
      {ResourceType::kCluster, "cluster"},
      {ResourceType::kInstallation, "installation"},
      {ResourceType::kClusterInstallation, "cluster_installation"},
      {ResourceType::kInstallationBackup, "installation_backup"},
      {ResourceType::kInstallationDBRestoration, "installation_db_restoration_operation"},
      {ResourceType::kInstallationDBMigration, "installation_db_migration_operation"},
  };
  ASSERT_EQ(types.size(), kAllResourceTypes.size());
  for (size_t i = 0; i < types.size(); ++i) {
    SCOPED_TRACE(types[i].second);
    EXPECT_EQ(kAllResourceTypes[i], types[i].first);
    EXPECT_EQ(ToString(types[i].first), types[i].second);
    ResourceType parsed = ResourceType::kCluster;
    ASSERT_TRUE(ParseEnum(types[i].second, parsed));
    EXPECT_EQ(parsed, types[i].first);
  }
  const std::vector<std::pair<EventDeliveryStatus, std::string>> statuses = {
      {EventDeliveryStatus::kNotAttempted, "not-attempted"},
      {EventDeliveryStatus::kDelivered, "delivered"},
      {EventDeliveryStatus::kRetrying, "retrying"},
      {EventDeliveryStatus::kFailed, "failed"},
  };
  ASSERT_EQ(statuses.size(), kAllEventDeliveryStatuses.size());
  for (size_t i = 0; i < statuses.size(); ++i) {
    SCOPED_TRACE(statuses[i].second);
    EXPECT_EQ(kAllEventDeliveryStatuses[i], statuses[i].first);
    EXPECT_EQ(ToString(statuses[i].first), statuses[i].second);
    EventDeliveryStatus parsed = EventDeliveryStatus::kFailed;
    ASSERT_TRUE(ParseEnum(statuses[i].second, parsed));
    EXPECT_EQ(parsed, statuses[i].first);
  }
  EXPECT_EQ(ToString(EventType::kResourceStateChange), "resourceStateChange");
  EventType type;
  EXPECT_TRUE(ParseEnum("resourceStateChange", type));
  EXPECT_FALSE(ParseEnum("ResourceStateChange", type));
  ResourceType rt;
  EXPECT_FALSE(ParseEnum("group", rt));
  EXPECT_EQ(kNotApplicableState, "n/a");
}

}  // namespace
}  // namespace cloud::model
