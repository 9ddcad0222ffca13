#include "model/installation_enums.h"

#include <algorithm>
#include <limits>

namespace cloud::model {
namespace {

template <size_t N>
bool Contains(const std::array<std::string_view, N>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Go's strconv.Atoi on a 64-bit platform: [+-]?[0-9]+ within int64.
std::optional<int64_t> GoAtoi(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  uint64_t magnitude = 0;
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) return std::nullopt;
    magnitude = magnitude * 10 + digit;
  }
  if (negative) {
    return magnitude == limit ? std::numeric_limits<int64_t>::min()
                              : -static_cast<int64_t>(magnitude);
  }
  return static_cast<int64_t>(magnitude);
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

}  // namespace

Result<InstallationSize> GetInstallationSize(std::string_view size) {
  if (Contains(kOperatorInstallationSizes, size)) return InstallationSize{std::string(size), {}};

  // ParseProvisionerSize: <name>[-<replicas>], split on every "-".
  const size_t dash = size.find('-');
  const std::string_view name = size.substr(0, dash);
  if (name != kSizeProvisionerXL) {
    return InvalidArgument("unrecognized installation size \"" + std::string(name) + "\"");
  }
  InstallationSize result{std::string(name), std::nullopt};
  if (dash == std::string_view::npos) return result;
  const std::string_view replicas = size.substr(dash + 1);
  if (replicas.find('-') != std::string_view::npos) {
    const auto segments = 1 + std::count(size.begin(), size.end(), '-');
    return InvalidArgument("expected at most 2 size segments found " + std::to_string(segments));
  }
  if (IsBlank(replicas)) return InvalidArgument("replicas segment cannot be empty");
  const std::optional<int64_t> count = GoAtoi(replicas);
  if (!count) {
    return InvalidArgument(
        "failed to parse number of replicas from custom provisioner size: strconv.Atoi: "
        "parsing \"" +
        std::string(replicas) + "\": invalid syntax");
  }
  result.app_replicas = static_cast<int32_t>(*count);  // Go's int32(replicas) truncation
  return result;
}

bool IsValidInstallationSize(std::string_view size) {
  return GetInstallationSize(size).has_value();
}

bool IsSupportedAffinity(std::string_view affinity) {
  return affinity == kInstallationAffinityIsolated || affinity == kInstallationAffinityMultiTenant;
}

bool IsSupportedDatabase(std::string_view database) {
  return Contains(kAllInstallationDatabases, database);
}

bool IsSingleTenantRDS(std::string_view database) {
  return database == kInstallationDatabaseSingleTenantRDSMySQL ||
         database == kInstallationDatabaseSingleTenantRDSPostgres;
}

bool IsMultiTenantRDS(std::string_view database) {
  return database == kInstallationDatabaseMultiTenantRDSMySQL ||
         database == kInstallationDatabaseMultiTenantRDSPostgres ||
         database == kInstallationDatabaseMultiTenantRDSPostgresPGBouncer ||
         database == kInstallationDatabasePerseus;
}

bool IsInternalDatabase(std::string_view database) {
  return database == kInstallationDatabaseMysqlOperator;
}

bool IsSupportedFilestore(std::string_view filestore) {
  return Contains(kAllInstallationFilestores, filestore);
}

bool IsInternalFilestore(std::string_view filestore) {
  return filestore == kInstallationFilestoreMinioOperator ||
         filestore == kInstallationFilestoreLocalEphemeral;
}

bool IsDatabaseSupportedForBackup(std::string_view database) {
  return database == kInstallationDatabaseMultiTenantRDSPostgres ||
         database == kInstallationDatabaseSingleTenantRDSPostgres;
}

bool IsFilestoreSupportedForBackup(std::string_view filestore) {
  return filestore != kInstallationFilestoreMinioOperator;
}

}  // namespace cloud::model
