#include "store/sql_group_store.h"

#include "common/id.h"
#include "model/installation_states.h"
#include "store/sql_annotation_store.h"
#include "store/sql_resource_helpers.h"

namespace cloud::store {
namespace {

using sql_internal::DecodeColumn;
using sql_internal::InList;
using sql_internal::JsonText;
using sql_internal::Param;
using IState = model::InstallationState;

constexpr std::string_view kSelectGroup =
    "SELECT ID, Name, Description, Version, CreateAt, DeleteAt, MattermostEnvRaw, Sequence, "
    "MaxRolling, LockAcquiredBy, LockAcquiredAt, Image, APISecurityLock, Scheduling FROM \"Group\"";
constexpr std::string_view kInsertGroup =
    "INSERT INTO \"Group\" (ID, Name, Description, Version, CreateAt, DeleteAt, MattermostEnvRaw, "
    "Sequence, MaxRolling, LockAcquiredBy, LockAcquiredAt, Image, APISecurityLock, Scheduling) "
    "VALUES ($1, $2, $3, $4, $5, 0, $6, 0, $7, NULL, 0, $8, $9, $10)";
// Upstream's column-restricted UpdateGroup (upstream-core.md §3.6).
constexpr std::string_view kUpdateGroup =
    "UPDATE \"Group\" SET Sequence = $1, Name = $2, Description = $3, Version = $4, Image = $5, "
    "MattermostEnvRaw = $6, MaxRolling = $7, Scheduling = $8 WHERE ID = $9";
constexpr std::string_view kCountMembers =
    "SELECT GroupID, count(*) FROM Installation WHERE DeleteAt = 0 AND GroupID IN ";
// "Installations of the group not on the group's sequence" (§1.5, §5).
constexpr std::string_view kNotOnSequence =
    "Installation.State = $1 AND (Installation.GroupSequence IS NULL OR "
    "Installation.GroupSequence <> \"Group\".Sequence)";

std::string StateText(IState state) { return std::string(model::ToString(state)); }

Result<model::Group> FromRow(const Row& row) {
  model::Group g;
  g.id = row.GetString("ID");
  g.name = row.GetString("Name");
  g.description = row.GetString("Description");
  g.version = row.GetString("Version");
  g.create_at = row.GetInt64("CreateAt");
  g.delete_at = row.GetInt64("DeleteAt");
  CLOUD_TRY(g.mattermost_env,
            DecodeColumn<std::optional<model::EnvVarMap>>(row.GetOptionalBlob("MattermostEnvRaw"),
                                                          "group env", model::EnvVarMap{}));
  g.sequence = row.GetInt64("Sequence");
  g.max_rolling = row.GetInt64("MaxRolling");
  g.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  g.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  g.image = row.GetString("Image");
  g.api_security_lock = row.GetBool("APISecurityLock");
  CLOUD_TRY(g.scheduling, DecodeColumn<std::optional<model::Scheduling>>(
                              row.GetOptionalString("Scheduling"), "group scheduling"));
  return g;
}

SqlValue SchedulingValue(const std::optional<model::Scheduling>& scheduling) {
  if (!scheduling) return SqlValue();
  return SqlValue(JsonText(*scheduling));
}

std::string PendingWorkCondition(SqlParams& params) {
  const std::string stable = Param(params, StateText(IState::kStable));
  return "DeleteAt = 0 AND EXISTS (SELECT 1 FROM Installation WHERE Installation.GroupID = "
         "\"Group\".ID AND Installation.State = " +
         stable +
         " AND (Installation.GroupSequence IS NULL OR Installation.GroupSequence <> "
         "\"Group\".Sequence) AND Installation.DeleteAt = 0)";
}

}  // namespace

Result<std::vector<model::Group>> SqlGroupStore::Select(SqlExecutor& db, const std::string& where,
                                                        const SqlParams& params,
                                                        const std::string& suffix) {
  std::string sql(kSelectGroup);
  if (!where.empty()) sql += " WHERE " + where;
  sql += suffix;
  CLOUD_TRY(Rows rows, db.Query(sql, params));
  std::vector<model::Group> out;
  for (Row row : rows) {
    CLOUD_TRY(model::Group g, FromRow(row));
    out.push_back(std::move(g));
  }
  return out;
}

Result<std::vector<model::GroupDTO>> SqlGroupStore::ToDTOs(std::vector<model::Group> groups,
                                                           bool with_installation_count) {
  std::vector<std::string> ids;
  for (const model::Group& g : groups) ids.push_back(g.id);
  CLOUD_TRY(auto annotations, sql_internal::AnnotationsForTx(db_, AnnotatedResource::kGroup, ids));
  std::map<std::string, int64_t> counts;
  if (with_installation_count && !ids.empty()) {
    SqlParams params;
    CLOUD_TRY(Rows rows, db_.Query(std::string(kCountMembers) + "(" + InList(params, ids) +
                                       ") GROUP BY GroupID",
                                   params));
    for (Row row : rows) counts[row.GetString(0)] = row.GetInt64(1);
  }
  std::vector<model::GroupDTO> out;
  for (model::Group& g : groups) {
    const std::string id = g.id;
    std::optional<std::vector<model::Annotation>> list;
    if (auto it = annotations.find(id); it != annotations.end()) list = std::move(it->second);
    model::GroupDTO dto = model::ToGroupDTO(std::move(g), std::move(list));
    if (with_installation_count) dto.installation_count = counts[id];
    out.push_back(std::move(dto));
  }
  return out;
}

Result<std::optional<model::Group>> SqlGroupStore::GetGroup(std::string_view id) {
  CLOUD_TRY(auto rows, Select(db_, "ID = $1", {std::string(id)}, ""));
  if (rows.empty()) return std::optional<model::Group>();
  return std::optional<model::Group>(std::move(rows.front()));
}

Result<std::optional<model::GroupDTO>> SqlGroupStore::GetGroupDTO(std::string_view id,
                                                                  bool with_installation_count) {
  CLOUD_TRY(auto rows, Select(db_, "ID = $1", {std::string(id)}, ""));
  if (rows.empty()) return std::optional<model::GroupDTO>();
  CLOUD_TRY(auto dtos, ToDTOs(std::move(rows), with_installation_count));
  return std::optional<model::GroupDTO>(std::move(dtos.front()));
}

Result<std::vector<model::Group>> SqlGroupStore::GetGroups(const GroupListFilter& filter) {
  SqlParams params;
  std::string where;
  if (!filter.paging.include_deleted) where = "DeleteAt = 0";
  if (!filter.annotation_ids.empty()) {
    if (!where.empty()) where += " AND ";
    where += sql_internal::MatchAllAnnotationsCondition(params, AnnotatedResource::kGroup, "ID",
                                                        filter.annotation_ids);
  }
  return Select(db_, where, params,
                " ORDER BY CreateAt ASC, ID ASC" + sql_internal::PagingSql(filter.paging));
}

Result<std::vector<model::GroupDTO>> SqlGroupStore::GetGroupDTOs(const GroupListFilter& filter) {
  CLOUD_TRY(auto groups, GetGroups(filter));
  return ToDTOs(std::move(groups), filter.with_installation_count);
}

Result<model::GroupDTO> SqlGroupStore::CreateGroup(model::Group group,
                                                   const std::vector<std::string>& names) {
  model::GroupDTO dto;
  auto done = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    model::Group g = group;
    g.id = NewId();
    g.sequence = 0;
    g.create_at = clock_.NowMillis();
    g.delete_at = 0;
    g.lock_acquired_by.reset();
    g.lock_acquired_at = 0;
    CLOUD_TRY(Rows taken,
              tx.Query("SELECT ID FROM \"Group\" WHERE Name = $1 AND DeleteAt = 0", {g.name}));
    if (!taken.empty()) return AlreadyExists("group name " + g.name + " is already in use");
    CLOUD_TRY(int64_t inserted,
              tx.Exec(kInsertGroup, {g.id, g.name, g.description, g.version, g.create_at,
                                     Blob{JsonText(g.mattermost_env)}, g.max_rolling, g.image,
                                     g.api_security_lock, SchedulingValue(g.scheduling)}));
    (void)inserted;
    std::optional<std::vector<model::Annotation>> annotations;
    if (!names.empty()) {
      CLOUD_TRY(annotations,
                sql_internal::LinkAnnotationsTx(tx, AnnotatedResource::kGroup, g.id, names));
    }
    dto = model::ToGroupDTO(std::move(g), std::move(annotations));
    return Ok();
  });
  if (!done) return std::move(done).error();
  return dto;
}

