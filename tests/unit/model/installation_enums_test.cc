#include "model/installation_enums.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cloud::model {
namespace {

TEST(InstallationSize, AcceptsOperatorAndProvisionerSizes) {
  struct Case {
    std::string size;
    std::string name;
    std::optional<int32_t> replicas;
  };
  const std::vector<Case> cases = {
      {"cloud10users", "cloud10users", std::nullopt},
      {"cloud100users", "cloud100users", std::nullopt},
      {"100users", "100users", std::nullopt},
      {"1000users", "1000users", std::nullopt},
      {"5000users", "5000users", std::nullopt},
      {"10000users", "10000users", std::nullopt},
      {"25000users", "25000users", std::nullopt},
      {"miniSingleton", "miniSingleton", std::nullopt},
      {"miniHA", "miniHA", std::nullopt},
      {"provisionerXL", "provisionerXL", std::nullopt},
      {"provisionerXL-4", "provisionerXL", 4},
      {"provisionerXL-0", "provisionerXL", 0},           // Atoi accepts zero
      {"provisionerXL-+4", "provisionerXL", 4},          // and a plus sign
      {"provisionerXL-007", "provisionerXL", 7},         // and leading zeros
      {"provisionerXL-4294967297", "provisionerXL", 1},  // int32 truncation as in Go
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.size);
    Result<InstallationSize> size = GetInstallationSize(c.size);
    ASSERT_TRUE(size) << size.error().message;
    EXPECT_EQ(size->name, c.name);
    EXPECT_EQ(size->app_replicas, c.replicas);
    EXPECT_TRUE(IsValidInstallationSize(c.size));
  }
}

TEST(InstallationSize, RejectsEverythingElse) {
  struct Case {
    std::string size;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "unrecognized installation size \"\""},
      {"100Users", "unrecognized installation size \"100Users\""},
      {"provisionerxl", "unrecognized installation size \"provisionerxl\""},
      {"100users-3", "unrecognized installation size \"100users\""},
      {"provisionerXL-", "replicas segment cannot be empty"},
      {"provisionerXL- ", "replicas segment cannot be empty"},
      {"provisionerXL-1-2", "expected at most 2 size segments found 3"},
      {"provisionerXL--1", "expected at most 2 size segments found 3"},
      {"provisionerXL-a", "failed to parse number of replicas"},
      {"provisionerXL-1.5", "failed to parse number of replicas"},
      {"provisionerXL- 4", "failed to parse number of replicas"},
      {"provisionerXL-+", "failed to parse number of replicas"},
      {"provisionerXL-99999999999999999999", "failed to parse number of replicas"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.size);
    Result<InstallationSize> size = GetInstallationSize(c.size);
    ASSERT_FALSE(size);
    EXPECT_EQ(size.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(size.error().message.find(c.message), std::string::npos) << size.error().message;
    EXPECT_FALSE(IsValidInstallationSize(c.size));
  }
}

TEST(InstallationSize, NegativeReplicaCountFitsInt64Range) {
  // A sign is accepted by Atoi; "-" inside the size splits, so only "+" reaches it.
  EXPECT_TRUE(IsValidInstallationSize("provisionerXL-+9223372036854775807"));
  EXPECT_FALSE(IsValidInstallationSize("provisionerXL-+9223372036854775808"));
}

TEST(InstallationEnums, Affinity) {
  EXPECT_TRUE(IsSupportedAffinity("isolated"));
  EXPECT_TRUE(IsSupportedAffinity("multitenant"));
  EXPECT_FALSE(IsSupportedAffinity(""));
  EXPECT_FALSE(IsSupportedAffinity("Isolated"));
  EXPECT_FALSE(IsSupportedAffinity("multi-tenant"));
}

TEST(InstallationEnums, DatabasePredicates) {
  struct Case {
    std::string database;
    bool supported, single_tenant, multi_tenant, internal, backup;
  };
  const std::vector<Case> cases = {
      {"mysql-operator", true, false, false, true, false},
      {"aws-rds", true, true, false, false, false},
      {"aws-rds-postgres", true, true, false, false, true},
      {"aws-multitenant-rds", true, false, true, false, false},
      {"aws-multitenant-rds-postgres", true, false, true, false, true},
      {"aws-multitenant-rds-postgres-pgbouncer", true, false, true, false, false},
      {"perseus", true, false, true, false, false},
      {"external", true, false, false, false, false},
      {"", false, false, false, false, false},
      {"postgres", false, false, false, false, false},
      {"AWS-RDS", false, false, false, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.database);
    EXPECT_EQ(IsSupportedDatabase(c.database), c.supported);
    EXPECT_EQ(IsSingleTenantRDS(c.database), c.single_tenant);
    EXPECT_EQ(IsMultiTenantRDS(c.database), c.multi_tenant);
    EXPECT_EQ(IsInternalDatabase(c.database), c.internal);
    EXPECT_EQ(IsDatabaseSupportedForBackup(c.database), c.backup);
  }
  EXPECT_EQ(kAllInstallationDatabases.size(), 8u);
  for (std::string_view database : kAllInstallationDatabases) {
    EXPECT_TRUE(IsSupportedDatabase(database)) << database;
  }
}

TEST(InstallationEnums, FilestorePredicates) {
  struct Case {
    std::string filestore;
    bool supported, internal, backup;
  };
  const std::vector<Case> cases = {
      {"minio-operator", true, true, false},
      {"aws-s3", true, false, true},
      {"aws-multitenant-s3", true, false, true},
      {"bifrost", true, false, true},
      {"local-ephemeral", true, true, true},
      {"", false, false, true},
      {"s3", false, false, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.filestore);
    EXPECT_EQ(IsSupportedFilestore(c.filestore), c.supported);
    EXPECT_EQ(IsInternalFilestore(c.filestore), c.internal);
    EXPECT_EQ(IsFilestoreSupportedForBackup(c.filestore), c.backup);
  }
  EXPECT_EQ(kAllInstallationFilestores.size(), 5u);
}

TEST(InstallationEnums, Constants) {
  EXPECT_EQ(kInstallationDefaultSize, "100users");
  EXPECT_EQ(kDefaultCRVersion, "installation.mattermost.com/v1beta1");
  EXPECT_EQ(kVolumeTypeSecret, "secret");
  EXPECT_EQ(kDefaultInstallationVersion, "stable");
  EXPECT_EQ(kDefaultInstallationImage, "mattermost/mattermost-enterprise-edition");
  EXPECT_EQ(kDefaultSingleTenantDatabaseInstanceType, "db.t4g.medium");
}

}  // namespace
}  // namespace cloud::model
