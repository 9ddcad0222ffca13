// Test databases for store tests: a fresh SQLite file, or a unique schema in the PostgreSQL
// database named by CLOUD_TEST_POSTGRES_DSN (dropped at teardown), and a fixture that runs one
// suite on both engines:
//
//   class LeaseTest : public testlib::DatabaseTest {};
//   TEST_P(LeaseTest, ...) { auto locks = store::MakeSqlLockStore(db(), clock_); ... }
//   CLOUD_INSTANTIATE_ENGINE_TESTS(LeaseTest);
//
// Without CLOUD_TEST_POSTGRES_DSN the PostgreSQL variants FAIL with a clear message (CI must
// never silently skip) unless CLOUD_ALLOW_SKIP_POSTGRES=1, which turns them into skips.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "common/clock.h"
#include "common/logging.h"
#include "common/result.h"
#include "store/sql/sql_connection.h"

namespace cloud::testlib {

enum class Engine { kSqlite, kPostgres };
std::string EngineName(Engine engine);  // "SQLite" / "PostgreSQL"
inline void PrintTo(Engine engine, std::ostream* os) { *os << EngineName(engine); }

inline constexpr const char* kPostgresDsnVariable = "CLOUD_TEST_POSTGRES_DSN";
inline constexpr const char* kAllowSkipPostgresVariable = "CLOUD_ALLOW_SKIP_POSTGRES";

// The DSN from CLOUD_TEST_POSTGRES_DSN, or "" when unset.
std::string PostgresTestDsn();
// True when CLOUD_ALLOW_SKIP_POSTGRES=1.
bool PostgresSkipAllowed();
// The message a PostgreSQL test fails (or skips) with when the DSN is unset.
std::string MissingPostgresMessage();

// A Logger whose records are kept for assertions.
struct TestLogger {
  std::shared_ptr<CapturingLogSink> sink = std::make_shared<CapturingLogSink>();
  Logger log{sink};
};

class TestDatabase {
 public:
  TestDatabase(Engine engine, std::string url, std::string cleanup_target,
               std::unique_ptr<store::SqlDatabase> db, std::unique_ptr<store::SqlDatabase> admin);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Engine engine() const { return engine_; }
  store::SqlDatabase& db() { return *db_; }
  // The URL of this database (for a second connection, or for the CLI/server under test).
  const std::string& url() const { return url_; }
  // A second, independent SqlDatabase on the same data (a "second process").
  Result<std::unique_ptr<store::SqlDatabase>> OpenAnother(
      const store::DatabaseOptions& options = {}) const;

 private:
  Engine engine_;
  std::string url_;
  std::string cleanup_target_;  // SQLite file or PostgreSQL schema
  std::unique_ptr<store::SqlDatabase> db_;
  std::unique_ptr<store::SqlDatabase> admin_;
};

// A fresh, empty database (not migrated). kUnavailable when PostgreSQL is asked for and
// CLOUD_TEST_POSTGRES_DSN is unset or the server cannot be reached.
Result<std::unique_ptr<TestDatabase>> MakeTestDatabase(Engine engine,
                                                       const store::DatabaseOptions& options = {});
// Same, migrated to the latest schema.
Result<std::unique_ptr<TestDatabase>> MakeMigratedTestDatabase(
    Engine engine, const store::DatabaseOptions& options = {});

// Fixture parameterised by engine. SetUp makes a database (migrated unless MigrateOnSetUp()
// returns false); PostgreSQL without a DSN fails or skips as described above.
class DatabaseTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override;
  void TearDown() override { test_db_.reset(); }
  virtual bool MigrateOnSetUp() const { return true; }

  Engine engine() const { return GetParam(); }
  store::SqlDatabase& db() { return test_db_->db(); }
  TestDatabase& test_db() { return *test_db_; }

  ManualClock clock_;
  TestLogger logger_;
  std::unique_ptr<TestDatabase> test_db_;
};

// For gtest's parameter names: "SQLite" / "PostgreSQL".
std::string EngineParamName(const ::testing::TestParamInfo<Engine>& info);

}  // namespace cloud::testlib

// Instantiates a DatabaseTest-derived suite on SQLite and PostgreSQL.
#define CLOUD_INSTANTIATE_ENGINE_TESTS(Suite)                                                    \
  INSTANTIATE_TEST_SUITE_P(                                                                      \
      Engines, Suite,                                                                            \
      ::testing::Values(::cloud::testlib::Engine::kSqlite, ::cloud::testlib::Engine::kPostgres), \
      ::cloud::testlib::EngineParamName)

// In a plain TEST: fails (or skips, with CLOUD_ALLOW_SKIP_POSTGRES=1) when there is no
// PostgreSQL to test against.
#define CLOUD_REQUIRE_POSTGRES()                                    \
  do {                                                              \
    if (::cloud::testlib::PostgresTestDsn().empty()) {              \
      if (::cloud::testlib::PostgresSkipAllowed()) {                \
        GTEST_SKIP() << ::cloud::testlib::MissingPostgresMessage(); \
      }                                                             \
      FAIL() << ::cloud::testlib::MissingPostgresMessage();         \
    }                                                               \
  } while (false)
