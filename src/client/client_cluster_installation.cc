// Client: cluster installation methods (spec §6.2 "Cluster installations").
#include "client/client.h"

namespace cloud::client {
namespace {

constexpr std::string_view kMigrate = "/api/cluster_installations/migrate";

}  // namespace

Result<std::optional<model::ClusterInstallation>> Client::GetClusterInstallation(
    const std::string& cluster_installation_id) {
  return GetOptional<model::ClusterInstallation>("/api/cluster_installation/" +
                                                 Seg(cluster_installation_id));
}

Result<std::vector<model::ClusterInstallation>> Client::GetClusterInstallations(
    const GetClusterInstallationsRequest& request) {
  return DoJson<std::vector<model::ClusterInstallation>>(
      HttpMethod::kGet, "/api/cluster_installations", QueryOf(request), std::nullopt, 200);
}

Result<model::ClusterInstallationStatus> Client::GetClusterInstallationStatus(
    const std::string& cluster_installation_id) {
  return DoJson<model::ClusterInstallationStatus>(
      HttpMethod::kGet, "/api/cluster_installation/" + Seg(cluster_installation_id) + "/status", {},
      std::nullopt, 200);
}

Result<model::MigrateClusterInstallationResponse> Client::MigrateClusterInstallation(
    const model::MigrateClusterInstallationRequest& request) {
  return DoJson<model::MigrateClusterInstallationResponse>(HttpMethod::kPost, std::string(kMigrate),
                                                           {}, Body(request), 200);
}

Result<model::MigrateClusterInstallationResponse> Client::MigrateDNS(
    const model::MigrateClusterInstallationRequest& request) {
  return DoJson<model::MigrateClusterInstallationResponse>(
      HttpMethod::kPost, std::string(kMigrate) + "/dns", {}, Body(request), 200);
}

Result<model::MigrateClusterInstallationResponse>
Client::DeleteInActiveClusterInstallationsByCluster(const std::string& cluster_id) {
  return DoJson<model::MigrateClusterInstallationResponse>(
      HttpMethod::kDelete, std::string(kMigrate) + "/delete_inactive/" + Seg(cluster_id), {},
      std::nullopt, 200);
}

Result<model::ClusterInstallation> Client::DeleteInActiveClusterInstallationByID(
    const std::string& cluster_installation_id) {
  return DoJson<model::ClusterInstallation>(HttpMethod::kDelete,
                                            std::string(kMigrate) +
                                                "/delete_inactive/cluster_installation/" +
                                                Seg(cluster_installation_id),
                                            {}, std::nullopt, 200);
}

Result<model::MigrateClusterInstallationResponse> Client::SwitchClusterRoles(
    const model::MigrateClusterInstallationRequest& request) {
  return DoJson<model::MigrateClusterInstallationResponse>(
      HttpMethod::kPost, std::string(kMigrate) + "/switch_cluster_roles", {}, Body(request), 200);
}

}  // namespace cloud::client
