// The SQL interface every store is written against: SqlDatabase (a pool or a single SQLite
// connection), SqlTransaction (RAII, rolls back unless committed), SqlValue parameters and
// materialised Rows with typed access. Implemented over libpq and SQLite3 in the two adapter
// files; no third-party type appears here.
//
// SQL is written once for both engines with PostgreSQL's positional parameters `$1, $2 ...`
// (the SQLite adapter translates them). Identifiers are written as in upstream's schema
// (`Cluster`, `LockAcquiredAt`, the quoted `"Group"`); both engines match them
// case-insensitively, and PostgreSQL reports column names in lower case, so Row lookups by name
// are case-insensitive too.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/logging.h"
#include "common/result.h"

namespace cloud::store {

// Which engine a statement runs on; stores vary tiny bits of SQL with it
// (e.g. `FOR UPDATE SKIP LOCKED` only on PostgreSQL).
enum class Dialect { kPostgres, kSqlite };

std::string_view DialectName(Dialect dialect);  // "postgres" / "sqlite"

// Raw bytes for `bytea` (PostgreSQL) / BLOB (SQLite) columns. Upstream keeps JSON text in them.
struct Blob {
  std::string bytes;
  friend bool operator==(const Blob&, const Blob&) = default;
};

// One parameter or one cell: null, int64, bool, text or blob.
class SqlValue {
 public:
  enum class Kind { kNull, kInt64, kBool, kText, kBlob };

  SqlValue() = default;                                 // null
  SqlValue(std::nullptr_t) {}                           // NOLINT: implicit by design
  SqlValue(int64_t v) : v_(v) {}                        // NOLINT
  SqlValue(int32_t v) : v_(int64_t{v}) {}               // NOLINT
  SqlValue(bool v) : v_(v) {}                           // NOLINT
  SqlValue(std::string v) : v_(std::move(v)) {}         // NOLINT
  SqlValue(std::string_view v) : v_(std::string(v)) {}  // NOLINT
  SqlValue(const char* v) : v_(std::string(v)) {}       // NOLINT
  SqlValue(Blob v) : v_(std::move(v)) {}                // NOLINT
  // nullopt binds NULL.
  template <class T>
  SqlValue(const std::optional<T>& v) {  // NOLINT
    if (v) *this = SqlValue(*v);
  }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  // Accessors for the stored alternative; call only after checking kind().
  int64_t int64() const { return std::get<int64_t>(v_); }
  bool boolean() const { return std::get<bool>(v_); }
  const std::string& text() const { return std::get<std::string>(v_); }
  const Blob& blob() const { return std::get<Blob>(v_); }

  // A short rendering for test failure messages ("NULL", "42", "'abc'", "<blob 10 bytes>").
  std::string DebugString() const;

  friend bool operator==(const SqlValue&, const SqlValue&) = default;

 private:
  std::variant<std::monostate, int64_t, bool, std::string, Blob> v_;
};

using SqlParams = std::vector<SqlValue>;

// A SQL text fragment with its parameters, numbered from a caller-given first index
// (see LockStore::FenceCondition). Append `sql` to a statement and `params` to its parameters.
struct SqlFragment {
  std::string sql;
  SqlParams params;
};

class Rows;

// One row of a result. Getters are lenient, as a Go scan into a zero value would be: NULL gives
// "", 0, false or an empty blob (use IsNull / GetOptional* to tell); a text cell holding digits
// converts to int64; an int64 cell converts to bool (non-zero) or to its decimal text.
// Looking up a column name that the result does not have is a programming error and aborts.
class Row {
 public:
  Row(const Rows* rows, size_t index) : rows_(rows), index_(index) {}

  bool IsNull(size_t col) const;
  bool IsNull(std::string_view col) const { return IsNull(ColumnIndex(col)); }
  const SqlValue& Get(size_t col) const;
  const SqlValue& Get(std::string_view col) const { return Get(ColumnIndex(col)); }

  std::string GetString(size_t col) const;
  std::string GetString(std::string_view col) const { return GetString(ColumnIndex(col)); }
  int64_t GetInt64(size_t col) const;
  int64_t GetInt64(std::string_view col) const { return GetInt64(ColumnIndex(col)); }
  bool GetBool(size_t col) const;
  bool GetBool(std::string_view col) const { return GetBool(ColumnIndex(col)); }
  // The bytes of a blob cell (a text cell gives its text).
  std::string GetBlob(size_t col) const;
  std::string GetBlob(std::string_view col) const { return GetBlob(ColumnIndex(col)); }