Result<model::Group> SqlGroupStore::UpdateGroup(const model::Group& group,
                                                bool force_sequence_update, const Lease& lease) {
  CLOUD_TRY_VOID(sql_internal::CheckLease(lease, {LockTable::kGroup}, group.id));
  model::Group stored_after;
  auto done = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(auto stored, Select(tx, "ID = $1", {group.id}, ""));
    if (stored.empty()) return NotFound("group " + group.id + " not found");
    int64_t sequence = stored.front().sequence;
    if (model::GroupSequenceBumpNeeded(stored.front(), group, force_sequence_update)) ++sequence;
    CLOUD_TRY_VOID(FencedExec(tx, kUpdateGroup,
                              {sequence, group.name, group.description, group.version, group.image,
                               Blob{JsonText(group.mattermost_env)}, group.max_rolling,
                               SchedulingValue(group.scheduling), group.id},
                              lease, group.id));
    CLOUD_TRY(auto after, Select(tx, "ID = $1", {group.id}, ""));
    stored_after = std::move(after.front());
    return Ok();
  });
  if (!done) return std::move(done).error();
  return stored_after;
}

Result<void> SqlGroupStore::SetGroupAPISecurityLock(std::string_view id, bool locked) {
  return sql_internal::SetApiSecurityLock(db_, "\"Group\"", id, locked);
}

