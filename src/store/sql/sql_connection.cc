#include "store/sql/sql_connection.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "store/sql/sql_adapters.h"

namespace cloud::store {
namespace {

char ToLowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

const SqlValue& NullValue() {
  static const SqlValue kNull;
  return kNull;
}

}  // namespace

std::string_view DialectName(Dialect dialect) {
  return dialect == Dialect::kPostgres ? "postgres" : "sqlite";
}

std::string SqlValue::DebugString() const {
  switch (kind()) {
    case Kind::kNull:
      return "NULL";
    case Kind::kInt64:
      return std::to_string(int64());
    case Kind::kBool:
      return boolean() ? "true" : "false";
    case Kind::kText:
      return "'" + text() + "'";
    case Kind::kBlob:
      return "<blob " + std::to_string(blob().bytes.size()) + " bytes>";
  }
  return "?";
}

RowColumns::RowColumns(std::vector<std::string> names) : names_(std::move(names)) {
  by_name_.reserve(names_.size());
  for (size_t i = 0; i < names_.size(); ++i) {
    std::string lower = names_[i];
    for (char& c : lower) c = ToLowerAscii(c);
    by_name_.emplace_back(std::move(lower), i);
  }
  // Stable: of two columns with the same name, the first one wins (as a linear search would).
  std::stable_sort(by_name_.begin(), by_name_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

std::optional<size_t> RowColumns::Find(std::string_view name) const {
  char buffer[64];
  if (name.size() > sizeof(buffer)) {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (EqualsIgnoreCase(names_[i], name)) return i;
    }
    return std::nullopt;
  }
  for (size_t i = 0; i < name.size(); ++i) buffer[i] = ToLowerAscii(name[i]);
  const std::string_view lower(buffer, name.size());
  auto it =
      std::lower_bound(by_name_.begin(), by_name_.end(), lower,
                       [](const auto& entry, std::string_view key) { return entry.first < key; });
  if (it == by_name_.end() || it->first != lower) return std::nullopt;
  return it->second;
}

const std::vector<std::string>& Rows::columns() const {
  static const std::vector<std::string> kNone;
  return columns_ ? columns_->names() : kNone;
}

std::optional<size_t> Rows::FindColumn(std::string_view name) const {
  if (!columns_) return std::nullopt;
  return columns_->Find(name);
}

size_t Row::ColumnIndex(std::string_view name) const {
  auto index = rows_->FindColumn(name);
  if (!index) {
    std::fprintf(stderr, "cloud: result has no column '%.*s'\n", static_cast<int>(name.size()),
                 name.data());
    std::abort();  // CLOUD_CHECK: the SQL and the row mapping disagree
  }
  return *index;
}

const SqlValue& Row::Get(size_t col) const {
  const auto& row = rows_->cells_[index_];
  return col < row.size() ? row[col] : NullValue();
}

bool Row::IsNull(size_t col) const { return Get(col).is_null(); }

std::string Row::GetString(size_t col) const {
  const SqlValue& v = Get(col);
  switch (v.kind()) {
    case SqlValue::Kind::kNull:
      return {};
    case SqlValue::Kind::kInt64:
      return std::to_string(v.int64());
    case SqlValue::Kind::kBool:
      return v.boolean() ? "true" : "false";
    case SqlValue::Kind::kText:
      return v.text();
    case SqlValue::Kind::kBlob:
      return v.blob().bytes;
  }
  return {};
}

int64_t Row::GetInt64(size_t col) const {
  const SqlValue& v = Get(col);
  switch (v.kind()) {
    case SqlValue::Kind::kInt64:
      return v.int64();
    case SqlValue::Kind::kBool:
      return v.boolean() ? 1 : 0;
    case SqlValue::Kind::kText: {
      int64_t out = 0;
      const std::string& s = v.text();
      std::from_chars(s.data(), s.data() + s.size(), out);
      return out;
    }
    default:
      return 0;
  }
}

bool Row::GetBool(size_t col) const {
  const SqlValue& v = Get(col);
  switch (v.kind()) {
    case SqlValue::Kind::kBool:
      return v.boolean();
    case SqlValue::Kind::kInt64:
      return v.int64() != 0;
    case SqlValue::Kind::kText:
      return v.text() == "t" || v.text() == "true" || v.text() == "1";
    default:
      return false;
  }
}

std::string Row::GetBlob(size_t col) const { return GetString(col); }

std::optional<std::string> Row::GetOptionalString(size_t col) const {
  if (IsNull(col)) return std::nullopt;
  return GetString(col);
}
std::optional<int64_t> Row::GetOptionalInt64(size_t col) const {
  if (IsNull(col)) return std::nullopt;
  return GetInt64(col);
}
std::optional<bool> Row::GetOptionalBool(size_t col) const {
  if (IsNull(col)) return std::nullopt;
  return GetBool(col);
}
std::optional<std::string> Row::GetOptionalBlob(size_t col) const {
  if (IsNull(col)) return std::nullopt;
  return GetBlob(col);
}

std::string Placeholders(size_t first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += "$" + std::to_string(first + i);
  }
  return out;
}

bool IsRetryableSqlError(const Error& error) { return error.code == ErrorCode::kUnavailable; }

Result<void> RunInTransaction(SqlDatabase& db, const std::function<Result<void>(SqlExecutor&)>& fn,
                              int attempts) {
  Error last = Internal("transaction not attempted");
  for (int attempt = 0; attempt < std::max(attempts, 1); ++attempt) {
    auto tx = db.Begin();
    if (!tx) {
      last = std::move(tx).error();
      if (!IsRetryableSqlError(last)) return last;
      continue;
    }
    auto result = fn(**tx);
    if (result) result = (*tx)->Commit();
    if (result) return Ok();
    last = std::move(result).error();
    if (!IsRetryableSqlError(last)) return last;
  }
  return last;
}

Error MapSqlError(std::string_view sqlstate, int sqlite_code, std::string message) {
  if (!sqlstate.empty()) {
    if (sqlstate == "23505") return AlreadyExists(std::move(message));
    if (StartsWith(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
        sqlstate == "57P03" || sqlstate == "53300") {
      return Unavailable(std::move(message));
    }
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
      return Unavailable(std::move(message));
    }
    if (sqlstate == "23502" || sqlstate == "23514" || StartsWith(sqlstate, "22")) {
      return InvalidArgument(std::move(message));
    }
    return Internal(std::move(message));
  }
  if (sqlite_code >= 0) {
    const int primary = sqlite_code & 0xff;
    constexpr int kSqliteBusy = 5, kSqliteLocked = 6, kSqliteIoErr = 10, kSqliteCantOpen = 14,
                  kSqliteConstraint = 19, kSqliteFull = 13;
    constexpr int kConstraintNotNull = kSqliteConstraint | (5 << 8);
    constexpr int kConstraintPrimaryKey = kSqliteConstraint | (6 << 8);
    constexpr int kConstraintUnique = kSqliteConstraint | (8 << 8);
    constexpr int kConstraintCheck = kSqliteConstraint | (1 << 8);
    if (sqlite_code == kConstraintUnique || sqlite_code == kConstraintPrimaryKey) {
      return AlreadyExists(std::move(message));
    }
    if (sqlite_code == kConstraintNotNull || sqlite_code == kConstraintCheck) {
      return InvalidArgument(std::move(message));
    }
    if (primary == kSqliteBusy || primary == kSqliteLocked || primary == kSqliteIoErr ||
        primary == kSqliteCantOpen || primary == kSqliteFull) {
      return Unavailable(std::move(message));
    }
  }
  return Internal(std::move(message));
}

std::string RedactDatabaseUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t auth_start = scheme_end + 3;
  const size_t path_start = url.find_first_of("/?", auth_start);
  const std::string_view authority =
      url.substr(auth_start, path_start == std::string_view::npos ? std::string_view::npos
                                                                  : path_start - auth_start);
  const size_t at = authority.rfind('@');
  std::string out(url);
  if (at != std::string_view::npos) {
    const size_t colon = authority.substr(0, at).find(':');
    if (colon != std::string_view::npos) {
      out = std::string(url.substr(0, auth_start + colon + 1)) + "xxxxx" +
            std::string(url.substr(auth_start + at));
    }
  }
  // A `password=` query parameter is redacted too.
  const size_t q = out.find('?');
  if (q != std::string::npos) {
    size_t pos = out.find("password=", q);
    while (pos != std::string::npos) {
      if (out[pos - 1] == '?' || out[pos - 1] == '&') {
        const size_t value_start = pos + 9;
        const size_t value_end = out.find('&', value_start);
        out.replace(value_start,
                    (value_end == std::string::npos ? out.size() : value_end) - value_start,
                    "xxxxx");
      }
      pos = out.find("password=", pos + 9);
    }
  }
  return out;
}

