// ProvisionerSet: choosing a backend per cluster provisioner, database and filestore type.
#include "provisioner/provisioner_set.h"

#include <cstdio>
#include <cstdlib>

namespace cloud::provisioner {
namespace {

template <class T>
T* Required(T* p, const char* what) {
  if (p == nullptr) {
    std::fprintf(stderr, "ProvisionerSet: missing %s backend (wiring bug)\n", what);
    std::abort();
  }
  return p;
}

}  // namespace

ProvisionerSet::ProvisionerSet(const ProvisionerPorts& ports) : ports_(ports) {
  Required(ports_.default_cluster, "cluster");
  Required(ports_.cluster_installation, "cluster installation");
  Required(ports_.installation, "installation");
  Required(ports_.dns, "dns");
  Required(ports_.default_database, "database");
  Required(ports_.default_filestore, "filestore");
  Required(ports_.backup, "backup");
  Required(ports_.restore, "restore");
}

void ProvisionerSet::RegisterCluster(model::ClusterProvisioner kind, ClusterProvisioner& backend) {
  clusters_[kind] = &backend;
}

void ProvisionerSet::RegisterDatabase(std::string database_type, DatabaseProvisioner& backend) {
  databases_[std::move(database_type)] = &backend;
}

void ProvisionerSet::RegisterFilestore(std::string filestore_type, FilestoreProvisioner& backend) {
  filestores_[std::move(filestore_type)] = &backend;
}

ClusterProvisioner& ProvisionerSet::For(const model::Cluster& cluster) const {
  return For(cluster.provisioner);
}

ClusterProvisioner& ProvisionerSet::For(model::ClusterProvisioner kind) const {
  auto it = clusters_.find(kind);
  return it != clusters_.end() ? *it->second : *ports_.default_cluster;
}

ClusterInstallationProvisioner& ProvisionerSet::ClusterInstallation(std::string_view) const {
  return *ports_.cluster_installation;
}

DatabaseProvisioner& ProvisionerSet::DatabaseFor(const model::Installation& installation) const {
  auto it = databases_.find(installation.database);
  return it != databases_.end() ? *it->second : *ports_.default_database;
}

FilestoreProvisioner& ProvisionerSet::FilestoreFor(const model::Installation& installation) const {
  auto it = filestores_.find(installation.filestore);
  return it != filestores_.end() ? *it->second : *ports_.default_filestore;
}

}  // namespace cloud::provisioner
