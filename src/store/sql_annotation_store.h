// SqlAnnotationStore: AnnotationStore over a SqlDatabase, plus the transaction-level helpers
// the other SQL stores use to create and read annotations inside their own transactions.
#pragma once

#include "common/clock.h"
#include "store/annotation_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

class SqlAnnotationStore final : public AnnotationStore {
 public:
  explicit SqlAnnotationStore(SqlDatabase& db) : db_(db) {}

  Result<std::vector<model::Annotation>> GetAnnotationsByName(
      const std::vector<std::string>& names) override;
  Result<std::vector<model::Annotation>> GetOrCreateAnnotations(
      const std::vector<std::string>& names) override;
  Result<std::vector<model::Annotation>> GetAnnotationsFor(AnnotatedResource kind,
                                                           std::string_view id) override;
  Result<std::map<std::string, std::vector<model::Annotation>>> GetAnnotationsForMany(
      AnnotatedResource kind, const std::vector<std::string>& ids) override;
  Result<std::vector<model::Annotation>> LinkAnnotations(
      AnnotatedResource kind, std::string_view id, const std::vector<std::string>& names) override;
  Result<void> UnlinkAnnotation(AnnotatedResource kind, std::string_view id,
                                std::string_view name) override;
  Result<std::vector<std::string>> GetResourcesWithAllAnnotations(
      AnnotatedResource kind, const std::vector<std::string>& annotation_ids) override;

 private:
  SqlDatabase& db_;
};

namespace sql_internal {

// Inside a transaction: get-or-create by name (request order, duplicates collapsed).
Result<std::vector<model::Annotation>> GetOrCreateAnnotationsTx(
    SqlExecutor& tx, const std::vector<std::string>& names);
// Inside a transaction: get-or-create and link; kAlreadyExists when already linked.
Result<std::vector<model::Annotation>> LinkAnnotationsTx(SqlExecutor& tx, AnnotatedResource kind,
                                                         std::string_view id,
                                                         const std::vector<std::string>& names);
// id -> annotations sorted by name.
Result<std::map<std::string, std::vector<model::Annotation>>> AnnotationsForTx(
    SqlExecutor& db, AnnotatedResource kind, const std::vector<std::string>& ids);
// A condition "<id_expr> IN (SELECT <ResourceID> FROM <Link> WHERE AnnotationID IN (...)
// GROUP BY <ResourceID> HAVING count(DISTINCT AnnotationID) = N)" with its parameters
// appended to `params` ("has ALL of these annotations", upstream-core.md §3.6).
std::string MatchAllAnnotationsCondition(SqlParams& params, AnnotatedResource kind,
                                         std::string_view id_expr,
                                         const std::vector<std::string>& annotation_ids);

}  // namespace sql_internal
}  // namespace cloud::store
