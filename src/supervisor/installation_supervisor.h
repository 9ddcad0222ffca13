// InstallationSupervisor: drives installations through creation (cluster choice, databases,
// DNS), update, hibernation, wake-up, pending deletion and deletion (upstream
// internal/supervisor/installation.go; spec upstream-core.md §1.3, §6).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "model/cluster.h"
#include "model/cluster_installation.h"
#include "model/installation.h"
#include "model/installation_enums.h"
#include "provisioner/provisioner_set.h"
#include "store/annotation_store.h"
#include "store/backup_store.h"
#include "store/cluster_installation_store.h"
#include "store/cluster_store.h"
#include "store/db_migration_store.h"
#include "store/db_restoration_store.h"
#include "store/dns_record_store.h"
#include "store/group_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/notifier.h"
#include "supervisor/row_pass.h"

namespace cloud::supervisor {

// The store roles the installation supervisor uses. All references must outlive it.
struct InstallationSupervisorStores {
  store::InstallationStore& installations;
  store::ClusterInstallationStore& cluster_installations;
  store::ClusterStore& clusters;
  store::GroupStore& groups;
  store::DNSRecordStore& dns_records;
  store::AnnotationStore& annotations;
  store::BackupStore& backups;
  store::DBMigrationStore& migrations;
  store::DBRestorationStore& restorations;
  store::LockStore& locks;
};

// Placement of new installations on clusters (upstream-core.md §6.1-6.2; the server flags
// --balanced-installation-scheduling, --prefer-stable-cluster-installation-scheduling,
// --always-schedule-external-clusters and --cluster-resource-threshold*, with each override
// already applied to its threshold).
struct InstallationSchedulingOptions {
  bool balanced_installation_scheduling = true;
  bool prefer_stable_clusters = false;
  bool always_schedule_external_clusters = false;
  int64_t cluster_resource_threshold_cpu = 80;     // percent
  int64_t cluster_resource_threshold_memory = 80;  // percent
  int64_t cluster_resource_threshold_pod_count = 80;
  int64_t cluster_resource_threshold_scale_value = 0;  // nodes added when over; 0 = never
};

struct InstallationSupervisorOptions {
  std::string instance_id;  // the locker ID of this server instance
  std::string environment;  // the "Environment" extra data of state-change events
  InstallationSchedulingOptions scheduling;
  bool keep_database_data = false;   // --keep-database-data
  bool keep_filestore_data = false;  // --keep-filestore-data
  bool force_cr_upgrade = false;     // --force-cr-upgrade
  bool disable_dns_updates = false;  // --disable-dns-updates
  // How long to wait for a cluster's scheduling lock while another installation is being
  // placed on it (held for milliseconds) before skipping the cluster. Upstream does not wait:
  // under a burst of creates most installations then fall to creation-no-compatible-clusters
  // and wait for a poll. 0 = do not wait.
  int64_t scheduling_lock_wait_ms = 2000;
  // Woken (kind kClusterInstallation, by CI ID) after this supervisor created or changed a
  // cluster installation and released its leases. Optional.
  Notifier* notifier = nullptr;
};

// The CPU, memory and pod count an installation asks for when placed on a cluster (upstream
// GetInstallationSize(...).Calculate*Requirement): the app's requests x replicas, plus the
// operator database's when Database is mysql-operator, plus MinIO's when Filestore is
// minio-operator or local-ephemeral. Memory in bytes, CPU in millicores.
// Errors: kInvalidArgument for an unknown size.
struct InstallationResourceRequirements {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t pods = 0;
  friend bool operator==(const InstallationResourceRequirements&,
                         const InstallationResourceRequirements&) = default;
};
Result<InstallationResourceRequirements> GetInstallationResourceRequirements(
    const model::Installation& installation);

// InstallationSupervisor drives installations from a *-requested state to stable, hibernating,
// deletion-pending or deleted (or a *-failed state).
//
// Lifecycle: created once in app/, driven by a Scheduler (ResourceKind::kInstallation): the
//   scheduler calls GetPendingWork() on its dispatcher and Supervise() on its workers,
//   concurrently for different installations.
// Concurrency: work on an installation happens only under its lease (renewed while a step runs);
//   writes are fenced by it. Cluster installations are written under their own leases (all the
//   installation's CIs at once, released before the pass ends), placement under the cluster
//   SCHEDULING lease (never the cluster lease), and a group member becomes stable only while
//   this pass holds the group lease and the member's GroupSequence matches the group's
//   (invariants 5 and 8 of upstream-core.md §9).
// Reentrancy: every step re-reads what it needs: "CIs already exist" skips scheduling, DB and
//   filestore provisioning are idempotent, DNS create is an upsert, teardown of what is gone is
//   success. The state is saved once per pass, after the side effects; intermediate data
//   (GroupSequence, CRVersion, CI rows and their states) is saved inside the step.
// Errors: steps never throw and never return Error; failures become *-failed states or stay,
//   exactly as the transition table of upstream-core.md §1.3, except for upstream's bug of
//   returning a cluster installation's state as the installation state (see UpdateInstallation).
// Not yet: the per-request-state duration histograms, the 3-minute cluster-resource cache
//   (resources are read live for every candidate), and deleting volume secrets in final cleanup
//   (no Secrets Manager port yet).
class InstallationSupervisor final : public Doer {
 public:
  InstallationSupervisor(InstallationSupervisorStores stores,
                         const provisioner::ProvisionerSet& provisioners, LeaseRenewer* renewer,
                         InstallationSupervisorOptions options, Logger log);

  std::string_view Name() const override { return "installation"; }
  // Upstream GetUnlockedInstallationsPendingWork, stable-sorted by InstallationStateWorkPriority.
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;