Result<void> SqlGroupStore::DeleteGroup(std::string_view id, const Lease& lease) {
  CLOUD_TRY_VOID(sql_internal::CheckLease(lease, {LockTable::kGroup}, id));
  return sql_internal::SoftDelete(db_, "\"Group\"", id, clock_.NowMillis(), &lease);
}

Result<std::map<std::string, model::GroupStatus>> SqlGroupStore::StatusFor(
    const std::vector<model::Group>& groups) {
  std::map<std::string, model::GroupStatus> out;
  if (groups.empty()) return out;
  std::vector<std::string> ids;
  for (const model::Group& g : groups) {
    ids.push_back(g.id);
    out[g.id];
  }
  SqlParams params = {StateText(IState::kStable), StateText(IState::kHibernating)};
  const std::string deletion =
      InList(params, sql_internal::EnumStrings<IState>(model::AllInstallationDeletionStates()));
  const std::string sql =
      "SELECT Installation.GroupID, count(*), count(CASE WHEN Installation.State = $1 AND "
      "Installation.GroupSequence = \"Group\".Sequence THEN 1 END), count(CASE WHEN " +
      std::string(kNotOnSequence) +
      " THEN 1 END), count(CASE WHEN Installation.State = $2 THEN 1 END), count(CASE WHEN "
      "Installation.State IN (" +
      deletion +
      ") THEN 1 END) FROM Installation JOIN \"Group\" ON \"Group\".ID = Installation.GroupID "
      "WHERE Installation.DeleteAt = 0 AND Installation.GroupID IN (" +
      InList(params, ids) + ") GROUP BY Installation.GroupID";
  CLOUD_TRY(Rows rows, db_.Query(sql, params));
  for (Row row : rows) {
    model::GroupStatus& s = out[row.GetString(0)];
    s.installations_total = row.GetInt64(1);
    s.installations_updated = row.GetInt64(2);
    s.installations_awaiting_update = row.GetInt64(3);
    s.installations_hibernating = row.GetInt64(4);
    s.installations_pending_deletion = row.GetInt64(5);
    s.installations_updating = s.installations_total - s.installations_updated -
                               s.installations_awaiting_update - s.installations_hibernating -
                               s.installations_pending_deletion;
  }
  return out;
}

Result<std::optional<model::GroupStatus>> SqlGroupStore::GetGroupStatus(std::string_view id) {
  CLOUD_TRY(auto groups, Select(db_, "ID = $1", {std::string(id)}, ""));
  if (groups.empty()) return std::optional<model::GroupStatus>();
  CLOUD_TRY(auto status, StatusFor(groups));
  return std::optional<model::GroupStatus>(status[std::string(id)]);
}

