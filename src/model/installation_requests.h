// Installation request bodies with their defaults, validation and patch application
// (spec upstream-api.md §4.3 requests, §5.2 rules, routes §3.2).
//
// Request structs keep upstream's Go field names as JSON keys (they have no json tags).
// Validation that depends on server flags or on the current time takes them explicitly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/env_var.h"
#include "model/installation.h"
#include "model/json_codec.h"

namespace cloud::model {

// Server flags and the clock that CreateInstallationRequest::Validate depends on
// (--deploy-mysql-operator, --deploy-minio-operator, --require-annotated-installations).
struct InstallationValidationOptions {
  bool deploy_mysql_operator = false;
  bool deploy_minio_operator = false;
  bool require_annotated_installations = false;
  int64_t now_millis = 0;
};

// DNS names ------------------------------------------------------------------------------

// Upstream isValidDNS: at most 253 bytes; the first label 2..63 bytes (the message says 3-64,
// as upstream's); the whole name matched by [a-zA-Z0-9][.a-zA-Z0-9-]+ (so "a..b" and a
// trailing "." pass, "_" and spaces do not). Case is not checked.
// Errors: kInvalidArgument.
Result<void> ValidateDNSName(std::string_view dns);
// The first label of `dns` must equal `name` exactly. Errors: kInvalidArgument.
Result<void> EnsureDNSMatchesName(std::string_view dns, std::string_view name);
// The first label (text before the first ".").
std::string_view FirstDNSLabel(std::string_view dns);

// POST /api/installations -----------------------------------------------------------------

struct CreateInstallationRequest {
  std::string name;
  std::string owner_id;
  std::string group_id;
  std::string version;
  std::string image;
  std::string dns;  // deprecated: prepended to dns_names by SetDefaults
  std::vector<std::string> dns_names;
  std::string license;
  std::string size;
  std::string affinity;
  std::string database;
  std::string filestore;
  bool api_security_lock = false;
  bool deletion_locked = false;  // accepted and ignored
  std::optional<EnvVarMap> mattermost_env;
  std::optional<EnvVarMap> priority_env;
  std::vector<std::string> annotations;
  std::vector<std::string> group_selection_annotations;
  int64_t scheduled_deletion_time = 0;
  SingleTenantDatabaseConfig single_tenant_database_config;  // used for aws-rds* only
  ExternalDatabaseConfig external_database_config;           // used for external only
  std::optional<PodProbeOverrides> pod_probe_overrides;
  std::optional<std::vector<std::string>> command;

  // Upstream SetDefaults: DNS prepended to DNSNames, DNS and DNSNames lower-cased; Name from
  // the first label of DNS when empty, then lower-cased; Version "stable", Image
  // "mattermost/mattermost-enterprise-edition", Size "100users", Affinity "isolated",
  // Database "mysql-operator", Filestore "minio-operator" when empty; for aws-rds and
  // aws-rds-postgres empty instance types become "db.t4g.medium".
  void SetDefaults();
  // The 16 rules of spec §5.2, in upstream's order; the first failure is returned.
  // Annotation names in `annotations` are checked later by the handler (§5.6).
  // Errors: kInvalidArgument.
  Result<void> Validate(const InstallationValidationOptions& options) const;

