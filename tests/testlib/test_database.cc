#include "testlib/test_database.h"

#include <cstdlib>
#include <filesystem>

#include "common/id.h"
#include "store/migrations.h"

namespace cloud::testlib {

std::string EngineName(Engine engine) {
  return engine == Engine::kSqlite ? "SQLite" : "PostgreSQL";
}

std::string EngineParamName(const ::testing::TestParamInfo<Engine>& info) {
  return EngineName(info.param);
}

std::string PostgresTestDsn() {
  const char* dsn = std::getenv(kPostgresDsnVariable);
  return dsn != nullptr ? dsn : "";
}

bool PostgresSkipAllowed() {
  const char* allow = std::getenv(kAllowSkipPostgresVariable);
  return allow != nullptr && std::string(allow) == "1";
}

std::string MissingPostgresMessage() {
  return std::string(kPostgresDsnVariable) +
         " is not set: run DB tests through scripts/with-test-services (it starts PostgreSQL), "
         "or set " +
         kAllowSkipPostgresVariable + "=1 to skip PostgreSQL tests locally";
}

TestDatabase::TestDatabase(Engine engine, std::string url, std::string cleanup_target,
                           std::unique_ptr<store::SqlDatabase> db,
                           std::unique_ptr<store::SqlDatabase> admin)
    : engine_(engine),
      url_(std::move(url)),
      cleanup_target_(std::move(cleanup_target)),
      db_(std::move(db)),
      admin_(std::move(admin)) {}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (engine_ == Engine::kSqlite) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(cleanup_target_ + suffix, ec);
    }
  } else if (admin_ != nullptr) {
    (void)admin_->Exec("DROP SCHEMA IF EXISTS " + cleanup_target_ + " CASCADE");
  }
}

Result<std::unique_ptr<store::SqlDatabase>> TestDatabase::OpenAnother(
    const store::DatabaseOptions& options) const {
  return store::OpenDatabase(url_, Logger(), options);
}

Result<std::unique_ptr<TestDatabase>> MakeTestDatabase(Engine engine,
                                                       const store::DatabaseOptions& options) {
  std::string suffix = NewId();
  for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (engine == Engine::kSqlite) {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("cloud-test-" + suffix + ".db")).string();
    const std::string url = "sqlite://" + path;
    CLOUD_TRY(auto db, store::OpenDatabase(url, Logger(), options));
    return std::make_unique<TestDatabase>(engine, url, path, std::move(db), nullptr);
  }
  const std::string dsn = PostgresTestDsn();
  if (dsn.empty()) return Unavailable(MissingPostgresMessage());
  const std::string schema = "cloud_test_" + suffix;
  store::DatabaseOptions admin_options;
  admin_options.pool_size = 1;
  CLOUD_TRY(auto admin, store::OpenDatabase(dsn, Logger(), admin_options));
  CLOUD_TRY_VOID(admin->Exec("CREATE SCHEMA " + schema));
  const std::string url =
      dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
  auto db = store::OpenDatabase(url, Logger(), options);
  if (!db) {
    (void)admin->Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    return std::move(db).error();
  }
  return std::make_unique<TestDatabase>(engine, url, schema, std::move(*db), std::move(admin));
}

Result<std::unique_ptr<TestDatabase>> MakeMigratedTestDatabase(
    Engine engine, const store::DatabaseOptions& options) {
  CLOUD_TRY(auto test_db, MakeTestDatabase(engine, options));
  CLOUD_TRY_VOID(store::Migrate(test_db->db(), TestLogger().log, {}));
  return test_db;
}

void DatabaseTest::SetUp() {
  if (GetParam() == Engine::kPostgres && PostgresTestDsn().empty()) {
    if (PostgresSkipAllowed()) GTEST_SKIP() << MissingPostgresMessage();
    FAIL() << MissingPostgresMessage();
  }
  auto made =
      MigrateOnSetUp() ? MakeMigratedTestDatabase(GetParam()) : MakeTestDatabase(GetParam());
  ASSERT_TRUE(made) << made.error().ToString();
  test_db_ = std::move(*made);
}

}  // namespace cloud::testlib
