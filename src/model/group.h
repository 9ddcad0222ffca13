// Groups: shared configuration for installations. Wire types, requests, validation and the
// patch rules (spec upstream-api.md §3.7, §4.6, §5.5; upstream-core.md §5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/annotation.h"
#include "model/env_var.h"
#include "model/json_codec.h"
#include "model/scheduling.h"

namespace cloud::model {

// Env var a forced restart writes into the group (Go forceInstallationRestartEnvVar).
inline constexpr std::string_view kForceInstallationRestartEnvVar =
    "CLOUD_PROVISIONER_ENFORCED_RESTART";
// Query parameter of GET /api/groups that adds installation_count to each GroupDTO.
inline constexpr std::string_view kShowInstallationCountQueryParameter = "show_installation_count";

struct Group {
  std::string id;
  int64_t sequence = 0;
  std::string name;
  std::string description;
  std::string version;
  std::string image;
  int64_t max_rolling = 0;
  std::optional<EnvVarMap> mattermost_env;  // null when never set
  std::optional<Scheduling> scheduling;     // omitted when unset
  int64_t create_at = 0;
  int64_t delete_at = 0;
  bool api_security_lock = false;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const Group&, const Group&) = default;
};

template <class V>
void JsonFields(V& v, Group& g) {
  v("ID", g.id);
  v("Sequence", g.sequence);
  v("Name", g.name);
  v("Description", g.description);
  v("Version", g.version);
  v("Image", g.image);
  v("MaxRolling", g.max_rolling);
  v("MattermostEnv", g.mattermost_env);
  v("Scheduling", g.scheduling, kOmitEmpty);
  v("CreateAt", g.create_at);
  v("DeleteAt", g.delete_at);
  v("APISecurityLock", g.api_security_lock);
  v("LockAcquiredBy", g.lock_acquired_by);
  v("LockAcquiredAt", g.lock_acquired_at);
}

// Group fields flattened (Go embeds *Group) plus annotations and an optional count.
struct GroupDTO {
  Group group;
  std::optional<std::vector<Annotation>> annotations;  // "annotations": null when none
  std::optional<int64_t> installation_count;           // only with show_installation_count

  friend bool operator==(const GroupDTO&, const GroupDTO&) = default;
};

template <class V>
void JsonFields(V& v, GroupDTO& d) {
  JsonFields(v, d.group);
  v("annotations", d.annotations);
  v("installation_count", d.installation_count, kOmitEmpty);
}

// Go Group.ToDTO: annotations nullopt (null on the wire) when the group has none.
GroupDTO ToGroupDTO(Group group, std::optional<std::vector<Annotation>> annotations);

// Rollout status of a group's non-deleted installations (§4.6).
struct GroupStatus {
  int64_t installations_total = 0;
  int64_t installations_updated = 0;
  int64_t installations_updating = 0;
  int64_t installations_hibernating = 0;
  int64_t installations_pending_deletion = 0;
  int64_t installations_awaiting_update = 0;
  friend bool operator==(const GroupStatus&, const GroupStatus&) = default;
};

template <class V>
void JsonFields(V& v, GroupStatus& s) {
  v("InstallationsTotal", s.installations_total);
  v("InstallationsUpdated", s.installations_updated);
  v("InstallationsUpdating", s.installations_updating);
  v("InstallationsHibernating", s.installations_hibernating);
  v("InstallationsPendingDeletion", s.installations_pending_deletion);
  v("InstallationsAwaitingUpdate", s.installations_awaiting_update);
}

// One element of GET /api/groups/status.
struct GroupsStatus {
  std::string id;
  GroupStatus status;
  friend bool operator==(const GroupsStatus&, const GroupsStatus&) = default;
};

template <class V>
void JsonFields(V& v, GroupsStatus& s) {
  v("ID", s.id);
  v("Status", s.status);
}

// Body of POST /api/groups (Go struct without tags: every key present, nil → null).
struct CreateGroupRequest {
  std::string name;
  std::string description;
  std::string version;
  std::string image;
  int64_t max_rolling = 0;
  bool api_security_lock = false;
  std::optional<EnvVarMap> mattermost_env;
  std::optional<Scheduling> scheduling;
  std::optional<std::vector<std::string>> annotations;

  // §5.5: Name non-empty; MaxRolling >= 0; every env entry has a value or valueFrom.
  // Annotation names are validated by the handler with the annotation rules (§5.6).
  // Errors: kInvalidArgument.
  Result<void> Validate() const;
  friend bool operator==(const CreateGroupRequest&, const CreateGroupRequest&) = default;
};

template <class V>
void JsonFields(V& v, CreateGroupRequest& r) {
  v("Name", r.name);
  v("Description", r.description);
  v("Version", r.version);
  v("Image", r.image);
  v("MaxRolling", r.max_rolling);
  v("APISecurityLock", r.api_security_lock);
  v("MattermostEnv", r.mattermost_env);
  v("Scheduling", r.scheduling);
  v("Annotations", r.annotations);
}

// Body of PUT /api/group/{group}: nullopt fields are left as they are.
struct PatchGroupRequest {
  std::string id;  // ignored by the server; the client builds the URL from it
  std::optional<int64_t> max_rolling;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> version;
  std::optional<std::string> image;
  std::optional<EnvVarMap> mattermost_env;  // {} clears, valueless keys are removed
  std::optional<Scheduling> scheduling;     // null NodeSelector + no tolerations clears
  bool force_sequence_update = false;
  bool force_installations_restart = false;

  // §5.5: Name, if set, non-empty; MaxRolling, if set, >= 0. The env map is not validated: every
  // shape of it is a patch instruction. Errors: kInvalidArgument.
  Result<void> Validate() const;

  // Applies the patch to `group` and returns whether anything was applied (§5.5, Go
  // PatchGroupRequest.Apply): scalar fields when set and different; env by
  // ClearOrPatchEnvVarMap; scheduling cleared (always "applied") or replaced when its JSON
  // differs; ForceSequenceUpdate is always "applied"; ForceInstallationsRestart sets
  // CLOUD_PROVISIONER_ENFORCED_RESTART=force-restart-at-sequence-<group.sequence> (upstream
  // panics when the group has no env map; we create one).
  bool Apply(Group& group) const;

  friend bool operator==(const PatchGroupRequest&, const PatchGroupRequest&) = default;
};

template <class V>
void JsonFields(V& v, PatchGroupRequest& r) {
  v("ID", r.id);
  v("MaxRolling", r.max_rolling);
  v("Name", r.name);
  v("Description", r.description);
  v("Version", r.version);
  v("Image", r.image);
  v("MattermostEnv", r.mattermost_env);
  v("Scheduling", r.scheduling);
  v("ForceSequenceUpdate", r.force_sequence_update);
  v("ForceInstallationsRestart", r.force_installations_restart);
}

// The store's rule for bumping Sequence on update (Go store.UpdateGroup): when forced, or when
// Version, Image, MattermostEnv or Scheduling differ between the stored and the updated group.
// Name, Description and MaxRolling never bump it.
bool GroupSequenceBumpNeeded(const Group& original, const Group& updated, bool force);

}  // namespace cloud::model
