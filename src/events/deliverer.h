// EventDeliverer: the delivery side of the transactional outbox (ARCHITECTURE.md decision 5).
//
// Own worker threads (never an API request or a supervisor step) claim one target at a time —
// a subscription with due EventDelivery rows, or a legacy webhook with due WebhookDelivery rows —
// with a lease on the target row (LockStore::ClaimAvailable, so several servers on one database
// do not deliver the same rows), POST the due rows oldest first and record each outcome fenced by
// that lease. At least once; in order per (target, resource): the rows of a resource wait while
// one of them is backing off before a retry; other resources go on (and take the batch's room).
//
// Outcomes: any HTTP status < 500 except 410 is delivered (as upstream); 410 Gone disables the
// target (soft delete: DeleteAt = now) and fails its pending rows; a URL the target policy
// refuses fails at once (permanent); a transport error or a status
// >= 500 schedules a retry with exponential backoff and jitter, until the row is older than the
// max age (subscriptions: their FailureThreshold when set), then it is `failed`.
//
// Wake() is cheap and in-process (the server calls it after API writes); an idle poll every
// idle_poll_ms picks up rows written elsewhere (supervisors, other servers).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "common/result.h"
#include "events/http_sender.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::events {

struct DelivererOptions {
  std::string instance_id = "cloud";  // lease holder name
  int workers = 2;
  int64_t max_age_ms = int64_t{3} * 24 * 3600 * 1000;  // then `failed`
  int64_t initial_backoff_ms = 1'000;                  // doubles per attempt, +-20% jitter
  int64_t max_backoff_ms = 10 * 60 * 1000;
  int64_t attempt_timeout_ms = 15'000;  // per HTTP attempt
  int64_t idle_poll_ms = 200;
  // Finished deliveries and events older than this are deleted (0: never; pending rows of
  // deleted targets are still failed every prune_every_ms); see Prune().
  int64_t retention_ms = int64_t{7} * 24 * 3600 * 1000;
  int64_t prune_every_ms = 60'000;
  int max_rows_per_claim = 100;
  TargetPolicy targets;
  // Reads value_from_env headers at send time (default: getenv).
  std::function<std::string(const std::string&)> getenv;
};

struct DeliveryStats {
  int64_t attempts = 0;
  int64_t delivered = 0;
  int64_t retries = 0;
  int64_t failed = 0;
};

class EventDeliverer {
 public:
  EventDeliverer(store::SqlDatabase& db, store::LockStore& locks, const Clock& clock, Logger log,
                 DelivererOptions options);
  ~EventDeliverer();
  EventDeliverer(const EventDeliverer&) = delete;
  EventDeliverer& operator=(const EventDeliverer&) = delete;

  // Starts options.workers threads. Idempotent.
  void Start();
  // Stops and joins the workers; an attempt in flight is aborted and not counted. Rows still
  // pending stay in the store for the next deliverer. Idempotent.
  void Stop();
  // Wakes idle workers now (cheap; call after writes that may have queued deliveries).
  void Wake();

  // One pass on the calling thread: claims and processes targets until nothing is due.
  // Returns the number of HTTP attempts made. For tests and benchmarks.
  Result<int64_t> RunOnce();

  // Retention, in batches of 1,000 rows per statement: fails the pending rows of deleted
  // targets, deletes delivered / failed delivery rows whose event (webhook rows: whose
  // creation) is older than retention_ms, then the Event and StateChangeEvent rows older than
  // retention_ms none of whose deliveries is still pending. Returns the number of delivery and
  // Event rows deleted.
  Result<int64_t> Prune();
  // Fails the pending rows of deleted targets and deletes pending rows whose event is gone (the
  // first step of Prune; the workers run it every prune_every_ms even with retention 0).
  // Returns how many rows it failed or deleted.
  Result<int64_t> FailDeliveriesOfDeletedTargets();

  DeliveryStats stats() const;

  struct Kind;

 private:
  void WorkerLoop(int index);
  // Claims one target of `kind` and processes it; false when none was due.
  Result<bool> ProcessOne(const Kind& kind, int64_t& attempts);
  Result<void> ProcessTarget(const Kind& kind, const store::Lease& lease, int64_t& attempts);

  store::SqlDatabase& db_;
  store::LockStore& locks_;
  const Clock& clock_;
  Logger log_;
  DelivererOptions options_;

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t wake_generation_ = 0;
  std::vector<std::thread> threads_;

  std::atomic<int64_t> attempts_{0}, delivered_{0}, retries_{0}, failed_{0};
};

}  // namespace cloud::events
