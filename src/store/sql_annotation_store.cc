#include "store/sql_annotation_store.h"

#include <algorithm>
#include <set>

#include "common/id.h"
#include "store/sql_resource_helpers.h"

namespace cloud::store {
namespace {

using sql_internal::InList;
using sql_internal::Param;

struct LinkTable {
  std::string_view table;
  std::string_view column;
  std::string_view noun;
};

LinkTable LinkOf(AnnotatedResource kind) {
  switch (kind) {
    case AnnotatedResource::kCluster:
      return {"ClusterAnnotation", "ClusterID", "cluster"};
    case AnnotatedResource::kInstallation:
      return {"InstallationAnnotation", "InstallationID", "installation"};
    case AnnotatedResource::kGroup:
      return {"GroupAnnotation", "GroupID", "group"};
  }
  return {"ClusterAnnotation", "ClusterID", "cluster"};
}

constexpr std::string_view kInsertAnnotation =
    "INSERT INTO Annotation (ID, Name) VALUES ($1, $2) ON CONFLICT (Name) DO NOTHING";

model::Annotation AnnotationFromRow(const Row& row) {
  return {row.GetString("ID"), row.GetString("Name")};
}

std::vector<std::string> Distinct(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& name : names) {
    if (seen.insert(name).second) out.push_back(name);
  }
  return out;
}

Result<std::vector<model::Annotation>> SelectByName(SqlExecutor& db,
                                                    const std::vector<std::string>& names) {
  SqlParams params;
  const std::string sql =
      "SELECT ID, Name FROM Annotation WHERE Name IN (" + InList(params, names) + ") ORDER BY Name";
  CLOUD_TRY(Rows rows, db.Query(sql, params));
  std::vector<model::Annotation> out;
  for (Row row : rows) out.push_back(AnnotationFromRow(row));
  return out;
}

}  // namespace

namespace sql_internal {

Result<std::vector<model::Annotation>> GetOrCreateAnnotationsTx(
    SqlExecutor& tx, const std::vector<std::string>& names_in) {
  const std::vector<std::string> names = Distinct(names_in);
  if (names.empty()) return std::vector<model::Annotation>{};
  for (const std::string& name : names) {
    CLOUD_TRY(int64_t inserted, tx.Exec(kInsertAnnotation, {NewId(), name}));
    (void)inserted;
  }
  CLOUD_TRY(std::vector<model::Annotation> found, SelectByName(tx, names));
  std::vector<model::Annotation> out;
  for (const std::string& name : names) {
    auto it = std::find_if(found.begin(), found.end(),
                           [&](const model::Annotation& a) { return a.name == name; });
    if (it == found.end()) return Internal("annotation " + name + " vanished after creation");
    out.push_back(*it);
  }
  return out;
}

Result<std::vector<model::Annotation>> LinkAnnotationsTx(SqlExecutor& tx, AnnotatedResource kind,
                                                         std::string_view id,
                                                         const std::vector<std::string>& names) {
  const LinkTable link = LinkOf(kind);
  CLOUD_TRY(std::vector<model::Annotation> annotations, GetOrCreateAnnotationsTx(tx, names));
  if (annotations.empty()) return annotations;
  SqlParams params = {std::string(id)};
  std::vector<std::string> ids;
  for (const model::Annotation& a : annotations) ids.push_back(a.id);
  const std::string existing_sql =
      "SELECT Annotation.Name FROM " + std::string(link.table) +
      " JOIN Annotation ON Annotation.ID = " + std::string(link.table) + ".AnnotationID WHERE " +
      std::string(link.table) + "." + std::string(link.column) + " = $1 AND Annotation.ID IN (" +
      InList(params, ids) + ") ORDER BY Annotation.Name";
  CLOUD_TRY(Rows existing, tx.Query(existing_sql, params));
  if (!existing.empty()) {
    return AlreadyExists("annotation '" + existing.front().GetString(0) + "' is already set on " +
                         std::string(link.noun) + " " + std::string(id));
  }
  const std::string insert = "INSERT INTO " + std::string(link.table) + " (ID, " +
                             std::string(link.column) + ", AnnotationID) VALUES ($1, $2, $3)";
  for (const model::Annotation& a : annotations) {
    CLOUD_TRY(int64_t inserted, tx.Exec(insert, {NewId(), std::string(id), a.id}));
    (void)inserted;
  }
  return annotations;
}

Result<std::map<std::string, std::vector<model::Annotation>>> AnnotationsForTx(
    SqlExecutor& db, AnnotatedResource kind, const std::vector<std::string>& ids) {
  std::map<std::string, std::vector<model::Annotation>> out;
  if (ids.empty()) return out;
  const LinkTable link = LinkOf(kind);
  const std::string t(link.table), c(link.column);
  SqlParams params;
  const std::string sql = "SELECT " + t + "." + c +
                          " AS ResourceID, Annotation.ID AS ID, Annotation.Name AS Name FROM " + t +
                          " JOIN Annotation ON Annotation.ID = " + t + ".AnnotationID WHERE " + t +
                          "." + c + " IN (" + InList(params, ids) + ") ORDER BY Annotation.Name";
  CLOUD_TRY(Rows rows, db.Query(sql, params));
  for (Row row : rows) out[row.GetString("ResourceID")].push_back(AnnotationFromRow(row));
  return out;
}

std::string MatchAllAnnotationsCondition(SqlParams& params, AnnotatedResource kind,
                                         std::string_view id_expr,
                                         const std::vector<std::string>& annotation_ids_in) {
  const std::vector<std::string> annotation_ids = Distinct(annotation_ids_in);
  const LinkTable link = LinkOf(kind);
  const std::string t(link.table), c(link.column);
  std::string in = InList(params, annotation_ids);
  const std::string count = Param(params, static_cast<int64_t>(annotation_ids.size()));
  return std::string(id_expr) + " IN (SELECT " + c + " FROM " + t + " WHERE AnnotationID IN (" +
         in + ") GROUP BY " + c + " HAVING count(DISTINCT AnnotationID) = " + count + ")";
}

}  // namespace sql_internal

