#include "app/schema_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "common/logging.h"
#include "store/migrations.h"
#include "store/sql/sql_connection.h"

namespace cloud::app {

void RegisterSchemaCommand(CLI::App& app) {
  CLI::App* schema = app.add_subcommand("schema", "Manage the database schema.");
  schema->require_subcommand(1);
  auto database = std::make_shared<std::string>("sqlite://cloud.db");
  const std::string database_help =
      "The database to migrate: sqlite:///path.db, a bare path, or "
      "postgres://user:pass@host:port/db?sslmode=...";
  // Persistent as upstream's flag: accepted before and after `migrate`.
  schema->add_option("--database", *database, database_help)->capture_default_str();
  CLI::App* migrate = schema->add_subcommand("migrate", "Apply all pending schema migrations.");
  migrate->add_option("--database", *database, database_help)->capture_default_str();
  migrate->callback([database] {
    Logger log;
    Result<std::unique_ptr<store::SqlDatabase>> db = store::OpenDatabase(*database, log);
    if (!db) {
      std::fprintf(stderr, "Error: %s\n", db.error().message.c_str());
      throw CLI::RuntimeError(1);
    }
    Result<std::string> before = store::CurrentSchemaVersion(**db);
    if (!before) {
      std::fprintf(stderr, "Error: %s\n", before.error().message.c_str());
      throw CLI::RuntimeError(1);
    }
    std::printf("schema of %s is at %s\n", (*db)->redacted_url().c_str(), before->c_str());
    Result<void> r = store::Migrate(**db, log, [](const std::string& from, const std::string& to) {
      std::printf("migrated %s -> %s\n", from.c_str(), to.c_str());
      std::fflush(stdout);
    });
    if (!r) {
      std::fprintf(stderr, "Error: %s\n", r.error().message.c_str());
      throw CLI::RuntimeError(1);
    }
    std::printf("schema is at %s (latest)\n", std::string(store::LatestSchemaVersion()).c_str());
  });
}

}  // namespace cloud::app
