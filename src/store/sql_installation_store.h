// SqlInstallationStore: InstallationStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include <map>

#include "common/clock.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// Lifecycle: created in app/ (or a test); stateless apart from its references, thread-safe.
class SqlInstallationStore final : public InstallationStore {
 public:
  SqlInstallationStore(SqlDatabase& db, LockStore& locks, const Clock& clock)
      : db_(db), locks_(locks), clock_(clock) {}

  Result<std::optional<model::Installation>> GetInstallation(std::string_view id,
                                                             GroupMerge merge) override;
  Result<std::optional<model::InstallationDTO>> GetInstallationDTO(std::string_view id,
                                                                   GroupMerge merge) override;
  Result<std::vector<model::Installation>> GetInstallations(
      const model::InstallationFilter& filter) override;
  Result<std::vector<model::InstallationDTO>> GetInstallationDTOs(
      const model::InstallationFilter& filter) override;
  Result<int64_t> GetInstallationsCount(bool include_deleted) override;
  Result<model::InstallationsStatus> GetInstallationsStatus() override;
  Result<model::InstallationDTO> CreateInstallation(model::Installation installation,
                                                    const std::vector<std::string>& annotations,
                                                    const std::vector<std::string>& dns_names,
                                                    const EventOptions& event) override;
  Result<void> UpdateInstallation(const model::Installation& installation, const Lease& lease,
                                  const EventOptions& event = {}) override;
  Result<void> UpdateInstallationState(std::string_view id, model::InstallationState state,
                                       const Lease& lease, const EventOptions& event = {}) override;
  Result<void> UpdateInstallationStateAndRelease(std::string_view id,
                                                 model::InstallationState state, const Lease& lease,
                                                 const EventOptions& event = {}) override;
  Result<void> SetInstallationAPISecurityLock(std::string_view id, bool locked) override;
  Result<void> SetInstallationDeletionLocked(std::string_view id, bool locked) override;
  Result<void> UpdateInstallationGroupSequence(std::string_view id, std::optional<int64_t> sequence,
                                               const Lease& lease) override;
  Result<void> UpdateInstallationCRVersion(std::string_view id, std::string_view cr_version,
                                           const Lease& lease) override;
  Result<void> DeleteInstallation(std::string_view id, const Lease& lease) override;
  Result<std::vector<model::Installation>> GetUnlockedInstallationsPendingWork() override;
  Result<Claimed<model::Installation>> ClaimInstallationsPendingWork(std::string_view locker_id,
                                                                     int64_t limit) override;
  Result<std::vector<model::Installation>> GetUnlockedInstallationsScheduledForDeletion() override;
  Result<std::vector<model::Installation>> GetUnlockedInstallationsPendingDeletion() override;

 private:
  Result<std::vector<model::Installation>> Select(const std::string& where, const SqlParams& params,
                                                  const std::string& suffix, GroupMerge merge);
  Result<std::vector<model::InstallationDTO>> ToDTOs(std::vector<model::Installation> rows);
  // `UPDATE Installation SET <set> WHERE ID = id` fenced by `lease` (`params` are $1..$n of
  // `set`), and, when `new_state` is set, the state-change event in the same transaction;
  // `new_name` is the Name the write sets, if it sets one.
  Result<void> WriteState(std::string_view id, std::string_view set, SqlParams params,
                          std::optional<std::string> new_state, std::optional<std::string> new_name,
                          const Lease& lease, const EventOptions& event);

  SqlDatabase& db_;
  LockStore& locks_;
  const Clock& clock_;
};

}  // namespace cloud::store