Result<std::vector<model::Annotation>> SqlAnnotationStore::GetAnnotationsByName(
    const std::vector<std::string>& names) {
  if (names.empty()) return std::vector<model::Annotation>{};
  return SelectByName(db_, Distinct(names));
}

Result<std::vector<model::Annotation>> SqlAnnotationStore::GetOrCreateAnnotations(
    const std::vector<std::string>& names) {
  std::vector<model::Annotation> out;
  if (auto tx_done = RunInTransaction(db_,
                                      [&](SqlExecutor& tx) -> Result<void> {
                                        CLOUD_TRY(
                                            out, sql_internal::GetOrCreateAnnotationsTx(tx, names));
                                        return Ok();
                                      });
      !tx_done) {
    return std::move(tx_done).error();
  }
  return out;
}

Result<std::vector<model::Annotation>> SqlAnnotationStore::GetAnnotationsFor(AnnotatedResource kind,
                                                                             std::string_view id) {
  CLOUD_TRY(auto by_id, sql_internal::AnnotationsForTx(db_, kind, {std::string(id)}));
  auto it = by_id.find(std::string(id));
  if (it == by_id.end()) return std::vector<model::Annotation>{};
  return std::move(it->second);
}

Result<std::map<std::string, std::vector<model::Annotation>>>
SqlAnnotationStore::GetAnnotationsForMany(AnnotatedResource kind,
                                          const std::vector<std::string>& ids) {
  return sql_internal::AnnotationsForTx(db_, kind, ids);
}

Result<std::vector<model::Annotation>> SqlAnnotationStore::LinkAnnotations(
    AnnotatedResource kind, std::string_view id, const std::vector<std::string>& names) {
  if (names.empty()) return InvalidArgument("no annotations given");
  std::vector<model::Annotation> out;
  if (auto tx_done =
          RunInTransaction(db_,
                           [&](SqlExecutor& tx) -> Result<void> {
                             CLOUD_TRY(out, sql_internal::LinkAnnotationsTx(tx, kind, id, names));
                             return Ok();
                           });
      !tx_done) {
    return std::move(tx_done).error();
  }
  return out;
}

Result<void> SqlAnnotationStore::UnlinkAnnotation(AnnotatedResource kind, std::string_view id,
                                                  std::string_view name) {
  const LinkTable link = LinkOf(kind);
  CLOUD_TRY(
      int64_t deleted,
      db_.Exec("DELETE FROM " + std::string(link.table) + " WHERE " + std::string(link.column) +
                   " = $1 AND AnnotationID IN (SELECT ID FROM Annotation WHERE Name = $2)",
               {std::string(id), std::string(name)}));
  (void)deleted;
  return Ok();
}

Result<std::vector<std::string>> SqlAnnotationStore::GetResourcesWithAllAnnotations(
    AnnotatedResource kind, const std::vector<std::string>& annotation_ids) {
  std::vector<std::string> out;
  if (annotation_ids.empty()) return out;
  const LinkTable link = LinkOf(kind);
  SqlParams params;
  const std::string cond = sql_internal::MatchAllAnnotationsCondition(
      params, kind, std::string(link.column), annotation_ids);
  CLOUD_TRY(Rows rows, db_.Query("SELECT DISTINCT " + std::string(link.column) + " FROM " +
                                     std::string(link.table) + " WHERE " + cond + " ORDER BY " +
                                     std::string(link.column),
                                 params));
  for (Row row : rows) out.push_back(row.GetString(0));
  return out;
}

}  // namespace cloud::store
