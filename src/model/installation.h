// Installation: a Mattermost workspace managed by the provisioner, its DTO and sub-objects
// (spec upstream-api.md §4.3; group merge rules upstream-core.md "Propagation").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/annotation.h"
#include "model/env_var.h"
#include "model/installation_states.h"
#include "model/json_codec.h"
#include "model/scheduling.h"

namespace cloud::model {

// One ingress source range. CIDRBlock is an IP or an IP/prefix (see IsIPRangeValid).
struct AllowedIPRange {
  std::string cidr_block;
  std::string description;
  bool enabled = false;
  std::string owner_id;
  friend bool operator==(const AllowedIPRange&, const AllowedIPRange&) = default;
};

template <class V>
void JsonFields(V& v, AllowedIPRange& r) {
  v("CIDRBlock", r.cidr_block);
  v("Description", r.description);
  v("Enabled", r.enabled);
  v("OwnerID", r.owner_id);
}

using AllowedIPRanges = std::vector<AllowedIPRange>;

// Upstream IsIPRangeValid: an IPv4/IPv6 address as Go's net.ParseIP accepts it (no leading
// zeros in IPv4 octets, no zone), optionally followed by "/<prefix>" with 0 <= prefix <= 32
// (IPv4) or 128 (IPv6).
bool IsIPRangeValid(std::string_view ip_range);
// True when there are no ranges or none is enabled (upstream AllRulesAreDisabled).
bool AllIPRangeRulesAreDisabled(const std::optional<AllowedIPRanges>& ranges);
// Every CIDR block (enabled or not) joined with ","; "" for none (upstream
// ToAnnotationString).
std::string IPRangesToAnnotationString(const std::optional<AllowedIPRanges>& ranges);

// A custom volume mounted into the Mattermost pods, backed by an AWS secret.
struct Volume {
  std::string type;  // only "secret" (kVolumeTypeSecret)
  std::string backing_secret;
  std::string mount_path;
  bool read_only = false;
  friend bool operator==(const Volume&, const Volume&) = default;
};

template <class V>
void JsonFields(V& v, Volume& vol) {
  v("Type", vol.type);
  v("BackingSecret", vol.backing_secret);
  v("MountPath", vol.mount_path);
  v("ReadOnly", vol.read_only);
}

using VolumeMap = std::map<std::string, Volume>;

// Single-tenant RDS settings; also the request shape (upstream SingleTenantDatabaseRequest
// has the same fields and keys).
struct SingleTenantDatabaseConfig {
  std::string primary_instance_type;
  std::string replica_instance_type;
  int replicas_count = 0;
  friend bool operator==(const SingleTenantDatabaseConfig&,
                         const SingleTenantDatabaseConfig&) = default;
};

template <class V>
void JsonFields(V& v, SingleTenantDatabaseConfig& c) {
  v("PrimaryInstanceType", c.primary_instance_type);
  v("ReplicaInstanceType", c.replica_instance_type);
  v("ReplicasCount", c.replicas_count);
}

// The AWS secret holding an external database's connection string; also the request shape.
struct ExternalDatabaseConfig {
  std::string secret_name;
  friend bool operator==(const ExternalDatabaseConfig&, const ExternalDatabaseConfig&) = default;
};

template <class V>
void JsonFields(V& v, ExternalDatabaseConfig& c) {
  v("SecretName", c.secret_name);
}

// Kubernetes Probe overrides for the Mattermost container, kept as raw JSON objects.
struct PodProbeOverrides {
  std::optional<Json> liveness_probe_override;
  std::optional<Json> readiness_probe_override;
  friend bool operator==(const PodProbeOverrides&, const PodProbeOverrides&) = default;
};

template <class V>
void JsonFields(V& v, PodProbeOverrides& p) {
  v("LivenessProbeOverride", p.liveness_probe_override, kOmitEmpty);
  v("ReadinessProbeOverride", p.readiness_probe_override, kOmitEmpty);
}

// A Mattermost installation as stored and served. Values such as Size, Database, Filestore
// and Affinity stay strings (validated by the requests, see installation_enums.h).
//
// A value returned by MergeWithGroup carries group configuration and must not be saved
// (upstream configMergedWithGroup); the store checks ConfigMergedWithGroup().
struct Installation {
  std::string id;
  std::string owner_id;
  std::optional<std::string> group_id;  // "" after a group-less create, nullopt after leave
  std::optional<int64_t> group_sequence;
  InstallationState state = InstallationState::kCreationRequested;
  std::string size;
  std::string version;
  std::string image;
  std::optional<std::vector<std::string>> command;  // JSON key "command"
  std::string name;
  std::string database;
  std::optional<SingleTenantDatabaseConfig> single_tenant_database_config;
  std::optional<ExternalDatabaseConfig> external_database_config;
  std::string filestore;
  std::string license;
  std::optional<AllowedIPRanges> allowed_ip_ranges;
  std::optional<VolumeMap> volumes;
  std::optional<EnvVarMap> mattermost_env;  // null when never set
  std::optional<EnvVarMap> priority_env;
  std::string affinity;
  std::string cr_version;
  int64_t create_at = 0;
  int64_t delete_at = 0;
  int64_t deletion_pending_expiry = 0;
  int64_t scheduled_deletion_time = 0;
  bool api_security_lock = false;
  bool deletion_locked = false;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;
  std::map<std::string, std::string> group_overrides;
  std::optional<PodProbeOverrides> pod_probe_overrides;
  std::optional<Scheduling> scheduling;

