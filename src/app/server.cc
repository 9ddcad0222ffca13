#include "app/server.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <string_view>
#include <thread>
#include <utility>

#include "api/api_routes.h"
#include "api/audit.h"
#include "api/auth.h"
#include "common/id.h"
#include "store/migrations.h"
#include "supervisor/notifier_channel.h"

namespace cloud::app {

namespace {

// The supervisors' step durations as the Prometheus histogram
//   provisioner_supervisor_step_duration_seconds{supervisor,state}
// (one observation per pass that took a step: claim, re-read, step, save, release), with
// exponential buckets from 0.5 ms to 65 s.
class SupervisorStepMetrics final : public supervisor::StepObserver {
 public:
  explicit SupervisorStepMetrics(api::MetricsRegistry& registry)
      : duration_(registry.AddHistogram(
            "provisioner_supervisor_step_duration_seconds",
            "Duration of one supervisor step (one pass on one resource), by supervisor and the "
            "state the step started from.",
            {"supervisor", "state"}, api::ExponentialBuckets(0.0005, 2, 18))) {}
  void ObserveStep(std::string_view supervisor, std::string_view state, double seconds) override {
    duration_.Observe({std::string(supervisor), std::string(state)}, seconds);
  }

 private:
  api::HistogramFamily& duration_;
};

// Upstream's request-to-settled histograms (upstream-core.md §8):
//   provisioner_app_installation_{creation,update,hibernation,wakeup,deletion}_duration_seconds
//     {group}, provisioner_app_cluster_installation_{reconciling,deletion}_duration_seconds
//     {cluster}, provisioner_app_cluster_{creation,upgrade,provisioning,resize,deletion}_...
// with upstream's linear buckets 0, 15, ..., 285 s. When a resource settles, the latest
// state-change event of the resource into one of its kind's request states names the histogram
// and its timestamp the start; other request states (e.g. dns-migration-hibernated) or a missing
// event are logged, as upstream does.
class SupervisorLifecycleMetrics final : public supervisor::LifecycleObserver {
 public:
  SupervisorLifecycleMetrics(api::MetricsRegistry& registry, store::EventStore& events,
                             const Clock& clock, Logger log)
      : events_(events), clock_(clock), log_(std::move(log)) {
    struct Kind {
      std::string_view kind, label;  // kind is also the events' ResourceType
      std::vector<std::pair<std::string_view, std::string_view>> requests;  // state, histogram
    };
    const Kind kinds[] = {
        {"installation",
         "group",
         {{"creation-requested", "creation"},
          {"update-requested", "update"},
          {"hibernation-requested", "hibernation"},
          {"wake-up-requested", "wakeup"},
          {"deletion-requested", "deletion"},
          {"dns-migration-hibernated", ""},
          {"deletion-pending-requested", ""},
          {"deletion-cancellation-requested", ""}}},
        {"cluster_installation",
         "cluster",
         {{"reconciling", "reconciling"}, {"deletion-requested", "deletion"}}},
        {"cluster",
         "",
         {{"creation-requested", "creation"},
          {"provisioning-requested", "provisioning"},
          {"upgrade-requested", "upgrade"},
          {"resize-requested", "resize"},
          {"deletion-requested", "deletion"},
          {"nodegroups-creation-requested", ""}}},
    };
    for (const Kind& k : kinds) {
      KindMetrics& m = kinds_[std::string(k.kind)];
      m.labelled = !k.label.empty();
      for (const auto& [state, histogram] : k.requests) {
        m.request_states.emplace_back(state);
        if (histogram.empty()) continue;
        const std::string name = "provisioner_app_" + std::string(k.kind) + "_" +
                                 std::string(histogram) + "_duration_seconds";
        std::vector<std::string> labels;
        if (m.labelled) labels.emplace_back(k.label);
        m.histograms[std::string(state)] =
            &registry.AddHistogram(name,
                                   "Seconds from the " + std::string(state) + " request of a " +
                                       std::string(k.kind) + " until it settled.",
                                   labels, api::LinearBuckets(0, 15, 20));
      }
    }
  }

