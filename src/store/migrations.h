// Schema migrations, as upstream does them: a System(Key, Value) table whose `DatabaseVersion`
// row holds a semver string, and an ordered list of {from, to, apply} steps, each run in its own
// transaction together with the version update. 0.0.0 -> 0.54.0 creates upstream's final schema;
// our additions follow as 0.55.0-cloud.N. Adding a migration is one entry in Migrations().
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "common/result.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// Upstream's last schema version; the only non-empty version we migrate forward from.
inline constexpr std::string_view kUpstreamSchemaVersion = "0.54.0";

struct Migration {
  std::string_view from;
  std::string_view to;
  // Runs inside the migration's transaction (DDL and data moves); the version row is updated
  // by Migrate() in the same transaction.
  std::function<Result<void>(SqlExecutor&)> apply;
};

// The ordered chain, from "0.0.0" to LatestSchemaVersion().
const std::vector<Migration>& Migrations();

// The version a fully migrated database has (the `to` of the last migration).
std::string_view LatestSchemaVersion();

// The `DatabaseVersion` value, "0.0.0" when the System table is absent or the value empty.
Result<std::string> CurrentSchemaVersion(SqlExecutor& db);

// Applies every pending migration in order; calls `on_step(from, to)` after each commits.
// A no-op on a current database. Refuses (kFailedPrecondition) a database whose version is
// below 0.54.0 but not empty, or a version this server does not know (e.g. newer).
// Safe to run concurrently from several processes (PostgreSQL advisory lock; SQLite's write
// lock): a step re-reads the version inside its transaction.
Result<void> Migrate(SqlDatabase& db, const Logger& log,
                     std::function<void(std::string from, std::string to)> on_step = {});

// Ok when the database is at LatestSchemaVersion(); otherwise kFailedPrecondition
// "database schema is at X, this server needs Y: run `cloud schema migrate --database <url>`".
Result<void> CheckSchemaCurrent(SqlDatabase& db);

// Semver precedence (major.minor.patch[-prerelease]; build metadata ignored): <0, 0, >0.
// Unparsable versions compare by string after all valid ones.
int CompareSemver(std::string_view a, std::string_view b);

// Runs `statements` one after another (a helper for DDL-only migrations).
Result<void> ExecAll(SqlExecutor& tx, const std::vector<std::string>& statements);

}  // namespace cloud::store
