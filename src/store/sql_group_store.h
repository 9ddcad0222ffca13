// SqlGroupStore: GroupStore over a SqlDatabase.
#pragma once

#include "common/clock.h"
#include "store/group_store.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// Lifecycle: created in app/ (or a test); stateless apart from its references, thread-safe.
class SqlGroupStore final : public GroupStore {
 public:
  SqlGroupStore(SqlDatabase& db, LockStore& locks, const Clock& clock)
      : db_(db), locks_(locks), clock_(clock) {}

  Result<std::optional<model::Group>> GetGroup(std::string_view id) override;
  Result<std::optional<model::GroupDTO>> GetGroupDTO(std::string_view id,
                                                     bool with_installation_count) override;
  Result<std::vector<model::Group>> GetGroups(const GroupListFilter& filter) override;
  Result<std::vector<model::GroupDTO>> GetGroupDTOs(const GroupListFilter& filter) override;
  Result<model::GroupDTO> CreateGroup(model::Group group,
                                      const std::vector<std::string>& annotations) override;
  Result<model::Group> UpdateGroup(const model::Group& group, bool force_sequence_update,
                                   const Lease& lease) override;
  Result<void> SetGroupAPISecurityLock(std::string_view id, bool locked) override;
  Result<void> DeleteGroup(std::string_view id, const Lease& lease) override;
  Result<std::optional<model::GroupStatus>> GetGroupStatus(std::string_view id) override;
  Result<std::vector<model::GroupsStatus>> GetGroupsStatus() override;
  Result<std::vector<model::Group>> GetUnlockedGroupsPendingWork() override;
  Result<Claimed<model::Group>> ClaimGroupsPendingWork(std::string_view locker_id,
                                                       int64_t limit) override;
  Result<GroupRollingMetadata> GetGroupRollingMetadata(std::string_view group_id) override;
  Result<std::optional<model::Group>> GetGroupForAnnotations(
      const std::vector<std::string>& annotation_ids) override;

 private:
  Result<std::vector<model::Group>> Select(SqlExecutor& db, const std::string& where,
                                           const SqlParams& params, const std::string& suffix);
  Result<std::vector<model::GroupDTO>> ToDTOs(std::vector<model::Group> groups,
                                              bool with_installation_count);
  Result<std::map<std::string, model::GroupStatus>> StatusFor(
      const std::vector<model::Group>& groups);

  SqlDatabase& db_;
  LockStore& locks_;
  const Clock& clock_;
};

}  // namespace cloud::store
