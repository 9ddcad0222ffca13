// PostgreSQL adapter: a thread-safe pool of libpq connections behind SqlDatabase. DML statements
// (SELECT, INSERT, UPDATE, DELETE, WITH) are prepared once per connection and run with
// PQexecPrepared; everything else (BEGIN/COMMIT, DDL, scripts) with PQexecParams. Text results;
// blobs are sent in binary as bytea. libpq types never leave this file.
#include <libpq-fe.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/sql/sql_adapters.h"
#include "store/sql/sql_connection.h"

namespace cloud::store::internal {
namespace {

constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;

constexpr auto kPoolWaitTimeout = std::chrono::seconds(30);

// libpq messages span lines ("...failed: ...\n\tIs the server running..."); we want one line.
std::string OneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

Error ConnectionError(PGconn* conn, const std::string& redacted_url) {
  return Unavailable("cannot connect to PostgreSQL at " + redacted_url + ": " +
                     OneLine(PQerrorMessage(conn)));
}

Result<PGconn*> Connect(const std::string& conninfo, bool pg_temp,
                        const std::string& redacted_url) {
  // connect_timeout first: a value given in the URI overrides it.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    Error error = ConnectionError(conn, redacted_url);
    PQfinish(conn);
    return error;
  }
  // Server notices ("drop cascades to ...") would go to stderr; they are not errors.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (pg_temp) {
    PgResultPtr res(PQexec(conn, "SET search_path TO pg_temp"));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
      Error error = Unavailable("cannot set search_path to pg_temp: " +
                                OneLine(PQresultErrorMessage(res.get())));
      PQfinish(conn);
      return error;
    }
  }
  return conn;
}

// The statements prepared on each open connection: key (parameter types + SQL text) -> name.
// A connection is used by one thread at a time (the pool), so only the outer map is locked.
// Cleared when the connection is closed (ForgetPreparedStatements).
struct PreparedStatements {
  std::unordered_map<std::string, std::string> names;
  int64_t next = 0;
};
constexpr size_t kMaxPreparedPerConnection = 1000;
std::mutex g_prepared_mu;
std::unordered_map<PGconn*, PreparedStatements> g_prepared;

PreparedStatements& PreparedFor(PGconn* conn) {
  std::lock_guard lock(g_prepared_mu);
  return g_prepared[conn];
}
void ForgetPreparedStatements(PGconn* conn) {
  std::lock_guard lock(g_prepared_mu);
  g_prepared.erase(conn);
}

// True for a single DML statement worth preparing.
bool Preparable(std::string_view sql) {
  if (sql.find(';') != std::string_view::npos) return false;
  size_t start = sql.find_first_not_of(" \t\r\n(");
  if (start == std::string_view::npos) return false;
  std::string word;
  for (size_t i = start;
       i < sql.size() && word.size() < 7 && std::isalpha(static_cast<unsigned char>(sql[i])); ++i) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
  }
  return word == "SELECT" || word == "INSERT" || word == "UPDATE" || word == "DELETE" ||
         word == "WITH";
}

