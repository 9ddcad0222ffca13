// Client: group methods (spec §6.2 "Groups").
#include "client/client.h"

namespace cloud::client {

Result<model::GroupDTO> Client::CreateGroup(const model::CreateGroupRequest& request) {
  return DoJson<model::GroupDTO>(HttpMethod::kPost, "/api/groups", {}, Body(request), 200);
}

Result<model::GroupDTO> Client::UpdateGroup(const model::PatchGroupRequest& request) {
  return DoJson<model::GroupDTO>(HttpMethod::kPut, "/api/group/" + Seg(request.id), {},
                                 Body(request), 200);
}

Result<std::optional<model::GroupDTO>> Client::GetGroup(const std::string& group_id) {
  return GetOptional<model::GroupDTO>("/api/group/" + Seg(group_id));
}

Result<std::vector<model::GroupDTO>> Client::GetGroups(const GetGroupsRequest& request) {
  return DoJson<std::vector<model::GroupDTO>>(HttpMethod::kGet, "/api/groups", QueryOf(request),
                                              std::nullopt, 200);
}

Result<std::optional<model::GroupStatus>> Client::GetGroupStatus(const std::string& group_id) {
  return GetOptional<model::GroupStatus>("/api/group/" + Seg(group_id) + "/status");
}

Result<std::optional<std::vector<model::GroupsStatus>>> Client::GetGroupsStatus() {
  return GetOptional<std::vector<model::GroupsStatus>>("/api/groups/status");
}

Result<void> Client::AssignGroup(const std::string& installation_id,
                                 const model::AssignInstallationGroupRequest& request) {
  return DoNoContent(HttpMethod::kPost,
                     "/api/installation/" + Seg(installation_id) + "/group/assign", {},
                     Body(request), 200);
}

Result<void> Client::LeaveGroup(const std::string& installation_id,
                                const LeaveGroupRequest& request) {
  return DoNoContent(HttpMethod::kDelete, "/api/installation/" + Seg(installation_id) + "/group",
                     QueryOf(request), std::nullopt, 200);
}

Result<model::GroupDTO> Client::AddGroupAnnotations(const std::string& group_id,
                                                    const model::AddAnnotationsRequest& request) {
  return DoJson<model::GroupDTO>(HttpMethod::kPost, "/api/group/" + Seg(group_id) + "/annotations",
                                 {}, Body(request), 200);
}

}  // namespace cloud::client
