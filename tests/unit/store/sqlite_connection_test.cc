// SQLite-only behaviour of the adapter: files and :memory:, WAL, statement caching across
// schema changes, scripts, and the guard against using the database inside its own transaction.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/id.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {
namespace {

std::string TempPath() {
  return (std::filesystem::temp_directory_path() / ("cloud-unit-" + NewId() + ".db")).string();
}

struct TempFile {
  std::string path = TempPath();
  ~TempFile() {
    std::error_code ec;
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s, ec);
  }
};

TEST(SqliteConnection, OpensFileInWalModeAndMemory) {
  TempFile file;
  auto db = OpenDatabase("sqlite://" + file.path, Logger());
  ASSERT_TRUE(db) << db.error().ToString();
  EXPECT_EQ((*db)->dialect(), Dialect::kSqlite);
  auto mode = (*db)->Query("PRAGMA journal_mode");
  ASSERT_TRUE(mode) << mode.error().ToString();
  EXPECT_EQ(mode->front().GetString(0), "wal");
  EXPECT_TRUE(std::filesystem::exists(file.path));

  auto memory = OpenDatabase("sqlite://:memory:", Logger());
  ASSERT_TRUE(memory) << memory.error().ToString();
  ASSERT_TRUE((*memory)->Exec("CREATE TABLE t (x BIGINT)"));
  ASSERT_TRUE((*memory)->Exec("INSERT INTO t VALUES ($1)", {int64_t{7}}));
  auto rows = (*memory)->Query("SELECT x FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->front().GetInt64("X"), 7);
}

TEST(SqliteConnection, UnopenablePathIsUnavailable) {
  auto db = OpenDatabase("sqlite:///nonexistent-dir-" + NewId() + "/x.db", Logger());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(db.error().message.find("cannot open SQLite database"), std::string::npos);
}

TEST(SqliteConnection, CachedStatementsSurviveSchemaChanges) {
  auto db = OpenDatabase("sqlite://:memory:", Logger());
  ASSERT_TRUE(db);
  SqlDatabase& d = **db;
  ASSERT_TRUE(d.Exec("CREATE TABLE t (a TEXT)"));
  ASSERT_TRUE(d.Exec("INSERT INTO t (a) VALUES ($1)", {"x"}));
  auto before = d.Query("SELECT * FROM t");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->columns().size(), 1u);
  ASSERT_TRUE(d.Exec("ALTER TABLE t ADD COLUMN b BIGINT NOT NULL DEFAULT 5"));
  auto after = d.Query("SELECT * FROM t");
  ASSERT_TRUE(after) << after.error().ToString();
  ASSERT_EQ(after->columns().size(), 2u);
  EXPECT_EQ(after->front().GetInt64("b"), 5);
}

TEST(SqliteConnection, RunsScriptsWithoutParameters) {
  auto db = OpenDatabase("sqlite://:memory:", Logger());
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->Exec("CREATE TABLE a (x TEXT); CREATE TABLE b (y TEXT);"));
  auto tables = (*db)->Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  ASSERT_TRUE(tables);
  ASSERT_EQ(tables->size(), 2u);
  auto with_params = (*db)->Exec("INSERT INTO a VALUES ($1); INSERT INTO b VALUES ($1);", {"v"});
  ASSERT_FALSE(with_params);
  EXPECT_EQ(with_params.error().code, ErrorCode::kInvalidArgument);
}

TEST(SqliteConnection, UsingTheDatabaseInsideItsOwnTransactionIsAnErrorNotADeadlock) {
  auto db = OpenDatabase("sqlite://:memory:", Logger());
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x TEXT)"));
  auto tx = (*db)->Begin();
  ASSERT_TRUE(tx);
  auto direct = (*db)->Query("SELECT * FROM t");
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, ErrorCode::kInternal);
  ASSERT_TRUE((*tx)->Exec("INSERT INTO t VALUES ('a')"));
  ASSERT_TRUE((*tx)->Commit());
  auto rows = (*db)->Query("SELECT * FROM t");
  ASSERT_TRUE(rows) << rows.error().ToString();
  EXPECT_EQ(rows->size(), 1u);
}

