// ApiDeps: what the resource handlers need (store roles, the lock store, the supervisor
// notifier, the clock, server configuration, and hooks to the outside world), plus the small
// helpers every handler file shares: query lookup, the API row lock (upstream lock(R)) and the
// security-lock / transition checks in upstream's order 404 → 409 → 403 → 400 (spec
// upstream-api.md §1.7).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/database_services.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/response_cache.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/result.h"
#include "model/cluster.h"
#include "model/cluster_installation.h"
#include "model/json_codec.h"
#include "model/paging.h"
#include "model/utility_metadata.h"
#include "store/annotation_store.h"
#include "store/backup_store.h"
#include "store/cluster_installation_store.h"
#include "store/cluster_store.h"
#include "store/database_store.h"
#include "store/db_migration_store.h"
#include "store/db_restoration_store.h"
#include "store/delivery_admin.h"
#include "store/dns_record_store.h"
#include "store/event_store.h"
#include "store/group_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "store/subscription_store.h"
#include "store/webhook_store.h"
#include "supervisor/notifier.h"

namespace cloud::api {

// Server flags the handlers read (spec upstream-api.md §7.3).
struct ApiConfig {
  bool deploy_mysql_operator = false;            // --deploy-mysql-operator
  bool deploy_minio_operator = false;            // --deploy-minio-operator
  bool require_annotated_installations = false;  // --require-annotated-installations
  int64_t installation_deletion_pending_time_ms = 3 * 60 * 1000;  // default 3 min
  model::UtilityDefaultsOptions utility_defaults;                 // --utilities-git-url
};

// Calls to AWS / DNS / Kubernetes that some routes make. An empty function means "the backend
// has no such service": the simulated backend accepts secrets, VPCs and DNS deletions as
// no-ops, and routes that must talk to a live cluster (config, exec, mattermost_cli, status,
// pprof) answer 400 with a clear message instead.
struct ApiExternalServices {
  // POST /api/installations with Database "external": the secret must exist and be valid.
  std::function<Result<void>(std::string_view secret_name)> validate_external_database_secret;
  // POST /api/clusters/import: the kubeconfig secret, and the VPC when given.
  std::function<Result<void>(std::string_view secret_name)> validate_external_cluster_secret;
  std::function<Result<void>(std::string_view vpc_id)> validate_vpc;
  // Volume backing secrets (JSON of the Data map).
  std::function<Result<void>(std::string_view secret_name, std::string_view json)>
      create_volume_secret;
  std::function<Result<void>(std::string_view secret_name, std::string_view json)>
      update_volume_secret;
  std::function<Result<void>(std::string_view secret_name)> delete_volume_secret;
  // DELETE /api/installation/{id}/dns/{record}: remove the domain at the DNS provider.
  std::function<Result<void>(std::string_view installation_id, std::string_view domain)>
      delete_dns_record;
  // Runs a command in a Mattermost pod of the cluster installation and returns its output.
  // kFailedPrecondition = the command ran and failed (output in the message).
  std::function<Result<std::string>(const model::Cluster& cluster,
                                    const model::ClusterInstallation& ci,
                                    const std::vector<std::string>& command)>
      exec_in_cluster_installation;
  // GET .../status from Kubernetes.
  std::function<Result<model::ClusterInstallationStatus>(const model::Cluster& cluster,
                                                         const model::ClusterInstallation& ci)>
      cluster_installation_status;
};

// References (as pointers, so that members can be added without touching every initializer)
// to the objects the handlers use. Built once in app/ (and by tests); every store pointer
// used by a registered route must be non-null. Handlers never own these.
// Threading: shared by all worker threads; the referenced objects are thread-safe.
struct ApiDeps {
  store::ClusterStore* clusters = nullptr;
  store::InstallationStore* installations = nullptr;
  store::ClusterInstallationStore* cluster_installations = nullptr;
  store::GroupStore* groups = nullptr;
  store::DNSRecordStore* dns_records = nullptr;
  store::AnnotationStore* annotations = nullptr;
  store::BackupStore* backups = nullptr;
  store::LockStore* locks = nullptr;
  supervisor::Notifier* notifier = nullptr;  // null: no wake-ups
  const Clock* clock = nullptr;
  ApiConfig config;
  ApiExternalServices external;
  // Backups (above), DB restorations and migrations, legacy webhooks, multitenant databases,
  // subscriptions and events (spec §3.3-§3.5, §3.8, §3.9, §3.11).
  store::DBRestorationStore* db_restorations = nullptr;
  store::DBMigrationStore* db_migrations = nullptr;
  store::WebhookStore* webhooks = nullptr;
  store::DatabaseStore* databases = nullptr;
  store::SubscriptionStore* subscriptions = nullptr;
  store::EventStore* events = nullptr;
  // Subscription deliveries list / redeliver (beyond upstream; src/events/README.md), and the
  // wake-up of the delivery workers after a redeliver (empty: none).
  store::DeliveryAdmin* deliveries = nullptr;
  std::function<void()> wake_event_delivery;
  ApiDatabaseServices database_services;
  // Bodies of GET /api/installation/{id}, reused while the database is unchanged (null: every
  // request reads the store).
  ResponseCache* installation_bodies = nullptr;
  // The "Environment" extra data of backup/restoration/migration webhooks and events
  // (upstream Context.Environment, the AWS cloud environment name).
  std::string environment;

