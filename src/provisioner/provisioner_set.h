// ProvisionerSet: the provisioner backends a server uses, and which one serves a given cluster
// or installation (replaces upstream's GetClusterProvisioner(name) and ResourceUtil's
// GetDatabase / GetFilestore factories).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "model/cluster.h"
#include "model/installation.h"
#include "provisioner/backup_operator.h"
#include "provisioner/cluster_installation_provisioner.h"
#include "provisioner/cluster_provisioner.h"
#include "provisioner/database_provisioner.h"
#include "provisioner/dns_provider.h"
#include "provisioner/installation_provisioner.h"

namespace cloud::provisioner {

// The backends for the non-cluster ports. All pointers are required (non-null).
struct ProvisionerPorts {
  ClusterProvisioner* default_cluster = nullptr;  // for provisioner kinds not registered
  ClusterInstallationProvisioner* cluster_installation = nullptr;
  InstallationProvisioner* installation = nullptr;
  DNSProvider* dns = nullptr;
  DatabaseProvisioner* default_database = nullptr;    // database types not registered
  FilestoreProvisioner* default_filestore = nullptr;  // filestore types not registered
  BackupOperator* backup = nullptr;
  RestoreOperator* restore = nullptr;
};

// Lifecycle: built once in app/ (or a test), then read-only; the backends it points to are
// owned elsewhere and must outlive it. Thread-safe for reads after construction.
class ProvisionerSet {
 public:
  // Aborts (CLOUD_CHECK) when a port is null: a wiring bug.
  explicit ProvisionerSet(const ProvisionerPorts& ports);

  // Registration, before the set is shared with supervisors.
  void RegisterCluster(model::ClusterProvisioner kind, ClusterProvisioner& backend);
  void RegisterDatabase(std::string database_type, DatabaseProvisioner& backend);
  void RegisterFilestore(std::string filestore_type, FilestoreProvisioner& backend);

  // The cluster provisioner for `cluster.provisioner` (kops / eks / external).
  ClusterProvisioner& For(const model::Cluster& cluster) const;
  ClusterProvisioner& For(model::ClusterProvisioner kind) const;
  // Upstream InstallationProvisioner.ClusterInstallationProvisioner(crVersion): one backend
  // serves every CR version today.
  ClusterInstallationProvisioner& ClusterInstallation(std::string_view cr_version = {}) const;
  InstallationProvisioner& Installation() const { return *ports_.installation; }
  DNSProvider& DNS() const { return *ports_.dns; }
  // By installation.database / installation.filestore.
  DatabaseProvisioner& DatabaseFor(const model::Installation& installation) const;
  FilestoreProvisioner& FilestoreFor(const model::Installation& installation) const;
  BackupOperator& Backup() const { return *ports_.backup; }
  RestoreOperator& Restore() const { return *ports_.restore; }

 private:
  ProvisionerPorts ports_;
  std::map<model::ClusterProvisioner, ClusterProvisioner*> clusters_;
  std::map<std::string, DatabaseProvisioner*, std::less<>> databases_;
  std::map<std::string, FilestoreProvisioner*, std::less<>> filestores_;
};

}  // namespace cloud::provisioner