TEST(SqliteConnection, TooManyParametersIsInvalidArgument) {
  auto db = OpenDatabase("sqlite://:memory:", Logger());
  ASSERT_TRUE(db);
  auto r = (*db)->Query("SELECT $1", {int64_t{1}, int64_t{2}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cloud::store

namespace cloud::store {
namespace {

// Reads outside a transaction run on read connections (WAL): they are not queued behind an
// open write transaction, see the last commit, and see each new commit at once. A Query of a
// statement that writes still runs on the write connection.
TEST(SqliteConnection, ReadsDoNotWaitForAnOpenWriteTransaction) {
  TempFile file;
  auto db = OpenDatabase("sqlite://" + file.path, Logger());
  ASSERT_TRUE(db) << db.error().ToString();
  SqlDatabase& d = **db;
  ASSERT_TRUE(d.Exec("CREATE TABLE t (x BIGINT)"));
  ASSERT_TRUE(d.Exec("INSERT INTO t VALUES (1)"));

  auto tx = d.Begin();
  ASSERT_TRUE(tx) << tx.error().ToString();
  ASSERT_TRUE((*tx)->Exec("INSERT INTO t VALUES (2)"));
  // Another thread reads while the transaction holds the write connection: before read
  // connections this waited until the commit.
  Result<Rows> during = Internal("not run");
  std::thread reader([&] { during = d.Query("SELECT count(*) FROM t"); });
  reader.join();
  ASSERT_TRUE(during) << during.error().ToString();
  EXPECT_EQ(during->front().GetInt64(0), 1);  // the uncommitted row is not visible
  ASSERT_TRUE((*tx)->Commit());

  auto after = d.Query("SELECT count(*) FROM t");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->front().GetInt64(0), 2);
  auto inserted = d.Query("INSERT INTO t VALUES (3) RETURNING x");
  ASSERT_TRUE(inserted) << inserted.error().ToString();
  EXPECT_EQ(inserted->front().GetInt64(0), 3);
  auto last = d.Query("SELECT max(x) FROM t");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->front().GetInt64(0), 3);
  // Schema changes made on the write connection are seen by the readers' cached statements.
  auto narrow = d.Query("SELECT * FROM t");
  ASSERT_TRUE(narrow);
  EXPECT_EQ(narrow->columns().size(), 1u);
  ASSERT_TRUE(d.Exec("ALTER TABLE t ADD COLUMN y TEXT"));
  auto wide = d.Query("SELECT * FROM t");
  ASSERT_TRUE(wide) << wide.error().ToString();
  EXPECT_EQ(wide->columns().size(), 2u);
}

// CommitVersion, both ways of checking: the WAL-index header (the default) and
// PRAGMA data_version only.
class CommitVersionTest : public testing::TestWithParam<bool> {
 protected:
  DatabaseOptions Options() const {
    DatabaseOptions options;
    options.sqlite_read_wal_index = GetParam();
    return options;
  }
};

// CommitVersion moves with every commit, whoever makes it: the write connection (a statement
// or a transaction), another SqlDatabase on the file, another process (the sqlite3 shell). It
// stays put over reads and rolled-back work, so the API's response cache can reuse bodies.
TEST_P(CommitVersionTest, MovesWithEveryCommitFromAnywhere) {
  TempFile file;
  auto opened = OpenDatabase("sqlite://" + file.path, Logger(), Options());
  ASSERT_TRUE(opened) << opened.error().ToString();
  SqlDatabase& db = **opened;
  ASSERT_TRUE(db.Exec("CREATE TABLE t (x BIGINT)"));
  auto version = [&] {
    Result<std::optional<uint64_t>> v = db.CommitVersion();
    EXPECT_TRUE(v.has_value()) << (v ? "" : v.error().ToString());
    EXPECT_TRUE(v && v->has_value());
    return v && v->has_value() ? **v : 0;
  };
  // The first checks count as changes (a new read connection, then the first read of the
  // WAL-index header): nothing to compare with yet.
  version();
  version();
  uint64_t before = version();
  EXPECT_EQ(version(), before);
  ASSERT_TRUE(db.Query("SELECT count(*) FROM t"));
  EXPECT_EQ(version(), before) << "a read is no commit";

  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (1)"));
  uint64_t after_exec = version();
  EXPECT_NE(after_exec, before);
  EXPECT_EQ(version(), after_exec);

  {
    auto tx = db.Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->Exec("INSERT INTO t VALUES (2)"));
    EXPECT_EQ(version(), after_exec) << "not committed yet";
    ASSERT_TRUE((*tx)->Commit());
  }
  uint64_t after_tx = version();
  EXPECT_NE(after_tx, after_exec);

  auto other = OpenDatabase("sqlite://" + file.path, Logger());
  ASSERT_TRUE(other) << other.error().ToString();
  ASSERT_TRUE((*other)->Exec("INSERT INTO t VALUES (3)"));
  uint64_t after_other = version();
  EXPECT_NE(after_other, after_tx);

  const std::string shell =
      "sqlite3 '" + file.path + "' 'PRAGMA busy_timeout=5000; INSERT INTO t VALUES (4);'";
  ASSERT_EQ(std::system(shell.c_str()), 0)
      << "needs the sqlite3 shell (scripts/install-deps --test)";
  uint64_t after_process = version();
  EXPECT_NE(after_process, after_other);
  auto rows = db.Query("SELECT count(*) FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->front().GetInt64(0), 4);
}

// CommitVersionFromMemory (the API's I/O threads): nothing until a CommitVersion has mapped the
// WAL-index header, then the same numbers CommitVersion gives, moving with a commit by another
// connection or process. With the header check off it never answers.
TEST_P(CommitVersionTest, FromMemoryOnceTheHeaderIsMappedAndMovesWithCommits) {
  TempFile file;
  auto opened = OpenDatabase("sqlite://" + file.path, Logger(), Options());
  ASSERT_TRUE(opened) << opened.error().ToString();
  SqlDatabase& db = **opened;
  ASSERT_TRUE(db.Exec("CREATE TABLE t (x BIGINT)"));
  EXPECT_FALSE(db.CommitVersionFromMemory().has_value()) << "the header is not mapped yet";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(db.CommitVersion());
  if (!GetParam()) {
    EXPECT_FALSE(db.CommitVersionFromMemory().has_value());
    return;
  }
  std::optional<uint64_t> before = db.CommitVersionFromMemory();
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(db.CommitVersionFromMemory(), before);
  Result<std::optional<uint64_t>> full = db.CommitVersion();
  ASSERT_TRUE(full && full->has_value());
  EXPECT_EQ(**full, *before) << "both checks count on one number";

  auto other = OpenDatabase("sqlite://" + file.path, Logger());
  ASSERT_TRUE(other) << other.error().ToString();
  ASSERT_TRUE((*other)->Exec("INSERT INTO t VALUES (1)"));
  std::optional<uint64_t> after_other = db.CommitVersionFromMemory();
  ASSERT_TRUE(after_other.has_value());
  EXPECT_NE(*after_other, *before);
  EXPECT_EQ(db.CommitVersionFromMemory(), after_other);

  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (2)"));
  std::optional<uint64_t> after_own = db.CommitVersionFromMemory();
  ASSERT_TRUE(after_own.has_value());
  EXPECT_NE(*after_own, *after_other);
}

TEST(SqliteConnection, CommitVersionOfAMemoryDatabaseIsUnknown) {
  auto db = OpenDatabase("sqlite://:memory:", Logger());
  ASSERT_TRUE(db) << db.error().ToString();
  Result<std::optional<uint64_t>> v = (*db)->CommitVersion();
  ASSERT_TRUE(v) << v.error().ToString();
  EXPECT_FALSE(v->has_value());
  EXPECT_FALSE((*db)->CommitVersionFromMemory().has_value());
}

// The promise the response cache relies on, under concurrency: when two CommitVersion calls
// return the same number, what was read after the first still holds at the second. A writer
// commits rows one by one and publishes how many it has committed; readers take a version,
// count the rows, note how many commits had returned, and take the version again. Whenever the
// two versions are equal the count must include every commit that returned before the second
// call began.
TEST_P(CommitVersionTest, UnchangedMeansNothingWasCommittedMeanwhile) {
  TempFile file;
  auto opened = OpenDatabase("sqlite://" + file.path, Logger(), Options());
  ASSERT_TRUE(opened) << opened.error().ToString();
  SqlDatabase& db = **opened;
  ASSERT_TRUE(db.Exec("CREATE TABLE t (x BIGINT)"));
  std::atomic<int64_t> committed{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int64_t i = 1; i <= 400 && !stop.load(); ++i) {
      if (!db.Exec("INSERT INTO t VALUES ($1)", {i})) break;
      committed.store(i);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::atomic<int> violations{0}, unchanged{0}, checks{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (committed.load() < 400 && !stop.load()) {
        Result<std::optional<uint64_t>> first = db.CommitVersion();
        Result<Rows> rows = db.Query("SELECT count(*) FROM t");
        const int64_t returned = committed.load();
        Result<std::optional<uint64_t>> second = db.CommitVersion();
        if (!first || !second || !rows || !first->has_value() || !second->has_value()) continue;
        checks.fetch_add(1);
        if (**first != **second) continue;
        unchanged.fetch_add(1);
        if (rows->front().GetInt64(0) < returned) violations.fetch_add(1);
      }
    });
  }
  writer.join();
  stop.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(checks.load(), 100);
  EXPECT_GT(unchanged.load(), 0) << "the version never held still: nothing was checked";
}

INSTANTIATE_TEST_SUITE_P(Checks, CommitVersionTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& param) {
                           return param.param ? "WalIndexHeader" : "DataVersionOnly";
                         });

}  // namespace
}  // namespace cloud::store
