// ApiDatabaseServices: the outside-world calls of the database routes (spec upstream-api.md
// §3.5 commit, §3.9 deletes): upstream's AwsClient.RDSDBCLusterExists, the PgBouncer logical
// database removal, and the source database's TeardownMigrated. app/ fills them from the
// provisioner backends; the api layer only sees these functions.
#pragma once

#include <functional>
#include <string_view>

#include "common/result.h"
#include "model/db_migration.h"
#include "model/multitenant_database.h"

namespace cloud::api {

// An empty function means "the backend has no such service" (the simulated cloud): no RDS
// cluster exists, and the PgBouncer removal and the migrated-data teardown are no-ops.
struct ApiDatabaseServices {
  // DELETE .../multitenant_database/{id} without force: whether the RDS cluster still exists.
  // Errors: kUnavailable (→ 503) / kInternal (→ 500) when AWS cannot be asked.
  std::function<Result<bool>(std::string_view rds_cluster_id)> rds_cluster_exists;
  // DELETE .../logical_database/{id}: drops the logical database behind PgBouncer.
  std::function<Result<void>(const model::MultitenantDatabase& multitenant_database,
                             const model::LogicalDatabase& logical_database)>
      delete_logical_database;
  // POST .../migration/{id}/commit: tears down the installation's data in the source database
  // (upstream GetDatabase(installation, SourceDatabase).TeardownMigrated).
  std::function<Result<void>(const model::InstallationDBMigrationOperation& operation)>
      teardown_migrated_database;
};

}  // namespace cloud::api
