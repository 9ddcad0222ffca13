// Internal helpers of the SQL resource stores (clusters, installations, cluster installations,
// groups, annotations, DNS records): paging and IN-list SQL, JSON column codecs, the outbox
// call shared by every state write, and the lease checks. Not an interface: include it only
// from src/store/sql_*_store.cc.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/event.h"
#include "model/json_codec.h"
#include "model/paging.h"
#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/resource_store_types.h"
#include "store/sql/sql_connection.h"

namespace cloud::store::sql_internal {

// " LIMIT <per_page> OFFSET <page*per_page>", or "" for all pages. The numbers are written
// literally (they are integers, never user text).
std::string PagingSql(const model::Paging& paging);

// Appends `value` to `params` and returns its placeholder "$n".
std::string Param(SqlParams& params, SqlValue value);

// Appends the values to `params` and returns "$a, $b, ..." ("NULL" for an empty list, so that
// `IN (NULL)` matches nothing).
std::string InList(SqlParams& params, const std::vector<std::string>& values);

// The wire strings of a list of enum values.
template <class E>
std::vector<std::string> EnumStrings(std::span<const E> values) {
  std::vector<std::string> out;
  out.reserve(values.size());
  for (E value : values) out.emplace_back(model::ToString(value));
  return out;
}

// Parses a wire enum read from a row. kInternal when the stored text is unknown.
template <class E>
Result<E> ParseStored(const std::string& text, std::string_view what) {
  E value{};
  if (!model::ParseEnum(text, value)) {
    return Internal("stored " + std::string(what) + " '" + text + "' is unknown");
  }
  return value;
}

// JSON text of a wire value (Go's json.Marshal).
template <class T>
std::string JsonText(const T& value) {
  return model::EncodeJson(value);
}

// Decodes a JSON column; NULL or "" give `fallback`. kInternal when the text is corrupt.
template <class T>
Result<T> DecodeColumn(const std::optional<std::string>& text, std::string_view what,
                       T fallback = T{}) {
  if (!text || text->empty()) return fallback;
  auto decoded = model::DecodeJson<T>(*text);
  if (!decoded) return Internal("corrupt " + std::string(what) + ": " + decoded.error().message);
  return std::move(decoded).value();
}

// Writes the state-change event of a state write according to `options`: nothing for kNone or
// for kIfStateChanged when old_state == new_state. `base_extra` entries are added unless the
// options already carry the key.
Result<void> AppendEventFor(SqlExecutor& tx, const EventOptions& options, model::ResourceType type,
                            const std::string& id, const std::string& old_state,
                            const std::string& new_state,
                            const std::map<std::string, std::string>& base_extra,
                            const Clock& clock);

// kFailedPrecondition unless `lease` is on one of `tables` and holds `id`.
Result<void> CheckLease(const Lease& lease, std::initializer_list<LockTable> tables,
                        std::string_view id);

// Soft delete: "UPDATE <table> SET DeleteAt = $1 WHERE ID = $2 AND DeleteAt = 0", fenced with
// `lease` when given. A row already deleted is not an error (upstream), a missing row is
// kNotFound; with a lease, a lost lease is kConflict.
Result<void> SoftDelete(SqlExecutor& db, std::string_view table, std::string_view id, int64_t now,
                        const Lease* lease);

// "UPDATE <table> SET APISecurityLock = $1 WHERE ID = $2"; kNotFound when no such row.
Result<void> SetApiSecurityLock(SqlExecutor& db, std::string_view table, std::string_view id,
                                bool locked);

}  // namespace cloud::store::sql_internal
