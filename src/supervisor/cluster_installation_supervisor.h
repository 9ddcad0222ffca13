// ClusterInstallationSupervisor: drives the placement of one installation on one cluster (its
// namespace, secrets and Mattermost CR) to stable or deleted (upstream
// internal/supervisor/cluster_installation.go; spec upstream-core.md §1.4).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "model/cluster_installation.h"
#include "provisioner/provisioner_set.h"
#include "store/backup_store.h"
#include "store/cluster_installation_store.h"
#include "store/cluster_store.h"
#include "store/dns_record_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/notifier.h"
#include "supervisor/row_pass.h"

namespace cloud::supervisor {

// The store roles the cluster installation supervisor uses. All must outlive it.
struct ClusterInstallationSupervisorStores {
  store::ClusterInstallationStore& cluster_installations;
  store::ClusterStore& clusters;
  store::InstallationStore& installations;
  store::DNSRecordStore& dns_records;
  store::BackupStore& backups;
  store::LockStore& locks;
};

struct ClusterInstallationSupervisorOptions {
  std::string instance_id;  // the locker ID of this server instance
  std::string environment;  // the "Environment" extra data of state-change events
  // Woken (kind kInstallation, by installation ID) after a CI changed state, once its lease is
  // released: the installation supervisor waits on its CIs. Optional.
  Notifier* notifier = nullptr;
};

// ClusterInstallationSupervisor drives cluster installations from creation-requested through
// reconciling / ready to stable, and from deletion-requested to deleted.
//
// Lifecycle: created once in app/, driven by a Scheduler (ResourceKind::kClusterInstallation);
//   Supervise() runs concurrently for different CIs.
// Concurrency: a CI is worked on only under its lease (fenced writes). The installation
//   supervisor takes the leases of all of an installation's CIs while it updates, hibernates or
//   deletes them; a pass that cannot claim the CI is skipped and retried when woken or polled.
// Reentrancy: every step observes the cluster, installation and CR afresh; the provisioner's
//   create is create-or-update and its delete treats "already gone" as success.
// Errors: steps never throw; failures become states as in upstream-core.md §1.4 (notably a
//   failed create stays creation-requested and is retried forever, as upstream).
// Not yet: the reconciling/deletion duration histograms.
class ClusterInstallationSupervisor final : public Doer {
 public:
  ClusterInstallationSupervisor(ClusterInstallationSupervisorStores stores,
                                const provisioner::ProvisionerSet& provisioners,
                                LeaseRenewer* renewer, ClusterInstallationSupervisorOptions options,
                                Logger log);

  std::string_view Name() const override { return "cluster_installation"; }
  // Upstream GetUnlockedClusterInstallationsPendingWork, stable-sorted by
  // ClusterInstallationStateWorkPriority.
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;

  // Level 3: one step for the CI's current state; returns the state to persist.
  model::ClusterInstallationState Transition(model::ClusterInstallation& ci,
                                             const store::Lease& lease, const Logger& log);

 private:
  using State = model::ClusterInstallationState;

  State CreateClusterInstallation(model::ClusterInstallation& ci, const model::Cluster& cluster,
                                  const model::Installation& installation, const Logger& log);
  State CheckReconcilingClusterInstallation(model::ClusterInstallation& ci,
                                            const model::Cluster& cluster,
                                            const model::Installation& installation,
                                            const Logger& log);
  State DeleteClusterInstallation(model::ClusterInstallation& ci, const model::Cluster& cluster,
                                  const model::Installation& installation,
                                  const store::Lease& lease, const Logger& log);
  std::map<std::string, std::string> EventExtra() const;

  ClusterInstallationSupervisorStores stores_;
  const provisioner::ProvisionerSet& provisioners_;
  ClusterInstallationSupervisorOptions options_;
  Logger log_;
  RowPassContext ctx_;
  RowPassHooks<model::ClusterInstallation, model::ClusterInstallationState> hooks_;
};

}  // namespace cloud::supervisor
