#include "store/sql_subscription_store.h"

#include <memory>
#include <utility>

#include "common/id.h"
#include "model/event.h"
#include "store/event_outbox.h"
#include "store/sql_fenced_write.h"
#include "store/sql_webhook_store.h"
#include "store/sql_where_builder.h"

namespace cloud::store {
namespace {

constexpr std::string_view kSelectSubscriptions =
    "SELECT ID, Name, URL, OwnerID, EventType, Headers, FailureThreshold, LastDeliveryStatus, "
    "LastDeliveryAttemptAt, CreateAt, DeleteAt, LockAcquiredBy, LockAcquiredAt, Secret "
    "FROM Subscription";
constexpr std::string_view kInsertSubscription =
    "INSERT INTO Subscription (ID, Name, URL, OwnerID, EventType, LastDeliveryAttemptAt, "
    "LastDeliveryStatus, FailureThreshold, CreateAt, DeleteAt, LockAcquiredBy, LockAcquiredAt, "
    "Headers, Secret) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, NULL, 0, $10, $11)";
constexpr std::string_view kUpdateSubscriptionStatus =
    "UPDATE Subscription SET LastDeliveryStatus = $1, LastDeliveryAttemptAt = $2 "
    "WHERE ID = $3 AND DeleteAt = 0";

Result<model::Subscription> FromRow(const Row& row) {
  model::Subscription s;
  s.id = row.GetString("ID");
  s.name = row.GetString("Name");
  s.url = row.GetString("URL");
  s.owner_id = row.GetString("OwnerID");
  s.event_type = row.GetString("EventType");
  CLOUD_TRY(s.headers, DecodeHeadersColumn(row.GetOptionalString("Headers")));
  s.failure_threshold = row.GetInt64("FailureThreshold");
  const std::string status = row.GetString("LastDeliveryStatus");
  if (!model::ParseEnum(status, s.last_delivery_status)) {
    return Internal("subscription " + s.id + " has unknown delivery status \"" + status + "\"");
  }
  s.last_delivery_attempt_at = row.GetInt64("LastDeliveryAttemptAt");
  s.create_at = row.GetInt64("CreateAt");
  s.delete_at = row.GetInt64("DeleteAt");
  s.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  s.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  s.secret = row.GetString("Secret");
  return s;
}

// `Subscription.ID IN (deliveries with one of `statuses`)`, parameters from kClaimFirstParam.
std::string HasDeliveries(const std::vector<model::EventDeliveryStatus>& statuses, size_t first,
                          SqlParams& params) {
  std::string list;
  for (auto status : statuses) {
    if (!list.empty()) list += ", ";
    list += "$" + std::to_string(first + params.size());
    params.emplace_back(std::string(model::ToString(status)));
  }
  return "EXISTS (SELECT 1 FROM EventDelivery d WHERE d.SubscriptionID = Subscription.ID AND "
         "d.Status IN (" +
         list + "))";
}

}  // namespace

Result<model::Subscription> SqlSubscriptionStore::CreateSubscription(model::Subscription s) {
  s.id = NewId();
  s.create_at = clock_.NowMillis();
  s.delete_at = 0;
  s.lock_acquired_by.reset();
  s.lock_acquired_at = 0;
  CLOUD_TRY_VOID(
      db_.Exec(kInsertSubscription,
               {s.id, s.name, s.url, s.owner_id, s.event_type, s.last_delivery_attempt_at,
                std::string(model::ToString(s.last_delivery_status)), s.failure_threshold,
                s.create_at, EncodeHeadersColumn(s.headers), s.secret}));
  return s;
}

Result<std::optional<model::Subscription>> SqlSubscriptionStore::GetSubscription(
    std::string_view id) {
  CLOUD_TRY(Rows rows,
            db_.Query(std::string(kSelectSubscriptions) + " WHERE ID = $1", {std::string(id)}));
  if (rows.empty()) return std::optional<model::Subscription>();
  CLOUD_TRY(model::Subscription s, FromRow(rows.front()));
  return std::optional<model::Subscription>(std::move(s));
}

Result<std::vector<model::Subscription>> SqlSubscriptionStore::GetSubscriptions(
    const model::SubscriptionsFilter& filter) {
  SqlWhereBuilder w;
  w.NotDeletedUnless(filter.paging);
  if (!filter.event_type.empty()) w.WhereEq("EventType", filter.event_type);
  if (!filter.owner.empty()) w.WhereEq("OwnerID", filter.owner);
  const std::string where = w.WhereClause() + " ORDER BY CreateAt DESC, ID";
  const std::string limit = w.Limit(filter.paging);
  CLOUD_TRY(Rows rows, db_.Query(std::string(kSelectSubscriptions) + where + limit, w.params()));
  std::vector<model::Subscription> out;
  for (Row row : rows) {
    CLOUD_TRY(model::Subscription s, FromRow(row));
    out.push_back(std::move(s));
  }
  return out;
}

Result<int64_t> SqlSubscriptionStore::CountSubscriptionsForEvent(std::string_view event_type) {
  CLOUD_TRY(Rows rows, db_.Query("SELECT COUNT(*) FROM Subscription WHERE EventType = $1 AND "
                                 "DeleteAt = 0",
                                 {std::string(event_type)}));
  return rows.front().GetInt64(0);
}

Result<void> SqlSubscriptionStore::DeleteSubscription(std::string_view id) {
  // Its pending deliveries fail in the same transaction: they would otherwise wait forever
  // (workers only claim live targets) and retention would never remove their events.
  CLOUD_TRY(std::unique_ptr<SqlTransaction> tx, db_.Begin());
  CLOUD_TRY_VOID(SoftDelete(*tx, "Subscription", "subscription", id, clock_.NowMillis()));
  CLOUD_TRY(int64_t failed,
            FailPendingDeliveries(*tx, DeliveryChannel::kSubscription, id, kTargetDeletedError));
  (void)failed;
  return tx->Commit();
}

Result<void> SqlSubscriptionStore::UpdateSubscriptionStatus(
    std::string_view id, model::SubscriptionDeliveryStatus status, int64_t last_delivery_attempt_at,
    const Lease& lease) {
  auto updated = FencedExec(
      db_, kUpdateSubscriptionStatus,
      {std::string(model::ToString(status)), last_delivery_attempt_at, std::string(id)}, lease, id);
  if (updated || updated.error().code != ErrorCode::kConflict) return updated;
  // No row matched: fine if the subscription was deleted while we still hold its lease.
  SqlFragment fence = lease.Fence(id, 2);
  SqlParams params = {std::string(id)};
  params.insert(params.end(), fence.params.begin(), fence.params.end());
  CLOUD_TRY(Rows held,
            db_.Query("SELECT DeleteAt FROM Subscription WHERE ID = $1" + fence.sql, params));
  if (!held.empty() && held.front().GetInt64(0) != 0) return Ok();
  return updated;
}

Result<std::optional<SubscriptionClaim>> SqlSubscriptionStore::Claim(ClaimRequest request) {
  request.table = LockTable::kSubscription;
  request.limit = 1;
  request.order_by = "LastDeliveryAttemptAt ASC, ID";
  CLOUD_TRY(Lease lease, locks_.ClaimAvailable(request));
  if (lease.rows.empty()) return std::optional<SubscriptionClaim>();
  CLOUD_TRY(std::optional<model::Subscription> sub, GetSubscription(lease.rows.front().id));
  if (!sub) return Internal("claimed subscription " + lease.rows.front().id + " vanished");
  return std::optional<SubscriptionClaim>(SubscriptionClaim{std::move(*sub), std::move(lease)});
}

Result<std::optional<SubscriptionClaim>> SqlSubscriptionStore::ClaimUpToDateSubscription(
    std::string_view locker_id) {
  ClaimRequest request;
  request.locker_id = std::string(locker_id);
  SqlParams& p = request.where_params;
  p.emplace_back(std::string(model::ToString(model::SubscriptionDeliveryStatus::kSucceeded)));
  p.emplace_back(std::string(model::ToString(model::SubscriptionDeliveryStatus::kNone)));
  request.where = "DeleteAt = 0 AND LastDeliveryStatus IN ($" + std::to_string(kClaimFirstParam) +
                  ", $" + std::to_string(kClaimFirstParam + 1) + ") AND ";
  request.where += HasDeliveries({model::EventDeliveryStatus::kNotAttempted}, kClaimFirstParam, p);
  return Claim(std::move(request));
}

Result<std::optional<SubscriptionClaim>> SqlSubscriptionStore::ClaimRetryingSubscription(
    std::string_view locker_id, int64_t cooldown_ms) {
  ClaimRequest request;
  request.locker_id = std::string(locker_id);
  SqlParams& p = request.where_params;
  p.emplace_back(std::string(model::ToString(model::SubscriptionDeliveryStatus::kFailed)));
  p.emplace_back(clock_.NowMillis() - cooldown_ms);
  request.where = "DeleteAt = 0 AND LastDeliveryStatus = $" + std::to_string(kClaimFirstParam) +
                  " AND LastDeliveryAttemptAt < $" + std::to_string(kClaimFirstParam + 1) + " AND ";
  request.where += HasDeliveries(
      {model::EventDeliveryStatus::kRetrying, model::EventDeliveryStatus::kNotAttempted},
      kClaimFirstParam, p);
  return Claim(std::move(request));
}

}  // namespace cloud::store
