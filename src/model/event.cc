#include "model/event.h"

namespace cloud::model {

namespace {

template <class E, size_t N>
bool ParseFrom(const std::array<E, N>& all, std::string_view text, E& out) {
  for (E value : all) {
    if (ToString(value) == text) {
      out = value;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view ToString(EventType type) {
  switch (type) {
    case EventType::kResourceStateChange:
      return kResourceStateChangeEventType;
  }
  return "";
}

bool ParseEnum(std::string_view text, EventType& out) {
  return ParseFrom(std::array{EventType::kResourceStateChange}, text, out);
}

std::string_view ToString(ResourceType type) {
  switch (type) {
    case ResourceType::kCluster:
      return "cluster";
    case ResourceType::kInstallation:
      return "installation";
    case ResourceType::kClusterInstallation:
      return "cluster_installation";
    case ResourceType::kInstallationBackup:
      return "installation_backup";
    case ResourceType::kInstallationDBRestoration:
      return "installation_db_restoration_operation";
    case ResourceType::kInstallationDBMigration:
      return "installation_db_migration_operation";
  }
  return "";
}

bool ParseEnum(std::string_view text, ResourceType& out) {
  return ParseFrom(kAllResourceTypes, text, out);
}

std::string_view ToString(EventDeliveryStatus status) {
  switch (status) {
    case EventDeliveryStatus::kNotAttempted:
      return "not-attempted";
    case EventDeliveryStatus::kDelivered:
      return "delivered";
    case EventDeliveryStatus::kRetrying:
      return "retrying";
    case EventDeliveryStatus::kFailed:
      return "failed";
  }
  return "";
}

bool ParseEnum(std::string_view text, EventDeliveryStatus& out) {
  return ParseFrom(kAllEventDeliveryStatuses, text, out);
}

StateChangeEventPayload ToEventPayload(const StateChangeEventData& data) {
  return StateChangeEventPayload{
      .event_id = data.event.id,
      .timestamp = data.event.timestamp,
      .resource_id = data.state_change.resource_id,
      .resource_type = data.state_change.resource_type,
      .new_state = data.state_change.new_state,
      .old_state = data.state_change.old_state,
      .extra_data = data.event.extra_data.fields,
  };
}

}  // namespace cloud::model