// Runs one statement; on success returns the result (COMMAND_OK or TUPLES_OK).
Result<PgResultPtr> Run(PGconn* conn, std::string_view sql, const SqlParams& params) {
  const int n = static_cast<int>(params.size());
  std::vector<std::string> storage(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  std::vector<Oid> types(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const SqlValue& p = params[i];
    switch (p.kind()) {
      case SqlValue::Kind::kNull:
        values[i] = nullptr;
        break;
      case SqlValue::Kind::kInt64:
        storage[i] = std::to_string(p.int64());
        values[i] = storage[i].c_str();
        break;
      case SqlValue::Kind::kBool:
        values[i] = p.boolean() ? "true" : "false";
        break;
      case SqlValue::Kind::kText:
        values[i] = p.text().c_str();
        lengths[i] = static_cast<int>(p.text().size());
        break;
      case SqlValue::Kind::kBlob:
        values[i] = p.blob().bytes.data();
        lengths[i] = static_cast<int>(p.blob().bytes.size());
        formats[i] = 1;
        types[i] = kByteaOid;
        break;
    }
  }
  PgResultPtr res;
  if (Preparable(sql)) {
    PreparedStatements& prepared = PreparedFor(conn);
    // The key is built in a per-thread buffer: a prepared statement found costs no allocation
    // and no copy of the SQL text beyond this one.
    thread_local std::string key;
    key.clear();
    for (Oid type : types) key += type == kByteaOid ? 'b' : '-';
    key += '|';
    key += sql;
    auto it = prepared.names.find(key);
    if (it == prepared.names.end()) {
      const std::string text(sql);
      if (prepared.names.size() >= kMaxPreparedPerConnection) {
        PgResultPtr dropped(PQexec(conn, "DEALLOCATE ALL"));
        prepared.names.clear();
      }
      std::string name = "cloud_s" + std::to_string(prepared.next++);
      PgResultPtr prep(PQprepare(conn, name.c_str(), text.c_str(), n, types.data()));
      if (PQresultStatus(prep.get()) == PGRES_COMMAND_OK) {
        it = prepared.names.emplace(key, std::move(name)).first;
      } else {
        res = std::move(prep);  // reported below like a failed execution
      }
    }
    if (it != prepared.names.end()) {
      res.reset(PQexecPrepared(conn, it->second.c_str(), n, values.data(), lengths.data(),
                               formats.data(), /*resultFormat=*/0));
      const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
      // The statement is gone, or a table it reads changed shape: prepare it again next time;
      // outside a transaction run it unprepared now.
      if (state != nullptr &&
          (std::strcmp(state, "26000") == 0 || std::strcmp(state, "0A000") == 0)) {
        prepared.names.erase(it);
        if (PQtransactionStatus(conn) == PQTRANS_IDLE) res.reset();
      }
    }
  }
  if (!res) {
    const std::string text(sql);
    res.reset(PQexecParams(conn, text.c_str(), n, types.data(), values.data(), lengths.data(),
                           formats.data(), /*resultFormat=*/0));
  }
  const ExecStatusType status = PQresultStatus(res.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return res;
  const char* sqlstate = res ? PQresultErrorField(res.get(), PG_DIAG_SQLSTATE) : nullptr;
  if (sqlstate == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return Unavailable("PostgreSQL connection lost: " + OneLine(PQerrorMessage(conn)));
  }
  const char* primary = PQresultErrorField(res.get(), PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(res.get(), PG_DIAG_MESSAGE_DETAIL);
  std::string message = std::string("postgres: ") + (primary ? primary : "error");
  if (detail != nullptr) message += " (" + OneLine(detail) + ")";
  message += " [SQLSTATE " + std::string(sqlstate) + "]";
  return MapSqlError(sqlstate, -1, std::move(message));
}

int64_t AffectedRows(PGresult* res) {
  const char* tuples = PQcmdTuples(res);
  if (tuples == nullptr || *tuples == '\0') return PQntuples(res);
  return std::strtoll(tuples, nullptr, 10);
}

// The column names of `res`, shared with earlier results of the same shape: each thread keeps
// the last few column sets it built (a statement's results repeat their names; comparing them
// costs less than building the index of a new set).
std::shared_ptr<const RowColumns> ColumnsOf(PGresult* res) {
  constexpr size_t kRecent = 16;
  thread_local std::vector<std::shared_ptr<const RowColumns>> recent;
  thread_local size_t next = 0;
  const int ncols = PQnfields(res);
  for (const auto& set : recent) {
    const std::vector<std::string>& names = set->names();
    if (names.size() != static_cast<size_t>(ncols)) continue;
    bool same = true;
    for (int c = 0; c < ncols && same; ++c) same = names[c] == PQfname(res, c);
    if (same) return set;
  }
  std::vector<std::string> names(ncols);
  for (int c = 0; c < ncols; ++c) names[c] = PQfname(res, c);
  auto set = std::make_shared<const RowColumns>(std::move(names));
  if (recent.size() < kRecent) {
    recent.push_back(set);
  } else {
    recent[next] = set;
    next = (next + 1) % kRecent;
  }
  return set;
}

Rows ToRows(PGresult* res) {
  const int ncols = PQnfields(res);
  const int nrows = PQntuples(res);
  std::vector<Oid> types(ncols);
  for (int c = 0; c < ncols; ++c) types[c] = PQftype(res, c);
  std::shared_ptr<const RowColumns> columns = ColumnsOf(res);
  std::vector<std::vector<SqlValue>> cells(nrows);
  for (int r = 0; r < nrows; ++r) {
    auto& row = cells[r];
    row.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(res, r, c)) {
        row.emplace_back();
        continue;
      }
      const char* v = PQgetvalue(res, r, c);
      const int len = PQgetlength(res, r, c);
      switch (types[c]) {
        case kBoolOid:
          row.emplace_back(v[0] == 't');
          break;
        case kInt8Oid:
        case kInt4Oid:
        case kInt2Oid:
        case kOidOid:
          row.emplace_back(static_cast<int64_t>(std::strtoll(v, nullptr, 10)));
          break;
        case kByteaOid: {
          size_t out_len = 0;
          unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &out_len);
          Blob blob;
          if (raw != nullptr) {
            blob.bytes.assign(reinterpret_cast<const char*>(raw), out_len);
            PQfreemem(raw);
          }
          row.emplace_back(std::move(blob));
          break;
        }
        default:
          row.emplace_back(std::string(v, static_cast<size_t>(len)));
      }
    }
  }
  return Rows(std::move(columns), std::move(cells));
}

