#include "store/sql_installation_store.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "common/id.h"
#include "store/sql_annotation_store.h"
#include "store/sql_dns_record_store.h"
#include "store/sql_fenced_write.h"
#include "store/sql_resource_helpers.h"

namespace cloud::store {
namespace {

using sql_internal::DecodeColumn;
using sql_internal::InList;
using sql_internal::JsonText;
using sql_internal::Param;

constexpr std::string_view kSelectInstallation =
    "SELECT ID, OwnerID, Version, Affinity, GroupID, State, CreateAt, DeleteAt, LockAcquiredBy, "
    "LockAcquiredAt, Size, License, Database, Filestore, MattermostEnvRaw, GroupSequence, Image, "
    "APISecurityLock, SingleTenantDatabaseConfigRaw, CRVersion, PriorityEnvRaw, Name, "
    "ExternalDatabaseConfigRaw, DeletionPendingExpiry, DeletionLocked, AllowedIPRanges, Volumes, "
    "ScheduledDeletionTime, PodProbeOverrides, Command FROM Installation";

constexpr std::string_view kInsertInstallation =
    "INSERT INTO Installation (ID, OwnerID, Version, Affinity, GroupID, State, CreateAt, DeleteAt, "
    "LockAcquiredBy, LockAcquiredAt, Size, License, Database, Filestore, MattermostEnvRaw, "
    "GroupSequence, Image, APISecurityLock, SingleTenantDatabaseConfigRaw, CRVersion, "
    "PriorityEnvRaw, Name, ExternalDatabaseConfigRaw, DeletionPendingExpiry, DeletionLocked, "
    "AllowedIPRanges, Volumes, ScheduledDeletionTime, PodProbeOverrides, Command) VALUES ($1, $2, "
    "$3, $4, $5, $6, $7, 0, NULL, 0, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
    "$20, "
    "$21, $22, $23, $24, $25, $26, $27)";

// Upstream's column-restricted UpdateInstallation (upstream-core.md §3.6): the SET list.
constexpr std::string_view kUpdateInstallationSet =
    "Name = $1, OwnerID = $2, GroupID = $3, GroupSequence = $4, "
    "Version = $5, Image = $6, Database = $7, Filestore = $8, Size = $9, Affinity = $10, "
    "License = $11, MattermostEnvRaw = $12, PriorityEnvRaw = $13, State = $14, CRVersion = $15, "
    "DeletionPendingExpiry = $16, ScheduledDeletionTime = $17, AllowedIPRanges = $18, "
    "Volumes = $19, PodProbeOverrides = $20, Command = $21";

// Page anchors of the default listing (list_page_anchors.h).
constexpr std::string_view kSelectListVersion =
    "SELECT Version FROM InstallationListVersion WHERE ID = 1";
// The row at every $1-th position, with the version of the list they belong to.
constexpr std::string_view kSelectPageAnchors =
    "SELECT CreateAt, ID, N, (SELECT Version FROM InstallationListVersion WHERE ID = 1) FROM "
    "(SELECT CreateAt, ID, ROW_NUMBER() OVER (ORDER BY CreateAt ASC, ID ASC) - 1 AS N FROM "
    "Installation WHERE DeleteAt = 0) AS Ranked WHERE N % $1 = 0 ORDER BY N";
// A page from an anchor ($1/$2 its CreateAt, $3 its ID; LIMIT $4 OFFSET $5), only while the
// list is at version $6. "CreateAt >= $1" is the index range; the OR breaks CreateAt ties by ID.
constexpr std::string_view kAnchoredPageIds =
    "ID IN (SELECT ID FROM Installation WHERE DeleteAt = 0 AND CreateAt >= $1 AND (CreateAt > $2 "
    "OR ID >= $3) ORDER BY CreateAt ASC, ID ASC LIMIT $4 OFFSET $5) AND (SELECT Version FROM "
    "InstallationListVersion WHERE ID = 1) = $6";

constexpr std::string_view kSelectGroupConfigs =
    "SELECT ID, Sequence, Version, Image, MattermostEnvRaw, Scheduling FROM \"Group\"";

// What an InstallationDTO adds to its row, for a list of installation IDs, as one UNION ALL
// with common columns (Kind, InstallationID, ID, Text, Flag, SortAt, DeleteAt, SortKey):
//   1 annotations (ID, Name) ordered by name;
//   2 live DNS records (ID, DomainName, IsPrimary, CreateAt, DeleteAt) by CreateAt, ID;
//   3 cluster IDs of live cluster installations by the cluster installation's CreateAt, ID.
// The ID list is spliced in between the parts.
constexpr int64_t kDTOPartAnnotation = 1;
constexpr int64_t kDTOPartDNS = 2;
constexpr std::string_view kSelectDTOParts1 =
    "SELECT 1 AS Kind, InstallationAnnotation.InstallationID AS Owner, Annotation.ID AS ID, "
    "Annotation.Name AS Text, 0 AS Flag, 0 AS SortAt, 0 AS DeleteAt, Annotation.Name AS SortKey "
    "FROM InstallationAnnotation JOIN Annotation ON Annotation.ID = "
    "InstallationAnnotation.AnnotationID WHERE InstallationAnnotation.InstallationID IN (";
constexpr std::string_view kSelectDTOParts2 =
    ") UNION ALL SELECT 2, InstallationID, ID, DomainName, CASE WHEN IsPrimary THEN 1 ELSE 0 END, "
    "CreateAt, DeleteAt, ID FROM InstallationDNS WHERE DeleteAt = 0 AND InstallationID IN (";
constexpr std::string_view kSelectDTOParts3 =
    ") UNION ALL SELECT 3, InstallationID, ClusterID, '', 0, CreateAt, 0, ID FROM "
    "ClusterInstallation WHERE DeleteAt = 0 AND InstallationID IN (";
constexpr std::string_view kSelectDTOParts4 = ") ORDER BY Kind, SortAt, SortKey";

// GetInstallationDTO's one statement (one round trip, one execution instead of two): the
// installation's row (Kind 0) and the three DTO parts above for its ID, as one UNION ALL. The
// Kind 0 branch names the columns: seven Part* columns (NULL or 0 on the installation row)
// followed by kSelectInstallation's, which the part rows fill with NULL. Built once.
const std::string& SelectInstallationWithDTOParts(Dialect dialect) {
  static const std::string sql = [] {
    constexpr std::string_view kFrom = " FROM Installation";
    const std::string_view columns = kSelectInstallation.substr(
        7, kSelectInstallation.size() - 7 - kFrom.size());  // between "SELECT " and kFrom
    std::string nulls;
    for (char c : columns) {
      if (c == ',') nulls += "NULL, ";
    }
    nulls += "NULL";
    std::string out =
        "SELECT 0 AS Kind, NULL AS PartID, NULL AS PartText, 0 AS PartFlag, 0 AS PartSortAt, "
        "0 AS PartDeleteAt, NULL AS PartSortKey, ";
    out.append(columns);
    out += " FROM Installation WHERE ID = $1";
    out += " UNION ALL SELECT 1, Annotation.ID, Annotation.Name, 0, 0, 0, Annotation.Name, ";
    out += nulls;
    out +=
        " FROM InstallationAnnotation JOIN Annotation ON Annotation.ID = "
        "InstallationAnnotation.AnnotationID WHERE InstallationAnnotation.InstallationID = $1";
    out +=
        " UNION ALL SELECT 2, ID, DomainName, CASE WHEN IsPrimary THEN 1 ELSE 0 END, CreateAt, "
        "DeleteAt, ID, ";
    out += nulls;
    out += " FROM InstallationDNS WHERE DeleteAt = 0 AND InstallationID = $1";
    out += " UNION ALL SELECT 3, ClusterID, '', 0, CreateAt, 0, ID, ";
    out += nulls;
    out += " FROM ClusterInstallation WHERE DeleteAt = 0 AND InstallationID = $1";
    return out;
  }();
  // On SQLite GetInstallationDTO orders the few part rows itself: an ORDER BY cost SQLite a
  // sorter, with its allocations, on every read. PostgreSQL orders them (by its collation, as
  // the list path's part query does).
  static const std::string ordered = sql + " ORDER BY Kind, PartSortAt, PartSortKey";
  return dialect == Dialect::kSqlite ? sql : ordered;
}

constexpr std::string_view kStatusCounts =
    "SELECT count(*), count(CASE WHEN State = $1 THEN 1 END), count(CASE WHEN State = $2 THEN 1 "
    "END), count(CASE WHEN State = $3 THEN 1 END) FROM Installation WHERE DeleteAt = 0";

// A JSON column value: NULL for nullopt (upstream's Valuer), JSON text otherwise.
template <class T>
SqlValue OptionalJson(const std::optional<T>& value) {
  if (!value) return SqlValue();
  return SqlValue(JsonText(*value));
}

std::string StateText(model::InstallationState state) {
  return std::string(model::ToString(state));
}

Result<model::Installation> FromRow(const Row& row) {
  model::Installation i;
  i.id = row.GetString("ID");
  i.owner_id = row.GetString("OwnerID");
  i.version = row.GetString("Version");
  i.affinity = row.GetString("Affinity");
  i.group_id = row.GetOptionalString("GroupID");
  CLOUD_TRY(i.state, sql_internal::ParseStored<model::InstallationState>(row.GetString("State"),
                                                                         "installation state"));
  i.create_at = row.GetInt64("CreateAt");
  i.delete_at = row.GetInt64("DeleteAt");
  i.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  i.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  i.size = row.GetString("Size");
  i.license = row.GetString("License");
  i.database = row.GetString("Database");
  i.filestore = row.GetString("Filestore");
  // Upstream: a NULL env blob reads as an empty map, the text `null` as a nil map.
  CLOUD_TRY(i.mattermost_env,
            DecodeColumn<std::optional<model::EnvVarMap>>(row.GetOptionalBlob("MattermostEnvRaw"),
                                                          "MattermostEnv", model::EnvVarMap{}));
  i.group_sequence = row.GetOptionalInt64("GroupSequence");
  i.image = row.GetString("Image");
  i.api_security_lock = row.GetBool("APISecurityLock");
  CLOUD_TRY(
      i.single_tenant_database_config,
      DecodeColumn<std::optional<model::SingleTenantDatabaseConfig>>(
          row.GetOptionalBlob("SingleTenantDatabaseConfigRaw"), "single tenant database config"));
  i.cr_version = row.GetString("CRVersion");
  CLOUD_TRY(i.priority_env,
            DecodeColumn<std::optional<model::EnvVarMap>>(row.GetOptionalBlob("PriorityEnvRaw"),
                                                          "PriorityEnv", model::EnvVarMap{}));
  i.name = row.GetString("Name");
  CLOUD_TRY(i.external_database_config,
            DecodeColumn<std::optional<model::ExternalDatabaseConfig>>(
                row.GetOptionalBlob("ExternalDatabaseConfigRaw"), "external database config"));
  i.deletion_pending_expiry = row.GetInt64("DeletionPendingExpiry");
  i.deletion_locked = row.GetBool("DeletionLocked");
  CLOUD_TRY(i.allowed_ip_ranges, DecodeColumn<std::optional<model::AllowedIPRanges>>(
                                     row.GetOptionalString("AllowedIPRanges"), "AllowedIPRanges"));
  CLOUD_TRY(i.volumes, DecodeColumn<std::optional<model::VolumeMap>>(
                           row.GetOptionalString("Volumes"), "Volumes"));
  i.scheduled_deletion_time = row.GetInt64("ScheduledDeletionTime");
  CLOUD_TRY(i.pod_probe_overrides,
            DecodeColumn<std::optional<model::PodProbeOverrides>>(
                row.GetOptionalString("PodProbeOverrides"), "PodProbeOverrides"));
  CLOUD_TRY(i.command, DecodeColumn<std::optional<std::vector<std::string>>>(
                           row.GetOptionalString("Command"), "Command"));
  return i;
}

// The groups of the installations, for the merge: id -> config.
Result<std::map<std::string, model::GroupConfig>> LoadGroupConfigs(
    SqlExecutor& db, const std::vector<model::Installation>& installations) {
  std::map<std::string, model::GroupConfig> out;
  std::set<std::string> ids;
  for (const model::Installation& i : installations) {
    if (i.group_id && !i.group_id->empty()) ids.insert(*i.group_id);
  }
  if (ids.empty()) return out;
  SqlParams params;
  CLOUD_TRY(Rows rows, db.Query(std::string(kSelectGroupConfigs) + " WHERE ID IN (" +
                                    InList(params, {ids.begin(), ids.end()}) + ")",
                                params));
  for (Row row : rows) {
    model::GroupConfig g;
    g.sequence = row.GetInt64("Sequence");
    g.version = row.GetString("Version");
    g.image = row.GetString("Image");
    CLOUD_TRY(g.mattermost_env,
              DecodeColumn<std::optional<model::EnvVarMap>>(row.GetOptionalBlob("MattermostEnvRaw"),
                                                            "group env", model::EnvVarMap{}));
    CLOUD_TRY(g.scheduling, DecodeColumn<std::optional<model::Scheduling>>(
                                row.GetOptionalString("Scheduling"), "group scheduling"));
    out.emplace(row.GetString("ID"), std::move(g));
  }
  return out;
}

// Merges each installation of `installations` in a group with that group's config.
Result<void> MergeGroups(SqlExecutor& db, std::vector<model::Installation>& installations,
                         GroupMerge merge) {
  if (!merge.include_group_config) return Ok();
  CLOUD_TRY(auto groups, LoadGroupConfigs(db, installations));
  for (model::Installation& i : installations) {
    if (!i.group_id) continue;
    auto it = groups.find(*i.group_id);
    if (it == groups.end()) continue;
    model::MergeWithGroup(i, it->second, merge.include_group_config_overrides);
  }
  return Ok();
}

// The DTO parts of one installation, as read from kSelectDTOParts* or
// SelectInstallationWithDTOParts().
struct DTOParts {
  std::vector<model::Annotation> annotations;
  std::vector<model::InstallationDNS> records;
  std::vector<std::string> cluster_ids;
};

// Adds the part in `row` (Kind in column 0, the part's ID, Text, Flag, SortAt and DeleteAt from
// column `first` on) to `parts` of installation `owner`.
void AddDTOPart(const Row& row, int first, const std::string& owner, DTOParts& parts) {
  const int64_t kind = row.GetInt64(0);
  if (kind == kDTOPartAnnotation) {
    parts.annotations.push_back({row.GetString(first), row.GetString(first + 1)});
  } else if (kind == kDTOPartDNS) {
    model::InstallationDNS d;
    d.id = row.GetString(first);
    d.domain_name = row.GetString(first + 1);
    d.installation_id = owner;
    d.is_primary = row.GetBool(first + 2);
    d.create_at = row.GetInt64(first + 3);
    d.delete_at = row.GetInt64(first + 4);
    parts.records.push_back(std::move(d));
  } else {
    parts.cluster_ids.push_back(row.GetString(first));
  }
}

std::string PendingWorkCondition(SqlParams& params) {
  return "State IN (" +
         InList(params, sql_internal::EnumStrings<model::InstallationState>(
                            model::AllInstallationStatesPendingWork())) +
         ")";
}

}  // namespace

Result<std::vector<model::Installation>> SqlInstallationStore::Select(const std::string& where,
                                                                      const SqlParams& params,
                                                                      const std::string& suffix,
                                                                      GroupMerge merge) {
  std::string sql(kSelectInstallation);
  if (!where.empty()) sql += " WHERE " + where;
  sql += suffix;
  CLOUD_TRY(Rows rows, db_.Query(sql, params));
  std::vector<model::Installation> out;
  out.reserve(rows.size());
  for (Row row : rows) {
    CLOUD_TRY(model::Installation installation, FromRow(row));
    out.push_back(std::move(installation));
  }
  CLOUD_TRY_VOID(MergeGroups(db_, out, merge));
  return out;
}

Result<std::vector<model::InstallationDTO>> SqlInstallationStore::ToDTOs(
    std::vector<model::Installation> installations) {
  std::vector<std::string> ids;
  ids.reserve(installations.size());
  for (const model::Installation& i : installations) ids.push_back(i.id);
  // Annotations, DNS records and cluster IDs of all the installations in one query (one round
  // trip instead of three; the ID list's placeholders are shared by the three branches).
  std::map<std::string, DTOParts> parts;
  if (!ids.empty()) {
    SqlParams params;
    const std::string in = InList(params, ids);
    std::string sql(kSelectDTOParts1);
    sql.append(in).append(kSelectDTOParts2).append(in).append(kSelectDTOParts3).append(in);
    sql.append(kSelectDTOParts4);
    CLOUD_TRY(Rows rows, db_.Query(sql, params));
    for (Row row : rows) {
      std::string owner = row.GetString(1);
      AddDTOPart(row, 2, owner, parts[owner]);
    }
  }
  std::vector<model::InstallationDTO> out;
  out.reserve(installations.size());
  for (model::Installation& i : installations) {
    DTOParts& p = parts[i.id];
    out.push_back(model::ToDTO(std::move(i), std::move(p.annotations), std::move(p.records),
                               std::move(p.cluster_ids)));
  }
  return out;
}

Result<std::optional<model::Installation>> SqlInstallationStore::GetInstallation(
    std::string_view id, GroupMerge merge) {
  CLOUD_TRY(auto rows, Select("ID = $1", {std::string(id)}, "", merge));
  if (rows.empty()) return std::optional<model::Installation>();
  return std::optional<model::Installation>(std::move(rows.front()));
}

Result<std::optional<model::InstallationDTO>> SqlInstallationStore::GetInstallationDTO(
    std::string_view id, GroupMerge merge) {
  CLOUD_TRY(Rows rows, db_.Query(SelectInstallationWithDTOParts(db_.dialect()), {std::string(id)}));
  // The installation's row (Kind 0) and its parts in the order of the list path's part query:
  // by Kind, then PartSortAt, then PartSortKey (columns 0, 4 and 6). SQLite's result is not
  // ordered; its text order is the bytes' order, as std::string's.
  std::optional<size_t> installation_row;
  std::vector<size_t> part_rows;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].GetInt64(0) == 0) {
      installation_row = r;
    } else {
      part_rows.push_back(r);
    }
  }
  if (!installation_row) return std::optional<model::InstallationDTO>();
  if (db_.dialect() == Dialect::kSqlite) {
    std::sort(part_rows.begin(), part_rows.end(), [&rows](size_t a, size_t b) {
      const Row x = rows[a], y = rows[b];
      return std::make_tuple(x.GetInt64(0), x.GetInt64(4), x.GetString(6)) <
             std::make_tuple(y.GetInt64(0), y.GetInt64(4), y.GetString(6));
    });
  }
  std::vector<model::Installation> installation;  // one; a vector for MergeGroups
  CLOUD_TRY(model::Installation first, FromRow(rows[*installation_row]));
  installation.push_back(std::move(first));
  DTOParts parts;
  for (size_t r : part_rows) AddDTOPart(rows[r], 1, installation.front().id, parts);
  CLOUD_TRY_VOID(MergeGroups(db_, installation, merge));
  return std::optional<model::InstallationDTO>(
      model::ToDTO(std::move(installation.front()), std::move(parts.annotations),
                   std::move(parts.records), std::move(parts.cluster_ids)));
}

