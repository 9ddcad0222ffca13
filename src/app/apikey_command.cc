#include "app/apikey_command.h"

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "api/auth.h"
#include "common/clock.h"
#include "common/logging.h"
#include "store/migrations.h"
#include "store/sql/sql_connection.h"
#include "store/sql_api_key_store.h"

namespace cloud::app {
namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  throw CLI::RuntimeError(1);
}

// Opens --database and refuses a schema that is not current (run `cloud schema migrate`).
std::unique_ptr<store::SqlDatabase> OpenStore(const std::string& url) {
  Logger log;
  Result<std::unique_ptr<store::SqlDatabase>> db = store::OpenDatabase(url, log);
  if (!db) Fail(db.error().message);
  if (Result<void> current = store::CheckSchemaCurrent(**db); !current) {
    Fail(current.error().message);
  }
  return std::move(*db);
}

std::string FormatMillis(int64_t ms) {
  if (ms == 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

void RegisterApiKeyCommand(CLI::App& app) {
  CLI::App* apikey =
      app.add_subcommand("apikey", "Manage API keys of cloud server (in the store).");
  apikey->require_subcommand(1);
  auto database = std::make_shared<std::string>("sqlite://cloud.db");
  const std::string database_help =
      "The server's database: sqlite:///path.db, a bare path, or "
      "postgres://user:pass@host:port/db?sslmode=...";
  apikey->add_option("--database", *database, database_help)->capture_default_str();

  CLI::App* create = apikey->add_subcommand("create", "Create an API key and print it once.");
  create->add_option("--database", *database, database_help)->capture_default_str();
  auto name = std::make_shared<std::string>();
  create->add_option("--name", *name, "A name for the key (recorded as apikey:<name>).")
      ->required();
  create->callback([database, name] {
    if (name->empty()) Fail("--name must not be empty");
    std::unique_ptr<store::SqlDatabase> db = OpenStore(*database);
    store::SqlApiKeyStore keys(*db, SystemClock::Instance());
    const std::string key = api::GenerateApiKey();
    Result<store::ApiKey> created = keys.CreateApiKey(*name, api::HashApiKey(key));
    if (!created) Fail("failed to create API key: " + created.error().message);
    std::printf("Created API key %s (name %s). It is shown only once:\n%s\n", created->id.c_str(),
                created->name.c_str(), key.c_str());
  });

  CLI::App* list = apikey->add_subcommand("list", "List API keys (never the keys themselves).");
  list->add_option("--database", *database, database_help)->capture_default_str();
  list->callback([database] {
    std::unique_ptr<store::SqlDatabase> db = OpenStore(*database);
    store::SqlApiKeyStore keys(*db, SystemClock::Instance());
    Result<std::vector<store::ApiKey>> all = keys.ListApiKeys();
    if (!all) Fail("failed to list API keys: " + all.error().message);
    std::printf("%-26s  %-24s  %-20s  %s\n", "ID", "NAME", "CREATED", "REVOKED");
    for (const store::ApiKey& k : *all) {
      std::printf("%-26s  %-24s  %-20s  %s\n", k.id.c_str(), k.name.c_str(),
                  FormatMillis(k.create_at).c_str(), FormatMillis(k.revoked_at).c_str());
    }
  });

  CLI::App* del = apikey->add_subcommand("delete", "Revoke an API key.");
  del->add_option("--database", *database, database_help)->capture_default_str();
  auto id = std::make_shared<std::string>();
  del->add_option("--apikey", *id, "The ID of the API key to revoke.")->required();
  del->callback([database, id] {
    std::unique_ptr<store::SqlDatabase> db = OpenStore(*database);
    store::SqlApiKeyStore keys(*db, SystemClock::Instance());
    if (Result<void> r = keys.RevokeApiKey(*id); !r) {
      Fail("--apikey " + *id + ": " + r.error().message);
    }
    std::printf("Revoked API key %s\n", id->c_str());
  });
}

}  // namespace cloud::app
