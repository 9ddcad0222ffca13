#include "model/subscription.h"

namespace cloud::model {

std::string_view ToString(SubscriptionDeliveryStatus status) {
  switch (status) {
    case SubscriptionDeliveryStatus::kNone:
      return "";
    case SubscriptionDeliveryStatus::kSucceeded:
      return "succeeded";
    case SubscriptionDeliveryStatus::kFailed:
      return "failed";
  }
  return "";
}

bool ParseEnum(std::string_view text, SubscriptionDeliveryStatus& out) {
  for (SubscriptionDeliveryStatus status : kAllSubscriptionDeliveryStatuses) {
    if (ToString(status) == text) {
      out = status;
      return true;
    }
  }
  return false;
}

Result<void> CreateSubscriptionRequest::Validate() const {
  Result<GoUrl> parsed = ParseGoUrl(url, /*request_uri=*/false);
  if (!parsed) return std::move(parsed).error().WithContext("failed to parse subscription URL");
  if (event_type.empty()) {
    return InvalidArgument("event type is required when registering subscription");
  }
  if (owner_id.empty())
    return InvalidArgument("owner ID is required when registering subscription");
  if (failure_threshold < 0 || failure_threshold > kMaxSubscriptionFailureThresholdNs) {
    return InvalidArgument("failure threshold need to be between 0 and 72 hours");
  }
  return Ok();
}

Result<Subscription> CreateSubscriptionRequest::ToSubscription() const {
  CLOUD_TRY_VOID(Validate());
  Subscription subscription;
  subscription.name = name;
  subscription.url = url;
  subscription.owner_id = owner_id;
  subscription.event_type = event_type;
  subscription.last_delivery_status = SubscriptionDeliveryStatus::kNone;
  subscription.last_delivery_attempt_at = 0;
  subscription.failure_threshold = failure_threshold;
  subscription.headers = headers;
  subscription.secret = secret;
  return subscription;
}

}  // namespace cloud::model