Result<ParsedDatabaseUrl> ParseDatabaseUrl(std::string_view url) {
  ParsedDatabaseUrl parsed;
  if (url.empty()) url = "cloud.db";
  if (StartsWith(url, "postgres://") || StartsWith(url, "postgresql://")) {
    parsed.dialect = Dialect::kPostgres;
    const size_t q = url.find('?');
    if (q == std::string_view::npos) {
      parsed.target = std::string(url);
      return parsed;
    }
    std::string kept;
    std::string_view query = url.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view param = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      const std::string_view key = param.substr(0, param.find('='));
      if (key == "pg_temp") {
        parsed.pg_temp = true;
        continue;
      }
      if (param.empty()) continue;
      if (!kept.empty()) kept += '&';
      kept += param;
    }
    parsed.target = std::string(url.substr(0, q));
    if (!kept.empty()) parsed.target += "?" + kept;
    return parsed;
  }
  if (StartsWith(url, "sqlite://")) {
    std::string_view rest = url.substr(9);  // "/abs/path.db" or "relative.db"
    const size_t q = rest.find('?');
    if (q != std::string_view::npos) rest = rest.substr(0, q);
    if (rest.empty()) return InvalidArgument("sqlite URL has no file path: " + std::string(url));
    parsed.target = std::string(rest);
    return parsed;
  }
  const size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    return InvalidArgument("unsupported database URL scheme \"" +
                           std::string(url.substr(0, scheme_end)) +
                           "\": use sqlite://<path>, a file path, or postgres://...");
  }
  parsed.target = std::string(url);  // a bare path
  return parsed;
}

Result<std::unique_ptr<SqlDatabase>> OpenDatabase(std::string_view url, const Logger& log,
                                                  const DatabaseOptions& options) {
  CLOUD_TRY(ParsedDatabaseUrl parsed, ParseDatabaseUrl(url));
  if (parsed.dialect == Dialect::kPostgres) {
    return internal::OpenPostgres(parsed.target, parsed.pg_temp, RedactDatabaseUrl(url), log,
                                  options);
  }
  return internal::OpenSqlite(parsed.target, log, options);
}

namespace internal {

std::string TranslatePlaceholdersForSqlite(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // literal or quoted identifier; doubled quote escapes
      const size_t start = i++;
      while (i < sql.size()) {
        if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      out.append(sql.substr(start, i - start));
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '?';
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace internal
}  // namespace cloud::store