Result<std::vector<model::Installation>> SqlInstallationStore::GetInstallations(
    const model::InstallationFilter& filter) {
  SqlParams params;
  std::vector<std::string> conditions;
  if (!filter.paging.include_deleted) conditions.push_back("DeleteAt = 0");
  if (!filter.installation_ids.empty()) {
    conditions.push_back("ID IN (" + InList(params, filter.installation_ids) + ")");
  }
  if (!filter.owner_id.empty()) conditions.push_back("OwnerID = " + Param(params, filter.owner_id));
  if (!filter.group_id.empty()) conditions.push_back("GroupID = " + Param(params, filter.group_id));
  if (!filter.state.empty()) conditions.push_back("State = " + Param(params, filter.state));
  if (!filter.name.empty()) conditions.push_back("Name = " + Param(params, filter.name));
  if (filter.deletion_locked) {
    conditions.push_back("DeletionLocked = " + Param(params, *filter.deletion_locked));
  }
  if (!filter.dns.empty()) {
    const std::string op = filter.DnsMatch() == model::StringMatch::kLike ? " LIKE " : " = ";
    // On PostgreSQL "= ANY(ARRAY(...))" runs the name lookup first and probes the primary key
    // with its result; a plain IN lets the planner hash-join a scan of every installation when it
    // over-estimates the matches of a LIKE prefix (34 ms instead of 1 ms at 100,000).
    const bool pg = db_.dialect() == Dialect::kPostgres;
    std::string dns = std::string(pg ? "ID = ANY(ARRAY(" : "ID IN (") +
                      "SELECT InstallationID FROM InstallationDNS WHERE DomainName" + op +
                      Param(params, filter.dns);
    if (!filter.paging.include_deleted) dns += " AND DeleteAt = 0";
    conditions.push_back(dns + (pg ? "))" : ")"));
  }
  std::string where;
  for (const std::string& c : conditions) where += (where.empty() ? "" : " AND ") + c;
  const GroupMerge merge{filter.include_group_config, filter.include_group_config_overrides};
  if (filter.paging.IsAllPages()) {
    return Select(where, params, " ORDER BY CreateAt ASC, ID ASC", merge);
  }
  // The default listing (live rows, no filter): a deep page starts from a page anchor.
  const bool default_listing = conditions.size() == 1 && !filter.paging.include_deleted;
  if (default_listing && anchors_.stride() > 0 && filter.paging.per_page > 0 &&
      filter.paging.Offset() >= anchors_.stride()) {
    CLOUD_TRY(auto page, AnchoredPage(filter.paging, merge));
    if (page) return std::move(*page);
  }
  // A page: find its IDs first (the OFFSET walks the (DeleteAt, CreateAt, ID) or a filter's
  // index only), then read the full rows of just those IDs (a deferred join): deep pages cost
  // index entries, not whole rows.
  // With a DNS filter the matches come from InstallationDNS's name index and are sorted
  // afterwards: "CreateAt + 0" keeps the planner from walking the CreateAt index and probing
  // InstallationDNS for every installation, which PostgreSQL chose whenever it over-estimated
  // how many names a LIKE prefix matches (1,010 estimated, 11 real: 1 s instead of 1 ms at
  // 100,000 installations).
  const char* order =
      filter.dns.empty() ? " ORDER BY CreateAt ASC, ID ASC" : " ORDER BY CreateAt + 0 ASC, ID ASC";
  const std::string page_ids = "ID IN (SELECT ID FROM Installation" +
                               (where.empty() ? std::string() : " WHERE " + where) + order +
                               sql_internal::PagingSql(filter.paging) + ")";
  return Select(page_ids, params, " ORDER BY CreateAt ASC, ID ASC", merge);
}

