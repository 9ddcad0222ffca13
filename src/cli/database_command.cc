// `cloud database ...` (upstream cmd/cloud/databases.go and databases_flag.go; spec
// upstream-api.md §7.2).
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/installation.h"
#include "model/multitenant_database.h"

namespace cloud::cli {
namespace {

model::Paging AllPagesNotDeleted() { return model::Paging{0, -1, false}; }

size_t CountOf(const std::optional<std::vector<std::string>>& ids) { return ids ? ids->size() : 0; }

bool Contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

void AddMultitenant(CommandGroup& database) {
  CommandGroup group = database.AddGroup("multitenant", "Manage and view multitenant databases.");

  struct ListFlags {
    PagingFlags paging;
    TableFlags table;
    std::string vpc_id;
    std::string database_type;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list = group.AddCommand(
      "list", "List multitenant databases.", [l](CommandContext& ctx) -> Result<void> {
        client::GetMultitenantDatabasesRequest request;
        request.vpc_id = l->vpc_id;
        request.database_type = l->database_type;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::MultitenantDatabase>> dbs =
            ctx.client().GetMultitenantDatabases(request);
        if (!dbs) return dbs.error().WithContext("failed to query multitenant databases");
        return ctx.PrintList<model::MultitenantDatabase>(
            *dbs, l->table, [](const std::vector<model::MultitenantDatabase>& items) {
              Table table;
              table.headers = {"ID", "RDS CLUSTER ID", "TYPE", "STATE", "INSTALLATIONS"};
              for (const model::MultitenantDatabase& d : items) {
                table.rows.push_back(
                    {d.id, d.rds_cluster_id, std::string(ToString(d.database_type)),
                     std::string(ToString(d.state)), std::to_string(CountOf(d.installations))});
              }
              return table;
            });
      });
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);
  list->add_option("--vpc-id", l->vpc_id, "The VPC ID by which to filter multitenant databases.");
  list->add_option("--database-type", l->database_type,
                   "The database type by which to filter multitenant databases.");

  auto get_id = std::make_shared<std::string>();
  CLI::App* get =
      group.AddCommand("get", "Get a particular multitenant database.",
                       [get_id](CommandContext& ctx) -> Result<void> {
                         Result<std::optional<model::MultitenantDatabase>> found =
                             ctx.client().GetMultitenantDatabase(*get_id);
                         if (!found)
                           return found.error().WithContext("failed to query multitenant database");
                         if (*found) ctx.PrintJson(**found);
                         return Ok();
                       });
  get->add_option("--multitenant-database", *get_id,
                  "The id of the multitenant database to be fetched.")
      ->required();

  struct UpdateFlags {
    std::string id;
    int64_t max_installations = 10;
  };
  auto u = std::make_shared<UpdateFlags>();
  CLI::App* update = group.AddCommand(
      "update", "Update an multitenant database's configuration",
      [u](CommandContext& ctx) -> Result<void> {
        model::PatchMultitenantDatabaseRequest request;
        if (ctx.Changed("max-installations-per-logical-db")) {
          request.max_installations_per_logical_database = u->max_installations;
        }
        if (ctx.DryRun(request)) return Ok();
        Result<model::MultitenantDatabase> updated =
            ctx.client().UpdateMultitenantDatabase(u->id, request);
        if (!updated) return updated.error().WithContext("failed to update multitenant database");
        ctx.PrintJson(*updated);
        return Ok();
      });
  update
      ->add_option("--multitenant-database", u->id,
                   "The id of the multitenant database to be updated.")
      ->required();
  update
      ->add_option("--max-installations-per-logical-db", u->max_installations,
                   "The maximum number of installations permitted in a single logical database "
                   "(only applies to proxy databases).")
      ->capture_default_str();

  struct DeleteFlags {
    std::string id;
    bool force = false;
  };
  auto d = std::make_shared<DeleteFlags>();
  CLI::App* del = group.AddCommand(
      "delete", "Delete a multitenant database record.", [d](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().DeleteMultitenantDatabase(d->id, d->force);
        if (!r) return r.error().WithContext("failed to delete multitenant database");
        return Ok();
      });
  del->add_option("--multitenant-database", d->id, "The id of the multitenant database to delete.")
      ->required();
  del->add_flag("--force", d->force,
                "Specifies whether to delete record even if database cluster exists.");

  struct ReportFlags {
    std::string id;
    bool include_schema_counts = false;
  };
  auto r = std::make_shared<ReportFlags>();
  CLI::App* report = group.AddCommand(
      "report", "Get a report of deployment details for a given multitenant database",
      [r](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::MultitenantDatabase>> found =
            ctx.client().GetMultitenantDatabase(r->id);
        if (!found) return found.error().WithContext("failed to query multitenant database");
        if (!*found) return Ok();
        const model::MultitenantDatabase& db = **found;
        const time_t created = static_cast<time_t>(db.create_at / 1000);
        std::tm local{};
        localtime_r(&created, &local);
        char date[32];
        std::strftime(date, sizeof(date), "%b %e %Y", &local);
        std::string created_text = date;
        // Go "Jan 2 2006": no padding of the day.
        if (created_text.size() > 4 && created_text[4] == ' ') created_text.erase(4, 1);
        std::string out = "Multitenant Database: " + db.id + "\n";
        out += " ├ Created: " + created_text + "\n";
        out += " ├ State: " + std::string(ToString(db.state)) + "\n";
        out += " ├ Type: " + std::string(ToString(db.database_type)) + "\n";
        out += " ├ VPC: " + db.vpc_id + "\n";
        out += " ├ Installations: " + std::to_string(CountOf(db.installations)) + "\n";
        out += " ├ Writer Endpoint: " + db.writer_endpoint + "\n";
        out += " ├ Reader Endpoint: " + db.reader_endpoint + "\n";
        if (db.database_type == model::DatabaseEngineType::kPostgresProxy) {
          client::GetLogicalDatabasesRequest lreq;
          lreq.multitenant_database_id = db.id;
          lreq.paging = AllPagesNotDeleted();
          Result<std::vector<model::LogicalDatabase>> logical =
              ctx.client().GetLogicalDatabases(lreq);
          if (!logical) {
            return logical.error().WithContext("failed to query installation logical databases");
          }
          out += " └ Logical Databases: " + std::to_string(logical->size()) + "\n";
          char average[64];
          std::snprintf(average, sizeof(average), "%.2f",
                        static_cast<double>(CountOf(db.installations)) /
                            static_cast<double>(logical->size()));
          out += std::string("   └ Average Installations Per Logical Database: ") + average + "\n";
          if (r->include_schema_counts) {
            out += "\nSchema Counts:\n";
            for (const model::LogicalDatabase& ld : *logical) {
              client::GetDatabaseSchemaRequest sreq;
              sreq.logical_database_id = ld.id;
              sreq.paging = AllPagesNotDeleted();
              Result<std::vector<model::DatabaseSchema>> schemas =
                  ctx.client().GetDatabaseSchemas(sreq);
              if (!schemas) return schemas.error().WithContext("failed to query database schemas");
              out += ld.id + " - " + std::to_string(schemas->size()) + "\n";
            }
          }
        }
        ctx.out() << out << "\n";
        return Ok();
      });
  report
      ->add_option("--multitenant-database", r->id,
                   "The id of the multitenant database to be fetched.")
      ->required();
  report->add_flag("--include-schema-counts", r->include_schema_counts,
                   "Whether to include schema counts for each logical database or not.");
}

void AddLogical(CommandGroup& database) {
  CommandGroup group = database.AddGroup("logical", "Manage and view logical databases.");
  struct ListFlags {
    PagingFlags paging;
    TableFlags table;
    std::string multitenant_database_id;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list =
      group.AddCommand("list", "List logical databases.", [l](CommandContext& ctx) -> Result<void> {
        client::GetLogicalDatabasesRequest request;
        request.multitenant_database_id = l->multitenant_database_id;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::LogicalDatabase>> items =
            ctx.client().GetLogicalDatabases(request);
        if (!items) return items.error().WithContext("failed to query logical databases");
        return ctx.PrintList<model::LogicalDatabase>(
            *items, l->table, [](const std::vector<model::LogicalDatabase>& dbs) {
              Table table;
              table.headers = {"ID", "MULTITENANT DATABASE", "NAME"};
              for (const model::LogicalDatabase& d : dbs) {
                table.rows.push_back({d.id, d.multitenant_database_id, d.name});
              }
              return table;
            });
      });
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);
  list->add_option("--multitenant-database-id", l->multitenant_database_id,
                   "The multitenant database ID by which to filter logical databases.");

  auto get_id = std::make_shared<std::string>();
  CLI::App* get = group.AddCommand(
      "get", "Get a particular logical database.", [get_id](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::LogicalDatabase>> found =
            ctx.client().GetLogicalDatabase(*get_id);
        if (!found) return found.error().WithContext("failed to query logical database");
        if (*found) ctx.PrintJson(**found);
        return Ok();
      });
  get->add_option("--logical-database", *get_id, "The id of the logical database to be fetched.")
      ->required();

  auto delete_id = std::make_shared<std::string>();
  CLI::App* del = group.AddCommand(
      "delete", "Delete a logical database.", [delete_id](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().DeleteLogicalDatabase(*delete_id);
        if (!r) return r.error().WithContext("failed to delete logical database");
        return Ok();
      });
  del->add_option("--logical-database", *delete_id, "The id of the logical database to delete.")
      ->required();
}

void AddSchema(CommandGroup& database) {
  CommandGroup group = database.AddGroup("schema", "Manage and view database schemas.");
  struct ListFlags {
    PagingFlags paging;
    TableFlags table;
    std::string logical_database_id;
    std::string installation_id;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list =
      group.AddCommand("list", "List database schemas.", [l](CommandContext& ctx) -> Result<void> {
        client::GetDatabaseSchemaRequest request;
        request.logical_database_id = l->logical_database_id;
        request.installation_id = l->installation_id;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::DatabaseSchema>> items = ctx.client().GetDatabaseSchemas(request);
        if (!items) return items.error().WithContext("failed to query database schemas");
        return ctx.PrintList<model::DatabaseSchema>(
            *items, l->table, [](const std::vector<model::DatabaseSchema>& schemas) {
              Table table;
              table.headers = {"ID", "LOGICAL DATABASE", "INSTALLATION", "NAME"};
              for (const model::DatabaseSchema& s : schemas) {
                table.rows.push_back({s.id, s.logical_database_id, s.installation_id, s.name});
              }
              return table;
            });
      });
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);
  list->add_option("--logical-database-id", l->logical_database_id,
                   "The logical database ID by which to filter database schemas.");
  list->add_option("--installation-id", l->installation_id,
                   "The installation ID by which to filter database schemas.");

  auto get_id = std::make_shared<std::string>();
  CLI::App* get = group.AddCommand(
      "get", "Get a particular database schema.", [get_id](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::DatabaseSchema>> found =
            ctx.client().GetDatabaseSchema(*get_id);
        if (!found) return found.error().WithContext("failed to query database schema");
        if (*found) ctx.PrintJson(**found);
        return Ok();
      });
  get->add_option("--database-schema", *get_id, "The id of the database schema to be fetched.")
      ->required();
}

void AddValidationReport(CommandGroup& database) {
  database.AddCommand(
      "validation-report",
      "Run a report that compares installation and database records to ensure there is a "
      "complete match.",
      [](CommandContext& ctx) -> Result<void> {
        client::GetInstallationsRequest ireq;
        ireq.paging = AllPagesNotDeleted();
        Result<std::vector<model::InstallationDTO>> installations =
            ctx.client().GetInstallations(ireq);
        if (!installations)
          return installations.error().WithContext("failed to query installations");
        std::map<std::string, std::vector<std::string>> by_installation;
        for (const model::InstallationDTO& dto : *installations) {
          by_installation[dto.installation.database].push_back(dto.installation.id);
        }
        client::GetMultitenantDatabasesRequest dreq;
        dreq.paging = AllPagesNotDeleted();
        Result<std::vector<model::MultitenantDatabase>> dbs =
            ctx.client().GetMultitenantDatabases(dreq);
        if (!dbs) return dbs.error().WithContext("failed to query multitenant databases");
        std::map<std::string, std::vector<std::string>> by_database;
        for (const model::MultitenantDatabase& db : *dbs) {
          std::string type;
          switch (db.database_type) {
            case model::DatabaseEngineType::kPostgresProxyPerseus:
              type = "perseus";
              break;
            case model::DatabaseEngineType::kPostgresProxy:
              type = "aws-multitenant-rds-postgres-pgbouncer";
              break;
            case model::DatabaseEngineType::kPostgres:
              type = "aws-multitenant-rds-postgres";
              break;
            case model::DatabaseEngineType::kMySQL:
              type = "aws-multitenant-rds";
              break;
          }
          auto& ids = by_database[type];
          if (db.installations)
            ids.insert(ids.end(), db.installations->begin(), db.installations->end());
        }
        auto report = [&ctx](const std::map<std::string, std::vector<std::string>>& outer,
                             const std::map<std::string, std::vector<std::string>>& inner,
                             bool outer_is_installations) {
          for (const auto& [type, ids] : outer) {
            auto it = inner.find(type);
            const std::vector<std::string> empty;
            const std::vector<std::string>& other = it == inner.end() ? empty : it->second;
            const size_t db_count = outer_is_installations ? other.size() : ids.size();
            const size_t inst_count = outer_is_installations ? ids.size() : other.size();
            ctx.out() << "Database type: " << type << " [Database=" << db_count
                      << ",Installation=" << inst_count << "]\n";
            for (const std::string& id : ids) {
              if (!Contains(other, id)) ctx.out() << " - Missing: " << id << "\n";
            }
          }
        };
        report(by_installation, by_database, true);
        ctx.out() << "\n";
        report(by_database, by_installation, false);
        return Ok();
      });
}

}  // namespace

void AddDatabaseCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup database = CommandGroup::Add(
      cli, root, "database", "Manipulate databases managed by the provisioning server.");
  AddMultitenant(database);
  AddLogical(database);
  AddSchema(database);
  AddValidationReport(database);
}

}  // namespace cloud::cli
