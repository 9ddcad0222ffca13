// SqlDatabase on both engines: value round trips, transactions, error mapping, and PostgreSQL
// connection errors (bad URL, unreachable server, failed authentication).
#include "store/sql/sql_connection.h"

#include <gtest/gtest.h>

#include <string>

#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using testlib::DatabaseTest;

class SqlConnectionTest : public DatabaseTest {
 protected:
  bool MigrateOnSetUp() const override { return false; }
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const std::string blob_type = engine() == testlib::Engine::kPostgres ? "bytea" : "BLOB";
    ASSERT_TRUE(
        db().Exec("CREATE TABLE Thing (ID TEXT NOT NULL PRIMARY KEY, Num BIGINT, Flag "
                  "BOOLEAN, Note TEXT, Data " +
                  blob_type + ")"));
  }
};

TEST_P(SqlConnectionTest, RoundTripsEveryValueKind) {
  const std::string binary("\x00\x01\xff{\"a\":1}\n", 11);
  ASSERT_TRUE(
      db().Exec("INSERT INTO Thing (ID, Num, Flag, Note, Data) VALUES ($1, $2, $3, $4, $5)",
                {"a", int64_t{-9'000'000'000'000}, true, "it's \"quoted\" $1", Blob{binary}}));
  ASSERT_TRUE(db().Exec("INSERT INTO Thing (ID, Num, Flag, Note, Data) VALUES ($1, $2, $3, $4, $5)",
                        {"b", SqlValue(), false, std::optional<std::string>(), SqlValue()}));
  auto rows = db().Query("SELECT ID, Num, Flag, Note, Data FROM Thing ORDER BY ID");
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  Row a = (*rows)[0];
  EXPECT_EQ(a.GetString("id"), "a");
  EXPECT_EQ(a.GetInt64("NUM"), -9'000'000'000'000);
  EXPECT_TRUE(a.GetBool("flag"));
  EXPECT_EQ(a.GetOptionalString("note"), "it's \"quoted\" $1");
  EXPECT_EQ(a.GetBlob("data"), binary);
  EXPECT_EQ(a.GetOptionalBlob(4), binary);
  Row b = (*rows)[1];
  EXPECT_TRUE(b.IsNull("num"));
  EXPECT_EQ(b.GetOptionalInt64("num"), std::nullopt);
  EXPECT_EQ(b.GetInt64("num"), 0);
  EXPECT_FALSE(b.GetBool("flag"));
  EXPECT_EQ(b.GetOptionalBool("flag"), false);
  EXPECT_EQ(b.GetOptionalString("note"), std::nullopt);
  EXPECT_EQ(b.GetOptionalBlob("data"), std::nullopt);

  int seen = 0;
  for (Row row : *rows) seen += row.GetString(0).empty() ? 0 : 1;
  EXPECT_EQ(seen, 2);
}

TEST_P(SqlConnectionTest, ExecReportsRowsAffected) {
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(db().Exec("INSERT INTO Thing (ID, Num) VALUES ($1, 1)", {id}));
  }
  auto changed =
      db().Exec("UPDATE Thing SET Num = $1 WHERE ID IN ($2, $3)", {int64_t{5}, "a", "c"});
  ASSERT_TRUE(changed) << changed.error().ToString();
  EXPECT_EQ(*changed, 2);
  auto returning =
      db().Query("UPDATE Thing SET Num = Num + 1 WHERE Num = $1 RETURNING ID, Num", {int64_t{5}});
  ASSERT_TRUE(returning) << returning.error().ToString();
  EXPECT_EQ(returning->size(), 2u);
  EXPECT_EQ(returning->front().GetInt64("num"), 6);
}

TEST_P(SqlConnectionTest, TransactionsRollBackUnlessCommitted) {
  {
    auto tx = db().Begin();
    ASSERT_TRUE(tx) << tx.error().ToString();
    ASSERT_TRUE((*tx)->Exec("INSERT INTO Thing (ID) VALUES ('dropped')"));
  }  // destroyed without Commit
  {
    auto tx = db().Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->Exec("INSERT INTO Thing (ID) VALUES ('kept')"));
    ASSERT_TRUE((*tx)->Commit());
    auto again = (*tx)->Exec("INSERT INTO Thing (ID) VALUES ('late')");
    EXPECT_FALSE(again);
  }
  {
    auto tx = db().Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->Exec("INSERT INTO Thing (ID) VALUES ('rolled')"));
    ASSERT_TRUE((*tx)->Rollback());
  }
  auto rows = db().Query("SELECT ID FROM Thing");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().GetString(0), "kept");
}

TEST_P(SqlConnectionTest, UniqueViolationIsAlreadyExistsAndAbortsTheTransaction) {
  ASSERT_TRUE(db().Exec("INSERT INTO Thing (ID) VALUES ('x')"));
  auto dup = db().Exec("INSERT INTO Thing (ID) VALUES ('x')");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists) << dup.error().ToString();

  auto result = RunInTransaction(db(), [](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY_VOID(tx.Exec("INSERT INTO Thing (ID) VALUES ('y')"));
    CLOUD_TRY_VOID(tx.Exec("INSERT INTO Thing (ID) VALUES ('x')"));
    return Ok();
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kAlreadyExists);
  auto rows = db().Query("SELECT ID FROM Thing");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 1u);  // 'y' rolled back
}

