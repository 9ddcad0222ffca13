#include "model/installation.h"

#include <arpa/inet.h>

#include <utility>

#include "model/installation_enums.h"

namespace cloud::model {

bool IsIPRangeValid(std::string_view ip_range) {
  // Go: the part before the first "/" must parse as an IP; with a "/", the whole text must
  // parse as a CIDR (which then always contains that IP).
  const size_t slash = ip_range.find('/');
  const std::string address(ip_range.substr(0, slash));
  unsigned char buffer[16];
  int bits = 0;
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1) {
    bits = 32;
  } else if (address.find(':') != std::string::npos &&
             inet_pton(AF_INET6, address.c_str(), buffer) == 1) {
    bits = 128;
  } else {
    return false;
  }
  if (slash == std::string_view::npos) return true;
  const std::string_view prefix = ip_range.substr(slash + 1);
  if (prefix.empty()) return false;
  int value = 0;  // Go's dtoi: decimal digits only, leading zeros allowed
  for (char c : prefix) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
    if (value > bits) return false;
  }
  return value <= bits;
}

bool AllIPRangeRulesAreDisabled(const std::optional<AllowedIPRanges>& ranges) {
  if (!ranges) return true;
  for (const AllowedIPRange& range : *ranges) {
    if (range.enabled) return false;
  }
  return true;
}

std::string IPRangesToAnnotationString(const std::optional<AllowedIPRanges>& ranges) {
  std::string result;
  if (!ranges) return result;
  for (size_t i = 0; i < ranges->size(); ++i) {
    if (i > 0) result += ',';
    result += (*ranges)[i].cidr_block;
  }
  // Go trims one leading "," (left by an empty first block).
  if (!result.empty() && result.front() == ',') result.erase(0, 1);
  return result;
}

bool Installation::InternalDatabase() const { return IsInternalDatabase(database); }

bool Installation::ExternalDatabase() const { return database == kInstallationDatabaseExternal; }

bool Installation::InternalFilestore() const { return IsInternalFilestore(filestore); }

bool Installation::RequiresAWSInfrastructure() const {
  const bool external_filestore = false;  // upstream has no external filestore yet
  return !ExternalDatabase() || !external_filestore;
}

double Installation::GetDatabaseWeight() const {
  switch (state) {
    case InstallationState::kHibernationRequested:
    case InstallationState::kHibernationInProgress:
    case InstallationState::kHibernating:
    case InstallationState::kDeletionPendingRequested:
    case InstallationState::kDeletionPendingInProgress:
    case InstallationState::kDeletionPending:
      return 0.75;
    default:
      return 1;
  }
}

EnvVarMap Installation::GetEnvVars() const {
  EnvVarMap env;
  if (mattermost_env) env = *mattermost_env;
  if (priority_env) {
    for (const auto& [key, value] : *priority_env) env[key] = value;
  }
  return env;
}

bool Installation::InstallationSequenceMatchesMergedGroupSequence() const {
  if (!config_merged_with_group) return true;
  if (!group_sequence) return false;
  return config_merge_group_sequence == *group_sequence;
}

std::string GroupOverrideInstallationEnvKey(std::string_view env_key) {
  return "Installation MattermostEnv[" + std::string(env_key) + "]";
}

std::string GroupOverrideGroupEnvKey(std::string_view env_key) {
  return "Group MattermostEnv[" + std::string(env_key) + "]";
}

void MergeWithGroup(Installation& installation, const GroupConfig& group, bool include_overrides) {
  if (installation.config_merged_with_group) return;
  installation.config_merged_with_group = true;
  installation.config_merge_group_sequence = group.sequence;
  auto& overrides = installation.group_overrides;
  overrides.clear();

  if (group.mattermost_env && !installation.mattermost_env) installation.mattermost_env.emplace();
  if (!group.version.empty() && installation.version != group.version) {
    if (include_overrides) {
      overrides[std::string(kGroupOverrideInstallationVersion)] = installation.version;
      overrides[std::string(kGroupOverrideGroupVersion)] = group.version;
    }
    installation.version = group.version;
  }
  if (!group.image.empty() && installation.image != group.image) {
    if (include_overrides) {
      overrides[std::string(kGroupOverrideInstallationImage)] = installation.image;
      overrides[std::string(kGroupOverrideGroupImage)] = group.image;
    }
    installation.image = group.image;
  }
  if (group.mattermost_env) {
    for (const auto& [key, value] : *group.mattermost_env) {
      auto it = installation.mattermost_env->find(key);
      if (include_overrides && it != installation.mattermost_env->end()) {
        overrides[GroupOverrideInstallationEnvKey(key)] = it->second.value;
        overrides[GroupOverrideGroupEnvKey(key)] = value.value;
      }
      (*installation.mattermost_env)[key] = value;
    }
  }
  if (group.scheduling) installation.scheduling = group.scheduling;
}

InstallationDTO ToDTO(Installation installation, std::vector<Annotation> annotations,
                      std::vector<InstallationDNS> dns_records,
                      std::vector<std::string> cluster_ids) {
  InstallationDTO dto;
  for (const InstallationDNS& record : dns_records) {
    if (record.is_primary) {
      dto.dns = record.domain_name;
      break;
    }
  }
  dto.installation = std::move(installation);
  dto.annotations = std::move(annotations);
  if (!dns_records.empty()) dto.dns_records = std::move(dns_records);
  dto.cluster_ids = std::move(cluster_ids);
  return dto;
}

std::vector<std::string> DNSNamesFromRecords(const std::vector<InstallationDNS>& records) {
  std::vector<std::string> names;
  names.reserve(records.size());
  for (const InstallationDNS& record : records) names.push_back(record.domain_name);
  return names;
}

}  // namespace cloud::model