  int64_t NowMillis() const { return clock->NowMillis(); }
  // Wakes a supervisor ("poke"); a no-op without a notifier. Never blocks.
  void Poke(supervisor::ResourceKind kind) const {
    if (notifier != nullptr) notifier->Notify(kind);
  }
  void Poke(supervisor::ResourceKind kind, std::string_view id) const {
    if (notifier != nullptr) notifier->Notify(kind, id);
  }
};

// Go's url.Values.Get over the request's query.
inline model::QueryLookup QueryOf(const HttpRequest& request) {
  return [&request](std::string_view name) { return std::string(request.QueryValue(name)); };
}

// A handler body: returns the response, or an Error that RespondError maps to a status.
using HandlerResult = Result<HttpResponse>;

// Runs `body` and maps its Error (if any) through RespondError with `what` as log message.
template <class F>
HttpResponse RunHandler(RequestContext& ctx, std::string_view what, F&& body) {
  HandlerResult result = body();
  if (!result) return RespondError(ctx, what, result.error());
  return std::move(*result);
}

// Upstream lock(R): a lease held for one request, released by Release() (before poking the
// supervisor) or at destruction. Not copyable.
class ApiRowLock {
 public:
  ApiRowLock() = default;
  ApiRowLock(store::LockStore* locks, store::Lease lease, Logger log)
      : locks_(locks), lease_(std::move(lease)), log_(std::move(log)), held_(true) {}
  ApiRowLock(ApiRowLock&& other) noexcept
      : locks_(other.locks_),
        lease_(std::move(other.lease_)),
        log_(std::move(other.log_)),
        held_(std::exchange(other.held_, false)) {}
  ApiRowLock& operator=(ApiRowLock&& other) noexcept {
    if (this != &other) {
      Release();
      locks_ = other.locks_;
      lease_ = std::move(other.lease_);
      log_ = std::move(other.log_);
      held_ = std::exchange(other.held_, false);
    }
    return *this;
  }
  ApiRowLock(const ApiRowLock&) = delete;
  ApiRowLock& operator=(const ApiRowLock&) = delete;
  ~ApiRowLock() { Release(); }

  const store::Lease& lease() const { return lease_; }
  // Frees the row (logged on failure: the lease expires by itself). Idempotent.
  void Release() {
    if (!held_) return;
    held_ = false;
    if (Result<void> r = locks_->Release(lease_); !r) {
      log_.Warn("failed to release API lock", r.error());
    }
  }

 private:
  store::LockStore* locks_ = nullptr;
  store::Lease lease_;
  Logger log_;
  bool held_ = false;
};

// Takes the API lock on one row with the request ID as locker.
// Errors: kNotFound (no such row) → 404, kConflict (held) → 409 "... is locked".
inline Result<ApiRowLock> LockRow(const ApiDeps& deps, RequestContext& ctx, store::LockTable table,
                                  std::string_view id) {
  Result<store::Lease> lease = deps.locks->AcquireOne(table, id, ctx.request_id);
  if (!lease) {
    std::string name(store::LockTableName(table));
    if (lease.error().code == ErrorCode::kNotFound) {
      return NotFound(name + " " + std::string(id) + " not found");
    }
    if (lease.error().code == ErrorCode::kConflict) {
      return Conflict("failed to lock " + name + " " + std::string(id) + ": already locked");
    }
    return lease.error().WithContext("failed to lock " + name);
  }
  return ApiRowLock(deps.locks, std::move(*lease), ctx.log);
}

// 403 when the resource's API security lock is set.
inline Result<void> CheckAPISecurityLock(bool locked, std::string_view what) {
  if (locked) return Forbidden(std::string(what) + " API security lock is enabled");
  return {};
}

// Clears the lock columns of a value read under our own API lock, so responses show the
// row as upstream does (it reads before locking): LockAcquiredBy null, LockAcquiredAt 0.
template <class T>
void ClearLockFields(T& value) {
  value.lock_acquired_by.reset();
  value.lock_acquired_at = 0;
}

// Decodes a JSON body into T, mapping decode errors to kInvalidArgument (400).
template <class T>
Result<T> DecodeBody(const HttpRequest& request) {
  return DecodeRequestBody<T>(request);
}

}  // namespace cloud::api
