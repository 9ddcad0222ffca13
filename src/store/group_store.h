// GroupStore: installation groups (the "Group" table): reads with annotations and member
// counts, creation, the Sequence bump rules of UpdateGroup, status counters, and the group
// supervisor's pending work and rolling metadata (upstream-core.md §1.5, §5).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/group.h"
#include "model/paging.h"
#include "store/lock_store.h"
#include "store/resource_store_types.h"

namespace cloud::store {

// A page of groups (CreateAt ASC) carrying ALL of `annotation_ids` (none = no filter).
struct GroupListFilter {
  model::Paging paging;
  std::vector<std::string> annotation_ids;
  bool with_installation_count = false;  // GroupDTO.installation_count
};

// What the group supervisor reads before rolling (upstream GroupRollingMetadata).
struct GroupRollingMetadata {
  std::vector<std::string> installation_ids_to_be_rolled;  // stable, sequence NULL or different
  int64_t installations_total_count = 0;                   // non-deleted members
  int64_t installations_rolling = 0;  // total - (stable + hibernating + deletion-pending)
};

class GroupStore {
 public:
  virtual ~GroupStore() = default;

  // The group, deleted or not; nullopt when absent.
  virtual Result<std::optional<model::Group>> GetGroup(std::string_view id) = 0;
  // The DTO: annotations (null when none) and, when asked, the count of non-deleted members.
  virtual Result<std::optional<model::GroupDTO>> GetGroupDTO(std::string_view id,
                                                             bool with_installation_count) = 0;
  virtual Result<std::vector<model::Group>> GetGroups(const GroupListFilter& filter) = 0;
  virtual Result<std::vector<model::GroupDTO>> GetGroupDTOs(const GroupListFilter& filter) = 0;

  // Inserts the group (new ID, Sequence 0, CreateAt = now) and links its annotations, in one
  // transaction. Errors: kAlreadyExists when a live group has the name.
  virtual Result<model::GroupDTO> CreateGroup(model::Group group,
                                              const std::vector<std::string>& annotations) = 0;

  // Upstream UpdateGroup: writes Name, Description, Version, Image, env, MaxRolling, Scheduling
  // and Sequence = stored + 1 when `force_sequence_update` or Version/Image/env/Scheduling
  // differ from the stored row (re-read in the same transaction). Fenced by a group lease.
  // Returns the stored group. Errors: kNotFound, kConflict (lease lost), kAlreadyExists (name).
  virtual Result<model::Group> UpdateGroup(const model::Group& group, bool force_sequence_update,
                                           const Lease& lease) = 0;

  // Errors: kNotFound.
  virtual Result<void> SetGroupAPISecurityLock(std::string_view id, bool locked) = 0;

  // Soft delete, fenced by a group lease. Errors: kNotFound, kConflict.
  virtual Result<void> DeleteGroup(std::string_view id, const Lease& lease) = 0;

  // GroupStatus of one group (nullopt when the group does not exist), and of every live group
  // (CreateAt ASC).
  virtual Result<std::optional<model::GroupStatus>> GetGroupStatus(std::string_view id) = 0;
  virtual Result<std::vector<model::GroupsStatus>> GetGroupsStatus() = 0;

  // Group supervisor: live groups with no live lease having at least one stable, live member
  // whose GroupSequence is NULL or differs from the group's Sequence (CreateAt ASC).
  virtual Result<std::vector<model::Group>> GetUnlockedGroupsPendingWork() = 0;
  virtual Result<Claimed<model::Group>> ClaimGroupsPendingWork(std::string_view locker_id,
                                                               int64_t limit) = 0;
  virtual Result<GroupRollingMetadata> GetGroupRollingMetadata(std::string_view group_id) = 0;

  // The live group carrying ALL of `annotation_ids` with the fewest live installations (the
  // earliest created on ties), for group selection by annotations; nullopt when none.
  virtual Result<std::optional<model::Group>> GetGroupForAnnotations(
      const std::vector<std::string>& annotation_ids) = 0;
};

}  // namespace cloud::store
