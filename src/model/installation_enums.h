// Installation option vocabularies: sizes (incl. provisionerXL-<N>), affinity, database and
// filestore types, and their predicates (spec upstream-api.md §5.2, §5.7, §5.8).
//
// These values travel as plain strings inside Installation and the requests (the API must be
// able to carry and reject any string the client sends); this file is the one place that
// knows which strings are valid and what they mean.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace cloud::model {

// Sizes ----------------------------------------------------------------------------------

// mattermost-operator v1alpha1 size names (exact, case-sensitive).
inline constexpr std::string_view kSizeCloud10Users = "cloud10users";
inline constexpr std::string_view kSizeCloud100Users = "cloud100users";
inline constexpr std::string_view kSize100Users = "100users";
inline constexpr std::string_view kSize1000Users = "1000users";
inline constexpr std::string_view kSize5000Users = "5000users";
inline constexpr std::string_view kSize10000Users = "10000users";
inline constexpr std::string_view kSize25000Users = "25000users";
inline constexpr std::string_view kSizeMiniSingleton = "miniSingleton";
inline constexpr std::string_view kSizeMiniHA = "miniHA";
inline constexpr std::array<std::string_view, 9> kOperatorInstallationSizes = {
    kSizeCloud10Users, kSizeCloud100Users, kSize100Users,      kSize1000Users, kSize5000Users,
    kSize10000Users,   kSize25000Users,    kSizeMiniSingleton, kSizeMiniHA};
// The provisioner's own size, optionally with an app replica count: provisionerXL[-<N>].
inline constexpr std::string_view kSizeProvisionerXL = "provisionerXL";
inline constexpr std::string_view kInstallationDefaultSize = kSize100Users;

// A size name understood by GetInstallationSize.
struct InstallationSize {
  std::string name;                     // an operator size name or "provisionerXL"
  std::optional<int32_t> app_replicas;  // the -<N> of provisionerXL-<N>, when given
  friend bool operator==(const InstallationSize&, const InstallationSize&) = default;
};

// Parses an installation size as upstream's GetInstallationSize: an operator size name, or
// "provisionerXL" optionally followed by "-<N>" where N is parsed like Go's strconv.Atoi
// (optional sign, decimal digits, fits in int64; the count is then truncated to int32 as Go
// does). "provisionerXL-0" and "provisionerXL-+4" are valid; "provisionerXL-", more than one
// "-", and unknown names are not.
// Errors: kInvalidArgument with upstream's message.
Result<InstallationSize> GetInstallationSize(std::string_view size);
bool IsValidInstallationSize(std::string_view size);

// Affinity -------------------------------------------------------------------------------

inline constexpr std::string_view kInstallationAffinityIsolated = "isolated";
inline constexpr std::string_view kInstallationAffinityMultiTenant = "multitenant";
bool IsSupportedAffinity(std::string_view affinity);

// Database -------------------------------------------------------------------------------

inline constexpr std::string_view kInstallationDatabaseMysqlOperator = "mysql-operator";
inline constexpr std::string_view kInstallationDatabaseSingleTenantRDSMySQL = "aws-rds";
inline constexpr std::string_view kInstallationDatabaseSingleTenantRDSPostgres = "aws-rds-postgres";
inline constexpr std::string_view kInstallationDatabaseMultiTenantRDSMySQL = "aws-multitenant-rds";
inline constexpr std::string_view kInstallationDatabaseMultiTenantRDSPostgres =
    "aws-multitenant-rds-postgres";
inline constexpr std::string_view kInstallationDatabaseMultiTenantRDSPostgresPGBouncer =
    "aws-multitenant-rds-postgres-pgbouncer";
inline constexpr std::string_view kInstallationDatabasePerseus = "perseus";
inline constexpr std::string_view kInstallationDatabaseExternal = "external";
// In the order of spec §5.2 item 7.
inline constexpr std::array<std::string_view, 8> kAllInstallationDatabases = {
    kInstallationDatabaseMysqlOperator,
    kInstallationDatabaseSingleTenantRDSMySQL,
    kInstallationDatabaseSingleTenantRDSPostgres,
    kInstallationDatabaseMultiTenantRDSMySQL,
    kInstallationDatabaseMultiTenantRDSPostgres,
    kInstallationDatabaseMultiTenantRDSPostgresPGBouncer,
    kInstallationDatabasePerseus,
    kInstallationDatabaseExternal};
// Instance type a single-tenant RDS config gets when none is given.
inline constexpr std::string_view kDefaultSingleTenantDatabaseInstanceType = "db.t4g.medium";

bool IsSupportedDatabase(std::string_view database);
// aws-rds, aws-rds-postgres.
bool IsSingleTenantRDS(std::string_view database);
// aws-multitenant-rds, aws-multitenant-rds-postgres, aws-multitenant-rds-postgres-pgbouncer and
// perseus (upstream's IsMultiTenantRDS counts perseus too).
bool IsMultiTenantRDS(std::string_view database);
// mysql-operator: the database runs inside the installation's cluster.
bool IsInternalDatabase(std::string_view database);

// Filestore ------------------------------------------------------------------------------

inline constexpr std::string_view kInstallationFilestoreMinioOperator = "minio-operator";
inline constexpr std::string_view kInstallationFilestoreAwsS3 = "aws-s3";
inline constexpr std::string_view kInstallationFilestoreMultiTenantAwsS3 = "aws-multitenant-s3";
inline constexpr std::string_view kInstallationFilestoreBifrost = "bifrost";
inline constexpr std::string_view kInstallationFilestoreLocalEphemeral = "local-ephemeral";
inline constexpr std::array<std::string_view, 5> kAllInstallationFilestores = {
    kInstallationFilestoreMinioOperator, kInstallationFilestoreAwsS3,
    kInstallationFilestoreMultiTenantAwsS3, kInstallationFilestoreBifrost,
    kInstallationFilestoreLocalEphemeral};

bool IsSupportedFilestore(std::string_view filestore);
// minio-operator and local-ephemeral live inside the cluster.
bool IsInternalFilestore(std::string_view filestore);

// Backup / restore compatibility (§5.7) --------------------------------------------------

// aws-multitenant-rds-postgres and aws-rds-postgres.
bool IsDatabaseSupportedForBackup(std::string_view database);
// Anything but minio-operator.
bool IsFilestoreSupportedForBackup(std::string_view filestore);
// The full check with its messages is EnsureBackupRestoreCompatible in model/backup.h.

// Other installation constants (§5.8) ----------------------------------------------------

inline constexpr std::string_view kV1betaCRVersion = "installation.mattermost.com/v1beta1";
inline constexpr std::string_view kDefaultCRVersion = kV1betaCRVersion;
inline constexpr std::string_view kDefaultInstallationVersion = "stable";
inline constexpr std::string_view kDefaultInstallationImage =
    "mattermost/mattermost-enterprise-edition";
inline constexpr std::string_view kVolumeTypeSecret = "secret";

}  // namespace cloud::model