  std::optional<std::string> GetOptionalString(size_t col) const;
  std::optional<std::string> GetOptionalString(std::string_view col) const {
    return GetOptionalString(ColumnIndex(col));
  }
  std::optional<int64_t> GetOptionalInt64(size_t col) const;
  std::optional<int64_t> GetOptionalInt64(std::string_view col) const {
    return GetOptionalInt64(ColumnIndex(col));
  }
  std::optional<bool> GetOptionalBool(size_t col) const;
  std::optional<bool> GetOptionalBool(std::string_view col) const {
    return GetOptionalBool(ColumnIndex(col));
  }
  std::optional<std::string> GetOptionalBlob(size_t col) const;
  std::optional<std::string> GetOptionalBlob(std::string_view col) const {
    return GetOptionalBlob(ColumnIndex(col));
  }

  // Index of a column by case-insensitive name; aborts when absent (a bug in the SQL).
  size_t ColumnIndex(std::string_view name) const;

 private:
  const Rows* rows_;
  size_t index_;
};

// The column names of a result, with an index by lower-cased name. Immutable once built, so
// an adapter builds it once per prepared statement and shares it between the results of that
// statement (a row mapping looks up ~40 columns by name per row).
class RowColumns {
 public:
  explicit RowColumns(std::vector<std::string> names);
  const std::vector<std::string>& names() const { return names_; }
  // Index of a column by case-insensitive name, or nullopt.
  std::optional<size_t> Find(std::string_view name) const;

 private:
  std::vector<std::string> names_;
  // Lower-cased name -> first index, sorted by name (binary search; no hashing of the key).
  std::vector<std::pair<std::string, size_t>> by_name_;
};

// A fully materialised query result.
class Rows {
 public:
  Rows() = default;
  Rows(std::vector<std::string> columns, std::vector<std::vector<SqlValue>> cells)
      : columns_(std::make_shared<const RowColumns>(std::move(columns))),
        cells_(std::move(cells)) {}
  Rows(std::shared_ptr<const RowColumns> columns, std::vector<std::vector<SqlValue>> cells)
      : columns_(std::move(columns)), cells_(std::move(cells)) {}

  size_t size() const { return cells_.size(); }
  bool empty() const { return cells_.empty(); }
  const std::vector<std::string>& columns() const;
  // Index of a column by case-insensitive name, or nullopt.
  std::optional<size_t> FindColumn(std::string_view name) const;

  Row operator[](size_t i) const { return Row(this, i); }
  Row front() const { return Row(this, 0); }

  class Iterator {
   public:
    Iterator(const Rows* rows, size_t i) : rows_(rows), i_(i) {}
    Row operator*() const { return Row(rows_, i_); }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const Iterator& o) const { return i_ == o.i_; }

   private:
    const Rows* rows_;
    size_t i_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, cells_.size()); }

 private:
  friend class Row;
  std::shared_ptr<const RowColumns> columns_;  // null: no columns (an empty result)
  std::vector<std::vector<SqlValue>> cells_;
};

// Something statements run on: the database itself (each statement on its own, autocommit) or
// an open transaction. Store functions take `SqlExecutor&` so they work in both.
class SqlExecutor {
 public:
  virtual ~SqlExecutor() = default;

  // Runs a statement; returns the number of rows it affected.
  virtual Result<int64_t> Exec(std::string_view sql, const SqlParams& params = {}) = 0;
  // Runs a statement that returns rows (SELECT, or INSERT/UPDATE ... RETURNING).
  virtual Result<Rows> Query(std::string_view sql, const SqlParams& params = {}) = 0;
  virtual Dialect dialect() const = 0;
};

// An open transaction. Destroying it without Commit() rolls back (Go's RollbackUnlessCommitted).
// After an error inside a PostgreSQL transaction, only rollback is possible: return the error.
class SqlTransaction : public SqlExecutor {
 public:
  virtual Result<void> Commit() = 0;
  virtual Result<void> Rollback() = 0;
};