  // Not on the wire: set by MergeWithGroup.
  bool config_merged_with_group = false;
  int64_t config_merge_group_sequence = 0;

  bool IsDeleted() const { return delete_at != 0; }
  bool IsInGroup() const { return group_id.has_value(); }
  bool HasVolumes() const { return volumes.has_value(); }
  bool ConfigMergedWithGroup() const { return config_merged_with_group; }
  // mysql-operator database.
  bool InternalDatabase() const;
  // "external" database.
  bool ExternalDatabase() const;
  // minio-operator or local-ephemeral filestore.
  bool InternalFilestore() const;
  // Upstream RequiresAWSInfrasctructure: true unless database and filestore are both external
  // (there are no external filestores, so always true today).
  bool RequiresAWSInfrastructure() const;
  // Database weight for multitenant packing: 0.75 while hibernating or pending deletion
  // (and their -requested/-in-progress states), 1 otherwise.
  double GetDatabaseWeight() const;
  // MattermostEnv overlaid with PriorityEnv (PriorityEnv wins); never null.
  EnvVarMap GetEnvVars() const;
  // True unless merged with a group whose sequence differs from GroupSequence.
  bool InstallationSequenceMatchesMergedGroupSequence() const;
  // Sets GroupSequence to the sequence of the group merged in.
  void SyncGroupAndInstallationSequence() { group_sequence = config_merge_group_sequence; }

  friend bool operator==(const Installation&, const Installation&) = default;
};

// Wire fields of Installation, in Go's declaration order. InstallationDTO calls it first to
// flatten the embedded *Installation.
template <class V>
void JsonFields(V& v, Installation& i) {
  v("ID", i.id);
  v("OwnerID", i.owner_id);
  v("GroupID", i.group_id);
  v("GroupSequence", i.group_sequence, kOmitEmpty);
  v("State", i.state);
  v("Size", i.size);
  v("Version", i.version);
  v("Image", i.image);
  v("command", i.command, kOmitNil);
  v("Name", i.name);
  v("Database", i.database);
  v("SingleTenantDatabaseConfig", i.single_tenant_database_config, kOmitEmpty);
  v("ExternalDatabaseConfig", i.external_database_config, kOmitEmpty);
  v("Filestore", i.filestore);
  v("License", i.license);
  v("AllowedIPRanges", i.allowed_ip_ranges);
  v("Volumes", i.volumes);
  v("MattermostEnv", i.mattermost_env);
  v("PriorityEnv", i.priority_env);
  v("Affinity", i.affinity);
  v("CRVersion", i.cr_version);
  v("CreateAt", i.create_at);
  v("DeleteAt", i.delete_at);
  v("DeletionPendingExpiry", i.deletion_pending_expiry, kOmitEmpty);
  v("ScheduledDeletionTime", i.scheduled_deletion_time, kOmitEmpty);
  v("APISecurityLock", i.api_security_lock);
  v("DeletionLocked", i.deletion_locked);
  v("LockAcquiredBy", i.lock_acquired_by);
  v("LockAcquiredAt", i.lock_acquired_at);
  v("GroupOverrides", i.group_overrides, kOmitEmpty);
  v("PodProbeOverrides", i.pod_probe_overrides, kOmitEmpty);
  v("Scheduling", i.scheduling, kOmitEmpty);
}

// Group merge -----------------------------------------------------------------------------

// The group settings an installation inherits (a view of Group, so this file does not
// depend on the group model).
struct GroupConfig {
  int64_t sequence = 0;
  std::string version;
  std::string image;
  std::optional<EnvVarMap> mattermost_env;
  std::optional<Scheduling> scheduling;
};

// GroupOverrides keys, exactly as upstream writes them.
inline constexpr std::string_view kGroupOverrideInstallationVersion = "Installation Version";
inline constexpr std::string_view kGroupOverrideGroupVersion = "Group Version";
inline constexpr std::string_view kGroupOverrideInstallationImage = "Installation Image";
inline constexpr std::string_view kGroupOverrideGroupImage = "Group Image";
// "Installation MattermostEnv[<key>]".
std::string GroupOverrideInstallationEnvKey(std::string_view env_key);
// "Group MattermostEnv[<key>]".
std::string GroupOverrideGroupEnvKey(std::string_view env_key);

// Upstream Installation.MergeWithGroup: a non-empty group Version/Image replaces the
// installation's, every group env key overwrites the installation's, a group Scheduling
// replaces it. With `include_overrides`, GroupOverrides records each replaced value (env
// entries only for keys present on both sides; the values are the `value` fields).
// GroupOverrides is reset to empty. A no-op when already merged.
void MergeWithGroup(Installation& installation, const GroupConfig& group, bool include_overrides);

// DTO ------------------------------------------------------------------------------------

// A DNS record of an installation (domain names are unique among non-deleted records).
struct InstallationDNS {
  std::string id;
  std::string domain_name;
  std::string installation_id;
  bool is_primary = false;
  int64_t create_at = 0;
  int64_t delete_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const InstallationDNS&, const InstallationDNS&) = default;
};

