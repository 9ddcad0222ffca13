// SqlDBRestorationStore: DBRestorationStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include "common/clock.h"
#include "store/db_restoration_store.h"
#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// References must outlive the store. `hook` (may be empty) receives every operation state
// change inside the writing transaction.
class SqlDBRestorationStore final : public DBRestorationStore {
 public:
  SqlDBRestorationStore(SqlDatabase& db, LockStore& locks, const Clock& clock,
                        StateChangeHook hook = {});

  Result<model::InstallationDBRestorationOperation> CreateInstallationDBRestorationOperation(
      model::InstallationDBRestorationOperation operation,
      const std::map<std::string, std::string>& extra) override;
  Result<model::InstallationDBRestorationOperation> TriggerInstallationDBRestoration(
      model::InstallationDBRestorationOperation operation, const Lease& installation_lease,
      const std::map<std::string, std::string>& operation_extra,
      const std::map<std::string, std::string>& installation_extra) override;
  Result<std::optional<model::InstallationDBRestorationOperation>>
  GetInstallationDBRestorationOperation(std::string_view id) override;
  Result<std::vector<model::InstallationDBRestorationOperation>>
  GetInstallationDBRestorationOperations(
      const model::InstallationDBRestorationFilter& filter) override;
  Result<std::vector<model::InstallationDBRestorationOperation>>
  GetUnlockedInstallationDBRestorationOperationsPendingWork() override;
  Result<DBRestorationClaim> ClaimInstallationDBRestorationOperationsPendingWork(
      std::string_view locker_id, int64_t limit) override;
  Result<void> UpdateInstallationDBRestorationOperationState(
      std::string_view id, model::RestorationState state, const Lease& lease,
      const std::map<std::string, std::string>& extra) override;
  Result<void> UpdateInstallationDBRestorationOperation(
      const model::InstallationDBRestorationOperation& operation, const Lease& lease,
      const std::map<std::string, std::string>& extra) override;
  Result<void> DeleteInstallationDBRestorationOperation(std::string_view id,
                                                        const Lease& lease) override;

 private:
  Result<void> Insert(SqlExecutor& tx, const model::InstallationDBRestorationOperation& operation,
                      const std::map<std::string, std::string>& extra);
  Result<std::vector<model::InstallationDBRestorationOperation>> Select(
      const std::string& where_and_order, const SqlParams& params);

  SqlDatabase& db_;
  LockStore& locks_;
  const Clock& clock_;
  StateChangeHook hook_;
};

}  // namespace cloud::store
