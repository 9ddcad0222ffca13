// ClusterProvisioner: the cluster lifecycle calls the ClusterSupervisor makes (upstream
// internal/supervisor/cluster.go's ClusterProvisioner; spec upstream-provisioning.md §1.1).
#pragma once

#include "common/result.h"
#include "model/cluster.h"

namespace cloud::provisioner {

// One backend per model::ClusterProvisioner value (kops, eks, external; sim stands in for all).
//
// Every call is level-based: it observes the outside world afresh and may be repeated after a
// crash ("already exists" / "already gone" count as success). Calls may take a long time (a
// kops create runs for many minutes); they never retry internally beyond a short backoff.
// Errors are reported as kUnavailable (retryable backend failure) or kInternal; the supervisor
// turns them into *-failed states. Implementations are thread-safe: several workers call them
// for different clusters at once.
class ClusterProvisioner {
 public:
  virtual ~ClusterProvisioner() = default;

  // Fills in what creation needs and upstream stores before creating, e.g. the provisioner
  // name ("<id>-kops.k8s.local"); only touches fields that are unset. True if `cluster` changed
  // (the supervisor then saves it before CreateCluster).
  virtual bool PrepareCluster(model::Cluster& cluster) = 0;
  // Starts creating the cluster (control plane). May return before the cluster is ready.
  virtual Result<void> CreateCluster(model::Cluster& cluster) = 0;
  // True once the cluster created by CreateCluster is ready for node groups.
  virtual Result<bool> CheckClusterCreated(model::Cluster& cluster) = 0;
  // Starts creating the node groups of the metadata's change request (EKS); no-op for kops.
  virtual Result<void> CreateNodegroups(model::Cluster& cluster) = 0;
  // True once every node group is active.
  virtual Result<bool> CheckNodegroupsCreated(model::Cluster& cluster) = 0;
  // Deletes the node groups named in the change request.
  virtual Result<void> DeleteNodegroups(model::Cluster& cluster) = 0;
  // Installs or updates the cluster utilities and operators (helm/kubectl).
  virtual Result<void> ProvisionCluster(model::Cluster& cluster) = 0;
  // Applies a version/AMI/instance change; may leave partly changed metadata on failure
  // (the supervisor saves it).
  virtual Result<void> UpgradeCluster(model::Cluster& cluster) = 0;
  // Applies a node count / instance type change.
  virtual Result<void> ResizeCluster(model::Cluster& cluster) = 0;
  // Tears the cluster down; true when it is gone, false when deletion is still running.
  virtual Result<bool> DeleteCluster(model::Cluster& cluster) = 0;
  // Reads the real cluster back into the metadata (applies and clears the change request).
  virtual Result<void> RefreshClusterMetadata(model::Cluster& cluster) = 0;
};

}  // namespace cloud::provisioner