Result<int64_t> SqlInstallationStore::ListVersion() {
  CLOUD_TRY(Rows rows, db_.Query(kSelectListVersion));
  if (rows.empty()) return Internal("InstallationListVersion has no row");
  return rows.front().GetInt64(0);
}

Result<std::optional<std::vector<model::Installation>>> SqlInstallationStore::AnchoredPage(
    const model::Paging& paging, GroupMerge merge) {
  using Page = std::optional<std::vector<model::Installation>>;
  CLOUD_TRY(const int64_t version, ListVersion());
  const int64_t offset = paging.Offset();
  std::optional<PageAnchor> anchor = anchors_.Find(version, offset);
  // Rows appended since the anchors were built are walked from the last anchor; once that walk
  // gets long, build again (throttled like a stale set).
  const bool long_tail = anchor && offset - anchor->position >= 2 * anchors_.stride();
  if ((!anchor || long_tail) && anchors_.BeginBuild(clock_.NowMillis())) {
    // One walk of the list, in one statement (one snapshot, with the version it saw).
    Result<Rows> rows = db_.Query(kSelectPageAnchors, {anchors_.stride()});
    if (!rows) {
      anchors_.AbandonBuild();
      return std::move(rows).error();
    }
    if (rows->empty()) {
      anchors_.AbandonBuild();
    } else {
      std::vector<PageAnchor> anchors;
      anchors.reserve(rows->size());
      for (Row row : *rows) anchors.push_back({row.GetInt64(2), row.GetInt64(0), row.GetString(1)});
      anchors_.FinishBuild(rows->front().GetInt64(3), std::move(anchors));
      if (std::optional<PageAnchor> built = anchors_.Find(version, offset)) anchor = built;
    }
  }
  if (!anchor) {
    anchors_.CountFallback();
    return Page();
  }
  // The statement answers only while the list is still at `version`; otherwise it is empty.
  CLOUD_TRY(auto rows, Select(std::string(kAnchoredPageIds),
                              {anchor->create_at, anchor->create_at, anchor->id, paging.per_page,
                               offset - anchor->position, version},
                              " ORDER BY CreateAt ASC, ID ASC", merge));
  if (rows.empty()) {
    // Past the end of the list, or the list changed since its version was read.
    CLOUD_TRY(const int64_t now, ListVersion());
    if (now != version) {
      anchors_.CountFallback();
      return Page();
    }
  }
  anchors_.CountHit();
  return Page(std::move(rows));
}

