// SqlSubscriptionStore: SubscriptionStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include "common/clock.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"
#include "store/subscription_store.h"

namespace cloud::store {

// References must outlive the store.
class SqlSubscriptionStore final : public SubscriptionStore {
 public:
  SqlSubscriptionStore(SqlDatabase& db, LockStore& locks, const Clock& clock)
      : db_(db), locks_(locks), clock_(clock) {}

  Result<model::Subscription> CreateSubscription(model::Subscription subscription) override;
  Result<std::optional<model::Subscription>> GetSubscription(std::string_view id) override;
  Result<std::vector<model::Subscription>> GetSubscriptions(
      const model::SubscriptionsFilter& filter) override;
  Result<int64_t> CountSubscriptionsForEvent(std::string_view event_type) override;
  Result<void> DeleteSubscription(std::string_view id) override;
  Result<void> UpdateSubscriptionStatus(std::string_view id,
                                        model::SubscriptionDeliveryStatus status,
                                        int64_t last_delivery_attempt_at,
                                        const Lease& lease) override;
  Result<std::optional<SubscriptionClaim>> ClaimUpToDateSubscription(
      std::string_view locker_id) override;
  Result<std::optional<SubscriptionClaim>> ClaimRetryingSubscription(std::string_view locker_id,
                                                                     int64_t cooldown_ms) override;

 private:
  Result<std::optional<SubscriptionClaim>> Claim(ClaimRequest request);

  SqlDatabase& db_;
  LockStore& locks_;
  const Clock& clock_;
};

}  // namespace cloud::store