Result<std::vector<model::GroupsStatus>> SqlGroupStore::GetGroupsStatus() {
  CLOUD_TRY(auto groups, Select(db_, "DeleteAt = 0", {}, " ORDER BY CreateAt ASC, ID ASC"));
  CLOUD_TRY(auto status, StatusFor(groups));
  std::vector<model::GroupsStatus> out;
  for (const model::Group& g : groups) out.push_back({g.id, status[g.id]});
  return out;
}

Result<std::vector<model::Group>> SqlGroupStore::GetUnlockedGroupsPendingWork() {
  SqlParams params;
  std::string where = PendingWorkCondition(params);
  SqlFragment available = locks_.AvailableCondition(LockTable::kGroup, params.size() + 1);
  params.insert(params.end(), available.params.begin(), available.params.end());
  return Select(db_, where + " AND " + available.sql, params, " ORDER BY CreateAt ASC, ID ASC");
}

Result<Claimed<model::Group>> SqlGroupStore::ClaimGroupsPendingWork(std::string_view locker_id,
                                                                    int64_t limit) {
  ClaimRequest request;
  request.table = LockTable::kGroup;
  request.locker_id = std::string(locker_id);
  request.limit = limit;
  SqlParams params(kClaimFirstParam - 1);
  request.where = PendingWorkCondition(params);
  request.where_params.assign(params.begin() + (kClaimFirstParam - 1), params.end());
  request.order_by = "CreateAt ASC, ID ASC";
  Claimed<model::Group> out;
  CLOUD_TRY(out.lease, locks_.ClaimAvailable(request));
  if (out.lease.rows.empty()) return out;
  std::vector<std::string> ids;
  for (const LeasedRow& row : out.lease.rows) ids.push_back(row.id);
  SqlParams id_params;
  CLOUD_TRY(out.rows, Select(db_, "ID IN (" + InList(id_params, ids) + ")", id_params,
                             " ORDER BY CreateAt ASC, ID ASC"));
  return out;
}

Result<GroupRollingMetadata> SqlGroupStore::GetGroupRollingMetadata(std::string_view group_id) {
  GroupRollingMetadata out;
  CLOUD_TRY(Rows ids,
            db_.Query("SELECT Installation.ID FROM Installation JOIN \"Group\" ON \"Group\".ID = "
                      "Installation.GroupID WHERE Installation.GroupID = $2 AND "
                      "Installation.DeleteAt = 0 AND " +
                          std::string(kNotOnSequence) +
                          " ORDER BY Installation.CreateAt ASC, Installation.ID ASC",
                      {StateText(IState::kStable), std::string(group_id)}));
  for (Row row : ids) out.installation_ids_to_be_rolled.push_back(row.GetString(0));
  CLOUD_TRY(Rows counts,
            db_.Query("SELECT count(*), count(CASE WHEN State IN ($1, $2, $3) THEN 1 END) FROM "
                      "Installation WHERE GroupID = $4 AND DeleteAt = 0",
                      {StateText(IState::kStable), StateText(IState::kHibernating),
                       StateText(IState::kDeletionPending), std::string(group_id)}));
  out.installations_total_count = counts.front().GetInt64(0);
  out.installations_rolling = out.installations_total_count - counts.front().GetInt64(1);
  return out;
}

Result<std::optional<model::Group>> SqlGroupStore::GetGroupForAnnotations(
    const std::vector<std::string>& annotation_ids) {
  if (annotation_ids.empty()) return std::optional<model::Group>();
  SqlParams params;
  const std::string where =
      "DeleteAt = 0 AND " + sql_internal::MatchAllAnnotationsCondition(
                                params, AnnotatedResource::kGroup, "ID", annotation_ids);
  CLOUD_TRY(auto groups,
            Select(db_, where, params,
                   " ORDER BY (SELECT count(*) FROM Installation WHERE Installation.GroupID = "
                   "\"Group\".ID AND Installation.DeleteAt = 0) ASC, CreateAt ASC, ID ASC LIMIT "
                   "1"));
  if (groups.empty()) return std::optional<model::Group>();
  return std::optional<model::Group>(std::move(groups.front()));
}

}  // namespace cloud::store