TEST_P(SqlConnectionTest, SyntaxErrorsAreInternalWithTheEngineMessage) {
  auto bad = db().Query("SELEC 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
  EXPECT_NE(bad.error().message.find("syntax"), std::string::npos) << bad.error().message;
}

TEST_P(SqlConnectionTest, SecondConnectionSeesCommittedData) {
  auto other = test_db().OpenAnother();
  ASSERT_TRUE(other) << other.error().ToString();
  ASSERT_TRUE(db().Exec("INSERT INTO Thing (ID, Num) VALUES ('shared', 3)"));
  auto rows = (*other)->Query("SELECT Num FROM Thing WHERE ID = $1", {"shared"});
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().GetInt64(0), 3);
}

// Columns are found by name whatever the case, the first of two equal names wins, a name
// longer than the lookup's 64-byte buffer is found too (SQLite), and results of the same statement
// (which share one column index) each answer from their own cells.
TEST_P(SqlConnectionTest, ColumnLookupByNameIsCaseInsensitive) {
  ASSERT_TRUE(
      db().Exec("INSERT INTO Thing (ID, Num, Note) VALUES ($1, $2, $3)", {"a", int64_t{1}, "x"}));
  ASSERT_TRUE(
      db().Exec("INSERT INTO Thing (ID, Num, Note) VALUES ($1, $2, $3)", {"b", int64_t{2}, "y"}));
  // PostgreSQL cuts identifiers at 63 bytes; SQLite keeps them whole.
  const size_t long_size = engine() == testlib::Engine::kPostgres ? 63 : 80;
  const std::string long_name(long_size, 'q');
  const std::string sql = "SELECT ID, Num AS Amount, Note AS amount, Note AS " + long_name +
                          " FROM Thing WHERE ID = $1";
  for (std::string_view id : {"a", "b"}) {
    auto rows = db().Query(sql, {std::string(id)});
    ASSERT_TRUE(rows) << rows.error().ToString();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->FindColumn("id"), 0u);
    EXPECT_EQ(rows->FindColumn("AMOUNT"), 1u);  // the first of the two
    EXPECT_EQ(rows->FindColumn(std::string(long_size, 'Q')), 3u);
    EXPECT_EQ(rows->FindColumn("Missing"), std::nullopt);
    EXPECT_EQ(rows->front().GetString("Id"), id);
    EXPECT_EQ(rows->front().GetInt64("amount"), id == "a" ? 1 : 2);
    EXPECT_EQ(rows->front().GetString(long_name), id == "a" ? "x" : "y");
  }
}

CLOUD_INSTANTIATE_ENGINE_TESTS(SqlConnectionTest);

// PostgreSQL connection failures: one clear kUnavailable line, never the password.
std::string WithAuthority(const std::string& dsn, const std::string& authority) {
  const size_t start = dsn.find("://") + 3;
  const size_t end = dsn.find('/', start);
  return dsn.substr(0, start) + authority + dsn.substr(end);
}

std::string HostPort(const std::string& dsn) {
  const size_t start = dsn.find("://") + 3;
  const size_t end = dsn.find('/', start);
  std::string authority = dsn.substr(start, end - start);
  const size_t at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

TEST(PostgresOpen, UnreachableServerGivesOneClearLine) {
  auto db = OpenDatabase("postgres://user:s3cretpw@127.0.0.1:1/db?connect_timeout=2", Logger());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(db.error().message.find('\n'), std::string::npos) << db.error().message;
  EXPECT_EQ(db.error().message.find("s3cretpw"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("cannot connect to PostgreSQL"), std::string::npos);
  EXPECT_NE(db.error().message.find("127.0.0.1"), std::string::npos);
}

TEST(PostgresOpen, FailedAuthenticationGivesOneClearLine) {
  CLOUD_REQUIRE_POSTGRES();
  // The test server trusts every password, so authentication is made to fail with an unknown
  // role; a wrong password against a password-checking server takes the same path.
  const std::string dsn = WithAuthority(
      testlib::PostgresTestDsn(), "nosuchrole:s3cretpw@" + HostPort(testlib::PostgresTestDsn()));
  auto db = OpenDatabase(dsn, Logger());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(db.error().message.find('\n'), std::string::npos) << db.error().message;
  EXPECT_EQ(db.error().message.find("s3cretpw"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("nosuchrole"), std::string::npos) << db.error().message;
}

TEST(PostgresOpen, PgTempRunsInATemporarySchema) {
  CLOUD_REQUIRE_POSTGRES();
  const std::string dsn = testlib::PostgresTestDsn();
  auto db = OpenDatabase(dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "pg_temp=true",
                         Logger());
  ASSERT_TRUE(db) << db.error().ToString();
  auto path = (*db)->Query("SHOW search_path");
  ASSERT_TRUE(path) << path.error().ToString();
  EXPECT_EQ(path->front().GetString(0), "pg_temp");
}

}  // namespace
}  // namespace cloud::store
