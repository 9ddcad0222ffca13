// SubscriptionStore: event subscriptions and their delivery status and claims
// (Subscription table; upstream-core.md §4.3, §3.6).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/filters.h"
#include "model/subscription.h"
#include "store/lock_store.h"

namespace cloud::store {

// A subscription leased to one delivery worker.
struct SubscriptionClaim {
  model::Subscription subscription;
  Lease lease;
};

// Used by the subscription API handlers and the event deliverer. Thread-safe.
class SubscriptionStore {
 public:
  virtual ~SubscriptionStore() = default;

  // Inserts `subscription` with a new ID, CreateAt = now, DeleteAt = 0 and no lock; Headers
  // stored as JSON. Returns the stored row.
  virtual Result<model::Subscription> CreateSubscription(model::Subscription subscription) = 0;

  // The subscription, deleted or not; nullopt when there is no such ID.
  virtual Result<std::optional<model::Subscription>> GetSubscription(std::string_view id) = 0;

  // Filter: Owner, EventType, paging; CreateAt DESC.
  virtual Result<std::vector<model::Subscription>> GetSubscriptions(
      const model::SubscriptionsFilter& filter) = 0;

  // Number of live subscriptions to `event_type` (the deliverer's burst size).
  virtual Result<int64_t> CountSubscriptionsForEvent(std::string_view event_type) = 0;

  // Soft delete; a no-op when already deleted. Its pending deliveries are marked failed
  // ("target deleted") in the same transaction. Errors: kNotFound.
  virtual Result<void> DeleteSubscription(std::string_view id) = 0;

  // Under `lease`: sets LastDeliveryStatus and LastDeliveryAttemptAt of a live subscription
  // (a deleted one is left as is, as upstream). Errors: kConflict when the lease was lost.
  virtual Result<void> UpdateSubscriptionStatus(std::string_view id,
                                                model::SubscriptionDeliveryStatus status,
                                                int64_t last_delivery_attempt_at,
                                                const Lease& lease) = 0;

  // Go ClaimUpToDateSubscription: leases one live, available subscription whose last delivery
  // status is "" or succeeded and that has a not-attempted delivery; the one attempted longest
  // ago first. nullopt when there is none.
  virtual Result<std::optional<SubscriptionClaim>> ClaimUpToDateSubscription(
      std::string_view locker_id) = 0;

  // Go ClaimRetryingSubscription: the same for subscriptions whose last delivery failed more
  // than `cooldown_ms` ago and that have a retrying or not-attempted delivery.
  virtual Result<std::optional<SubscriptionClaim>> ClaimRetryingSubscription(
      std::string_view locker_id, int64_t cooldown_ms) = 0;
};

}  // namespace cloud::store
