// Client: cluster methods (upstream model/client.go, spec upstream-api.md §6.2 "Clusters").
#include "client/client.h"

namespace cloud::client {
namespace {

std::string ClusterPath(const std::string& id) { return "/api/cluster/" + Client::Seg(id); }

}  // namespace

Result<model::ClusterDTO> Client::CreateCluster(const model::CreateClusterRequest& request) {
  return DoJson<model::ClusterDTO>(HttpMethod::kPost, "/api/clusters", {}, Body(request), 202);
}

Result<model::ClusterDTO> Client::ImportCluster(const model::ImportClusterRequest& request) {
  return DoJson<model::ClusterDTO>(HttpMethod::kPost, "/api/clusters/import", {}, Body(request),
                                   202);
}

Result<model::ClusterDTO> Client::ProvisionCluster(
    const std::string& cluster_id, const std::optional<model::ProvisionClusterRequest>& request) {
  return DoJson<model::ClusterDTO>(HttpMethod::kPost, ClusterPath(cluster_id) + "/provision", {},
                                   request ? Body(*request) : NullBody(), 202);
}

Result<std::optional<model::ClusterDTO>> Client::GetCluster(const std::string& cluster_id) {
  return GetOptional<model::ClusterDTO>(ClusterPath(cluster_id));
}

Result<std::vector<model::ClusterDTO>> Client::GetClusters(const GetClustersRequest& request) {
  return DoJson<std::vector<model::ClusterDTO>>(HttpMethod::kGet, "/api/clusters", QueryOf(request),
                                                std::nullopt, 200);
}

Result<model::UtilityMetadata> Client::GetClusterUtilities(const std::string& cluster_id) {
  return DoJson<model::UtilityMetadata>(HttpMethod::kGet, ClusterPath(cluster_id) + "/utilities",
                                        {}, std::nullopt, 200);
}

Result<model::ClusterDTO> Client::UpdateCluster(const std::string& cluster_id,
                                                const model::UpdateClusterRequest& request) {
  return DoJson<model::ClusterDTO>(HttpMethod::kPut, ClusterPath(cluster_id), {}, Body(request),
                                   202);
}

Result<model::ClusterDTO> Client::UpgradeCluster(const std::string& cluster_id,
                                                 const model::PatchUpgradeClusterRequest& request) {
  return DoJson<model::ClusterDTO>(HttpMethod::kPut, ClusterPath(cluster_id) + "/kubernetes", {},
                                   Body(request), 202);
}

Result<model::ClusterDTO> Client::ResizeCluster(const std::string& cluster_id,
                                                const model::PatchClusterSizeRequest& request) {
  return DoJson<model::ClusterDTO>(HttpMethod::kPut, ClusterPath(cluster_id) + "/size", {},
                                   Body(request), 202);
}

Result<model::ClusterDTO> Client::CreateNodegroups(const std::string& cluster_id,
                                                   const model::CreateNodegroupsRequest& request) {
  return DoJson<model::ClusterDTO>(HttpMethod::kPost, ClusterPath(cluster_id) + "/nodegroups", {},
                                   Body(request), 202);
}

Result<model::ClusterDTO> Client::DeleteNodegroup(const std::string& cluster_id,
                                                  const std::string& nodegroup) {
  return DoJson<model::ClusterDTO>(HttpMethod::kDelete,
                                   ClusterPath(cluster_id) + "/nodegroup/" + Seg(nodegroup), {},
                                   std::nullopt, 202);
}

Result<model::ClusterDTO> Client::AddClusterAnnotations(
    const std::string& cluster_id, const model::AddAnnotationsRequest& request) {
  return DoJson<model::ClusterDTO>(HttpMethod::kPost, ClusterPath(cluster_id) + "/annotations", {},
                                   Body(request), 200);
}

}  // namespace cloud::client
