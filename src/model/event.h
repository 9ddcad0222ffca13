// Events: state-change events stored for the events API and delivered to subscriptions, with
// their types and delivery statuses (spec upstream-api.md §3.11, §4.7, §5.8; upstream-core.md §4).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/json_codec.h"

namespace cloud::model {

// Go EventType. Only resourceStateChange is ever produced. (Subscriptions accept any non-empty
// event type string, so Subscription keeps it as a string.)
enum class EventType { kResourceStateChange };
inline constexpr std::string_view kResourceStateChangeEventType = "resourceStateChange";

std::string_view ToString(EventType type);
bool ParseEnum(std::string_view text, EventType& out);

// Go ResourceType: the kind of resource an event or legacy webhook payload is about.
enum class ResourceType {
  kCluster,
  kInstallation,
  kClusterInstallation,
  kInstallationBackup,
  kInstallationDBRestoration,
  kInstallationDBMigration,
};

std::string_view ToString(ResourceType type);
bool ParseEnum(std::string_view text, ResourceType& out);

inline constexpr std::array kAllResourceTypes = {
    ResourceType::kCluster,
    ResourceType::kInstallation,
    ResourceType::kClusterInstallation,
    ResourceType::kInstallationBackup,
    ResourceType::kInstallationDBRestoration,
    ResourceType::kInstallationDBMigration,
};

// Go EventDeliveryStatus: the state of one event's delivery to one subscription.
enum class EventDeliveryStatus { kNotAttempted, kDelivered, kRetrying, kFailed };

std::string_view ToString(EventDeliveryStatus status);
bool ParseEnum(std::string_view text, EventDeliveryStatus& out);

inline constexpr std::array kAllEventDeliveryStatuses = {
    EventDeliveryStatus::kNotAttempted,
    EventDeliveryStatus::kDelivered,
    EventDeliveryStatus::kRetrying,
    EventDeliveryStatus::kFailed,
};

// "Old state" of creation events and webhooks.
inline constexpr std::string_view kNotApplicableState = "n/a";

// Go EventExtraData: `fields` is null when nil.
struct EventExtraData {
  std::optional<std::map<std::string, std::string>> fields;
  friend bool operator==(const EventExtraData&, const EventExtraData&) = default;
};

template <class V>
void JsonFields(V& v, EventExtraData& d) {
  v("fields", d.fields);
}

struct Event {
  std::string id;
  EventType event_type = EventType::kResourceStateChange;
  int64_t timestamp = 0;  // Unix ms
  EventExtraData extra_data;
  friend bool operator==(const Event&, const Event&) = default;
};

template <class V>
void JsonFields(V& v, Event& e) {
  v("ID", e.id);
  v("EventType", e.event_type);
  v("Timestamp", e.timestamp);
  v("ExtraData", e.extra_data);
}

// One row of EventDelivery (not served by the API; JSON follows Go's field names).
struct EventDelivery {
  std::string id;
  EventDeliveryStatus status = EventDeliveryStatus::kNotAttempted;
  int64_t last_attempt = 0;  // Unix ms
  int attempts = 0;
  std::string event_id;
  std::string subscription_id;
  friend bool operator==(const EventDelivery&, const EventDelivery&) = default;
};

template <class V>
void JsonFields(V& v, EventDelivery& d) {
  v("ID", d.id);
  v("Status", d.status);
  v("LastAttempt", d.last_attempt);
  v("Attempts", d.attempts);
  v("EventID", d.event_id);
  v("SubscriptionID", d.subscription_id);
}

struct StateChangeEvent {
  std::string id;
  std::string event_id;
  std::string old_state;  // the resource's state string, "n/a" on creation
  std::string new_state;
  std::string resource_id;
  ResourceType resource_type = ResourceType::kCluster;
  friend bool operator==(const StateChangeEvent&, const StateChangeEvent&) = default;
};

template <class V>
void JsonFields(V& v, StateChangeEvent& e) {
  v("ID", e.id);
  v("EventID", e.event_id);
  v("OldState", e.old_state);
  v("NewState", e.new_state);
  v("ResourceID", e.resource_id);
  v("ResourceType", e.resource_type);
}

// Element of GET /api/events/state_change.
struct StateChangeEventData {
  Event event;
  StateChangeEvent state_change;
  friend bool operator==(const StateChangeEventData&, const StateChangeEventData&) = default;
};

template <class V>
void JsonFields(V& v, StateChangeEventData& d) {
  v("Event", d.event);
  v("StateChange", d.state_change);
}

// Body POSTed to subscriptions. Mixed key styles as upstream: `ExtraData` has no JSON tag, so
// it is capitalised and never omitted (null when nil).
struct StateChangeEventPayload {
  std::string event_id;
  int64_t timestamp = 0;  // Unix ms (the event's)
  std::string resource_id;
  ResourceType resource_type = ResourceType::kCluster;
  std::string new_state;
  std::string old_state;
  std::optional<std::map<std::string, std::string>> extra_data;
  friend bool operator==(const StateChangeEventPayload&, const StateChangeEventPayload&) = default;
};

template <class V>
void JsonFields(V& v, StateChangeEventPayload& p) {
  v("eventId", p.event_id);
  v("timestamp", p.timestamp);
  v("resourceId", p.resource_id);
  v("resourceType", p.resource_type);
  v("newState", p.new_state);
  v("oldState", p.old_state);
  v("ExtraData", p.extra_data);
}

// Go StateChangeEventData.ToEventPayload.
StateChangeEventPayload ToEventPayload(const StateChangeEventData& data);

}  // namespace cloud::model