  friend bool operator==(const CreateInstallationRequest&,
                         const CreateInstallationRequest&) = default;
};

template <class V>
void JsonFields(V& v, CreateInstallationRequest& r) {
  v("Name", r.name);
  v("OwnerID", r.owner_id);
  v("GroupID", r.group_id);
  v("Version", r.version);
  v("Image", r.image);
  v("DNS", r.dns);
  v("DNSNames", r.dns_names);
  v("License", r.license);
  v("Size", r.size);
  v("Affinity", r.affinity);
  v("Database", r.database);
  v("Filestore", r.filestore);
  v("APISecurityLock", r.api_security_lock);
  v("DeletionLocked", r.deletion_locked);
  v("MattermostEnv", r.mattermost_env);
  v("PriorityEnv", r.priority_env);
  v("Annotations", r.annotations);
  v("GroupSelectionAnnotations", r.group_selection_annotations);
  v("ScheduledDeletionTime", r.scheduled_deletion_time);
  v("SingleTenantDatabaseConfig", r.single_tenant_database_config);
  v("ExternalDatabaseConfig", r.external_database_config);
  v("PodProbeOverrides", r.pod_probe_overrides);
  v("Command", r.command);
}

// Decodes, applies defaults and validates (upstream NewCreateInstallationRequestFromReader).
// An empty body is the zero request. Errors: kInvalidArgument (decode or validation).
Result<CreateInstallationRequest> NewCreateInstallationRequestFromJson(
    std::string_view body, const InstallationValidationOptions& options);

// The installation a validated request creates (handler step of route 17): state
// creation-requested, CRVersion v1beta1, GroupID = the request's (so "" without a group),
// DeletionLocked false, database configs only for the matching database types. ID and
// CreateAt are left for the store.
Installation NewInstallationFromRequest(const CreateInstallationRequest& request);
// One record per DNSNames entry, the first primary; IDs and times left for the store.
std::vector<InstallationDNS> NewDNSRecordsFromRequest(const CreateInstallationRequest& request);

// PUT /api/installation/{id}/mattermost and POST .../wakeup --------------------------------

struct PatchInstallationRequest {
  std::optional<std::string> owner_id;
  std::optional<std::string> image;
  std::optional<std::string> version;
  std::optional<std::string> size;
  std::optional<std::string> license;
  std::optional<AllowedIPRanges> allowed_ip_ranges;
  std::optional<bool> override_ip_ranges;
  std::optional<EnvVarMap> priority_env;
  std::optional<EnvVarMap> mattermost_env;
  std::optional<PodProbeOverrides> pod_probe_overrides;
  std::optional<std::vector<std::string>> command;

  // Version/Image, if set, non-empty; every AllowedIPRanges CIDRBlock valid; Size, if set,
  // valid. Env maps are not validated. Errors: kInvalidArgument.
  Result<void> Validate() const;
  // Applies the patch and reports whether anything counts as applied (§5.2): scalar fields
  // when set and different; AllowedIPRanges whenever set (replaced when OverrideIPRanges is
  // true, otherwise merged by CIDRBlock with patch entries winning: existing order first,
  // then new blocks in patch order; an empty result is null); env maps by
  // ClearOrPatchEnvVarMap; PodProbeOverrides and Command replaced and always applied.
  bool Apply(Installation& installation) const;

  friend bool operator==(const PatchInstallationRequest&,
                         const PatchInstallationRequest&) = default;
};

template <class V>
void JsonFields(V& v, PatchInstallationRequest& r) {
  v("OwnerID", r.owner_id);
  v("Image", r.image);
  v("Version", r.version);
  v("Size", r.size);
  v("License", r.license);
  v("AllowedIPRanges", r.allowed_ip_ranges);
  v("OverrideIPRanges", r.override_ip_ranges);
  v("PriorityEnv", r.priority_env);
  v("MattermostEnv", r.mattermost_env);
  v("PodProbeOverrides", r.pod_probe_overrides);
  v("Command", r.command);
}

// Decodes and validates. Errors: kInvalidArgument.
Result<PatchInstallationRequest> NewPatchInstallationRequestFromJson(std::string_view body);

// Volumes ----------------------------------------------------------------------------------

inline constexpr size_t kVolumeNameMinLength = 3;
inline constexpr size_t kVolumeNameMaxLength = 64;
inline constexpr size_t kMaxVolumeDataEntries = 1000000;

// POST /api/installation/{id}/volumes.
struct CreateInstallationVolumeRequest {
  std::string name;
  std::optional<std::map<std::string, Bytes>> data;  // must be non-null
  std::optional<Volume> volume;

  // Name non-empty; Data non-null with at most 1,000,000 entries; Volume non-null with an
  // empty BackingSecret, Type "secret" and a non-empty MountPath. Name format is checked by
  // Apply. Errors: kInvalidArgument.
  Result<void> Validate() const;
  // Adds the volume (upstream VolumeMap.Add after SetBackingSecretName): the name must be new,
  // 3-64 bytes and match ^[a-z]+[a-z0-9_-]*$, and its MountPath unused by other volumes.
  // BackingSecret = VolumeBackingSecretName(installation.id, now_millis, name). Returns the
  // volume as added. Precondition: Validate() passed. Errors: kInvalidArgument (→ 400);
  // the installation is unchanged on error.
  Result<Volume> Apply(Installation& installation, int64_t now_millis) const;