  void ResourceSettled(std::string_view kind, std::string_view id,
                       std::string_view label) override {
    auto it = kinds_.find(std::string(kind));
    if (it == kinds_.end()) return;
    const KindMetrics& m = it->second;
    model::StateChangeEventFilter filter;
    filter.resource_id = std::string(id);
    filter.resource_type = std::string(kind);
    filter.new_states = m.request_states;
    filter.paging.per_page = 1;
    const Logger log = log_.With(std::string(kind), std::string(id));
    Result<std::vector<model::StateChangeEventData>> latest = events_.GetStateChangeEvents(filter);
    if (!latest || latest->size() != 1) {
      log.Error("no request event to measure the settled " + std::string(kind) + " against",
                latest ? Internal("no event") : latest.error());
      return;
    }
    const model::StateChangeEventData& event = latest->front();
    auto histogram = m.histograms.find(event.state_change.new_state);
    if (histogram == m.histograms.end()) {
      log.With("request_state", event.state_change.new_state)
          .Debug("no duration histogram for this request state");
      return;
    }
    const double seconds =
        static_cast<double>(std::max<int64_t>(0, clock_.NowMillis() - event.event.timestamp)) /
        1000.0;
    if (m.labelled) {
      histogram->second->Observe({std::string(label)}, seconds);
    } else {
      histogram->second->Observe({}, seconds);
    }
  }

