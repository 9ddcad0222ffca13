// Server: the composition root of `cloud server` (STYLE.md §4.1.2). Builds the concrete
// objects from a ServerConfig, starts the metrics server and then the API server, and stops
// them in reverse order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_server.h"
#include "api/metrics.h"
#include "api/router.h"
#include "app/server_config.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/result.h"
#include "events/deliverer.h"
#include "provisioner/awat_client.h"
#include "provisioner/provisioner_set.h"
#include "provisioner/sim/sim_cloud.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"
#include "store/sql_annotation_store.h"
#include "store/sql_api_key_store.h"
#include "store/sql_backup_store.h"
#include "store/sql_cluster_installation_store.h"
#include "store/sql_cluster_store.h"
#include "store/sql_database_store.h"
#include "store/sql_db_migration_store.h"
#include "store/sql_db_restoration_store.h"
#include "store/sql_delivery_admin.h"
#include "store/sql_dns_record_store.h"
#include "store/sql_event_store.h"
#include "store/sql_group_store.h"
#include "store/sql_installation_store.h"
#include "store/sql_subscription_store.h"
#include "store/sql_webhook_store.h"
#include "supervisor/backup_supervisor.h"
#include "supervisor/cluster_installation_supervisor.h"
#include "supervisor/cluster_supervisor.h"
#include "supervisor/db_migration_supervisor.h"
#include "supervisor/db_restoration_supervisor.h"
#include "supervisor/group_supervisor.h"
#include "supervisor/import_supervisor.h"
#include "supervisor/installation_deletion_supervisor.h"
#include "supervisor/installation_supervisor.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/scheduler_set.h"
#include "supervisor/step_observer.h"

namespace cloud::app {

// Lifecycle: construct, Start() once, Stop() once (the destructor stops). Not thread-safe;
// owned by the server command's thread.
class Server {
 public:
  Server(ServerConfig config, Logger log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Builds everything and starts listening. Errors: kUnavailable when a port cannot be bound;
  // kInvalidArgument for a bad listen address.
  Result<void> Start();
  // Graceful: API server first (finishing in-flight requests), then the metrics server.
  void Stop();

  const std::string& instance_id() const { return instance_id_; }
  uint16_t api_port() const;
  uint16_t metrics_port() const;

 private:
  void RegisterApiRoutes();
  // Opens the database named by --database and refuses an out-of-date schema.
  Result<void> OpenStore();
  // Builds the --backend provisioners, the supervisors and their schedulers.
  Result<void> StartSupervisors();
  // Starts the event delivery workers (src/events).
  void StartEventDelivery();

  ServerConfig config_;
  Logger log_;
  std::string instance_id_;
  const Clock& clock_ = SystemClock::Instance();
  std::unique_ptr<store::SqlDatabase> db_;
  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::SqlClusterStore> cluster_store_;
  std::unique_ptr<store::SqlInstallationStore> installation_store_;
  std::unique_ptr<store::SqlClusterInstallationStore> cluster_installation_store_;
  std::unique_ptr<store::SqlGroupStore> group_store_;
  std::unique_ptr<store::SqlDNSRecordStore> dns_record_store_;
  std::unique_ptr<store::SqlAnnotationStore> annotation_store_;
  std::unique_ptr<store::SqlBackupStore> backup_store_;
  std::unique_ptr<store::SqlDBRestorationStore> restoration_store_;
  std::unique_ptr<store::SqlDBMigrationStore> migration_store_;
  std::unique_ptr<store::SqlWebhookStore> webhook_store_;
  std::unique_ptr<store::SqlDatabaseStore> database_store_;
  std::unique_ptr<store::SqlSubscriptionStore> subscription_store_;
  std::unique_ptr<store::SqlEventStore> event_store_;
  std::unique_ptr<store::SqlApiKeyStore> api_key_store_;
  std::unique_ptr<store::SqlAuditStore> audit_store_;
  std::unique_ptr<store::SqlDeliveryAdmin> delivery_admin_;
  api::ApiDeps api_deps_;
  std::unique_ptr<provisioner::sim::SimCloud> sim_;
  std::unique_ptr<provisioner::ProvisionerSet> provisioners_;
  std::unique_ptr<supervisor::LeaseRenewer> renewer_;
  std::unique_ptr<supervisor::ClusterSupervisor> cluster_supervisor_;
  std::unique_ptr<supervisor::InstallationSupervisor> installation_supervisor_;
  std::unique_ptr<supervisor::ClusterInstallationSupervisor> cluster_installation_supervisor_;
  std::unique_ptr<supervisor::InstallationDeletionSupervisor> installation_deletion_supervisor_;
  std::unique_ptr<supervisor::GroupSupervisor> group_supervisor_;
  std::unique_ptr<supervisor::BackupSupervisor> backup_supervisor_;
  std::unique_ptr<provisioner::AwatClient> awat_client_;
  std::unique_ptr<supervisor::ImportSupervisor> import_supervisor_;
  std::unique_ptr<supervisor::DBRestorationSupervisor> restoration_supervisor_;
  std::unique_ptr<supervisor::DBMigrationSupervisor> migration_supervisor_;
  std::unique_ptr<supervisor::StepObserver> step_metrics_;            // outlives schedulers_
  std::unique_ptr<supervisor::LifecycleObserver> lifecycle_metrics_;  // outlives schedulers_
  std::unique_ptr<supervisor::WakeupChannel> wakeup_channel_;         // outlives schedulers_
  std::unique_ptr<supervisor::SchedulerSet> schedulers_;
  std::unique_ptr<events::EventDeliverer> deliverer_;
  api::MetricsRegistry metrics_;
  std::unique_ptr<api::HttpMetrics> http_metrics_;
  std::unique_ptr<api::ResponseCache> installation_bodies_;
  api::HandlerEnv handler_env_;
  api::Router api_router_;
  api::Router metrics_router_;
  std::unique_ptr<api::HttpServer> metrics_server_;
  std::unique_ptr<api::HttpServer> api_server_;
};

}  // namespace cloud::app