  friend bool operator==(const CreateInstallationVolumeRequest&,
                         const CreateInstallationVolumeRequest&) = default;
};

template <class V>
void JsonFields(V& v, CreateInstallationVolumeRequest& r) {
  v("Name", r.name);
  v("Data", r.data);
  v("Volume", r.volume);
}

// "installation-secret-<installationID>-<now_ms>-<name>".
std::string VolumeBackingSecretName(std::string_view installation_id, int64_t now_millis,
                                    std::string_view volume_name);

// PUT /api/installation/{id}/volume/{volume-name}.
struct PatchInstallationVolumeRequest {
  std::map<std::string, Bytes> data;  // non-empty → the backing secret is rewritten
  std::optional<std::string> mount_path;
  std::optional<bool> read_only;

  // At most 1,000,000 Data entries; MountPath, if set, non-empty. Errors: kInvalidArgument.
  Result<void> Validate() const;
  // Patches volume `volume_name` and returns its backing secret name. Errors:
  // kInvalidArgument when the volume does not exist or the new MountPath is used by another
  // volume (installation unchanged).
  Result<std::string> Apply(Installation& installation, std::string_view volume_name) const;

  friend bool operator==(const PatchInstallationVolumeRequest&,
                         const PatchInstallationVolumeRequest&) = default;
};

template <class V>
void JsonFields(V& v, PatchInstallationVolumeRequest& r) {
  v("Data", r.data);
  v("MountPath", r.mount_path);
  v("ReadOnly", r.read_only);
}

// DELETE /api/installation/{id}/volume/{volume-name}: removes the volume (an emptied map
// becomes null) and returns it. Errors: kInvalidArgument when it does not exist, including
// when the installation has no volumes at all (upstream panics there).
Result<Volume> DeleteInstallationVolume(Installation& installation, std::string_view volume_name);

// Deletion --------------------------------------------------------------------------------

// PUT /api/installation/{id}/deletion.
struct PatchInstallationDeletionRequest {
  std::optional<int64_t> deletion_pending_expiry;

  // DeletionPendingExpiry, if set, must be >= now - 5 s. Errors: kInvalidArgument.
  Result<void> Validate(int64_t now_millis) const;
  // Sets DeletionPendingExpiry when set and different; reports whether it changed.
  bool Apply(Installation& installation) const;

  friend bool operator==(const PatchInstallationDeletionRequest&,
                         const PatchInstallationDeletionRequest&) = default;
};

template <class V>
void JsonFields(V& v, PatchInstallationDeletionRequest& r) {
  v("DeletionPendingExpiry", r.deletion_pending_expiry);
}

// PUT /api/installation/{id}/deletion/schedule. The route rejects an empty body (400); the
// handler checks that before decoding, since DecodeJson treats it as the zero request.
struct PatchInstallationScheduledDeletionRequest {
  std::optional<int64_t> scheduled_deletion_time;

  // ScheduledDeletionTime, if set, must be >= 0 and, when non-zero, > now.
  // Errors: kInvalidArgument.
  Result<void> Validate(int64_t now_millis) const;
  // Sets ScheduledDeletionTime whenever present (0 cancels); true iff present.
  bool Apply(Installation& installation) const;

  friend bool operator==(const PatchInstallationScheduledDeletionRequest&,
                         const PatchInstallationScheduledDeletionRequest&) = default;
};

template <class V>
void JsonFields(V& v, PatchInstallationScheduledDeletionRequest& r) {
  v("ScheduledDeletionTime", r.scheduled_deletion_time);
}

// Groups and DNS ----------------------------------------------------------------------------

// POST /api/installation/{id}/group/assign.
struct AssignInstallationGroupRequest {
  std::vector<std::string> group_selection_annotations;

  // The list must be non-empty. Errors: kInvalidArgument.
  Result<void> Validate() const;

  friend bool operator==(const AssignInstallationGroupRequest&,
                         const AssignInstallationGroupRequest&) = default;
};

template <class V>
void JsonFields(V& v, AssignInstallationGroupRequest& r) {
  v("GroupSelectionAnnotations", r.group_selection_annotations);
}

// POST /api/installation/{id}/dns.
struct AddDNSRecordRequest {
  std::string dns;

  // ValidateDNSName, plus EnsureDNSMatchesName when `require_name_match` (the API route does
  // not require it and does not lower-case). Errors: kInvalidArgument.
  Result<void> Validate(std::string_view installation_name, bool require_name_match) const;

  friend bool operator==(const AddDNSRecordRequest&, const AddDNSRecordRequest&) = default;
};

template <class V>
void JsonFields(V& v, AddDNSRecordRequest& r) {
  v("DNS", r.dns);
}

}  // namespace cloud::model
