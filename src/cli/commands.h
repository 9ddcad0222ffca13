// Registration functions of the per-noun command files (spec upstream-api.md §7.2). Each adds
// one top-level `cloud <noun>` group to `root`; cli.cc calls them next to AddContextsCommands.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/command.h"

namespace cloud::cli {

// cluster_command.cc: `cloud cluster ...` (create, import, provision, update, upgrade, resize,
// nodegroup, delete, get, list, utilities, dictionary, state-report, annotation) and, through
// AddClusterInstallationCommands, `cloud cluster installation ...`.
void AddClusterCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);
// cluster_installation_command.cc: `cloud cluster installation ...` under the cluster group.
void AddClusterInstallationCommands(CommandGroup& cluster);
// installation_command.cc: `cloud installation ...` (with backup and operation sub-groups).
void AddInstallationCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);
// backup_command.cc, restoration_command.cc, db_migration_command.cc: sub-groups of
// `cloud installation`.
void AddBackupCommands(CommandGroup& installation);
void AddRestorationCommands(CommandGroup& operation);
void AddDBMigrationCommands(CommandGroup& operation);
// group_command.cc: `cloud group ...`.
void AddGroupCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);
// database_command.cc: `cloud database ...` (multitenant, logical, schema, validation-report).
void AddDatabaseCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);
// webhook_command.cc: `cloud webhook ...`.
void AddWebhookCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);
// subscription_command.cc: `cloud subscription ...`.
void AddSubscriptionCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);
// events_command.cc: `cloud events state-change list`.
void AddEventsCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);
// security_command.cc: `cloud security <resource> api-lock|api-unlock|...`.
void AddSecurityCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);
// workbench_command.cc: `cloud workbench cluster`, `cloud dashboard` (not supported here).
void AddWorkbenchCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);

// Every group above, in upstream's order.
void AddNounCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);

}  // namespace cloud::cli
