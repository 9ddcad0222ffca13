#include "events/deliverer.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>

#include "events/signature.h"
#include "model/event.h"
#include "model/json_codec.h"
#include "model/subscription.h"
#include "model/webhook.h"
#include "store/event_outbox.h"
#include "store/sql_webhook_store.h"

namespace cloud::events {

// A delivery channel: its target table (leased while delivering) and its outbox table.
struct EventDeliverer::Kind {
  store::LockTable table;
  std::string_view name;            // for logs: "subscription" / "webhook"
  std::string_view target_table;    // Subscription / Webhooks
  std::string_view delivery_table;  // EventDelivery / WebhookDelivery
  std::string_view target_column;   // SubscriptionID / WebhookID
  bool subscription;
};

namespace {

using model::EventDeliveryStatus;

const EventDeliverer::Kind kSubscriptions{store::LockTable::kSubscription,
                                          "subscription",
                                          "Subscription",
                                          "EventDelivery",
                                          "SubscriptionID",
                                          true};
const EventDeliverer::Kind kWebhooks{store::LockTable::kWebhook, "webhook",   "Webhooks",
                                     "WebhookDelivery",          "WebhookID", false};
const EventDeliverer::Kind* const kKinds[] = {&kSubscriptions, &kWebhooks};

// Rows deleted per statement by Prune (and events per transaction).
constexpr int64_t kPruneBatchRows = 1'000;

std::string Str(std::string_view s) { return std::string(s); }
std::string StatusText(EventDeliveryStatus status) { return Str(model::ToString(status)); }

struct Pending {
  std::string id;
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;
  int64_t created_at = 0;  // Unix ms, the start of the max age
  std::string resource_id;
  std::string body;
};

struct Target {
  std::string url;
  std::optional<model::Headers> headers;
  std::string secret;
  int64_t failure_threshold_ms = 0;
};

int64_t Backoff(const DelivererOptions& o, int64_t attempts) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  double base = static_cast<double>(std::max<int64_t>(o.initial_backoff_ms, 1));
  for (int64_t i = 1; i < attempts && base < static_cast<double>(o.max_backoff_ms); ++i) base *= 2;
  base = std::min(base, static_cast<double>(std::max(o.max_backoff_ms, o.initial_backoff_ms)));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return std::max<int64_t>(1, static_cast<int64_t>(base * jitter(rng)));
}

std::string DefaultGetenv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? "" : value;
}

Result<Target> LoadTarget(store::SqlExecutor& db, const EventDeliverer::Kind& kind,
                          const std::string& id) {
  const std::string threshold = kind.subscription ? "FailureThreshold" : "0";
  CLOUD_TRY(store::Rows rows, db.Query("SELECT URL, Headers, Secret, " + threshold + " FROM " +
                                           Str(kind.target_table) + " WHERE ID = $1",
                                       {id}));
  if (rows.empty()) return NotFound(Str(kind.name) + " " + id + " not found");
  const store::Row& row = rows.front();
  Target t;
  t.url = row.GetString(0);
  CLOUD_TRY(t.headers, store::DecodeHeadersColumn(row.GetOptionalString(1)));
  t.secret = row.GetString(2);
  t.failure_threshold_ms = row.GetInt64(3) / 1'000'000;
  return t;
}

// The condition on delivery row `d` (of `kind`'s delivery table) that the claim and the load
// share: pending ($first, $first+1), due at $first+2, and its resource has no row of the same
// target backing off (pending, not due). A resource whose head row is waiting for a retry thus
// takes no room in a claim's batch and cannot stall the other resources of the target.
// The claim (`per_row`) checks it with a correlated NOT EXISTS (it stops at the first matching
// row); the load, which must filter every pending row of one target ($1) before sorting, with
// NOT IN over an uncorrelated subquery, so the backing-off resources are found once per load.
std::string DueAndUnblocked(const EventDeliverer::Kind& kind, size_t first, bool per_row) {
  const std::string d = Str(kind.delivery_table), col = Str(kind.target_column);
  const std::string pending =
      "IN ($" + std::to_string(first) + ", $" + std::to_string(first + 1) + ")";
  const std::string now = "$" + std::to_string(first + 2);
  const std::string backing_off =
      " w WHERE w.Status " + pending + " AND w.NextAttemptAt > " + now + " AND w." + col + " = ";
  std::string sql = "d.Status " + pending + " AND d.NextAttemptAt <= " + now;
  if (per_row) {
    return sql + " AND NOT EXISTS (SELECT 1 FROM " + d + backing_off + "d." + col +
           " AND w.ResourceID = d.ResourceID)";
  }
  return sql + " AND d.ResourceID NOT IN (SELECT w.ResourceID FROM " + d + backing_off + "$1)";
}