Result<std::vector<model::InstallationDTO>> SqlInstallationStore::GetInstallationDTOs(
    const model::InstallationFilter& filter) {
  CLOUD_TRY(auto rows, GetInstallations(filter));
  return ToDTOs(std::move(rows));
}

Result<int64_t> SqlInstallationStore::GetInstallationsCount(bool include_deleted) {
  CLOUD_TRY(Rows rows,
            db_.Query(include_deleted ? "SELECT count(*) FROM Installation"
                                      : "SELECT count(*) FROM Installation WHERE DeleteAt = 0"));
  return rows.front().GetInt64(0);
}

Result<model::InstallationsStatus> SqlInstallationStore::GetInstallationsStatus() {
  using S = model::InstallationState;
  CLOUD_TRY(Rows rows, db_.Query(kStatusCounts, {StateText(S::kStable), StateText(S::kHibernating),
                                                 StateText(S::kDeletionPending)}));
  model::InstallationsStatus s;
  const Row row = rows.front();
  s.installations_total = row.GetInt64(0);
  s.installations_stable = row.GetInt64(1);
  s.installations_hibernating = row.GetInt64(2);
  s.installations_pending_deletion = row.GetInt64(3);
  s.installations_updating = s.installations_total - s.installations_stable -
                             s.installations_hibernating - s.installations_pending_deletion;
  return s;
}

