#include "model/paging.h"

#include <limits>

namespace cloud::model {

Paging AllPages(bool include_deleted) {
  return Paging{.page = 0, .per_page = Paging::kAllPerPage, .include_deleted = include_deleted};
}

QueryLookup QueryFromMap(const std::map<std::string, std::string>& values) {
  return [&values](std::string_view name) -> std::string {
    auto it = values.find(std::string(name));
    return it == values.end() ? std::string() : it->second;
  };
}

std::optional<int64_t> GoAtoi(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  // Accumulate as a negative number so that INT64_MIN is representable.
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value < (kMin + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (negative) return value;
  if (value == kMin) return std::nullopt;
  return -value;
}

std::optional<bool> GoParseBool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
      text == "False") {
    return false;
  }
  return std::nullopt;
}

namespace {

Error BadQueryValue(std::string_view name, const std::string& value, std::string_view expected) {
  return InvalidArgument("invalid query parameter " + std::string(name) + ": \"" + value +
                         "\" is not " + std::string(expected));
}

}  // namespace

Result<int64_t> ParseQueryInt(const QueryLookup& query, std::string_view name, int64_t fallback) {
  const std::string value = query(name);
  if (value.empty()) return fallback;
  std::optional<int64_t> parsed = GoAtoi(value);
  if (!parsed) return BadQueryValue(name, value, "an integer");
  return *parsed;
}

Result<bool> ParseQueryBool(const QueryLookup& query, std::string_view name, bool fallback) {
  const std::string value = query(name);
  if (value.empty()) return fallback;
  std::optional<bool> parsed = GoParseBool(value);
  if (!parsed) return BadQueryValue(name, value, "a boolean");
  return *parsed;
}

Result<std::optional<bool>> ParseQueryOptionalBool(const QueryLookup& query,
                                                   std::string_view name) {
  const std::string value = query(name);
  if (value.empty()) return std::optional<bool>();
  std::optional<bool> parsed = GoParseBool(value);
  if (!parsed) return BadQueryValue(name, value, "a boolean");
  return parsed;
}

Result<Paging> ParsePaging(const QueryLookup& query) {
  Paging paging;
  CLOUD_TRY(paging.page, ParseQueryInt(query, "page", 0));
  CLOUD_TRY(paging.per_page, ParseQueryInt(query, "per_page", Paging::kDefaultPerPage));
  CLOUD_TRY(paging.include_deleted, ParseQueryBool(query, "include_deleted", false));
  if (paging.page < 0) {
    return InvalidArgument("invalid query parameter page: must be 0 or greater");
  }
  if (paging.per_page < Paging::kAllPerPage) {
    return InvalidArgument("invalid query parameter per_page: must be -1 (all), 0 or greater");
  }
  if (paging.per_page > 0 && paging.page > std::numeric_limits<int64_t>::max() / paging.per_page) {
    return InvalidArgument("invalid query parameters page and per_page: offset out of range");
  }
  return paging;
}

Result<Paging> ParsePaging(const std::map<std::string, std::string>& query) {
  return ParsePaging(QueryFromMap(query));
}

void AddPagingToQuery(const Paging& paging, QueryParams& query) {
  query.emplace_back("page", std::to_string(paging.page));
  query.emplace_back("per_page", std::to_string(paging.per_page));
  if (paging.include_deleted) query.emplace_back("include_deleted", "true");
}

}  // namespace cloud::model
