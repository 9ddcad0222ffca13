#include "model/installation_requests.h"

#include <algorithm>
#include <utility>

#include "model/annotation.h"
#include "model/installation_enums.h"

namespace cloud::model {
namespace {

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsAlnumAscii(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ^[a-z]+[a-z0-9_-]*$ (volume names).
bool MatchesLowerName(std::string_view name) {
  if (name.empty() || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Go's url.Parse failures that a scheme-less, host-like text can hit: control bytes, an
// empty scheme (leading ":"), and a ":" in the first path segment when there is no scheme.
// After SetDefaults the DNS value has already passed ValidateDNSName, so this never fails
// in practice; it is kept so the rule order matches upstream.
Result<void> ValidateDNSAsURL(std::string_view dns) {
  for (char c : dns) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) {
      return InvalidArgument("invalid DNS " + std::string(dns) +
                             ": net/url: invalid control character in URL");
    }
  }
  if (!dns.empty() && dns[0] == ':') {
    return InvalidArgument("invalid DNS " + std::string(dns) + ": missing protocol scheme");
  }
  // A scheme is [A-Za-z][A-Za-z0-9+.-]* followed by ":".
  size_t i = 0;
  bool has_scheme = false;
  if (!dns.empty() && ((dns[0] >= 'a' && dns[0] <= 'z') || (dns[0] >= 'A' && dns[0] <= 'Z'))) {
    for (i = 1; i < dns.size(); ++i) {
      const char c = dns[i];
      if (c == ':') {
        has_scheme = true;
        break;
      }
      if (!IsAlnumAscii(c) && c != '+' && c != '-' && c != '.') break;
    }
  }
  if (!has_scheme) {
    const std::string_view segment = dns.substr(0, dns.find('/'));
    if (segment.find(':') != std::string_view::npos) {
      return InvalidArgument("invalid DNS " + std::string(dns) +
                             ": first path segment in URL cannot contain colon");
    }
  }
  return Ok();
}

Result<void> CheckNoSpace(std::string_view value, std::string_view field, std::string_view label) {
  if (value.find(' ') == std::string_view::npos) return Ok();
  return InvalidArgument("cannot have spaces in " + std::string(field) + " field. " +
                         std::string(label) + "=" + std::string(value));
}

Result<void> WithPrefix(Result<void> result, std::string_view prefix) {
  if (result) return result;
  return InvalidArgument(std::string(prefix) + ": " + result.error().message);
}

// Upstream's ingress-range merge: existing ranges keyed by CIDRBlock, patch entries win.
// Upstream goes through a Go map (random order); we keep existing order, then new blocks.
AllowedIPRanges MergeIPRanges(const AllowedIPRanges& existing, const AllowedIPRanges& patch) {
  AllowedIPRanges merged;
  auto find = [&merged](const std::string& block) {
    return std::find_if(merged.begin(), merged.end(),
                        [&block](const AllowedIPRange& r) { return r.cidr_block == block; });
  };
  for (const AllowedIPRange& range : existing) {
    auto it = find(range.cidr_block);
    if (it == merged.end()) {
      merged.push_back(range);
    } else {
      *it = range;
    }
  }
  for (const AllowedIPRange& range : patch) {
    auto it = find(range.cidr_block);
    if (it == merged.end()) {
      merged.push_back(range);
    } else {
      *it = range;
    }
  }
  return merged;
}

}  // namespace

// DNS names ------------------------------------------------------------------------------

std::string_view FirstDNSLabel(std::string_view dns) { return dns.substr(0, dns.find('.')); }

Result<void> ValidateDNSName(std::string_view dns) {
  const std::string text(dns);
  if (dns.size() > 253) {
    return InvalidArgument(
        "fully qualified domain names must be less than 254 characters in length. Provided "
        "name " +
        text + " was " + std::to_string(dns.size()) + " characters long");
  }
  const std::string_view subdomain = FirstDNSLabel(dns);
  if (subdomain.size() >= 64 || subdomain.size() < 2) {
    return InvalidArgument(
        "DNS subdomain names must be between 3 and 64 characters, but name "
        "was " +
        std::to_string(dns.size()) + " long. DNS=" + text);
  }
  // The leftmost-first match of [a-zA-Z0-9][\.a-z-A-Z\-0-9]+ must be the whole name: the
  // first byte alphanumeric, every later byte alphanumeric, "." or "-".
  const bool matches = dns.size() >= 2 && IsAlnumAscii(dns[0]) &&
                       std::all_of(dns.begin() + 1, dns.end(),
                                   [](char c) { return IsAlnumAscii(c) || c == '.' || c == '-'; });
  if (!matches) {
    return InvalidArgument("DNS name provided (" + text + ") failed hostname pattern check");
  }
  return Ok();
}

Result<void> EnsureDNSMatchesName(std::string_view dns, std::string_view name) {
  if (FirstDNSLabel(dns) != name) {
    return InvalidArgument("domain name must start with Installation Name");
  }
  return Ok();
}

// CreateInstallationRequest ---------------------------------------------------------------

void CreateInstallationRequest::SetDefaults() {
  if (!dns.empty()) dns_names.insert(dns_names.begin(), dns);
  dns = ToLowerAscii(dns);
  for (std::string& name_entry : dns_names) name_entry = ToLowerAscii(name_entry);

  if (name.empty() && !dns.empty()) name = std::string(FirstDNSLabel(dns));
  name = ToLowerAscii(name);
  if (version.empty()) version = kDefaultInstallationVersion;
  if (image.empty()) image = kDefaultInstallationImage;
  if (size.empty()) size = kInstallationDefaultSize;
  if (affinity.empty()) affinity = kInstallationAffinityIsolated;
  if (database.empty()) database = kInstallationDatabaseMysqlOperator;
  if (filestore.empty()) filestore = kInstallationFilestoreMinioOperator;
  if (IsSingleTenantRDS(database)) {
    SingleTenantDatabaseConfig& db = single_tenant_database_config;
    if (db.primary_instance_type.empty()) {
      db.primary_instance_type = kDefaultSingleTenantDatabaseInstanceType;
    }
    if (db.replica_instance_type.empty()) {
      db.replica_instance_type = kDefaultSingleTenantDatabaseInstanceType;
    }
  }
}

Result<void> CreateInstallationRequest::Validate(
    const InstallationValidationOptions& options) const {
  if (name.empty()) return InvalidArgument("name needs to be specified");
  if (owner_id.empty()) return InvalidArgument("must specify owner");

  if (dns_names.empty()) return InvalidArgument("at least one DNS name is required");
  for (const std::string& dns_name : dns_names) {
    CLOUD_TRY_VOID(ValidateDNSName(dns_name));
    CLOUD_TRY_VOID(EnsureDNSMatchesName(dns_name, name));
  }

  if (Result<InstallationSize> parsed = GetInstallationSize(size); !parsed) {
    return InvalidArgument("invalid Installation size: " + parsed.error().message);
  }
  CLOUD_TRY_VOID(ValidateDNSAsURL(dns));
  if (!IsSupportedAffinity(affinity)) return InvalidArgument("unsupported affinity " + affinity);
  if (!IsSupportedDatabase(database)) return InvalidArgument("unsupported database " + database);
  if (!IsSupportedFilestore(filestore)) {
    return InvalidArgument("unsupported filestore " + filestore);
  }
  if (mattermost_env) {
    CLOUD_TRY_VOID(WithPrefix(ValidateEnvVarMap(*mattermost_env), "invalid env var settings"));
  }
  if (priority_env) {
    CLOUD_TRY_VOID(
        WithPrefix(ValidateEnvVarMap(*priority_env), "invalid priority env var settings"));
  }
  if (options.require_annotated_installations && annotations.empty()) {
    return InvalidArgument("at least one annotation is required");
  }
  for (const std::string& annotation : group_selection_annotations) {
    CLOUD_TRY_VOID(
        WithPrefix(ValidateAnnotationName(annotation), "invalid group selection annotation"));
  }
  if (IsSingleTenantRDS(database)) {
    const int count = single_tenant_database_config.replicas_count;
    if (count < 0 || count > 15) {
      return InvalidArgument(
          "single tenant database config is invalid: single tenant database replicas count "
          "must be between 0 and 15");
    }
  }
  if (database == kInstallationDatabaseExternal && external_database_config.secret_name.empty()) {
    return InvalidArgument(
        "external database config is invalid: no external database secret name providied");
  }
  if (!options.deploy_minio_operator && filestore == kInstallationFilestoreMinioOperator) {
    return InvalidArgument("minio filestore cannot be used when minio operator is not deployed");
  }
  if (!options.deploy_mysql_operator && database == kInstallationDatabaseMysqlOperator) {
    return InvalidArgument(
        "mysql operator database cannot be used when mysql operator is not deployed");
  }
  if (scheduled_deletion_time < 0) {
    return InvalidArgument("scheduled deletion time cannot be negative");
  }
  if (scheduled_deletion_time > 0) {
    const int64_t five_minutes_from_now = options.now_millis + 5 * 60 * 1000;
    if (scheduled_deletion_time < five_minutes_from_now) {
      return InvalidArgument("scheduled deletion time must be at least 5 minutes in the future");
    }
  }
  CLOUD_TRY_VOID(CheckNoSpace(dns, "dns", "DNS"));
  CLOUD_TRY_VOID(CheckNoSpace(version, "version", "Version"));
  CLOUD_TRY_VOID(CheckNoSpace(image, "image", "Image"));
  CLOUD_TRY_VOID(CheckNoSpace(license, "license", "License"));
  CLOUD_TRY_VOID(CheckNoSpace(group_id, "group", "Group"));
  return Ok();
}

Result<CreateInstallationRequest> NewCreateInstallationRequestFromJson(
    std::string_view body, const InstallationValidationOptions& options) {
  Result<CreateInstallationRequest> request = DecodeJson<CreateInstallationRequest>(body);
  if (!request) {
    return InvalidArgument("failed to decode create installation request: " +
                           request.error().message);
  }
  request->SetDefaults();
  if (Result<void> valid = request->Validate(options); !valid) {
    return InvalidArgument("create installation request failed validation: " +
                           valid.error().message);
  }
  return request;
}

Installation NewInstallationFromRequest(const CreateInstallationRequest& request) {
  Installation installation;
  installation.name = request.name;
  installation.owner_id = request.owner_id;
  installation.group_id = request.group_id;
  installation.version = request.version;
  installation.image = request.image;
  installation.database = request.database;
  installation.filestore = request.filestore;
  installation.license = request.license;
  installation.size = request.size;
  installation.affinity = request.affinity;
  installation.api_security_lock = request.api_security_lock;
  installation.mattermost_env = request.mattermost_env;
  installation.priority_env = request.priority_env;
  installation.scheduled_deletion_time = request.scheduled_deletion_time;
  if (IsSingleTenantRDS(request.database)) {
    installation.single_tenant_database_config = request.single_tenant_database_config;
  }
  if (request.database == kInstallationDatabaseExternal) {
    installation.external_database_config = request.external_database_config;
  }
  installation.pod_probe_overrides = request.pod_probe_overrides;
  installation.command = request.command;
  installation.cr_version = kDefaultCRVersion;
  installation.state = InstallationState::kCreationRequested;
  return installation;
}

std::vector<InstallationDNS> NewDNSRecordsFromRequest(const CreateInstallationRequest& request) {
  std::vector<InstallationDNS> records;
  records.reserve(request.dns_names.size());
  for (const std::string& domain : request.dns_names) {
    InstallationDNS record;
    record.domain_name = domain;
    record.is_primary = records.empty();
    records.push_back(std::move(record));
  }
  return records;
}

// PatchInstallationRequest ------------------------------------------------------------------

Result<void> PatchInstallationRequest::Validate() const {
  if (version && version->empty()) {
    return InvalidArgument("provided version update value was blank");
  }
  if (image && image->empty()) return InvalidArgument("provided image update value was blank");
  if (allowed_ip_ranges) {
    for (const AllowedIPRange& range : *allowed_ip_ranges) {
      // Upstream's message, although the value is invalid rather than blank.
      if (!IsIPRangeValid(range.cidr_block)) {
        return InvalidArgument("provided ip ranges update value was blank");
      }
    }
  }
  if (size) {
    Result<InstallationSize> parsed = GetInstallationSize(*size);
    if (!parsed) return InvalidArgument("invalid size: " + parsed.error().message);
  }
  return Ok();
}

bool PatchInstallationRequest::Apply(Installation& installation) const {
  bool applied = false;
  auto apply_string = [&applied](const std::optional<std::string>& patch, std::string& field) {
    if (patch && *patch != field) {
      field = *patch;
      applied = true;
    }
  };
  apply_string(owner_id, installation.owner_id);
  apply_string(version, installation.version);
  apply_string(image, installation.image);
  apply_string(size, installation.size);
  apply_string(license, installation.license);

  if (allowed_ip_ranges) {
    applied = true;
    // Upstream re-checks the blocks here and reports "not applied" (keeping the fields
    // changed above) when one is invalid; Validate rejects that earlier.
    for (const AllowedIPRange& range : *allowed_ip_ranges) {
      if (!IsIPRangeValid(range.cidr_block)) return false;
    }
    if (override_ip_ranges.value_or(false) || !installation.allowed_ip_ranges) {
      installation.allowed_ip_ranges = allowed_ip_ranges;
    } else {
      AllowedIPRanges merged = MergeIPRanges(*installation.allowed_ip_ranges, *allowed_ip_ranges);
      if (merged.empty()) {
        installation.allowed_ip_ranges.reset();  // Go: pointer to a nil slice encodes null
      } else {
        installation.allowed_ip_ranges = std::move(merged);
      }
    }
  }

  if (ClearOrPatchEnvVarMap(installation.mattermost_env, mattermost_env)) applied = true;
  if (ClearOrPatchEnvVarMap(installation.priority_env, priority_env)) applied = true;

  if (pod_probe_overrides) {
    installation.pod_probe_overrides = pod_probe_overrides;
    applied = true;
  }
  if (command) {
    installation.command = command;
    applied = true;
  }
  return applied;
}

Result<PatchInstallationRequest> NewPatchInstallationRequestFromJson(std::string_view body) {
  Result<PatchInstallationRequest> request = DecodeJson<PatchInstallationRequest>(body);
  if (!request) {
    return InvalidArgument("failed to decode patch installation request: " +
                           request.error().message);
  }
  if (Result<void> valid = request->Validate(); !valid) {
    return InvalidArgument("invalid patch installation request: " + valid.error().message);
  }
  return request;
}

// Volumes ----------------------------------------------------------------------------------

Result<void> CreateInstallationVolumeRequest::Validate() const {
  if (name.empty()) return InvalidArgument("name needs to be specified");
  if (!data) return InvalidArgument("no secret data provided");
  if (data->size() > kMaxVolumeDataEntries) return InvalidArgument("secret data is too long");
  if (!volume) return InvalidArgument("no volume metadata provided");
  if (!volume->backing_secret.empty()) {
    return InvalidArgument("backing secret should not be set on requests");
  }
  if (volume->type != kVolumeTypeSecret) {
    return InvalidArgument(volume->type + " is an invalid volume type");
  }
  if (volume->mount_path.empty()) return InvalidArgument("mount path is empty");
  return Ok();
}

std::string VolumeBackingSecretName(std::string_view installation_id, int64_t now_millis,
                                    std::string_view volume_name) {
  return "installation-secret-" + std::string(installation_id) + "-" + std::to_string(now_millis) +
         "-" + std::string(volume_name);
}

Result<Volume> CreateInstallationVolumeRequest::Apply(Installation& installation,
                                                      int64_t now_millis) const {
  if (!volume) return InvalidArgument("no volume metadata provided");
  if (installation.volumes && installation.volumes->count(name) > 0) {
    return InvalidArgument("cannot create new volume, " + name + " already exists");
  }
  if (name.size() < kVolumeNameMinLength || name.size() > kVolumeNameMaxLength) {
    return InvalidArgument("volume '" + name +
                           "' is invalid: volume names must be between 3 and 64 characters long");
  }
  if (!MatchesLowerName(name)) {
    return InvalidArgument("volume '" + name +
                           "' is invalid: volumes must start with a letter and can contain only "
                           "lowercase letters, numbers or '_', '-' characters");
  }
  if (installation.volumes) {
    for (const auto& [existing_name, existing] : *installation.volumes) {
      if (existing.mount_path == volume->mount_path) {
        return InvalidArgument("mount path " + existing.mount_path + " conflicts with volume " +
                               existing_name);
      }
    }
  }
  Volume added = *volume;
  added.backing_secret = VolumeBackingSecretName(installation.id, now_millis, name);
  if (!installation.volumes) installation.volumes.emplace();
  (*installation.volumes)[name] = added;
  return added;
}

Result<void> PatchInstallationVolumeRequest::Validate() const {
  if (data.size() > kMaxVolumeDataEntries) return InvalidArgument("secret data is too long");
  if (mount_path && mount_path->empty()) return InvalidArgument("mount path is empty");
  return Ok();
}

Result<std::string> PatchInstallationVolumeRequest::Apply(Installation& installation,
                                                          std::string_view volume_name) const {
  const std::string key(volume_name);
  if (!installation.volumes || installation.volumes->count(key) == 0) {
    return InvalidArgument("cannot update volume " + key + " as it doesn't exist");
  }
  if (mount_path) {
    for (const auto& [existing_name, existing] : *installation.volumes) {
      if (existing.mount_path == *mount_path && existing_name != key) {
        return InvalidArgument("mount path " + existing.mount_path + " conflicts with volume " +
                               existing_name);
      }
    }
  }
  Volume& volume = installation.volumes->at(key);
  if (mount_path) volume.mount_path = *mount_path;
  if (read_only) volume.read_only = *read_only;
  return volume.backing_secret;
}

Result<Volume> DeleteInstallationVolume(Installation& installation, std::string_view volume_name) {
  const std::string key(volume_name);
  if (!installation.volumes || installation.volumes->count(key) == 0) {
    return InvalidArgument("cannot delete volume " + key + " as it doesn't exist");
  }
  Volume removed = installation.volumes->at(key);
  installation.volumes->erase(key);
  if (installation.volumes->empty()) installation.volumes.reset();
  return removed;
}

// Deletion --------------------------------------------------------------------------------

Result<void> PatchInstallationDeletionRequest::Validate(int64_t now_millis) const {
  if (deletion_pending_expiry) {
    const int64_t cutoff = now_millis - 5000;
    if (cutoff > *deletion_pending_expiry) {
      return InvalidArgument("DeletionPendingExpiry must be " + std::to_string(cutoff) +
                             " or higher");
    }
  }
  return Ok();
}

bool PatchInstallationDeletionRequest::Apply(Installation& installation) const {
  if (deletion_pending_expiry && *deletion_pending_expiry != installation.deletion_pending_expiry) {
    installation.deletion_pending_expiry = *deletion_pending_expiry;
    return true;
  }
  return false;
}

Result<void> PatchInstallationScheduledDeletionRequest::Validate(int64_t now_millis) const {
  if (scheduled_deletion_time) {
    if (*scheduled_deletion_time < 0) {
      return InvalidArgument("scheduled deletion time cannot be negative");
    }
    if (*scheduled_deletion_time != 0 && *scheduled_deletion_time <= now_millis) {
      return InvalidArgument("scheduled deletion time must be in the future");
    }
  }
  return Ok();
}

bool PatchInstallationScheduledDeletionRequest::Apply(Installation& installation) const {
  if (!scheduled_deletion_time) return false;
  installation.scheduled_deletion_time = *scheduled_deletion_time;
  return true;
}

// Groups and DNS ----------------------------------------------------------------------------

Result<void> AssignInstallationGroupRequest::Validate() const {
  if (group_selection_annotations.empty()) {
    return InvalidArgument("group selection annotations must not be empty");
  }
  return Ok();
}

Result<void> AddDNSRecordRequest::Validate(std::string_view installation_name,
                                           bool require_name_match) const {
  CLOUD_TRY_VOID(WithPrefix(ValidateDNSName(dns), "dns is invalid"));
  if (require_name_match) return EnsureDNSMatchesName(dns, installation_name);
  return Ok();
}

}  // namespace cloud::model