Result<model::InstallationDTO> SqlInstallationStore::CreateInstallation(
    model::Installation installation, const std::vector<std::string>& annotation_names,
    const std::vector<std::string>& dns_names, const EventOptions& event) {
  if (installation.ConfigMergedWithGroup()) {
    return FailedPrecondition("cannot store an installation merged with its group config");
  }
  model::InstallationDTO dto;
  auto done = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    model::Installation i = installation;
    i.id = NewId();
    i.create_at = clock_.NowMillis();
    i.delete_at = 0;
    i.lock_acquired_by.reset();
    i.lock_acquired_at = 0;
    i.group_overrides.clear();
    SqlValue single_tenant, external;
    if (i.single_tenant_database_config) {
      single_tenant = Blob{JsonText(*i.single_tenant_database_config)};
    }
    if (i.external_database_config) external = Blob{JsonText(*i.external_database_config)};
    CLOUD_TRY(int64_t inserted, tx.Exec(kInsertInstallation, {i.id,
                                                              i.owner_id,
                                                              i.version,
                                                              i.affinity,
                                                              i.group_id,
                                                              StateText(i.state),
                                                              i.create_at,
                                                              i.size,
                                                              i.license,
                                                              i.database,
                                                              i.filestore,
                                                              Blob{JsonText(i.mattermost_env)},
                                                              i.group_sequence,
                                                              i.image,
                                                              i.api_security_lock,
                                                              single_tenant,
                                                              i.cr_version,
                                                              Blob{JsonText(i.priority_env)},
                                                              i.name,
                                                              external,
                                                              i.deletion_pending_expiry,
                                                              i.deletion_locked,
                                                              OptionalJson(i.allowed_ip_ranges),
                                                              OptionalJson(i.volumes),
                                                              i.scheduled_deletion_time,
                                                              OptionalJson(i.pod_probe_overrides),
                                                              OptionalJson(i.command)}));
    (void)inserted;
    std::vector<model::InstallationDNS> records;
    for (size_t n = 0; n < dns_names.size(); ++n) {
      // CreateAt + n keeps the request order under the CreateAt ASC listing (all records are
      // inserted within the same millisecond).
      CLOUD_TRY(model::InstallationDNS record,
                sql_internal::InsertDNSRecordTx(tx, i.id, dns_names[n], n == 0,
                                                i.create_at + static_cast<int64_t>(n)));
      records.push_back(std::move(record));
    }
    std::vector<model::Annotation> annotations;
    if (!annotation_names.empty()) {
      CLOUD_TRY(annotations, sql_internal::LinkAnnotationsTx(tx, AnnotatedResource::kInstallation,
                                                             i.id, annotation_names));
    }
    CLOUD_TRY_VOID(sql_internal::AppendEventFor(tx, event, model::ResourceType::kInstallation, i.id,
                                                std::string(model::kNotApplicableState),
                                                StateText(i.state), {{"Name", i.name}}, clock_));
    dto = model::ToDTO(std::move(i), std::move(annotations), std::move(records), {});
    return Ok();
  });
  if (!done) return std::move(done).error();
  return dto;
}

