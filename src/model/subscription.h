// Event subscriptions: the Subscription wire type, its create request and validation, and the
// last-delivery status (spec upstream-api.md §3.11, §4.7, §5.8; upstream-core.md §4.3).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/json_codec.h"
#include "model/webhook.h"

namespace cloud::model {

// Go SubscriptionDeliveryStatus. kNone is the empty string; upstream never writes "succeeded"
// (a successful delivery leaves "").
enum class SubscriptionDeliveryStatus { kNone, kSucceeded, kFailed };

std::string_view ToString(SubscriptionDeliveryStatus status);
bool ParseEnum(std::string_view text, SubscriptionDeliveryStatus& out);

inline constexpr std::array kAllSubscriptionDeliveryStatuses = {
    SubscriptionDeliveryStatus::kNone,
    SubscriptionDeliveryStatus::kSucceeded,
    SubscriptionDeliveryStatus::kFailed,
};

// Upper bound of FailureThreshold: 72h in nanoseconds.
inline constexpr int64_t kMaxSubscriptionFailureThresholdNs = int64_t{72} * 3600 * 1000000000;

struct Subscription {
  std::string id;
  std::string name;
  std::string url;
  std::string owner_id;
  // Any non-empty string is accepted on create; events carry "resourceStateChange".
  std::string event_type;
  SubscriptionDeliveryStatus last_delivery_status = SubscriptionDeliveryStatus::kNone;
  int64_t last_delivery_attempt_at = 0;  // Unix ms
  int64_t failure_threshold = 0;         // Go time.Duration: nanoseconds
  int64_t create_at = 0;
  int64_t delete_at = 0;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;
  std::optional<Headers> headers;  // null when none
  // Standard Webhooks signing secret ("" = unsigned). Never serialised (not in JsonFields).
  std::string secret;

  bool IsDeleted() const { return delete_at > 0; }
  // FailureThreshold in milliseconds, for comparing with event timestamps.
  int64_t FailureThresholdMs() const { return failure_threshold / 1000000; }
  friend bool operator==(const Subscription&, const Subscription&) = default;
};

template <class V>
void JsonFields(V& v, Subscription& s) {
  v("ID", s.id);
  v("Name", s.name);
  v("URL", s.url);
  v("OwnerID", s.owner_id);
  v("EventType", s.event_type);
  v("LastDeliveryStatus", s.last_delivery_status);
  v("LastDeliveryAttemptAt", s.last_delivery_attempt_at);
  v("FailureThreshold", s.failure_threshold);
  v("CreateAt", s.create_at);
  v("DeleteAt", s.delete_at);
  v("LockAcquiredBy", s.lock_acquired_by);
  v("LockAcquiredAt", s.lock_acquired_at);
  v("Headers", s.headers);
}

// Body of POST /api/subscriptions.
struct CreateSubscriptionRequest {
  std::string name;
  std::string url;
  std::string owner_id;
  std::string event_type;
  int64_t failure_threshold = 0;  // nanoseconds
  std::optional<Headers> headers;
  std::string secret;  // beyond upstream: optional signing secret (request only)

  // §3.11 in upstream order: URL passes Go url.Parse (the empty string does); EventType
  // non-empty (any value); OwnerID non-empty; 0 <= FailureThreshold <= 72h. Headers are not
  // validated (as upstream). Errors: kInvalidArgument.
  Result<void> Validate() const;

  // Go ToSubscription: Validate, then a Subscription with LastDeliveryStatus "" and
  // LastDeliveryAttemptAt 0 (ID and CreateAt are set by the store). Errors: as Validate.
  Result<Subscription> ToSubscription() const;

  friend bool operator==(const CreateSubscriptionRequest&,
                         const CreateSubscriptionRequest&) = default;
};

template <class V>
void JsonFields(V& v, CreateSubscriptionRequest& r) {
  v("Name", r.name);
  v("URL", r.url);
  v("OwnerID", r.owner_id);
  v("EventType", r.event_type);
  v("FailureThreshold", r.failure_threshold);
  v("Headers", r.headers);
  v("Secret", r.secret, kOmitEmpty);
}

}  // namespace cloud::model
