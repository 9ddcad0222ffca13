// DatabaseProvisioner and FilestoreProvisioner: the per-installation database and file store
// (upstream model.Database / model.Filestore; spec upstream-provisioning.md §1.4, §4), and the
// multitenant database choice rule (upstream-core.md §6.3).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/result.h"
#include "model/installation.h"
#include "model/multitenant_database.h"

namespace cloud::provisioner {

// The secret a Mattermost CR reads its database connection from. Never logged.
struct DatabaseSecret {
  std::string name;
  std::string connection_string;
};

// One implementation per installation Database type ("aws-rds", "aws-multitenant-rds-postgres",
// "mysql-operator", ...; the sim covers all). Thread-safe; every call is idempotent (Provision
// reuses an existing database or multitenant membership; Teardown of a missing database is
// success). Errors: kUnavailable for backend failures, kFailedPrecondition when no
// multitenant database has room ("no multitenant databases are currently available").
class DatabaseProvisioner {
 public:
  virtual ~DatabaseProvisioner() = default;

  virtual Result<void> ProvisionDatabase(const model::Installation& installation) = 0;
  // Drops the database (or only forgets it with keep_data).
  virtual Result<void> TeardownDatabase(const model::Installation& installation,
                                        bool keep_data) = 0;
  virtual Result<void> SnapshotDatabase(const model::Installation& installation) = 0;
  virtual Result<DatabaseSecret> GenerateDatabaseSecret(
      const model::Installation& installation) = 0;
  // Re-computes derived metadata such as the multitenant "counter" tag (hibernate, wake-up).
  virtual Result<void> RefreshResourceMetadata(const model::Installation& installation) = 0;

  // DB migration between multitenant databases (upstream MigrateOut / MigrateTo /
  // TeardownMigrated / RollbackMigration).
  virtual Result<void> MigrateOut(const model::Installation& installation,
                                  std::string_view source_database_id) = 0;
  virtual Result<void> MigrateTo(const model::Installation& installation,
                                 std::string_view destination_database_id) = 0;
  virtual Result<void> TeardownMigrated(const model::Installation& installation,
                                        std::string_view source_database_id) = 0;
  virtual Result<void> RollbackMigration(const model::Installation& installation,
                                         std::string_view destination_database_id) = 0;
};

// One implementation per installation Filestore type. Same rules as DatabaseProvisioner.
class FilestoreProvisioner {
 public:
  virtual ~FilestoreProvisioner() = default;

  virtual Result<void> ProvisionFilestore(const model::Installation& installation) = 0;
  virtual Result<void> TeardownFilestore(const model::Installation& installation,
                                         bool keep_data) = 0;
};

// Upstream's multitenant placement rule (upstream-core.md §6.3, "New assignment" 1 and 4):
// among live `candidates` of `type` in `vpc_id` that still have room, the one with the MOST
// installations (ties: the last one, as upstream's `>=`). nullopt when none qualifies. Room is
// judged on the member count, an upper bound of upstream's ceil(weight) (members weigh 1, or
// 0.75 while hibernating): the store's candidate query applies the exact weight rule first.
std::optional<model::MultitenantDatabase> ChooseMultitenantDatabase(
    std::span<const model::MultitenantDatabase> candidates, model::DatabaseEngineType type,
    std::string_view vpc_id, int64_t max_installations);

}  // namespace cloud::provisioner