  // Level 3: one step for the installation's (group-merged) current state; returns the state to
  // persist. Cluster installations it created or changed are not woken when called directly.
  model::InstallationState Transition(model::Installation& installation, const store::Lease& lease,
                                      const Logger& log);

 private:
  // What one pass carries besides the installation.
  struct Pass {
    const store::Lease& lease;
    const Logger& log;
    // Rows this pass created or changed (CIs, backups, operations, auto-resized clusters):
    // woken through options_.notifier once the pass released its leases.
    std::vector<std::pair<ResourceKind, std::string>> wake;
  };
  using State = model::InstallationState;

  State Dispatch(model::Installation& i, Pass& pass);

  // creation-requested / creation-no-compatible-clusters: choose a cluster (§6).
  State CreateInstallation(model::Installation& i, Pass& pass);
  State PreProvisionInstallation(model::Installation& i, Pass& pass);
  State ConfigureInstallationDNS(model::Installation& i, Pass& pass);
  State WaitForCreationStable(model::Installation& i, Pass& pass);
  // update-requested (also wake-up and deletion cancellation after the metadata refresh).
  State UpdateInstallation(model::Installation& i, Pass& pass);
  State WaitForUpdateStable(model::Installation& i, Pass& pass);
  State WakeUpInstallation(model::Installation& i, Pass& pass);
  State HibernateInstallation(model::Installation& i, Pass& pass);
  State WaitForHibernation(model::Installation& i, Pass& pass);
  State QueueInstallationDeletion(model::Installation& i, Pass& pass);
  State WaitForInstallationDeletionPending(model::Installation& i, Pass& pass);
  State DeleteInstallation(model::Installation& i, Pass& pass);
  State FinalDeletionCleanup(model::Installation& i, Pass& pass);
  State ConfigureDNSForHibernatingInstallation(model::Installation& i, Pass& pass);

  // Helpers named after the spec's (SEQ-SYNC, CI-STABLE, LB-ENDPOINTS, CONFIGURE-DNS,
  // HIBERNATE-CIS).
  Result<void> SyncGroupSequence(model::Installation& i, Pass& pass);
  // True when every live CI is stable (or, with allow_ready, every one is ready); kFailed-
  // Precondition when some CI is creation-failed; false (no error) when the CIs cannot be read.
  Result<bool> ClusterInstallationsStable(const model::Installation& i, bool allow_ready);
  Result<std::vector<std::string>> GetLoadBalancerEndpoints(const model::Installation& i);
  Result<void> ConfigureDNS(const model::Installation& i);
  bool HibernateClusterInstallations(model::Installation& i, Pass& pass);

  // Scheduling (§6).
  Result<std::vector<model::Cluster>> CandidateClusters(const model::Installation& i,
                                                        const Logger& log);
  // The cluster's resources, or nullopt when they cannot be read.
  std::optional<provisioner::ClusterResources> ClusterResources(const model::Cluster& cluster);
  // Upstream installationCanBeScheduledOnCluster (state, AllowInstallations, AWS, affinity).
  Result<bool> CanBeScheduledOnCluster(const model::Cluster& cluster, const model::Installation& i);
  // Upstream createClusterInstallation: true when a CI was placed on the cluster.
  // Placements on one cluster are combined: the passes of this process that want to place an
  // installation on the same cluster queue up, and one of them (the leader) takes the cluster's
  // scheduling lease once, re-reads the cluster and its resources once, and places every queued
  // installation one after the other, each with the checks of §6.2, before releasing it.
  bool CreateClusterInstallation(const model::Cluster& cluster, const model::Installation& i,
                                 Pass& pass);
  // One queued placement; `pass` and `installation` belong to the waiting pass.
  struct PlacementRequest {
    const model::Installation* installation = nullptr;
    Pass* pass = nullptr;
    bool placed = false;
    bool done = false;
  };
  // Places `batch` on the cluster under one hold of its scheduling lease (sets `placed`).
  void PlaceBatch(const model::Cluster& candidate, const std::vector<PlacementRequest*>& batch);
  // §6.2 steps 2-5 for one installation, under the held scheduling lease; `cluster` is updated
  // when a resize is requested, `resources` read on first need.
  bool PlaceOnCluster(model::Cluster& cluster,
                      std::optional<provisioner::ClusterResources>& resources, bool& resources_read,
                      const model::Installation& i, Pass& pass, const store::Lease& scheduling);

  // Final cleanup sub-steps; each: true when done, false when not yet (or failed, logged).
  bool CleanupDNSRecords(const model::Installation& i, Pass& pass);
  bool CleanupBackups(const model::Installation& i, Pass& pass);
  bool CleanupMigrations(const model::Installation& i, Pass& pass);
  bool CleanupRestorations(const model::Installation& i, Pass& pass);

  // Persists the pass's new state, with the final group check for merged members (which may
  // save update-requested instead of stable), and releases the pass's lease in the same write;
  // sets i.state to the state saved.
  Result<void> PersistState(model::Installation& i, State new_state, const store::Lease& lease,
                            const Logger& log);
  std::map<std::string, std::string> EventExtra() const;

  InstallationSupervisorStores stores_;
  const provisioner::ProvisionerSet& provisioners_;
  InstallationSupervisorOptions options_;
  Logger log_;
  RowPassContext ctx_;
  RowPassHooks<model::Installation, model::InstallationState> hooks_;

  // Placement queues by cluster ID (see CreateClusterInstallation).
  struct PlacementQueue {
    std::vector<PlacementRequest*> waiting;
    bool leader_active = false;
  };
  std::mutex placement_mu_;
  std::condition_variable placement_cv_;
  std::map<std::string, PlacementQueue, std::less<>> placement_queues_;
};

}  // namespace cloud::supervisor