class SqlDatabase : public SqlExecutor {
 public:
  // Starts a transaction. PostgreSQL: READ COMMITTED on a pooled connection held until the
  // transaction ends. SQLite: BEGIN IMMEDIATE on the single connection, which is held (other
  // threads of this SqlDatabase wait) until the transaction ends — so never call the database
  // itself from inside one of its transactions; use the transaction.
  virtual Result<std::unique_ptr<SqlTransaction>> Begin() = 0;
  // The URL with any password replaced by "xxxxx", for messages and logs.
  virtual std::string redacted_url() const = 0;
  // A number that moves whenever a change has been committed to the database, by this process
  // or any other: when two calls return the same number, nothing was committed between the
  // return of the first and the start of the second, so what was read after the first is still
  // what the database holds. Lets a caller reuse what it derived from earlier reads (the API's
  // response cache). nullopt: this call cannot tell (PostgreSQL, where it would cost a round
  // trip; a SQLite :memory: database; all read connections busy); the caller must read afresh.
  virtual Result<std::optional<uint64_t>> CommitVersion() { return std::optional<uint64_t>(); }
  // CommitVersion() when it can be answered from memory alone: no statement, no system call,
  // no lock held by anything but another such check, so an I/O thread may call it. nullopt
  // whenever CommitVersion() would have to ask the database (it then still can).
  virtual std::optional<uint64_t> CommitVersionFromMemory() { return std::nullopt; }
};

// Runs `fn` in a transaction and commits when it succeeds; retries up to `attempts` times when
// the transaction fails with kUnavailable from a serialization failure or deadlock.
Result<void> RunInTransaction(SqlDatabase& db, const std::function<Result<void>(SqlExecutor&)>& fn,
                              int attempts = 3);

// "$first, $first+1, ..." with `count` placeholders, for `IN (...)` lists.
std::string Placeholders(size_t first, size_t count);

struct DatabaseOptions {
  // PostgreSQL connection pool size (connections are opened lazily up to this many).
  // Forced to 1 with `pg_temp`, whose tables live in one session.
  int pool_size = 8;
  // SQLite busy timeout: how long a writer waits for another process's write lock.
  int sqlite_busy_timeout_ms = 5000;
  // SQLite CommitVersion: read the WAL-index header from shared memory (no lock, no system
  // call). false: run `PRAGMA data_version` on a read connection every time (tests of that
  // path; a VFS whose shared memory should not be read directly).
  bool sqlite_read_wal_index = true;
};

// Opens a database by URL:
//   sqlite:///abs/path.db, sqlite://relative.db, sqlite://:memory:, a bare path ("cloud.db");
//   postgres://... or postgresql://... (libpq URI; a `pg_temp` query parameter is removed and
//   the session runs `SET search_path TO pg_temp`, as upstream's tests do).
// Errors: unknown scheme -> kInvalidArgument "unsupported database URL scheme ...";
// an unreachable server or failed authentication -> kUnavailable, one line, no password.
Result<std::unique_ptr<SqlDatabase>> OpenDatabase(std::string_view url, const Logger& log,
                                                  const DatabaseOptions& options = {});

// What OpenDatabase makes of a URL (exposed for tests).
struct ParsedDatabaseUrl {
  Dialect dialect = Dialect::kSqlite;
  std::string target;  // SQLite file path (or ":memory:"), or the libpq connection URI
  bool pg_temp = false;
};
Result<ParsedDatabaseUrl> ParseDatabaseUrl(std::string_view url);

// Replaces the password of a postgres URL (if any) with "xxxxx".
std::string RedactDatabaseUrl(std::string_view url);

// Maps an engine error to an Error (one place for both engines):
//   SQLSTATE 23505 / SQLITE_CONSTRAINT_UNIQUE|PRIMARYKEY -> kAlreadyExists
//   SQLSTATE class 08, 57P01-03 / SQLITE_CANTOPEN|IOERR  -> kUnavailable
//   40001, 40P01 (serialization, deadlock), 55P03 (lock not available) / SQLITE_BUSY|LOCKED
//                                                          -> kUnavailable (retryable)
//   23502 not-null, 23514 check, 22xxx data errors       -> kInvalidArgument
//   anything else                                        -> kInternal
// `sqlstate` is PostgreSQL's 5-character code; `sqlite_code` SQLite's extended result code
// (pass -1 for the engine not in use).
Error MapSqlError(std::string_view sqlstate, int sqlite_code, std::string message);

// True if the error came from a serialization failure / deadlock / busy database (retryable).
bool IsRetryableSqlError(const Error& error);

}  // namespace cloud::store
