// Client: installation methods (upstream model/client.go, spec §6.2 "Installations").
#include "client/client.h"

namespace cloud::client {
namespace {

std::string InstallationPath(const std::string& id) {
  return "/api/installation/" + Client::Seg(id);
}

}  // namespace

Result<model::InstallationDTO> Client::CreateInstallation(
    const model::CreateInstallationRequest& request) {
  return DoJson<model::InstallationDTO>(HttpMethod::kPost, "/api/installations", {}, Body(request),
                                        202);
}

Result<std::optional<model::InstallationDTO>> Client::GetInstallation(
    const std::string& installation_id, const std::optional<GetInstallationRequest>& request) {
  Query query;
  if (request) request->ApplyToQuery(query);
  return GetOptional<model::InstallationDTO>(InstallationPath(installation_id), query);
}

Result<std::optional<model::InstallationDTO>> Client::GetInstallationByDNS(
    const std::string& dns, const std::optional<GetInstallationRequest>& request) {
  GetInstallationsRequest list;
  list.dns = dns;
  list.paging = model::AllPagesNotDeleted();
  if (request) {
    list.include_group_config = request->include_group_config;
    list.include_group_config_overrides = request->include_group_config_overrides;
  }
  CLOUD_TRY(std::vector<model::InstallationDTO> found, GetInstallations(list));
  if (found.empty()) return std::optional<model::InstallationDTO>();
  if (found.size() > 1) {
    return FailedPrecondition("received ambiguous response (" + std::to_string(found.size()) +
                              " Installations) when expecting only one");
  }
  return std::optional<model::InstallationDTO>(std::move(found.front()));
}

Result<std::vector<model::InstallationDTO>> Client::GetInstallations(
    const GetInstallationsRequest& request) {
  return DoJson<std::vector<model::InstallationDTO>>(HttpMethod::kGet, "/api/installations",
                                                     QueryOf(request), std::nullopt, 200);
}

Result<model::InstallationDTO> Client::UpdateInstallation(
    const std::string& installation_id, const model::PatchInstallationRequest& request) {
  return DoJson<model::InstallationDTO>(
      HttpMethod::kPut, InstallationPath(installation_id) + "/mattermost", {}, Body(request), 202);
}

Result<model::InstallationDTO> Client::CreateInstallationVolume(
    const std::string& installation_id, const model::CreateInstallationVolumeRequest& request) {
  return DoJson<model::InstallationDTO>(
      HttpMethod::kPost, InstallationPath(installation_id) + "/volumes", {}, Body(request), 202);
}

Result<model::InstallationDTO> Client::UpdateInstallationVolume(
    const std::string& installation_id, const std::string& volume_name,
    const model::PatchInstallationVolumeRequest& request) {
  return DoJson<model::InstallationDTO>(
      HttpMethod::kPut, InstallationPath(installation_id) + "/volume/" + Seg(volume_name), {},
      Body(request), 202);
}

Result<model::InstallationDTO> Client::DeleteInstallationVolume(const std::string& installation_id,
                                                                const std::string& volume_name) {
  return DoJson<model::InstallationDTO>(
      HttpMethod::kDelete, InstallationPath(installation_id) + "/volume/" + Seg(volume_name), {},
      std::nullopt, 202);
}

Result<model::InstallationDTO> Client::HibernateInstallation(const std::string& installation_id) {
  return DoJson<model::InstallationDTO>(
      HttpMethod::kPost, InstallationPath(installation_id) + "/hibernate", {}, NullBody(), 202);
}

Result<model::InstallationDTO> Client::WakeupInstallation(
    const std::string& installation_id,
    const std::optional<model::PatchInstallationRequest>& request) {
  return DoJson<model::InstallationDTO>(HttpMethod::kPost,
                                        InstallationPath(installation_id) + "/wakeup", {},
                                        request ? Body(*request) : NullBody(), 202);
}

Result<std::optional<model::InstallationsStatus>> Client::GetInstallationsStatus() {
  return GetOptional<model::InstallationsStatus>("/api/installations/status");
}

Result<model::InstallationDTO> Client::UpdateInstallationDeletion(
    const std::string& installation_id, const model::PatchInstallationDeletionRequest& request) {
  return DoJson<model::InstallationDTO>(
      HttpMethod::kPut, InstallationPath(installation_id) + "/deletion", {}, Body(request), 200);
}

Result<model::InstallationDTO> Client::UpdateInstallationScheduledDeletion(
    const std::string& installation_id,
    const model::PatchInstallationScheduledDeletionRequest& request) {
  return DoJson<model::InstallationDTO>(HttpMethod::kPut,
                                        InstallationPath(installation_id) + "/deletion/schedule",
                                        {}, Body(request), 200);
}

Result<model::InstallationDTO> Client::AddInstallationDNS(
    const std::string& installation_id, const model::AddDNSRecordRequest& request) {
  return DoJson<model::InstallationDTO>(
      HttpMethod::kPost, InstallationPath(installation_id) + "/dns", {}, Body(request), 202);
}

Result<model::InstallationDTO> Client::SetInstallationDomainPrimary(
    const std::string& installation_id, const std::string& dns_id) {
  return DoJson<model::InstallationDTO>(
      HttpMethod::kPost, InstallationPath(installation_id) + "/dns/" + Seg(dns_id) + "/set-primary",
      {}, NullBody(), 202);
}

Result<model::InstallationDTO> Client::DeleteInstallationDNS(const std::string& installation_id,
                                                             const std::string& dns_id) {
  return DoJson<model::InstallationDTO>(HttpMethod::kDelete,
                                        InstallationPath(installation_id) + "/dns/" + Seg(dns_id),
                                        {}, std::nullopt, 202);
}

Result<model::InstallationDTO> Client::AddInstallationAnnotations(
    const std::string& installation_id, const model::AddAnnotationsRequest& request) {
  return DoJson<model::InstallationDTO>(HttpMethod::kPost,
                                        InstallationPath(installation_id) + "/annotations", {},
                                        Body(request), 200);
}

}  // namespace cloud::client