Result<std::vector<Pending>> LoadPending(store::SqlExecutor& db, const EventDeliverer::Kind& kind,
                                         const std::string& id, int limit, int64_t now) {
  const store::SqlParams params = {id, StatusText(EventDeliveryStatus::kNotAttempted),
                                   StatusText(EventDeliveryStatus::kRetrying), now};
  const std::string lim = " LIMIT " + std::to_string(limit);
  std::vector<Pending> out;
  if (!kind.subscription) {
    CLOUD_TRY(store::Rows rows,
              db.Query("SELECT ID, Attempts, NextAttemptAt, CreateAt, ResourceID, Payload FROM "
                       "WebhookDelivery d WHERE d.WebhookID = $1 AND " +
                           DueAndUnblocked(kind, 2, false) + " ORDER BY d.Sequence, d.ID" + lim,
                       params));
    for (const store::Row& row : rows) {
      out.push_back({row.GetString(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3),
                     row.GetString(4), row.GetBlob(5)});
    }
    return out;
  }
  CLOUD_TRY(store::Rows rows,
            db.Query("SELECT d.ID, d.Attempts, d.NextAttemptAt, e.Timestamp, s.ResourceID, e.ID, "
                     "e.ExtraData, s.ResourceType, s.OldState, s.NewState FROM EventDelivery d "
                     "JOIN Event e ON e.ID = d.EventID JOIN StateChangeEvent s ON s.EventID = "
                     "d.EventID WHERE d.SubscriptionID = $1 AND " +
                         DueAndUnblocked(kind, 2, false) +
                         " ORDER BY e.Timestamp, d.Sequence, d.ID" + lim,
                     params));
  for (const store::Row& row : rows) {
    model::StateChangeEventPayload payload;
    payload.event_id = row.GetString(5);
    payload.timestamp = row.GetInt64(3);
    payload.resource_id = row.GetString(4);
    const std::string type = row.GetString(7);
    if (!model::ParseEnum(type, payload.resource_type)) {
      return Internal("event " + payload.event_id + " has unknown resource type \"" + type + "\"");
    }
    payload.old_state = row.GetString(8);
    payload.new_state = row.GetString(9);
    CLOUD_TRY(model::EventExtraData extra,
              model::DecodeJson<model::EventExtraData>(row.GetBlob(6)));
    payload.extra_data = std::move(extra.fields);
    out.push_back({row.GetString(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3),
                   payload.resource_id, model::EncodeJson(payload)});
  }
  return out;
}

// `sql` + " AND <target>.LockAcquiredBy = .. AND LockFencingToken = .." on the target row.
std::string Fenced(const EventDeliverer::Kind& kind, size_t first) {
  return " AND EXISTS (SELECT 1 FROM " + Str(kind.target_table) + " t WHERE t.ID = $" +
         std::to_string(first) + " AND t.LockAcquiredBy = $" + std::to_string(first + 1) +
         " AND t.LockFencingToken = $" + std::to_string(first + 2) + ")";
}

}  // namespace

EventDeliverer::EventDeliverer(store::SqlDatabase& db, store::LockStore& locks, const Clock& clock,
                               Logger log, DelivererOptions options)
    : db_(db), locks_(locks), clock_(clock), log_(std::move(log)), options_(std::move(options)) {
  if (!options_.getenv) options_.getenv = DefaultGetenv;
  options_.workers = std::max(options_.workers, 1);
  options_.max_rows_per_claim = std::max(options_.max_rows_per_claim, 1);
}

EventDeliverer::~EventDeliverer() { Stop(); }

void EventDeliverer::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!threads_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { WorkerLoop(i); });
  log_.With("workers", std::to_string(options_.workers)).Info("event delivery started");
}

