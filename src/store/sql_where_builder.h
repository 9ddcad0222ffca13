// A small helper for the resource stores' list queries: collects WHERE conditions with their
// numbered parameters ($1, $2 ...), IN lists and upstream's paging (DeleteAt = 0 unless deleted
// rows are wanted; LIMIT/OFFSET unless per_page is -1). Header-only, internal to src/store.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/paging.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

class SqlWhereBuilder {
 public:
  // Binds a parameter and returns its placeholder ("$3").
  std::string Bind(SqlValue value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }
  // The number the next bound parameter will get.
  size_t NextParam() const { return params_.size() + 1; }

  void Where(std::string condition) { conditions_.push_back(std::move(condition)); }
  void WhereEq(std::string_view column, SqlValue value) {
    Where(std::string(column) + " = " + Bind(std::move(value)));
  }
  // `column IN (...)`; an empty list adds nothing (no filter).
  template <class Range, class ToValue>
  void WhereIn(std::string_view column, const Range& values, ToValue to_value) {
    if (values.empty()) return;
    std::string list;
    for (const auto& v : values) {
      if (!list.empty()) list += ", ";
      list += Bind(to_value(v));
    }
    Where(std::string(column) + " IN (" + list + ")");
  }
  void WhereIn(std::string_view column, const std::vector<std::string>& values) {
    WhereIn(column, values, [](const std::string& v) { return SqlValue(v); });
  }
  // A fragment whose parameters were numbered from NextParam() (e.g. AvailableCondition).
  void Where(SqlFragment fragment) {
    conditions_.push_back(std::move(fragment.sql));
    for (SqlValue& v : fragment.params) params_.push_back(std::move(v));
  }
  // `<delete_at_column> = 0` unless the paging includes deleted rows.
  void NotDeletedUnless(const model::Paging& paging,
                        std::string_view delete_at_column = "DeleteAt") {
    if (!paging.include_deleted) Where(std::string(delete_at_column) + " = 0");
  }

  // " WHERE a AND b", or "" without conditions.
  std::string WhereClause() const {
    std::string out;
    for (const std::string& c : conditions_) {
      out += out.empty() ? " WHERE " : " AND ";
      out += c;
    }
    return out;
  }
  // " LIMIT $n OFFSET $m", or "" for per_page = -1. Call after all conditions are bound.
  std::string Limit(const model::Paging& paging) {
    if (paging.IsAllPages()) return "";
    std::string limit = Bind(paging.per_page);
    return " LIMIT " + limit + " OFFSET " + Bind(paging.Offset());
  }

  const SqlParams& params() const { return params_; }

 private:
  std::vector<std::string> conditions_;
  SqlParams params_;
};

}  // namespace cloud::store