class PgPool {
 public:
  PgPool(std::string conninfo, bool pg_temp, std::string redacted_url, int size)
      : conninfo_(std::move(conninfo)),
        pg_temp_(pg_temp),
        redacted_url_(std::move(redacted_url)),
        max_(pg_temp ? 1 : std::max(size, 1)) {}

  ~PgPool() {
    for (PGconn* c : idle_) {
      ForgetPreparedStatements(c);
      PQfinish(c);
    }
  }

  // Hands out an idle connection, opens a new one if below the limit, or waits.
  Result<PGconn*> Acquire() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (!idle_.empty()) {
        PGconn* c = idle_.back();
        idle_.pop_back();
        return c;
      }
      if (open_ < max_) {
        ++open_;
        lock.unlock();
        auto conn = Connect(conninfo_, pg_temp_, redacted_url_);
        if (!conn) {
          lock.lock();
          --open_;
          cv_.notify_one();
        }
        return conn;
      }
      if (!cv_.wait_for(lock, kPoolWaitTimeout, [&] { return !idle_.empty() || open_ < max_; })) {
        return Unavailable("timed out waiting for a PostgreSQL connection from the pool");
      }
    }
  }

  // Returns a connection; a broken one is closed (and reopened lazily later).
  void Release(PGconn* conn) {
    std::lock_guard lock(mu_);
    if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE) {
      ForgetPreparedStatements(conn);
      PQfinish(conn);
      --open_;
    } else {
      idle_.push_back(conn);
    }
    cv_.notify_one();
  }

  // Adds an already-open connection (the one OpenPostgres checks the server with).
  void Seed(PGconn* conn) {
    std::lock_guard lock(mu_);
    ++open_;
    idle_.push_back(conn);
  }

 private:
  const std::string conninfo_;
  const bool pg_temp_;
  const std::string redacted_url_;
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;
  int open_ = 0;
};

class PgTransaction final : public SqlTransaction {
 public:
  PgTransaction(PgPool& pool, PGconn* conn) : pool_(pool), conn_(conn) {}
  ~PgTransaction() override {
    if (conn_ != nullptr) (void)Rollback();
  }