void EventDeliverer::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (threads_.empty()) return;
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (std::thread& t : threads) t.join();
  log_.Info("event delivery stopped");
}

void EventDeliverer::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wake_generation_;
  }
  cv_.notify_all();
}

DeliveryStats EventDeliverer::stats() const {
  return {attempts_.load(), delivered_.load(), retries_.load(), failed_.load()};
}

void EventDeliverer::WorkerLoop(int index) {
  int64_t last_prune = 0;
  while (!stopping_) {
    uint64_t generation = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      generation = wake_generation_;
    }
    bool claimed = false;
    for (const Kind* kind : kKinds) {
      if (stopping_) break;
      int64_t attempts = 0;
      Result<bool> r = ProcessOne(*kind, attempts);
      if (!r) {
        log_.With("kind", Str(kind->name)).Warn("event delivery pass failed", r.error());
      } else if (*r) {
        claimed = true;
      }
    }
    const int64_t now = clock_.NowMillis();
    if (index == 0 && now - last_prune >= options_.prune_every_ms) {
      last_prune = now;
      // Retention 0 keeps every row, but pending rows of deleted targets are still failed.
      if (Result<int64_t> pruned =
              options_.retention_ms > 0 ? Prune() : FailDeliveriesOfDeletedTargets();
          !pruned) {
        log_.Warn("pruning old deliveries failed", pruned.error());
      }
    }
    if (claimed) continue;
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.idle_poll_ms),
                 [&] { return stopping_.load() || wake_generation_ != generation; });
  }
}

Result<int64_t> EventDeliverer::RunOnce() {
  int64_t attempts = 0;
  for (bool claimed = true; claimed;) {
    claimed = false;
    for (const Kind* kind : kKinds) {
      CLOUD_TRY(bool one, ProcessOne(*kind, attempts));
      claimed = claimed || one;
    }
  }
  return attempts;
}

Result<int64_t> EventDeliverer::FailDeliveriesOfDeletedTargets() {
  const std::string failed = StatusText(EventDeliveryStatus::kFailed);
  const std::string not_attempted = StatusText(EventDeliveryStatus::kNotAttempted);
  const std::string retrying = StatusText(EventDeliveryStatus::kRetrying);
  // Pending rows of targets deleted meanwhile (a delete racing with the transaction that queued
  // them; deletes fail the rows they see themselves) would wait forever: fail them.
  int64_t orphaned = 0;
  for (const Kind* kind : kKinds) {
    CLOUD_TRY(int64_t n,
              db_.Exec("UPDATE " + Str(kind->delivery_table) +
                           " SET Status = $1, LastError = $2, NextAttemptAt = 0 WHERE Status IN "
                           "($3, $4) AND " +
                           Str(kind->target_column) + " NOT IN (SELECT ID FROM " +
                           Str(kind->target_table) + " WHERE DeleteAt = 0)",
                       {failed, Str(store::kTargetDeletedError), not_attempted, retrying}));
    orphaned += n;
  }
  failed_ += orphaned;
  // Pending rows whose event is gone: a redeliver that committed while Prune deleted the event
  // (Prune checks for pending rows in the same DELETE, but on PostgreSQL that statement may not
  // see a redeliver committed while it runs). There is nothing left to send: delete them.
  int64_t eventless = 0;
  for (const Kind* kind : kKinds) {
    CLOUD_TRY(int64_t n, db_.Exec("DELETE FROM " + Str(kind->delivery_table) +
                                      " WHERE Status IN ($1, $2) AND EventID NOT IN (SELECT ID "
                                      "FROM Event)",
                                  {not_attempted, retrying}));
    eventless += n;
  }
  if (eventless > 0) {
    log_.With("deliveries", std::to_string(eventless))
        .Warn("deleted pending deliveries whose event was pruned");
  }
  return orphaned + eventless;
}

