// Paging of list routes and Go-compatible parsing of query values (spec upstream-api.md §1.5,
// upstream-core.md §3.6): `page`, `per_page` (-1 = everything), `include_deleted`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace cloud::model {

// Which page of a list to return. Default-constructed it holds the API defaults (page 0, 100 per
// page, deleted rows excluded); code that wants every row uses AllPagesNotDeleted().
struct Paging {
  static constexpr int64_t kAllPerPage = -1;  // Go model.AllPerPage: no LIMIT
  static constexpr int64_t kDefaultPerPage = 100;

  int64_t page = 0;
  int64_t per_page = kDefaultPerPage;
  bool include_deleted = false;

  // True when the store must not apply LIMIT/OFFSET.
  bool IsAllPages() const { return per_page == kAllPerPage; }
  // OFFSET for the store: page * per_page (0 when IsAllPages()). ParsePaging guarantees that it
  // does not overflow.
  int64_t Offset() const { return IsAllPages() ? 0 : page * per_page; }

  friend bool operator==(const Paging&, const Paging&) = default;
};

// Go model.AllPages / AllPagesNotDeleted / AllPagesWithDeleted.
Paging AllPages(bool include_deleted);
inline Paging AllPagesNotDeleted() { return AllPages(false); }
inline Paging AllPagesWithDeleted() { return AllPages(true); }

// Looks up a query parameter as Go's url.Values.Get does: the first value, or "" when the
// parameter is absent. An empty value is treated like an absent one everywhere in the API.
using QueryLookup = std::function<std::string(std::string_view name)>;

// A QueryLookup over a map (the map must outlive the lookup).
QueryLookup QueryFromMap(const std::map<std::string, std::string>& values);

// Go's strconv.Atoi: optional sign, then one or more decimal digits, within int64 range. No
// spaces, no underscores, no base prefixes. nullopt when `text` is not such a number.
std::optional<int64_t> GoAtoi(std::string_view text);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False. nullopt otherwise.
std::optional<bool> GoParseBool(std::string_view text);

// The API's parseInt/parseBool helpers: `fallback` when the value is empty or absent.
// Errors: kInvalidArgument naming the parameter ("invalid query parameter page: ...").
Result<int64_t> ParseQueryInt(const QueryLookup& query, std::string_view name, int64_t fallback);
Result<bool> ParseQueryBool(const QueryLookup& query, std::string_view name, bool fallback);
// An optional bool filter (e.g. `deletion_locked`): nullopt when empty or absent.
// Errors: kInvalidArgument naming the parameter.
Result<std::optional<bool>> ParseQueryOptionalBool(const QueryLookup& query, std::string_view name);

// Go's parsePaging with defaults page=0, per_page=100, include_deleted=false.
// Errors: kInvalidArgument naming the parameter when a value is not an integer / bool (as
// upstream, → 400); also — where upstream would fail in SQL with a 500 — when page < 0,
// per_page < -1, or page * per_page overflows.
Result<Paging> ParsePaging(const QueryLookup& query);
Result<Paging> ParsePaging(const std::map<std::string, std::string>& query);

// Query parameters in the order a client adds them.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Go Paging.AddToQuery: `page` and `per_page` always, `include_deleted=true` only when set.
void AddPagingToQuery(const Paging& paging, QueryParams& query);

}  // namespace cloud::model