Result<void> SqlInstallationStore::WriteState(std::string_view id, std::string_view set,
                                              SqlParams params,
                                              std::optional<std::string> new_state,
                                              std::optional<std::string> new_name,
                                              const Lease& lease, const EventOptions& event) {
  CLOUD_TRY_VOID(sql_internal::CheckLease(lease, {LockTable::kInstallation}, id));
  if (!new_state || event.mode == EventOptions::Mode::kNone) {
    // No event: the fenced write alone (one statement is atomic on its own).
    return FencedWrite(db_, "Installation", "installation", set, std::move(params), lease, id);
  }
  return RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(Rows old, FencedUpdateReturningOld(tx, "Installation", "installation", set, params,
                                                 "State, Name", lease, id));
    const Row before = old.front();
    // The event names the installation as it is after the write.
    return sql_internal::AppendEventFor(tx, event, model::ResourceType::kInstallation,
                                        std::string(id), before.GetString(0), *new_state,
                                        {{"Name", new_name.value_or(before.GetString(1))}}, clock_);
  });
}

Result<void> SqlInstallationStore::UpdateInstallation(const model::Installation& i,
                                                      const Lease& lease,
                                                      const EventOptions& event) {
  if (i.ConfigMergedWithGroup()) {
    return FailedPrecondition("cannot save installation " + i.id +
                              ": it is merged with its group config");
  }
  return WriteState(i.id, kUpdateInstallationSet,
                    {i.name,
                     i.owner_id,
                     i.group_id,
                     i.group_sequence,
                     i.version,
                     i.image,
                     i.database,
                     i.filestore,
                     i.size,
                     i.affinity,
                     i.license,
                     Blob{JsonText(i.mattermost_env)},
                     Blob{JsonText(i.priority_env)},
                     StateText(i.state),
                     i.cr_version,
                     i.deletion_pending_expiry,
                     i.scheduled_deletion_time,
                     OptionalJson(i.allowed_ip_ranges),
                     OptionalJson(i.volumes),
                     OptionalJson(i.pod_probe_overrides),
                     OptionalJson(i.command)},
                    StateText(i.state), i.name, lease, event);
}