Result<int64_t> EventDeliverer::Prune() {
  const int64_t cutoff = clock_.NowMillis() - options_.retention_ms;
  const std::string delivered = StatusText(EventDeliveryStatus::kDelivered);
  const std::string failed = StatusText(EventDeliveryStatus::kFailed);
  const std::string not_attempted = StatusText(EventDeliveryStatus::kNotAttempted);
  const std::string retrying = StatusText(EventDeliveryStatus::kRetrying);
  const std::string batch = std::to_string(kPruneBatchRows);
  CLOUD_TRY(const int64_t orphaned, FailDeliveriesOfDeletedTargets());

  // Finished delivery rows older than the retention, kPruneBatchRows per statement so that a
  // big prune never holds a long lock.
  const store::SqlParams finished_before = {delivered, failed, cutoff};
  auto delete_in_batches = [&](const std::string& sql) -> Result<int64_t> {
    int64_t total = 0;
    for (;;) {
      CLOUD_TRY(int64_t n, db_.Exec(sql, finished_before));
      total += n;
      if (n < kPruneBatchRows) return total;
    }
  };
  CLOUD_TRY(int64_t deliveries,
            delete_in_batches("DELETE FROM EventDelivery WHERE ID IN (SELECT d.ID FROM "
                              "EventDelivery d JOIN Event e ON e.ID = d.EventID WHERE d.Status "
                              "IN ($1, $2) AND e.Timestamp < $3 LIMIT " +
                              batch + ")"));
  CLOUD_TRY(int64_t webhook_deliveries,
            delete_in_batches("DELETE FROM WebhookDelivery WHERE ID IN (SELECT ID FROM "
                              "WebhookDelivery WHERE Status IN ($1, $2) AND CreateAt < $3 LIMIT " +
                              batch + ")"));

  // Events older than the retention none of whose deliveries (subscription or webhook) is still
  // pending, with their StateChangeEvent and any finished delivery row left, one transaction
  // per batch. The pending check is repeated in the DELETE (a redeliver may have come between).
  const std::string no_pending =
      "ID NOT IN (SELECT EventID FROM EventDelivery WHERE Status IN ($1, $2)) AND ID NOT IN "
      "(SELECT EventID FROM WebhookDelivery WHERE Status IN ($1, $2))";
  int64_t events = 0;
  for (;;) {
    CLOUD_TRY(store::Rows rows, db_.Query("SELECT ID FROM Event WHERE Timestamp < $3 AND " +
                                              no_pending + " ORDER BY Timestamp LIMIT " + batch,
                                          {not_attempted, retrying, cutoff}));
    if (rows.empty()) break;
    // "$first, $first+1, ..." for the batch's IDs.
    auto id_list = [&](size_t first) {
      std::string out;
      for (size_t i = 0; i < rows.size(); ++i) {
        out += (i == 0 ? "$" : ", $") + std::to_string(first + i);
      }
      return out;
    };
    store::SqlParams ids;
    for (const store::Row& row : rows) ids.emplace_back(row.GetString(0));
    auto with = [&ids](store::SqlParams head) {
      head.insert(head.end(), ids.begin(), ids.end());
      return head;
    };
    CLOUD_TRY(std::unique_ptr<store::SqlTransaction> tx, db_.Begin());
    for (const Kind* kind : kKinds) {
      const std::string table = Str(kind->delivery_table);
      CLOUD_TRY(int64_t n, tx->Exec("DELETE FROM " + table + " WHERE Status IN ($3, $4) AND " +
                                        "EventID IN (" + id_list(5) +
                                        ") AND EventID NOT IN (SELECT EventID FROM " + table +
                                        " WHERE Status IN ($1, $2))",
                                    with({not_attempted, retrying, delivered, failed})));
      deliveries += n;
    }
    CLOUD_TRY(int64_t n,
              tx->Exec("DELETE FROM Event WHERE ID IN (" + id_list(3) + ") AND " + no_pending,
                       with({not_attempted, retrying})));
    CLOUD_TRY(int64_t state_changes,
              tx->Exec("DELETE FROM StateChangeEvent WHERE EventID IN (" + id_list(1) +
                           ") AND NOT EXISTS (SELECT 1 FROM Event e WHERE e.ID = "
                           "StateChangeEvent.EventID)",
                       ids));
    (void)state_changes;
    CLOUD_TRY_VOID(tx->Commit());
    events += n;
    if (static_cast<int64_t>(rows.size()) < kPruneBatchRows) break;
  }
  const int64_t total = deliveries + webhook_deliveries + events;
  if (total > 0 || orphaned > 0) {
    log_.With("deliveries", std::to_string(deliveries + webhook_deliveries))
        .With("events", std::to_string(events))
        .With("target_deleted", std::to_string(orphaned))
        .Info("pruned old events and deliveries");
  }
  return total;
}