 private:
  struct KindMetrics {
    std::vector<std::string> request_states;
    std::map<std::string, api::HistogramFamily*> histograms;  // by request state
    bool labelled = false;
  };
  store::EventStore& events_;
  const Clock& clock_;
  Logger log_;
  std::map<std::string, KindMetrics> kinds_;
};

}  // namespace

Server::Server(ServerConfig config, Logger log) : config_(std::move(config)), log_(std::move(log)) {
  // Upstream: the instance ID is $HOSTNAME or a random ID; it names lock holders.
  const char* hostname = std::getenv("HOSTNAME");
  instance_id_ = (hostname != nullptr && *hostname != '\0') ? hostname : NewId();
}

Server::~Server() { Stop(); }

uint16_t Server::api_port() const { return api_server_ ? api_server_->port() : 0; }

uint16_t Server::metrics_port() const { return metrics_server_ ? metrics_server_->port() : 0; }

void Server::RegisterApiRoutes() {
  api_deps_.clusters = cluster_store_.get();
  api_deps_.installations = installation_store_.get();
  api_deps_.cluster_installations = cluster_installation_store_.get();
  api_deps_.groups = group_store_.get();
  api_deps_.dns_records = dns_record_store_.get();
  api_deps_.annotations = annotation_store_.get();
  api_deps_.backups = backup_store_.get();
  api_deps_.locks = locks_.get();
  api_deps_.notifier = schedulers_.get();
  api_deps_.clock = &clock_;
  api_deps_.config.deploy_mysql_operator = config_.deploy_mysql_operator;
  api_deps_.config.deploy_minio_operator = config_.deploy_minio_operator;
  api_deps_.config.require_annotated_installations = config_.require_annotated_installations;
  api_deps_.config.utility_defaults.utilities_git_url = config_.utilities_git_url;
  api_deps_.db_restorations = restoration_store_.get();
  api_deps_.db_migrations = migration_store_.get();
  api_deps_.webhooks = webhook_store_.get();
  api_deps_.databases = database_store_.get();
  api_deps_.subscriptions = subscription_store_.get();
  api_deps_.events = event_store_.get();
  api_deps_.deliveries = delivery_admin_.get();
  api_deps_.wake_event_delivery = [this] {
    if (deliverer_) deliverer_->Wake();
  };
  api_deps_.environment = "dev";
  if (config_.response_cache_mb > 0) {
    installation_bodies_ = std::make_unique<api::ResponseCache>(
        [db = db_.get()] { return db->CommitVersion(); },
        static_cast<size_t>(config_.response_cache_mb) << 20,
        [db = db_.get()] { return db->CommitVersionFromMemory(); });
    api_deps_.installation_bodies = installation_bodies_.get();
  }
  api::RegisterApiRoutes(api_router_, handler_env_, api_deps_);
  api::RegisterAuditRoutes(api_router_, handler_env_, *audit_store_);
  api::AddHealthRoute(api_router_, handler_env_, [this]() -> Result<void> {
    Result<store::Rows> rows = db_->Query("SELECT 1");
    if (!rows) return rows.error();
    return Ok();
  });
}

Result<void> Server::OpenStore() {
  Result<std::unique_ptr<store::SqlDatabase>> db = store::OpenDatabase(config_.database, log_);
  if (!db) return db.error().WithContext("failed to open the database");
  db_ = std::move(*db);
  CLOUD_TRY_VOID(store::CheckSchemaCurrent(*db_));
  log_.With("database", db_->redacted_url())
      .With("schema", std::string(store::LatestSchemaVersion()))
      .Info("database ready");
  locks_ = store::MakeSqlLockStore(*db_, clock_,
                                   store::LeaseOptions{config_.lease_expiry_ns / 1'000'000});
  store::SqlDatabase& sql = *db_;
  cluster_store_ = std::make_unique<store::SqlClusterStore>(sql, *locks_, clock_);
  installation_store_ = std::make_unique<store::SqlInstallationStore>(sql, *locks_, clock_);
  cluster_installation_store_ =
      std::make_unique<store::SqlClusterInstallationStore>(sql, *locks_, clock_);
  group_store_ = std::make_unique<store::SqlGroupStore>(sql, *locks_, clock_);
  dns_record_store_ = std::make_unique<store::SqlDNSRecordStore>(sql, clock_);
  annotation_store_ = std::make_unique<store::SqlAnnotationStore>(sql);
  backup_store_ = std::make_unique<store::SqlBackupStore>(sql, *locks_, clock_);
  restoration_store_ = std::make_unique<store::SqlDBRestorationStore>(sql, *locks_, clock_);
  migration_store_ = std::make_unique<store::SqlDBMigrationStore>(sql, *locks_, clock_);
  webhook_store_ = std::make_unique<store::SqlWebhookStore>(sql, clock_);
  database_store_ = std::make_unique<store::SqlDatabaseStore>(sql, clock_);
  subscription_store_ = std::make_unique<store::SqlSubscriptionStore>(sql, *locks_, clock_);
  event_store_ = std::make_unique<store::SqlEventStore>(sql);
  api_key_store_ = std::make_unique<store::SqlApiKeyStore>(sql, clock_);
  audit_store_ = std::make_unique<store::SqlAuditStore>(sql, clock_);
  delivery_admin_ = std::make_unique<store::SqlDeliveryAdmin>(sql, clock_);
  return Ok();
}

void Server::StartEventDelivery() {
  events::DelivererOptions options;
  options.instance_id = instance_id_;
  options.workers = config_.event_delivery_workers;
  options.max_age_ms = config_.event_delivery_max_age_ms;
  options.attempt_timeout_ms = config_.event_delivery_timeout_ms;
  options.retention_ms = config_.event_retention_ms;
  options.targets.allow_private = !config_.DenyPrivateTargets();
  options.targets.allow_loopback = !config_.DenyPrivateTargets();
  deliverer_ = std::make_unique<events::EventDeliverer>(
      *db_, *locks_, clock_, log_.With(logkey::kComponent, "event-delivery"), options);
  deliverer_->Start();
}

Result<void> Server::StartSupervisors() {
  // Only the simulated cloud exists so far (ServerConfig validates --backend).
  // The sim lives in memory: a restarted server adopts the clusters and cluster installations
  // its store already holds instead of failing every step on them.
  provisioner::sim::SimOptions sim_options;
  sim_options.adopt_unknown_resources = true;
  sim_options.log_calls = config_.sim_log_calls;
  sim_options.fail_backup_jobs =
      config_.sim_fail_jobs == "backup" || config_.sim_fail_jobs == "all";
  sim_options.fail_restore_jobs =
      config_.sim_fail_jobs == "restore" || config_.sim_fail_jobs == "all";
  sim_ = std::make_unique<provisioner::sim::SimCloud>(clock_, log_, sim_options);
  provisioners_ = std::make_unique<provisioner::ProvisionerSet>(sim_->MakeProvisionerSet());
  log_.With("backend", config_.backend).Info("using the simulated cloud backend (no real cloud)");
  renewer_ = std::make_unique<supervisor::LeaseRenewer>(*locks_, clock_, log_);
  renewer_->Start();
  // Wake-ups cross server instances through PostgreSQL LISTEN/NOTIFY (none on SQLite).
  Result<std::unique_ptr<supervisor::WakeupChannel>> channel =
      supervisor::MakeWakeupChannel(config_.database, *db_, log_);
  if (!channel) return channel.error().WithContext("failed to set up cross-instance wake-ups");
  wakeup_channel_ = std::move(*channel);
  schedulers_ = std::make_unique<supervisor::SchedulerSet>(log_, wakeup_channel_.get());
  supervisor::SchedulerOptions options;
  options.poll_ms = config_.poll * 1000;
  if (!config_.disable_all_supervisors && config_.cluster_supervisor) {
    cluster_supervisor_ = std::make_unique<supervisor::ClusterSupervisor>(
        *cluster_store_, *locks_, *provisioners_, renewer_.get(),
        supervisor::ClusterSupervisorOptions{instance_id_, "dev"},
        log_.With(logkey::kComponent, "cluster-supervisor"));
    schedulers_->Add(
        supervisor::ResourceKind::kCluster,
        std::make_unique<supervisor::Scheduler>(*cluster_supervisor_, options, clock_, log_));
  }
  if (!config_.disable_all_supervisors && config_.installation_supervisor) {
    supervisor::InstallationSupervisorOptions installation_options;
    installation_options.instance_id = instance_id_;
    installation_options.environment = "dev";
    installation_options.notifier = schedulers_.get();
    installation_supervisor_ = std::make_unique<supervisor::InstallationSupervisor>(
        supervisor::InstallationSupervisorStores{*installation_store_, *cluster_installation_store_,
                                                 *cluster_store_, *group_store_, *dns_record_store_,
                                                 *annotation_store_, *backup_store_,
                                                 *migration_store_, *restoration_store_, *locks_},
        *provisioners_, renewer_.get(), installation_options,
        log_.With(logkey::kComponent, "installation-supervisor"));
    schedulers_->Add(
        supervisor::ResourceKind::kInstallation,
        std::make_unique<supervisor::Scheduler>(*installation_supervisor_, options, clock_, log_));
  }
  if (!config_.disable_all_supervisors && config_.cluster_installation_supervisor) {
    supervisor::ClusterInstallationSupervisorOptions ci_options{instance_id_, "dev",
                                                                schedulers_.get()};
    cluster_installation_supervisor_ = std::make_unique<supervisor::ClusterInstallationSupervisor>(
        supervisor::ClusterInstallationSupervisorStores{
            *cluster_installation_store_, *cluster_store_, *installation_store_, *dns_record_store_,
            *backup_store_, *locks_},
        *provisioners_, renewer_.get(), ci_options,
        log_.With(logkey::kComponent, "cluster-installation-supervisor"));
    schedulers_->Add(supervisor::ResourceKind::kClusterInstallation,
                     std::make_unique<supervisor::Scheduler>(*cluster_installation_supervisor_,
                                                             options, clock_, log_));
  }
  if (!config_.disable_all_supervisors && config_.installation_deletion_supervisor) {
    supervisor::InstallationDeletionSupervisorOptions deletion_options;
    deletion_options.instance_id = instance_id_;
    deletion_options.environment = "dev";
    deletion_options.deletion_pending_time_ms =
        config_.installation_deletion_pending_time_ns / 1'000'000;
    deletion_options.max_updating = config_.installation_deletion_max_updating;
    deletion_options.notifier = schedulers_.get();
    installation_deletion_supervisor_ =
        std::make_unique<supervisor::InstallationDeletionSupervisor>(
            *installation_store_, *event_store_, *locks_, clock_, renewer_.get(), deletion_options,
            log_.With(logkey::kComponent, "installation-deletion-supervisor"));
    supervisor::SchedulerOptions slow_options = options;
    slow_options.poll_ms = config_.slow_poll * 1000;  // upstream runs it on --slow-poll
    schedulers_->Add(supervisor::ResourceKind::kInstallationDeletion,
                     std::make_unique<supervisor::Scheduler>(*installation_deletion_supervisor_,
                                                             slow_options, clock_, log_));
  }
  // Upstream order after the installation deletion supervisor: group, backup, import,
  // restoration, migration. Backup, restoration and migration are off by default.
  const bool all = !config_.disable_all_supervisors;
  if (all && config_.group_supervisor) {
    group_supervisor_ = std::make_unique<supervisor::GroupSupervisor>(
        *group_store_, *installation_store_, *locks_, renewer_.get(),
        supervisor::GroupSupervisorOptions{instance_id_, "dev", schedulers_.get()},
        log_.With(logkey::kComponent, "group-supervisor"));
    schedulers_->Add(
        supervisor::ResourceKind::kGroup,
        std::make_unique<supervisor::Scheduler>(*group_supervisor_, options, clock_, log_));
  }
  if (all && config_.backup_supervisor) {
    backup_supervisor_ = std::make_unique<supervisor::BackupSupervisor>(
        supervisor::BackupSupervisorStores{*backup_store_, *installation_store_,
                                           *cluster_installation_store_, *cluster_store_, *locks_},
        provisioners_->Backup(), renewer_.get(),
        supervisor::BackupSupervisorOptions{instance_id_, "dev", schedulers_.get()},
        log_.With(logkey::kComponent, "backup-supervisor"));
    schedulers_->Add(
        supervisor::ResourceKind::kBackup,
        std::make_unique<supervisor::Scheduler>(*backup_supervisor_, options, clock_, log_));
  }
  if (all && config_.import_supervisor) {
    // AWAT cannot wake us: the scheduler's poll (--poll) is how new imports are noticed.
    Result<std::unique_ptr<provisioner::AwatClient>> awat =
        provisioner::NewHttpAwatClient(config_.awat);
    if (!awat) return awat.error();
    awat_client_ = std::move(*awat);
    import_supervisor_ = std::make_unique<supervisor::ImportSupervisor>(
        supervisor::ImportSupervisorStores{*installation_store_, *cluster_installation_store_,
                                           *cluster_store_, *locks_},
        *awat_client_, *sim_, renewer_.get(),
        supervisor::ImportSupervisorOptions{
            .instance_id = instance_id_, .environment = "dev", .notifier = schedulers_.get()},
        log_);
    log_.With("awat", awat_client_->address()).Info("import supervisor enabled");
    schedulers_->Add(
        supervisor::ResourceKind::kImport,
        std::make_unique<supervisor::Scheduler>(*import_supervisor_, options, clock_, log_));
  }
  if (all && config_.installation_db_restoration_supervisor) {
    restoration_supervisor_ = std::make_unique<supervisor::DBRestorationSupervisor>(
        supervisor::DBRestorationSupervisorStores{
            *restoration_store_, *backup_store_, *installation_store_, *cluster_installation_store_,
            *cluster_store_, *locks_},
        provisioners_->Restore(), renewer_.get(),
        supervisor::DBRestorationSupervisorOptions{instance_id_, "dev", schedulers_.get()},
        log_.With(logkey::kComponent, "db-restoration-supervisor"));
    schedulers_->Add(
        supervisor::ResourceKind::kDBRestoration,
        std::make_unique<supervisor::Scheduler>(*restoration_supervisor_, options, clock_, log_));
  }
  if (all && config_.installation_db_migration_supervisor) {
    migration_supervisor_ = std::make_unique<supervisor::DBMigrationSupervisor>(
        supervisor::DBMigrationSupervisorStores{
            *migration_store_, *restoration_store_, *backup_store_, *installation_store_,
            *cluster_installation_store_, *cluster_store_, *locks_},
        *provisioners_, clock_, renewer_.get(),
        supervisor::DBMigrationSupervisorOptions{instance_id_, "dev", schedulers_.get()},
        log_.With(logkey::kComponent, "db-migration-supervisor"));
    schedulers_->Add(
        supervisor::ResourceKind::kDBMigration,
        std::make_unique<supervisor::Scheduler>(*migration_supervisor_, options, clock_, log_));
  }
  step_metrics_ = std::make_unique<SupervisorStepMetrics>(metrics_);
  for (supervisor::Doer* doer : std::initializer_list<supervisor::Doer*>{
           cluster_supervisor_.get(), installation_supervisor_.get(),
           cluster_installation_supervisor_.get(), installation_deletion_supervisor_.get(),
           group_supervisor_.get(), backup_supervisor_.get(), restoration_supervisor_.get(),
           migration_supervisor_.get()}) {
    if (doer != nullptr) doer->SetStepObserver(step_metrics_.get());
  }
  lifecycle_metrics_ = std::make_unique<SupervisorLifecycleMetrics>(
      metrics_, *event_store_, clock_, log_.With(logkey::kComponent, "supervisor-metrics"));
  for (supervisor::Doer* doer : std::initializer_list<supervisor::Doer*>{
           cluster_supervisor_.get(), installation_supervisor_.get(),
           cluster_installation_supervisor_.get()}) {
    if (doer != nullptr) doer->SetLifecycleObserver(lifecycle_metrics_.get());
  }
  schedulers_->Start();
  return Ok();
}

Result<void> Server::Start() {
  // Startup order follows upstream (upstream-core.md §2.2): store and schema check,
  // requirement checks, provisioners, metrics, event delivery, supervisors and schedulers,
  // then the metrics server and the API server.
  // TODO(lead): open the store (config_.database), check the schema version, build the
  // `config_.backend` provisioners, the event producer/deliverer, the supervisors and the
  // schedulers here, and stop them in Stop() after the API server.
  CLOUD_TRY_VOID(OpenStore());
  StartEventDelivery();
  CLOUD_TRY_VOID(StartSupervisors());
  http_metrics_ = std::make_unique<api::HttpMetrics>(metrics_);
  api::AuthOptions auth;
  auth.issuer = config_.issuer;
  auth.audience = config_.audience;
  auth.jwks_url = config_.jwks_url;
  auth.restricted_client_ids = config_.restricted_client_ids;
  auth.restricted_client_allowed_endpoints = config_.restricted_client_allowed_endpoints;
  auth.require_api_key = config_.require_api_key;
  CLOUD_TRY(api::Authenticator authenticate,
            api::MakeAuthenticator(std::move(auth), api_key_store_.get(),
                                   log_.With(logkey::kComponent, "auth")));
  handler_env_ = api::HandlerEnv{
      log_, http_metrics_.get(), std::move(authenticate),
      api::MakeStoreAuditSink(*audit_store_, log_.With(logkey::kComponent, "audit"))};
  RegisterApiRoutes();

  api::CounterFamily& cache_lookups = metrics_.AddCounter(
      "provisioner_api_response_cache_lookups_total",
      "Lookups of GET /api/installation/{id} bodies in the response cache, by result: hit, miss "
      "(read from the store) or uncached (the database could not tell its commit version).",
      {"result"});
  metrics_router_.Handle("GET", "/metrics", [this, &cache_lookups](const api::HttpRequest&) {
    if (installation_bodies_ != nullptr) {
      // The cache counts with atomics; the counter catches up at each scrape (one at a time:
      // the metrics server has one worker).
      const api::ResponseCache::Stats stats = installation_bodies_->stats();
      for (const auto& [result, count] :
           {std::pair{"hit", stats.hits}, std::pair{"miss", stats.misses},
            std::pair{"uncached", stats.uncached}}) {
        const double seen = cache_lookups.Value({result});
        if (static_cast<double>(count) > seen) {
          cache_lookups.Inc({result}, static_cast<double>(count) - seen);
        }
      }
    }
    api::HttpResponse response;
    response.content_type = std::string(api::kMetricsContentType);
    response.body = metrics_.Render();
    return response;
  });

  api::HttpServerOptions metrics_options;
  metrics_options.listen = ":" + std::to_string(config_.metrics_port);  // as upstream
  metrics_options.name = "metrics";
  metrics_options.workers = 1;
  metrics_server_ = std::make_unique<api::HttpServer>(
      std::move(metrics_options),
      [this](api::HttpRequest& request) { return metrics_router_.Dispatch(request); }, log_);

  api::HttpServerOptions api_options;
  api_options.listen = config_.listen;
  api_options.name = "api";
  api_options.workers = static_cast<size_t>(config_.workers);
  // One I/O thread per core (at most 4): cached reads are answered on the I/O threads, so with
  // one they would all queue behind a single core (2 cores, alternating wrk rounds: median
  // 39,000 -> 48,000 cached GETs/s with 2; reads that go to the workers did not get slower).
  api_options.io_threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  // SQLite reads run in process and take tens of microseconds: keeping one worker polling
  // saves a thread wake-up per request. PostgreSQL handlers wait on the network instead.
  api_options.workers_poll_when_idle = db_->dialect() == store::Dialect::kSqlite;
  // Cached reads are answered on the I/O thread (no hand-off to a worker and back). Only
  // SQLite can tell from memory that a cached body is current.
  api::InlineDispatcher inline_dispatcher;
  if (installation_bodies_ != nullptr && db_->dialect() == store::Dialect::kSqlite) {
    inline_dispatcher = [this](api::HttpRequest& request) {
      return api_router_.DispatchInline(request);
    };
  }
  api_server_ = std::make_unique<api::HttpServer>(
      std::move(api_options),
      [this](api::HttpRequest& request) {
        api::HttpResponse response = api_router_.Dispatch(request);
        // A write may have queued deliveries: wake the delivery workers (cheap, in process).
        if (request.method != "GET" && deliverer_) deliverer_->Wake();
        return response;
      },
      log_, std::move(inline_dispatcher));

  if (Result<void> r = metrics_server_->Start(); !r) {
    return r.error().WithContext("failed to start the metrics server");
  }
  log_.With(logkey::kComponent, "metrics")
      .With("address", metrics_server_->address())
      .Info("listening");
  if (Result<void> r = api_server_->Start(); !r) {
    metrics_server_->Stop();
    return r.error().WithContext("failed to start the API server");
  }
  log_.With(logkey::kComponent, "api").With("address", api_server_->address()).Info("listening");
  return Ok();
}

void Server::Stop() {
  if (api_server_ && !api_server_->Stop()) {
    log_.Warn("API server stopped before all requests finished");
  }
  if (metrics_server_) metrics_server_->Stop();
  // A running import polls its Mattermost job for as long as it takes: interrupt it (the next
  // start resumes it) so that stopping the schedulers does not wait for it.
  if (import_supervisor_) import_supervisor_->Stop();
  if (schedulers_) {
    schedulers_->Stop();  // waits for running steps
    schedulers_.reset();
  }
  if (renewer_) {
    renewer_->Stop();
    renewer_.reset();
  }
  if (deliverer_) {
    deliverer_->Stop();  // pending deliveries stay in the store for the next start
    deliverer_.reset();
  }
}

}  // namespace cloud::app
