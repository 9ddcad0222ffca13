// SQLite adapter: one write connection (WAL mode, busy timeout) serialised by a mutex behind
// SqlDatabase; a transaction holds it until it ends. Read-only statements outside a
// transaction (Query of a statement sqlite3_stmt_readonly() accepts) run on a small pool of
// read connections instead, so concurrent API reads neither wait for each other nor for a
// writer (WAL: a reader sees every commit made before its statement starts). Prepared
// statements are cached per connection and SQL text. sqlite3 types never leave this file.
#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "store/sql/sql_adapters.h"
#include "store/sql/sql_connection.h"

namespace cloud::store::internal {
namespace {

constexpr size_t kMaxCachedStatements = 512;
// Read connections opened at most (more concurrent readers use the write connection).
constexpr size_t kMaxSqliteReaders = 16;

bool IsBlank(const char* s) {
  for (; s != nullptr && *s != '\0'; ++s) {
    if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r' && *s != ';') return false;
  }
  return true;
}

// The WAL-index header, the first bytes of the database's -shm file (documented file format:
// https://www.sqlite.org/walformat.html, "The WAL-Index Header"). Every commit rewrites it
// (mxFrame and iChange move; a WAL restart changes the salts) and a reader's snapshot is
// whatever it says when the read begins, so an unchanged header means nothing was committed.
// It is stored twice, at bytes 0 and 48: the writer updates the second copy, then the first;
// a reader takes it as stable when both copies match (as SQLite's own readers do, lock-free).
struct WalIndexHeader {
  uint32_t version;  // iVersion: 3007000
  uint32_t unused;
  uint32_t change;  // iChange: moves with every transaction
  uint8_t is_init;
  uint8_t big_endian_checksum;
  uint16_t page_size;
  uint32_t max_frame;  // mxFrame: last valid commit frame
  uint32_t pages;
  uint32_t frame_checksum[2];
  uint32_t salt[2];
  uint32_t checksum[2];
  friend bool operator==(const WalIndexHeader&, const WalIndexHeader&) = default;
};
static_assert(sizeof(WalIndexHeader) == 48);
constexpr uint32_t kWalIndexVersion = 3007000;

// Copies a stable header out of the mapped wal-index; false while a writer is updating it
// (the copies differ) or if it is not an initialised header of the known version.
bool ReadWalIndexHeader(const volatile uint32_t* shm, WalIndexHeader& out) {
  constexpr size_t kWords = sizeof(WalIndexHeader) / sizeof(uint32_t);
  uint32_t first[kWords], second[kWords];
  for (size_t i = 0; i < kWords; ++i) first[i] = shm[i];
  std::atomic_thread_fence(std::memory_order_acquire);
  for (size_t i = 0; i < kWords; ++i) second[i] = shm[kWords + i];
  if (std::memcmp(first, second, sizeof(first)) != 0) return false;
  std::memcpy(&out, first, sizeof(out));
  return out.is_init == 1 && out.version == kWalIndexVersion;
}

class SqliteConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db_);
  }

  // The mapped first region of this connection's wal-index (its header first), or null when
  // the connection is not (yet) in WAL mode (a new file before its first write), the VFS has
  // no shared memory or has not mapped it. Call after a read transaction, which maps it.
  // SQLite maps it once per file and process and unmaps it when the last connection to the
  // file closes.
  const volatile uint32_t* MappedWalIndex() {
    Rows mode;
    if (!Run("PRAGMA journal_mode", {}, &mode) || mode.empty() ||
        mode.front().GetString(0) != "wal") {
      return nullptr;
    }
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
        file == nullptr || file->pMethods == nullptr || file->pMethods->iVersion < 2 ||
        file->pMethods->xShmMap == nullptr) {
      return nullptr;
    }
    void volatile* region = nullptr;
    constexpr int kRegionBytes = 32768;  // SQLite's wal-index region size
    if (file->pMethods->xShmMap(file, 0, kRegionBytes, /*bExtend=*/0, &region) != SQLITE_OK) {
      return nullptr;
    }
    return static_cast<const volatile uint32_t*>(region);
  }

  // Whether another connection (of this process or another) committed a change since this
  // connection's previous call (true on the first call). `PRAGMA data_version` reads the WAL
  // index in a read transaction of its own; it does not move for this connection's own commits.
  Result<bool> CommittedElsewhereSinceLastCall() {
    Rows rows;
    CLOUD_TRY_VOID(Run("PRAGMA data_version", {}, &rows));
    if (rows.empty()) return Internal("sqlite: PRAGMA data_version returned no row");
    const int64_t version = rows.front().GetInt64(0);
    const bool changed = !last_data_version_ || *last_data_version_ != version;
    last_data_version_ = version;
    return changed;
  }

  Error LastError(std::string_view what) const {
    return MapSqlError("", sqlite3_extended_errcode(db_),
                       "sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db_));
  }

  // Runs `sql` (several `;`-separated statements are allowed when there are no parameters);
  // fills `rows` (if given) from the last statement; returns the rows changed. With
  // `not_readonly` set (read connections), a statement that could write is not run: it sets
  // *not_readonly and returns 0.
  Result<int64_t> Run(std::string_view sql, const SqlParams& params, Rows* rows,
                      bool* not_readonly = nullptr) {
    // The cache is keyed by the caller's SQL text, so a cached statement costs no translation.
    auto cached = cache_.find(sql);
    sqlite3_stmt* stmt = nullptr;
    CachedStatement* entry = nullptr;
    if (cached != cache_.end()) {
      entry = &cached->second;
      stmt = entry->stmt;
    } else {
      const std::string translated = TranslatePlaceholdersForSqlite(sql);
      const char* tail = nullptr;
      if (sqlite3_prepare_v3(db_, translated.c_str(), static_cast<int>(translated.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, &tail) != SQLITE_OK) {
        return LastError("prepare");
      }
      if (!IsBlank(tail)) {  // a script: run it statement by statement, uncached
        sqlite3_finalize(stmt);
        if (not_readonly != nullptr) {
          *not_readonly = true;
          return int64_t{0};
        }
        if (!params.empty()) return InvalidArgument("parameters given for a multi-statement SQL");
        char* err = nullptr;
        if (sqlite3_exec(db_, translated.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
          Error error = LastError(err != nullptr ? err : "exec");
          sqlite3_free(err);
          return error;
        }
        return static_cast<int64_t>(sqlite3_changes64(db_));
      }
      if (stmt == nullptr) return int64_t{0};  // only comments / whitespace
      if (cache_.size() >= kMaxCachedStatements) {
        for (auto& [s, st] : cache_) sqlite3_finalize(st.stmt);
        cache_.clear();
      }
      entry = &cache_.emplace(std::string(sql), CachedStatement{stmt, nullptr, 0}).first->second;
    }
    if (not_readonly != nullptr && sqlite3_stmt_readonly(stmt) == 0) {
      *not_readonly = true;
      return int64_t{0};
    }
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt};

    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      const SqlValue& p = params[i];
      int rc = SQLITE_OK;
      switch (p.kind()) {
        case SqlValue::Kind::kNull:
          rc = sqlite3_bind_null(stmt, idx);
          break;
        case SqlValue::Kind::kInt64:
          rc = sqlite3_bind_int64(stmt, idx, p.int64());
          break;
        case SqlValue::Kind::kBool:
          rc = sqlite3_bind_int64(stmt, idx, p.boolean() ? 1 : 0);
          break;
        case SqlValue::Kind::kText:
          rc = sqlite3_bind_text64(stmt, idx, p.text().data(), p.text().size(), SQLITE_STATIC,
                                   SQLITE_UTF8);
          break;
        case SqlValue::Kind::kBlob:
          rc = sqlite3_bind_blob64(stmt, idx, p.blob().bytes.data(), p.blob().bytes.size(),
                                   SQLITE_STATIC);
          break;
      }
      if (rc == SQLITE_RANGE) {
        return InvalidArgument("statement has fewer parameters than the " +
                               std::to_string(params.size()) + " given");
      }
      if (rc != SQLITE_OK) return LastError("bind");
    }

    std::vector<std::vector<SqlValue>> cells;
    int ncols = 0;
    bool first = true;
    for (;;) {
      const int rc = sqlite3_step(stmt);
      // Columns are read after the first step: a statement re-prepared after a schema change
      // (e.g. `SELECT *` after ALTER TABLE) may have a different shape. The names are kept with
      // the cached statement until SQLite re-prepares it.
      if (first && rows != nullptr && (rc == SQLITE_ROW || rc == SQLITE_DONE)) {
        ncols = sqlite3_column_count(stmt);
        const int reprepares = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0);
        if (entry->columns == nullptr || entry->reprepares != reprepares ||
            entry->columns->names().size() != static_cast<size_t>(ncols)) {
          std::vector<std::string> names;
          names.reserve(ncols);
          for (int c = 0; c < ncols; ++c) names.emplace_back(sqlite3_column_name(stmt, c));
          entry->columns = std::make_shared<const RowColumns>(std::move(names));
          entry->reprepares = reprepares;
        }
      }
      first = false;
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return LastError("step");
      if (rows == nullptr) continue;
      std::vector<SqlValue> row;
      row.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            row.emplace_back();
            break;
          case SQLITE_INTEGER:
            row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_BLOB: {
            const void* data = sqlite3_column_blob(stmt, c);
            const int len = sqlite3_column_bytes(stmt, c);
            Blob blob;
            if (data != nullptr) blob.bytes.assign(static_cast<const char*>(data), len);
            row.emplace_back(std::move(blob));
            break;
          }
          default: {  // TEXT and FLOAT (as text)
            const unsigned char* text = sqlite3_column_text(stmt, c);
            const int len = sqlite3_column_bytes(stmt, c);
            row.emplace_back(std::string(reinterpret_cast<const char*>(text), len));
          }
        }
      }
      cells.push_back(std::move(row));
    }
    if (rows != nullptr) *rows = Rows(entry->columns, std::move(cells));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

 private:
  sqlite3* db_;
  std::string path_;
  std::optional<int64_t> last_data_version_;
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  struct CachedStatement {
    sqlite3_stmt* stmt;
    std::shared_ptr<const RowColumns> columns;  // of its results; built on its first query
    int reprepares;                             // SQLITE_STMTSTATUS_REPREPARE when built
  };
  std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> cache_;
};

