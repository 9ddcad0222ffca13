// ClusterInstallationProvisioner: what is done to one installation on one cluster (its
// namespace, secrets and Mattermost CR), and the exec calls the API and supervisors make
// (spec upstream-provisioning.md §1.2, §1.4, §3).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "model/cluster.h"
#include "model/cluster_installation.h"
#include "model/installation.h"

namespace cloud::provisioner {

// Readiness of an installation's Mattermost CR on a cluster (upstream IsResourceReadyAndStable):
// both false unless metadata.generation == status.observedGeneration; status "stable" means
// ready and stable, "ready" means ready only.
struct ResourceReadiness {
  bool ready = false;
  bool stable = false;
  friend bool operator==(const ResourceReadiness&, const ResourceReadiness&) = default;
};

// Thread-safe; every mutating call is an idempotent create-or-update / delete-if-present.
// Errors: kUnavailable for backend failures, kNotFound where a call needs something that is
// not there (e.g. exec on a cluster installation that was never created).
class ClusterInstallationProvisioner {
 public:
  virtual ~ClusterInstallationProvisioner() = default;

  // Makes sure the cluster utilities the installation needs exist (pgbouncer config for
  // proxy databases). Before CreateClusterInstallation.
  virtual Result<void> PrepareClusterUtilities(const model::Cluster& cluster,
                                               const model::Installation& installation) = 0;
  // Creates the namespace, secrets and Mattermost CR. Returns at once; readiness comes later.
  virtual Result<void> CreateClusterInstallation(const model::Cluster& cluster,
                                                 const model::Installation& installation,
                                                 const std::vector<model::InstallationDNS>& dns,
                                                 const model::ClusterInstallation& ci) = 0;
  // Brings an old CR version to the current one; true when done (always true today).
  virtual Result<bool> EnsureCRMigrated(const model::Cluster& cluster,
                                        const model::ClusterInstallation& ci) = 0;
  // Applies the installation's current settings to the CR (also wakes it up).
  virtual Result<void> UpdateClusterInstallation(const model::Cluster& cluster,
                                                 const model::Installation& installation,
                                                 const std::vector<model::InstallationDNS>& dns,
                                                 const model::ClusterInstallation& ci) = 0;
  // Scales the CR to zero replicas.
  virtual Result<void> HibernateClusterInstallation(const model::Cluster& cluster,
                                                    const model::Installation& installation,
                                                    const model::ClusterInstallation& ci) = 0;
  virtual Result<void> DeleteOldClusterInstallationLicenseSecrets(
      const model::Cluster& cluster, const model::Installation& installation,
      const model::ClusterInstallation& ci) = 0;
  // Removes the CR and the namespace; success when already gone.
  virtual Result<void> DeleteClusterInstallation(const model::Cluster& cluster,
                                                 const model::Installation& installation,
                                                 const model::ClusterInstallation& ci) = 0;
  virtual Result<ResourceReadiness> IsResourceReadyAndStable(
      const model::Cluster& cluster, const model::ClusterInstallation& ci) = 0;
  // Re-creates the database/filestore secrets (DB migration).
  virtual Result<void> RefreshSecrets(const model::Cluster& cluster,
                                      const model::Installation& installation,
                                      const model::ClusterInstallation& ci) = 0;

  // Exec in the Mattermost pods. `command` is model::kExecCommandMmctl / kExecCommandMattermost.
  virtual Result<std::string> ExecClusterInstallationCLI(const model::Cluster& cluster,
                                                         const model::ClusterInstallation& ci,
                                                         const std::vector<std::string>& args) = 0;
  virtual Result<std::string> ExecMMCTL(const model::Cluster& cluster,
                                        const model::ClusterInstallation& ci,
                                        const std::vector<std::string>& args) = 0;
  // Runs a one-off Job with the installation's image (DB migration config change).
  virtual Result<void> ExecClusterInstallationJob(const model::Cluster& cluster,
                                                  const model::ClusterInstallation& ci,
                                                  const std::vector<std::string>& args) = 0;
  virtual Result<model::ClusterInstallationStatus> GetClusterInstallationStatus(
      const model::Cluster& cluster, const model::ClusterInstallation& ci) = 0;
};

}  // namespace cloud::provisioner