Result<void> SqlInstallationStore::UpdateInstallationState(std::string_view id,
                                                           model::InstallationState state,
                                                           const Lease& lease,
                                                           const EventOptions& event) {
  return WriteState(id, "State = $1", {StateText(state)}, StateText(state), std::nullopt, lease,
                    event);
}

Result<void> SqlInstallationStore::UpdateInstallationStateAndRelease(std::string_view id,
                                                                     model::InstallationState state,
                                                                     const Lease& lease,
                                                                     const EventOptions& event) {
  CLOUD_TRY_VOID(RequireOneRowLease(lease));
  return WriteState(id, std::string("State = $1").append(kReleaseLeaseSet), {StateText(state)},
                    StateText(state), std::nullopt, lease, event);
}

Result<void> SqlInstallationStore::SetInstallationAPISecurityLock(std::string_view id,
                                                                  bool locked) {
  return sql_internal::SetApiSecurityLock(db_, "Installation", id, locked);
}

Result<void> SqlInstallationStore::SetInstallationDeletionLocked(std::string_view id, bool locked) {
  CLOUD_TRY(int64_t changed, db_.Exec("UPDATE Installation SET DeletionLocked = $1 WHERE ID = $2",
                                      {locked, std::string(id)}));
  if (changed == 0) return NotFound("installation " + std::string(id) + " not found");
  return Ok();
}