class SqliteDatabase;

class SqliteTransaction final : public SqlTransaction {
 public:
  SqliteTransaction(SqliteDatabase& db, std::unique_lock<std::mutex> lock)
      : db_(db), lock_(std::move(lock)) {}
  ~SqliteTransaction() override {
    if (lock_.owns_lock()) (void)Rollback();
  }

  Result<int64_t> Exec(std::string_view sql, const SqlParams& params) override;
  Result<Rows> Query(std::string_view sql, const SqlParams& params) override;
  Dialect dialect() const override { return Dialect::kSqlite; }
  Result<void> Commit() override;
  Result<void> Rollback() override;

 private:
  Result<void> End(std::string_view sql);

  SqliteDatabase& db_;
  std::unique_lock<std::mutex> lock_;
};

// Process-wide SQLite settings, applied before SQLite initialises (the first open). Memory
// statistics off: with them on, every sqlite3_malloc and sqlite3_free takes one global mutex,
// which API workers reading on their own connections contended for (a fifth of a GET's CPU
// with 8 workers). Nothing here reads SQLite's memory statistics.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // SQLITE_MISUSE if SQLite was already initialised (by another library): harmless.
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

// Opens a connection to `path` (created if `create`); no pragmas beyond the busy timeout.
Result<sqlite3*> OpenSqliteHandle(const std::string& path, bool create, int busy_timeout_ms) {
  ConfigureSqliteOnce();
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = "cannot open SQLite database " + path + ": " +
                          (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    return Unavailable(std::move(message));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return db;
}

class SqliteDatabase final : public SqlDatabase {
 public:
  SqliteDatabase(std::unique_ptr<SqliteConnection> conn, std::string path, bool use_readers,
                 int busy_timeout_ms, bool read_wal_index)
      : conn_(std::move(conn)),
        path_(std::move(path)),
        use_readers_(use_readers),
        busy_timeout_ms_(busy_timeout_ms),
        read_wal_index_(read_wal_index) {}

  Result<int64_t> Exec(std::string_view sql, const SqlParams& params) override {
    CLOUD_TRY_VOID(CheckNotInOwnTransaction());
    std::lock_guard lock(mu_);
    return conn_->Run(sql, params, nullptr);
  }
  Result<Rows> Query(std::string_view sql, const SqlParams& params) override {
    CLOUD_TRY_VOID(CheckNotInOwnTransaction());
    if (std::unique_ptr<SqliteConnection> reader = AcquireReader()) {
      Rows rows;
      bool not_readonly = false;
      Result<int64_t> ran = reader->Run(sql, params, &rows, &not_readonly);
      ReleaseReader(std::move(reader));
      if (!ran) return std::move(ran).error();
      if (!not_readonly) return rows;
    }
    std::lock_guard lock(mu_);
    Rows rows;
    CLOUD_TRY_VOID(conn_->Run(sql, params, &rows));
    return rows;
  }
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::unique_ptr<SqlTransaction>> Begin() override {
    CLOUD_TRY_VOID(CheckNotInOwnTransaction());
    std::unique_lock lock(mu_);
    CLOUD_TRY_VOID(conn_->Run("BEGIN IMMEDIATE", {}, nullptr));
    tx_owner_.store(std::this_thread::get_id());
    return std::unique_ptr<SqlTransaction>(
        std::make_unique<SqliteTransaction>(*this, std::move(lock)));
  }
  std::string redacted_url() const override { return "sqlite://" + path_; }

  // The number moves whenever a check sees a change since the previous check of its kind:
  //  * the WAL-index header, read lock-free from shared memory (the usual way: no lock, no
  //    system call), compared with the header the previous such check saw;
  //  * when the header is being rewritten (or not mapped), `PRAGMA data_version` on a read
  //    connection: it moves with every commit by any other connection (the write connection
  //    included), and a read connection's first check counts as a change.
  // Either way the first check after a commit moves the number, which is all the promise
  // needs. The write connection cannot tell: its own commits leave its data_version.
  // The header check alone: nullopt before the header is mapped or while it is rewritten.
  std::optional<uint64_t> CommitVersionFromMemory() override {
    const volatile uint32_t* wal_index = wal_index_.load(std::memory_order_acquire);
    if (wal_index == nullptr) return std::nullopt;
    WalIndexHeader header;
    if (!ReadWalIndexHeader(wal_index, header)) return std::nullopt;
    std::lock_guard lock(header_mu_);
    if (!last_header_ || !(*last_header_ == header)) {
      last_header_ = header;
      return commit_version_.fetch_add(1) + 1;
    }
    return commit_version_.load();
  }

  Result<std::optional<uint64_t>> CommitVersion() override {
    if (std::optional<uint64_t> version = CommitVersionFromMemory()) return version;
    std::unique_ptr<SqliteConnection> reader = AcquireReader();
    if (reader == nullptr) return std::optional<uint64_t>();
    Result<bool> changed = reader->CommittedElsewhereSinceLastCall();
    std::optional<uint64_t> version;
    if (changed) version = *changed ? commit_version_.fetch_add(1) + 1 : commit_version_.load();
    if (changed && read_wal_index_ && wal_index_.load() == nullptr) StartReadingWalIndex(*reader);
    ReleaseReader(std::move(reader));
    if (!changed) return std::move(changed).error();
    return version;
  }

 private:
  friend class SqliteTransaction;

  // The connection is held by an open transaction; a call on the database from the thread
  // that owns it would wait forever.
  Result<void> CheckNotInOwnTransaction() const {
    if (tx_owner_.load() == std::this_thread::get_id()) {
      return Internal("SQLite database used directly inside its own open transaction");
    }
    return Ok();
  }

  // Finds the wal-index through `reader`, whose check has just run (and mapped it), so that
  // later checks read its header. The header is taken as the one the check saw when a second
  // check shows nothing was committed meanwhile; otherwise the first header check will count
  // as a change.
  void StartReadingWalIndex(SqliteConnection& reader) {
    const volatile uint32_t* index = reader.MappedWalIndex();
    if (index == nullptr) return;
    WalIndexHeader header;
    if (ReadWalIndexHeader(index, header)) {
      Result<bool> since = reader.CommittedElsewhereSinceLastCall();
      if (since && !*since) {
        std::lock_guard lock(header_mu_);
        if (!last_header_) last_header_ = header;
      } else {
        commit_version_.fetch_add(1);  // what this check saw counts, as any check's does
      }
    }
    wal_index_.store(index, std::memory_order_release);
  }

  // An idle read connection (opened on demand), or null: none for :memory: databases, and
  // none when kMaxSqliteReaders are busy or one cannot be opened (the write connection
  // serves the read then).
  std::unique_ptr<SqliteConnection> AcquireReader() {
    if (!use_readers_) return nullptr;
    {
      std::lock_guard lock(readers_mu_);
      if (!idle_readers_.empty()) {
        std::unique_ptr<SqliteConnection> reader = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        return reader;
      }
      if (open_readers_ >= kMaxSqliteReaders) return nullptr;
      ++open_readers_;
    }
    Result<sqlite3*> db = OpenSqliteHandle(path_, /*create=*/false, busy_timeout_ms_);
    if (!db) {
      std::lock_guard lock(readers_mu_);
      --open_readers_;
      return nullptr;
    }
    return std::make_unique<SqliteConnection>(*db, path_);
  }

  void ReleaseReader(std::unique_ptr<SqliteConnection> reader) {
    std::lock_guard lock(readers_mu_);
    idle_readers_.push_back(std::move(reader));
  }

  std::unique_ptr<SqliteConnection> conn_;
  std::string path_;
  const bool use_readers_;
  const int busy_timeout_ms_;
  const bool read_wal_index_;
  std::mutex mu_;
  std::atomic<std::thread::id> tx_owner_{};
  std::atomic<uint64_t> commit_version_{0};
  // The mapped wal-index, once a read connection has found it; SQLite keeps it mapped while
  // any of this database's connections is open, i.e. as long as this object. And the header
  // the last check saw.
  std::atomic<const volatile uint32_t*> wal_index_{nullptr};
  std::mutex header_mu_;
  std::optional<WalIndexHeader> last_header_;
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
  size_t open_readers_ = 0;
};

Result<int64_t> SqliteTransaction::Exec(std::string_view sql, const SqlParams& params) {
  if (!lock_.owns_lock()) return FailedPrecondition("transaction already finished");
  return db_.conn_->Run(sql, params, nullptr);
}

Result<Rows> SqliteTransaction::Query(std::string_view sql, const SqlParams& params) {
  if (!lock_.owns_lock()) return FailedPrecondition("transaction already finished");
  Rows rows;
  CLOUD_TRY_VOID(db_.conn_->Run(sql, params, &rows));
  return rows;
}

Result<void> SqliteTransaction::End(std::string_view sql) {
  if (!lock_.owns_lock()) return Ok();
  auto result = db_.conn_->Run(sql, {}, nullptr);
  if (!result && sql == "COMMIT") {
    (void)db_.conn_->Run("ROLLBACK", {}, nullptr);
  }
  db_.tx_owner_.store(std::thread::id());
  lock_.unlock();
  if (!result) return std::move(result).error();
  return Ok();
}

Result<void> SqliteTransaction::Commit() { return End("COMMIT"); }
Result<void> SqliteTransaction::Rollback() { return End("ROLLBACK"); }

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenSqlite(const std::string& path, const Logger& log,
                                                const DatabaseOptions& options) {
  CLOUD_TRY(sqlite3 * db, OpenSqliteHandle(path, /*create=*/true, options.sqlite_busy_timeout_ms));
  auto conn = std::make_unique<SqliteConnection>(db, path);
  bool wal_mode = false;
  if (path != ":memory:") {
    Rows mode;
    auto wal = conn->Run("PRAGMA journal_mode = WAL", {}, &mode);
    if (!wal) {
      return Unavailable("cannot open SQLite database " + path + ": " + wal.error().message);
    }
    wal_mode = !mode.empty() && mode.front().GetString(0) == "wal";
  }
  CLOUD_TRY_VOID(conn->Run("PRAGMA synchronous = NORMAL", {}, nullptr));
  log.With("database", path).Debug("opened SQLite database");
  // Read connections only in WAL mode (readers and the writer do not block each other there);
  // a :memory: database is private to its one connection.
  return std::unique_ptr<SqlDatabase>(std::make_unique<SqliteDatabase>(
      std::move(conn), path, wal_mode, options.sqlite_busy_timeout_ms,
      options.sqlite_read_wal_index));
}

}  // namespace cloud::store::internal