Result<bool> EventDeliverer::ProcessOne(const Kind& kind, int64_t& attempts) {
  const std::string d = Str(kind.delivery_table), col = Str(kind.target_column);
  store::ClaimRequest request;
  request.table = kind.table;
  request.locker_id = options_.instance_id;
  request.limit = 1;
  request.order_by = "LastDeliveryAttemptAt ASC, ID";
  // A live target with a due row whose resource has no earlier row waiting for a retry.
  request.where = "DeleteAt = 0 AND EXISTS (SELECT 1 FROM " + d + " d WHERE d." + col + " = " +
                  Str(kind.target_table) + ".ID AND " + DueAndUnblocked(kind, 5, true) + ")";
  request.where_params = {StatusText(EventDeliveryStatus::kNotAttempted),
                          StatusText(EventDeliveryStatus::kRetrying), clock_.NowMillis()};
  CLOUD_TRY(store::Lease lease, locks_.ClaimAvailable(request));
  if (lease.rows.empty()) return false;
  const int64_t attempts_before = attempts;
  Result<void> processed = ProcessTarget(kind, lease, attempts);
  Result<void> released = locks_.Release(lease);
  if (!processed) {
    return std::move(processed).error().WithContext(Str(kind.name) + " " + lease.rows[0].id);
  }
  if (!released) {
    log_.With(Str(kind.name), lease.rows[0].id).Warn("releasing delivery lease", released.error());
  }
  // A claim that sent nothing (stopping, or rows became not due in between) is not progress:
  // callers then wait instead of claiming again at once.
  return attempts > attempts_before;
}

