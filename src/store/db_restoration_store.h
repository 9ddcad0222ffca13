// DBRestorationStore: installation database restoration operations
// (InstallationDBRestorationOperation table; upstream-core.md §1.8, §3.6).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/db_restoration.h"
#include "model/filters.h"
#include "store/lock_store.h"

namespace cloud::store {

// Operations claimed for work: the lease on them and the rows, RequestAt ASC.
struct DBRestorationClaim {
  Lease lease;
  std::vector<model::InstallationDBRestorationOperation> operations;
};

// Used by the restoration supervisor, the restoration API handler, installation deletion and
// the DB migration supervisor. Operation state changes emit no Event row; they go to the
// implementation's StateChangeHook inside the writing transaction. Thread-safe.
class DBRestorationStore {
 public:
  virtual ~DBRestorationStore() = default;

  // Inserts `operation` with a new ID, RequestAt = now, DeleteAt = 0 and no lock; reports
  // `n/a -> <state>` to the hook with `extra`. Returns the stored row.
  virtual Result<model::InstallationDBRestorationOperation>
  CreateInstallationDBRestorationOperation(
      model::InstallationDBRestorationOperation operation,
      const std::map<std::string, std::string>& extra = {}) = 0;

  // Go TriggerInstallationRestoration, in one transaction: inserts `operation` as above and,
  // under `installation_lease`, sets the installation to db-restoration-in-progress with its
  // state-change event (`installation_extra`, e.g. {Environment, Name}). The caller has checked
  // the preconditions (model::EnsureInstallationReadyForDBRestoration) and set
  // TargetInstallationState. Errors: kNotFound (installation); kConflict when the lease was lost.
  virtual Result<model::InstallationDBRestorationOperation> TriggerInstallationDBRestoration(
      model::InstallationDBRestorationOperation operation, const Lease& installation_lease,
      const std::map<std::string, std::string>& operation_extra = {},
      const std::map<std::string, std::string>& installation_extra = {}) = 0;

  // The operation, deleted or not; nullopt when there is no such ID.
  virtual Result<std::optional<model::InstallationDBRestorationOperation>>
  GetInstallationDBRestorationOperation(std::string_view id) = 0;

  // Filter: IDs, InstallationID, ClusterInstallationID, State and States, paging;
  // RequestAt DESC.
  virtual Result<std::vector<model::InstallationDBRestorationOperation>>
  GetInstallationDBRestorationOperations(const model::InstallationDBRestorationFilter& filter) = 0;

  // Operations in a pending-work state (requested, in-progress, finishing, failing,
  // deletion-requested) not under a live lease, RequestAt ASC.
  virtual Result<std::vector<model::InstallationDBRestorationOperation>>
  GetUnlockedInstallationDBRestorationOperationsPendingWork() = 0;

  // Leases up to `limit` of those for `locker_id` and returns them.
  virtual Result<DBRestorationClaim> ClaimInstallationDBRestorationOperationsPendingWork(
      std::string_view locker_id, int64_t limit) = 0;

  // Under `lease`: sets State (when it differs) and reports the change to the hook.
  // Errors: kNotFound; kConflict when the lease was lost.
  virtual Result<void> UpdateInstallationDBRestorationOperationState(
      std::string_view id, model::RestorationState state, const Lease& lease,
      const std::map<std::string, std::string>& extra = {}) = 0;

  // Under `lease`: writes State, TargetInstallationState, ClusterInstallationID and CompleteAt
  // (Go UpdateInstallationDBRestorationOperation); a State change goes to the hook.
  // Errors: kNotFound; kConflict when the lease was lost.
  virtual Result<void> UpdateInstallationDBRestorationOperation(
      const model::InstallationDBRestorationOperation& operation, const Lease& lease,
      const std::map<std::string, std::string>& extra = {}) = 0;

  // Under `lease`: soft delete; a no-op when already deleted.
  // Errors: kNotFound; kConflict when the lease was lost.
  virtual Result<void> DeleteInstallationDBRestorationOperation(std::string_view id,
                                                                const Lease& lease) = 0;
};

}  // namespace cloud::store