Result<void> SqlInstallationStore::UpdateInstallationGroupSequence(std::string_view id,
                                                                   std::optional<int64_t> sequence,
                                                                   const Lease& lease) {
  return WriteState(id, "GroupSequence = $1", {sequence}, std::nullopt, std::nullopt, lease,
                    EventOptions::None());
}

Result<void> SqlInstallationStore::UpdateInstallationCRVersion(std::string_view id,
                                                               std::string_view cr_version,
                                                               const Lease& lease) {
  return WriteState(id, "CRVersion = $1", {std::string(cr_version)}, std::nullopt, std::nullopt,
                    lease, EventOptions::None());
}

Result<void> SqlInstallationStore::DeleteInstallation(std::string_view id, const Lease& lease) {
  CLOUD_TRY_VOID(sql_internal::CheckLease(lease, {LockTable::kInstallation}, id));
  return sql_internal::SoftDelete(db_, "Installation", id, clock_.NowMillis(), &lease);
}

Result<std::vector<model::Installation>>
SqlInstallationStore::GetUnlockedInstallationsPendingWork() {
  SqlParams params;
  std::string where = PendingWorkCondition(params);
  SqlFragment available = locks_.AvailableCondition(LockTable::kInstallation, params.size() + 1);
  params.insert(params.end(), available.params.begin(), available.params.end());
  return Select(where + " AND " + available.sql, params, " ORDER BY CreateAt ASC, ID ASC",
                GroupMerge::Config());
}

Result<Claimed<model::Installation>> SqlInstallationStore::ClaimInstallationsPendingWork(
    std::string_view locker_id, int64_t limit) {
  ClaimRequest request;
  request.table = LockTable::kInstallation;
  request.locker_id = std::string(locker_id);
  request.limit = limit;
  SqlParams params(kClaimFirstParam - 1);
  request.where = PendingWorkCondition(params);
  request.where_params.assign(params.begin() + (kClaimFirstParam - 1), params.end());
  request.order_by = "CreateAt ASC, ID ASC";
  Claimed<model::Installation> out;
  CLOUD_TRY(out.lease, locks_.ClaimAvailable(request));
  if (out.lease.rows.empty()) return out;
  std::vector<std::string> ids;
  for (const LeasedRow& row : out.lease.rows) ids.push_back(row.id);
  SqlParams id_params;
  const std::string where = "ID IN (" + InList(id_params, ids) + ")";
  CLOUD_TRY(out.rows,
            Select(where, id_params, " ORDER BY CreateAt ASC, ID ASC", GroupMerge::Config()));
  return out;
}

Result<std::vector<model::Installation>>
SqlInstallationStore::GetUnlockedInstallationsScheduledForDeletion() {
  using S = model::InstallationState;
  SqlParams params = {StateText(S::kStable), StateText(S::kHibernating)};
  SqlFragment available = locks_.AvailableCondition(LockTable::kInstallation, params.size() + 1);
  params.insert(params.end(), available.params.begin(), available.params.end());
  return Select("State IN ($1, $2) AND DeletionLocked = false AND ScheduledDeletionTime > 0 AND " +
                    available.sql,
                params, " ORDER BY CreateAt ASC, ID ASC", GroupMerge::None());
}

Result<std::vector<model::Installation>>
SqlInstallationStore::GetUnlockedInstallationsPendingDeletion() {
  SqlParams params = {StateText(model::InstallationState::kDeletionPending)};
  SqlFragment available = locks_.AvailableCondition(LockTable::kInstallation, params.size() + 1);
  params.insert(params.end(), available.params.begin(), available.params.end());
  return Select("State = $1 AND " + available.sql, params, " ORDER BY CreateAt ASC, ID ASC",
                GroupMerge::None());
}

}  // namespace cloud::store