Result<void> EventDeliverer::ProcessTarget(const Kind& kind, const store::Lease& held,
                                           int64_t& attempts) {
  store::Lease lease = held;
  const std::string target_id = lease.rows.front().id;
  const int64_t token = lease.rows.front().token;
  const Logger log = log_.With(Str(kind.name), target_id);
  CLOUD_TRY(Target target, LoadTarget(db_, kind, target_id));
  CLOUD_TRY(std::vector<Pending> pending,
            LoadPending(db_, kind, target_id, options_.max_rows_per_claim, clock_.NowMillis()));
  std::map<std::string, std::string> resolved;
  if (target.headers) resolved = model::ResolveWebhookHeaders(*target.headers, options_.getenv);
  const int64_t max_age = kind.subscription && target.failure_threshold_ms > 0
                              ? target.failure_threshold_ms
                              : options_.max_age_ms;
  const std::string update_sql =
      "UPDATE " + Str(kind.delivery_table) +
      " SET Status = $1, Attempts = $2, LastAttempt = $3, NextAttemptAt = $4, LastError = $5 "
      "WHERE ID = $6 AND " +
      Str(kind.target_column) + " = $7" + Fenced(kind, 7);
  std::set<std::string> blocked;
  bool any_retry = false;
  bool gone = false;
  for (const Pending& p : pending) {
    if (stopping_) break;
    if (blocked.count(p.resource_id) != 0) continue;
    int64_t now = clock_.NowMillis();
    if (p.next_attempt_at > now) {
      blocked.insert(p.resource_id);
      continue;
    }
    if (now - lease.renewed_at > locks_.lease_duration_ms() / 3) {
      CLOUD_TRY_VOID(locks_.Renew(lease));
    }
    OutgoingRequest request;
    request.url = target.url;
    request.body = p.body;
    request.timeout_ms = options_.attempt_timeout_ms;
    request.headers.emplace_back("Content-Type", "application/json");
    for (const auto& [key, value] : resolved) {
      if (value.empty()) log.With("header", key).Warn("webhook header value is empty");
      request.headers.emplace_back(key, value);
    }
    if (!target.secret.empty()) {
      const int64_t seconds = now / 1000;
      request.headers.emplace_back("webhook-id", p.id);
      request.headers.emplace_back("webhook-timestamp", std::to_string(seconds));
      request.headers.emplace_back("webhook-signature",
                                   StandardWebhookSignature(target.secret, p.id, seconds, p.body));
    }
    const SendOutcome outcome = Send(request, options_.targets, &stopping_);
    if (outcome.aborted) break;
    ++attempts;
    ++attempts_;
    now = clock_.NowMillis();
    EventDeliveryStatus status = EventDeliveryStatus::kDelivered;
    int64_t next_attempt_at = 0;
    std::string error;
    if (outcome.refused) {
      // The target policy refuses this URL: retrying cannot help.
      status = EventDeliveryStatus::kFailed;
      error = outcome.error + " (permanent: not retried)";
    } else if (outcome.status == 410) {
      gone = true;
      status = EventDeliveryStatus::kFailed;
      error = "HTTP 410 Gone: " + Str(kind.name) + " disabled";
    } else if (outcome.status > 0 && outcome.status < 500) {
      if (outcome.status >= 300) error = "HTTP " + std::to_string(outcome.status);
    } else {
      error = outcome.status > 0 ? "HTTP " + std::to_string(outcome.status) : outcome.error;
      if (now - p.created_at > max_age) {
        status = EventDeliveryStatus::kFailed;
        error += " (gave up: older than the max age)";
      } else {
        status = EventDeliveryStatus::kRetrying;
        next_attempt_at = now + Backoff(options_, p.attempts + 1);
        blocked.insert(p.resource_id);
        any_retry = true;
      }
    }
    Result<int64_t> updated =
        db_.Exec(update_sql, {StatusText(status), p.attempts + 1, now, next_attempt_at, error, p.id,
                              target_id, options_.instance_id, token});
    if (!updated) return std::move(updated).error();
    if (*updated == 0) return Conflict("lease on " + Str(kind.name) + " " + target_id + " lost");
    Logger entry = log.With("delivery", p.id)
                       .With("resource", p.resource_id)
                       .With("state", StatusText(status))
                       .With("attempts", std::to_string(p.attempts + 1));
    switch (status) {
      case EventDeliveryStatus::kDelivered:
        ++delivered_;
        if (error.empty()) {
          entry.Debug("event delivered");
        } else {
          entry.With("response", error).Warn("event delivered; the consumer answered an error");
        }
        break;
      case EventDeliveryStatus::kRetrying:
        ++retries_;
        entry.With("error", error).Info("event delivery failed; will retry");
        break;
      default:
        ++failed_;
        entry.With("error", error).Warn("event delivery failed");
        break;
    }
    if (gone) break;
  }
  const int64_t now = clock_.NowMillis();
  if (gone) {
    CLOUD_TRY(int64_t disabled,
              db_.Exec("UPDATE " + Str(kind.target_table) +
                           " SET DeleteAt = $1 WHERE ID = $2 AND DeleteAt = 0 AND "
                           "LockAcquiredBy = $3 AND LockFencingToken = $4",
                       {now, target_id, options_.instance_id, token}));
    CLOUD_TRY(int64_t dropped, store::FailPendingDeliveries(
                                   db_,
                                   kind.subscription ? store::DeliveryChannel::kSubscription
                                                     : store::DeliveryChannel::kWebhook,
                                   target_id, "HTTP 410 Gone: " + Str(kind.name) + " disabled"));
    failed_ += dropped;
    log.With("disabled", std::to_string(disabled))
        .With("dropped_deliveries", std::to_string(dropped))
        .Warn("target answered 410 Gone: disabled (soft-deleted)");
    return Ok();
  }
  // Rotate targets fairly (claims take the least recently attempted first).
  std::string sql = "UPDATE " + Str(kind.target_table) + " SET LastDeliveryAttemptAt = $1";
  store::SqlParams params = {now};
  if (kind.subscription) {
    sql += ", LastDeliveryStatus = $2";
    params.emplace_back(Str(model::ToString(any_retry ? model::SubscriptionDeliveryStatus::kFailed
                                                      : model::SubscriptionDeliveryStatus::kNone)));
  }
  const size_t n = params.size();
  sql += " WHERE ID = $" + std::to_string(n + 1) + " AND LockAcquiredBy = $" +
         std::to_string(n + 2) + " AND LockFencingToken = $" + std::to_string(n + 3);
  params.emplace_back(target_id);
  params.emplace_back(options_.instance_id);
  params.emplace_back(token);
  CLOUD_TRY(int64_t touched, db_.Exec(sql, params));
  (void)touched;
  return Ok();
}

}  // namespace cloud::events
