#include "model/group.h"

namespace cloud::model {

GroupDTO ToGroupDTO(Group group, std::optional<std::vector<Annotation>> annotations) {
  if (annotations.has_value() && annotations->empty()) annotations.reset();
  return GroupDTO{std::move(group), std::move(annotations), std::nullopt};
}

Result<void> CreateGroupRequest::Validate() const {
  if (name.empty()) return InvalidArgument("must specify name");
  if (max_rolling < 0) return InvalidArgument("max rolling must be 0 or greater");
  if (mattermost_env.has_value()) {
    Result<void> env = ValidateEnvVarMap(*mattermost_env);
    if (!env) {
      return std::move(env).error().WithContext(
          "bad environment variable map in create group request");
    }
  }
  return Ok();
}

Result<void> PatchGroupRequest::Validate() const {
  if (name.has_value() && name->empty()) {
    return InvalidArgument("provided name update value was blank");
  }
  if (max_rolling.has_value() && *max_rolling < 0) {
    return InvalidArgument("max rolling must be 0 or greater");
  }
  return Ok();
}

namespace {

template <class T>
bool ApplyIfDifferent(const std::optional<T>& patch, T& target) {
  if (!patch.has_value() || *patch == target) return false;
  target = *patch;
  return true;
}

}  // namespace

bool PatchGroupRequest::Apply(Group& group) const {
  bool applied = false;
  applied |= ApplyIfDifferent(name, group.name);
  applied |= ApplyIfDifferent(description, group.description);
  applied |= ApplyIfDifferent(version, group.version);
  applied |= ApplyIfDifferent(image, group.image);
  applied |= ApplyIfDifferent(max_rolling, group.max_rolling);
  if (mattermost_env.has_value() && ClearOrPatchEnvVarMap(group.mattermost_env, mattermost_env)) {
    applied = true;
  }
  if (scheduling.has_value()) {
    if (scheduling->IsClear()) {
      applied = true;
      group.scheduling.reset();
    } else if (EncodeJson(group.scheduling) != EncodeJson(scheduling)) {
      applied = true;
      group.scheduling = scheduling;
    }
  }
  if (force_sequence_update) applied = true;
  if (force_installations_restart) {
    if (!group.mattermost_env.has_value()) group.mattermost_env.emplace();
    (*group.mattermost_env)[std::string(kForceInstallationRestartEnvVar)] =
        EnvVar{"force-restart-at-sequence-" + std::to_string(group.sequence), std::nullopt};
    applied = true;
  }
  return applied;
}

bool GroupSequenceBumpNeeded(const Group& original, const Group& updated, bool force) {
  return force || original.version != updated.version || original.image != updated.image ||
         EncodeJson(original.mattermost_env) != EncodeJson(updated.mattermost_env) ||
         EncodeJson(original.scheduling) != EncodeJson(updated.scheduling);
}

}  // namespace cloud::model