template <class V>
void JsonFields(V& v, InstallationDNS& d) {
  v("ID", d.id);
  v("DomainName", d.domain_name);
  v("InstallationID", d.installation_id);
  v("IsPrimary", d.is_primary);
  v("CreateAt", d.create_at);
  v("DeleteAt", d.delete_at);
}

// The installation as the API returns it: Installation's fields flattened, then annotations,
// the primary domain (deprecated DNS), the DNS records and the cluster IDs.
struct InstallationDTO {
  Installation installation;
  std::vector<Annotation> annotations;
  std::string dns;
  std::optional<std::vector<InstallationDNS>> dns_records;  // null when none
  std::vector<std::string> cluster_ids;

  friend bool operator==(const InstallationDTO&, const InstallationDTO&) = default;
};

template <class V>
void JsonFields(V& v, InstallationDTO& d) {
  JsonFields(v, d.installation);
  v("Annotations", d.annotations, kOmitEmpty);
  v("DNS", d.dns);
  v("DNSRecords", d.dns_records);
  v("ClusterIDs", d.cluster_ids, kOmitEmpty);
}

// Upstream Installation.ToDTO: DNS = the first primary record's domain ("" if none);
// DNSRecords = `dns_records`, or null when empty.
InstallationDTO ToDTO(Installation installation, std::vector<Annotation> annotations,
                      std::vector<InstallationDNS> dns_records,
                      std::vector<std::string> cluster_ids);

// The domain names of the records, in order (upstream DNSNamesFromRecords).
std::vector<std::string> DNSNamesFromRecords(const std::vector<InstallationDNS>& records);

// Counters --------------------------------------------------------------------------------

// Body of GET /api/installations/count.
struct InstallationsCount {
  int64_t count = 0;
  friend bool operator==(const InstallationsCount&, const InstallationsCount&) = default;
};

template <class V>
void JsonFields(V& v, InstallationsCount& c) {
  v("Count", c.count);
}

// Body of GET /api/installations/status (non-deleted installations only).
struct InstallationsStatus {
  int64_t installations_total = 0;
  int64_t installations_stable = 0;
  int64_t installations_hibernating = 0;
  int64_t installations_pending_deletion = 0;  // state deletion-pending only
  int64_t installations_updating = 0;          // total - stable - hibernating - pending deletion
  friend bool operator==(const InstallationsStatus&, const InstallationsStatus&) = default;
};

template <class V>
void JsonFields(V& v, InstallationsStatus& s) {
  v("InstallationsTotal", s.installations_total);
  v("InstallationsStable", s.installations_stable);
  v("InstallationsHibernating", s.installations_hibernating);
  v("InstallationsPendingDeletion", s.installations_pending_deletion);
  v("InstallationsUpdating", s.installations_updating);
}

}  // namespace cloud::model