  Result<int64_t> Exec(std::string_view sql, const SqlParams& params) override {
    CLOUD_TRY(PGconn * conn, Conn());
    auto res = Run(conn, sql, params);
    if (!res) {
      failed_ = true;
      return std::move(res).error();
    }
    return AffectedRows(res->get());
  }
  Result<Rows> Query(std::string_view sql, const SqlParams& params) override {
    CLOUD_TRY(PGconn * conn, Conn());
    auto res = Run(conn, sql, params);
    if (!res) {
      failed_ = true;
      return std::move(res).error();
    }
    return ToRows(res->get());
  }
  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<void> Commit() override {
    CLOUD_TRY(PGconn * conn, Conn());
    if (failed_) {
      (void)Rollback();
      return Internal("cannot commit: a statement in the transaction failed");
    }
    auto res = Run(conn, "COMMIT", {});
    if (!res) {
      Finish();
      return std::move(res).error();
    }
    // COMMIT of an aborted transaction reports ROLLBACK instead of failing.
    const bool rolled_back = std::strcmp(PQcmdStatus(res->get()), "ROLLBACK") == 0;
    Finish();
    if (rolled_back) return Internal("transaction was rolled back by the server");
    return Ok();
  }
  Result<void> Rollback() override {
    if (conn_ == nullptr) return Ok();
    auto res = Run(conn_, "ROLLBACK", {});
    Finish();
    if (!res) return std::move(res).error();
    return Ok();
  }

 private:
  Result<PGconn*> Conn() {
    if (conn_ == nullptr) return FailedPrecondition("transaction already finished");
    return conn_;
  }
  void Finish() {
    pool_.Release(conn_);
    conn_ = nullptr;
  }

  PgPool& pool_;
  PGconn* conn_;
  bool failed_ = false;
};

class PgDatabase final : public SqlDatabase {
 public:
  PgDatabase(std::unique_ptr<PgPool> pool, std::string redacted_url)
      : pool_(std::move(pool)), redacted_url_(std::move(redacted_url)) {}

  Result<int64_t> Exec(std::string_view sql, const SqlParams& params) override {
    CLOUD_TRY(PGconn * conn, pool_->Acquire());
    auto res = Run(conn, sql, params);
    pool_->Release(conn);
    if (!res) return std::move(res).error();
    return AffectedRows(res->get());
  }
  Result<Rows> Query(std::string_view sql, const SqlParams& params) override {
    CLOUD_TRY(PGconn * conn, pool_->Acquire());
    auto res = Run(conn, sql, params);
    pool_->Release(conn);
    if (!res) return std::move(res).error();
    return ToRows(res->get());
  }
  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<std::unique_ptr<SqlTransaction>> Begin() override {
    CLOUD_TRY(PGconn * conn, pool_->Acquire());
    auto res = Run(conn, "BEGIN", {});
    if (!res) {
      pool_->Release(conn);
      return std::move(res).error();
    }
    return std::unique_ptr<SqlTransaction>(std::make_unique<PgTransaction>(*pool_, conn));
  }
  std::string redacted_url() const override { return redacted_url_; }

 private:
  std::unique_ptr<PgPool> pool_;
  std::string redacted_url_;
};

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenPostgres(const std::string& conninfo, bool pg_temp,
                                                  const std::string& redacted_url,
                                                  const Logger& log,
                                                  const DatabaseOptions& options) {
  // Connect once now so that a wrong URL fails at startup with one clear line.
  CLOUD_TRY(PGconn * first, Connect(conninfo, pg_temp, redacted_url));
  auto pool = std::make_unique<PgPool>(conninfo, pg_temp, redacted_url, options.pool_size);
  pool->Seed(first);
  log.With("database", redacted_url).Debug("opened PostgreSQL database");
  return std::unique_ptr<SqlDatabase>(std::make_unique<PgDatabase>(std::move(pool), redacted_url));
}

}  // namespace cloud::store::internal
