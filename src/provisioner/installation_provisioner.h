// InstallationProvisioner: the cluster-level reads the installation supervisor makes while
// scheduling and configuring DNS (spec upstream-provisioning.md §1.3, §2.5).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/cluster.h"

namespace cloud::provisioner {

// Resources of a cluster's (schedulable) nodes (upstream k8s.ClusterResources): CPU in
// millicores, memory in bytes, pods as counts. "Used" sums container requests.
struct ClusterResources {
  int64_t milli_total_cpu = 0;
  int64_t milli_used_cpu = 0;
  int64_t total_memory = 0;
  int64_t used_memory = 0;
  int64_t total_pod_count = 0;
  int64_t used_pod_count = 0;
  friend bool operator==(const ClusterResources&, const ClusterResources&) = default;
};

// The namespace whose load balancer installations are published behind.
inline constexpr std::string_view kNginxNamespace = "nginx";

// Thread-safe. Errors: kUnavailable when the cluster cannot be reached, kNotFound when there is
// no such load balancer.
class InstallationProvisioner {
 public:
  virtual ~InstallationProvisioner() = default;

  virtual Result<ClusterResources> GetClusterResources(const model::Cluster& cluster,
                                                       bool only_schedulable) = 0;
  // The public hostname of the first non-internal LoadBalancer Service in `namespace_name`.
  virtual Result<std::string> GetPublicLoadBalancerEndpoint(const model::Cluster& cluster,
                                                            std::string_view namespace_name) = 0;
};

}  // namespace cloud::provisioner
