// SqlInstallationStore: InstallationStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include <map>

#include "common/clock.h"
#include "store/installation_store.h"
#include "store/list_page_anchors.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// Lifecycle: created in app/ (or a test), one per process; thread-safe. Its only state is the
// page anchors of the default listing (list_page_anchors.h).
class SqlInstallationStore final : public InstallationStore {
 public:
  // Rows between two page anchors of the default listing (list_page_anchors.h), and how often
  // (at most) the anchors are rebuilt after the list changed.
  static constexpr int64_t kPageAnchorStride = 1000;
  static constexpr int64_t kPageAnchorRebuildIntervalMs = 1000;

  // `page_anchor_stride` 0 turns page anchors off (every page walks its OFFSET; benchmarks
  // compare the two).
  SqlInstallationStore(SqlDatabase& db, LockStore& locks, const Clock& clock,
                       int64_t page_anchor_stride = kPageAnchorStride)
      : db_(db),
        locks_(locks),
        clock_(clock),
        anchors_(page_anchor_stride, kPageAnchorRebuildIntervalMs) {}

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

  // How deep pages of the default listing were answered (tests and benchmarks).
  PageAnchorStats page_anchor_stats() const { return anchors_.stats(); }

 private:
  // A page at offset >= kPageAnchorStride of the default listing (live rows, no filter) from
  // the nearest page anchor; nullopt when no anchor of the current list version is at hand
  // (the caller then walks the OFFSET).
  Result<std::optional<std::vector<model::Installation>>> AnchoredPage(const model::Paging& paging,
                                                                       GroupMerge merge);
  Result<int64_t> ListVersion();
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
  ListPageAnchors anchors_;
};

}  // namespace cloud::store
