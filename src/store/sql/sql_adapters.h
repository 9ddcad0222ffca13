// Internal: the constructors of the two adapters, called by OpenDatabase. Not for stores.
#pragma once

#include <memory>
#include <string>

#include "common/logging.h"
#include "common/result.h"
#include "store/sql/sql_connection.h"

namespace cloud::store::internal {

// `conninfo` is a libpq URI with `pg_temp` already removed.
Result<std::unique_ptr<SqlDatabase>> OpenPostgres(const std::string& conninfo, bool pg_temp,
                                                  const std::string& redacted_url,
                                                  const Logger& log,
                                                  const DatabaseOptions& options);

Result<std::unique_ptr<SqlDatabase>> OpenSqlite(const std::string& path, const Logger& log,
                                                const DatabaseOptions& options);

// Rewrites `$N` placeholders to SQLite's `?N`, leaving string literals, quoted identifiers and
// comments alone.
std::string TranslatePlaceholdersForSqlite(std::string_view sql);

}  // namespace cloud::store::internal
