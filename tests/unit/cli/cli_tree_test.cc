// The `cloud` command tree against the list of spec upstream-api.md §7.2: every command path
// exists, is runnable, and accepts each documented flag (own or inherited from its groups);
// required flags are marked required; defaults match.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace cloud::cli {
namespace {

struct Expected {
  std::string path;                // "cluster nodegroup create"
  std::vector<std::string> flags;  // accepted (own or group) flags
  std::vector<std::string> required;
};

const std::vector<std::string> kPaging = {"page", "per-page", "include-deleted"};
const std::vector<std::string> kTable = {"table", "custom-columns"};
const std::vector<std::string> kGroup = {"server", "header", "dry-run"};

std::vector<std::string> Cat(std::initializer_list<std::vector<std::string>> lists) {
  std::vector<std::string> out;
  for (const auto& l : lists) out.insert(out.end(), l.begin(), l.end());
  return out;
}

std::vector<std::string> Utilities() {
  std::vector<std::string> out;
  for (const char* u : {"prometheus-operator", "thanos", "fluentbit", "nginx", "nginx-internal",
                        "teleport", "pgbouncer", "rtcd", "promtail", "node-problem-detector",
                        "metrics-server", "velero", "cloudprober"}) {
    out.push_back(std::string(u) + "-version");
    out.push_back(std::string(u) + "-values");
  }
  out.push_back("argocd-register");
  return out;
}

const std::vector<std::string> kPgBouncer = {"pgbouncer-min-pool-size",
                                             "pgbouncer-default-pool-size",
                                             "pgbouncer-reserve-pool-size",
                                             "pgbouncer-max-client-connections",
                                             "pgbouncer-max-connections-per-pool",
                                             "pgbouncer-server-idle-timeout",
                                             "pgbouncer-server-lifetime",
                                             "pgbouncer-server-reset-query-always"};
const std::vector<std::string> kRotator = {"use-rotator",
                                           "max-scaling",
                                           "max-drain-retries",
                                           "evict-grace-period",
                                           "wait-between-rotations",
                                           "wait-between-drains",
                                           "wait-between-pod-evictions"};
const std::vector<std::string> kProbes = {
    "probe-liveness-failure-threshold",     "probe-liveness-success-threshold",
    "probe-liveness-initial-delay-seconds", "probe-liveness-period-seconds",
    "probe-liveness-timeout-seconds",       "probe-readiness-failure-threshold",
    "probe-readiness-success-threshold",    "probe-readiness-initial-delay-seconds",
    "probe-readiness-period-seconds",       "probe-readiness-timeout-seconds"};
const std::vector<std::string> kWait = {"wait", "wait-timeout"};
const std::vector<std::string> kInstallationPatch =
    Cat({{"owner", "version", "image", "size", "license", "allowed-ip-ranges", "override-ip-ranges",
          "mattermost-env", "mattermost-env-clear", "command"},
         kProbes});

// The runnable commands of §7.2 that talk to the server or are local (server and schema
// migrate belong to src/app; contexts/completion have their own tests).
std::vector<Expected> SpecTree() {
  return {
      // cluster
      {"cluster create",
       Cat({kGroup,
            kWait,
            Utilities(),
            kPgBouncer,
            {"provider",
             "version",
             "ami",
             "zones",
             "allow-installations",
             "annotation",
             "networking",
             "vpc",
             "cluster-role-arn",
             "node-role-arn",
             "eks",
             "additional-nodegroups",
             "nodegroups-with-public-subnet",
             "nodegroups-with-sg",
             "size",
             "size-master-instance-type",
             "size-master-count",
             "size-node-instance-type",
             "size-node-count",
             "max-pods-per-node",
             "cluster"}}),
       {}},
      {"cluster import",
       Cat({kGroup, {"secret-name", "vpc-id", "allow-installations", "annotation"}}),
       {"secret-name"}},
      {"cluster provision",
       Cat({kGroup, kWait, Utilities(), kPgBouncer, {"cluster", "reprovision-all-utilities"}}),
       {"cluster"}},
      {"cluster update",
       Cat({kGroup, kWait, {"cluster", "name", "allow-installations"}}),
       {"cluster"}},
      {"cluster upgrade",
       Cat({kGroup,
            kWait,
            kRotator,
            {"cluster", "version", "ami", "max-pods-per-node", "kms-key-id"}}),
       {"cluster"}},
      {"cluster resize",
       Cat({kGroup,
            kWait,
            kRotator,
            {"cluster", "size", "size-node-instance-type", "size-node-min-count",
             "size-node-max-count", "nodegroups", "size-master-instance-type"}}),
       {"cluster"}},
      {"cluster nodegroup create",
       Cat({kGroup,
            {"cluster", "nodegroups", "nodegroups-with-public-subnet", "nodegroups-with-sg"}}),
       {"cluster", "nodegroups"}},
      {"cluster nodegroup delete",
       Cat({kGroup, {"cluster", "nodegroup"}}),
       {"cluster", "nodegroup"}},
      {"cluster delete", Cat({kGroup, kWait, {"cluster"}}), {"cluster"}},
      {"cluster get", Cat({kGroup, {"cluster"}}), {"cluster"}},
      {"cluster list", Cat({kGroup, kPaging, kTable, {"show-tags"}}), {}},
      {"cluster utilities", Cat({kGroup, {"cluster"}}), {"cluster"}},
      {"cluster dictionary", kGroup, {}},
      {"cluster state-report", kGroup, {}},
      {"cluster annotation add",
       Cat({kGroup, {"cluster", "annotation"}}),
       {"cluster", "annotation"}},
      {"cluster annotation delete",
       Cat({kGroup, {"cluster", "annotation"}}),
       {"cluster", "annotation"}},
      {"cluster installation get",
       Cat({kGroup, {"cluster-installation"}}),
       {"cluster-installation"}},
      {"cluster installation list",
       Cat({kGroup, kPaging, kTable, {"cluster", "installation"}}),
       {}},
      {"cluster installation config get",
       Cat({kGroup, {"cluster-installation"}}),
       {"cluster-installation"}},
      {"cluster installation config set",
       Cat({kGroup, {"cluster-installation", "key", "value"}}),
       {"cluster-installation", "key", "value"}},
      {"cluster installation status",
       Cat({kGroup, {"cluster-installation"}}),
       {"cluster-installation"}},
      {"cluster installation mmctl",
       Cat({kGroup, {"cluster-installation", "command"}}),
       {"cluster-installation", "command"}},
      {"cluster installation mattermost-cli",
       Cat({kGroup, {"cluster-installation", "command"}}),
       {"cluster-installation", "command"}},
      {"cluster installation pprof",
       Cat({kGroup, {"cluster-installation"}}),
       {"cluster-installation"}},
      {"cluster installation migration",
       Cat({kGroup, {"source-cluster", "target-cluster", "installation"}}),
       {}},
      {"cluster installation migration dns",
       Cat({kGroup, {"source-cluster", "target-cluster", "installation", "lock-installation"}}),
       {"source-cluster", "target-cluster"}},
      {"cluster installation migration delete",
       Cat({kGroup, {"cluster", "cluster-installation"}}),
       {"cluster"}},
      {"cluster installation migration switch-cluster",
       Cat({kGroup, {"source-cluster", "target-cluster"}}),
       {"source-cluster", "target-cluster"}},
      // installation
      {"installation create",
       Cat({kGroup,
            kWait,
            kProbes,
            {"owner",
             "dns",
             "name",
             "group",
             "version",
             "image",
             "size",
             "license",
             "affinity",
             "database",
             "filestore",
             "mattermost-env",
             "priority-env",
             "annotation",
             "group-selection-annotation",
             "scheduled-deletion-time",
             "command",
             "rds-primary-instance",
             "rds-replica-instance",
             "rds-replicas-count",
             "external-database-secret-name"}}),
       {"owner", "dns"}},
      {"installation update",
       Cat({kGroup,
            kWait,
            kInstallationPatch,
            {"installation", "priority-env", "priority-env-clear"}}),
       {"installation"}},
      {"installation delete", Cat({kGroup, kWait, {"installation"}}), {"installation"}},
      {"installation create-volume",
       Cat({kGroup,
            {"installation", "volume-name", "filename", "data", "mount-path", "read-only"}}),
       {"installation", "volume-name", "filename", "data"}},
      {"installation update-volume",
       Cat({kGroup,
            {"installation", "volume-name", "mount-path", "read-only", "filename", "data"}}),
       {"installation", "volume-name"}},
      {"installation delete-volume",
       Cat({kGroup, {"installation", "volume-name"}}),
       {"installation", "volume-name"}},
      {"installation update-deletion",
       Cat({kGroup, {"installation", "future-expiry"}}),
       {"installation"}},
      {"installation cancel-deletion", Cat({kGroup, {"installation"}}), {"installation"}},
      {"installation schedule-deletion",
       Cat({kGroup, {"installation", "scheduled-deletion-time"}}),
       {"installation"}},
      {"installation hibernate", Cat({kGroup, kWait, {"installation"}}), {"installation"}},
      {"installation wake-up",
       Cat({kGroup, kWait, kInstallationPatch, {"installation"}}),
       {"installation"}},
      {"installation get",
       Cat({kGroup,
            {"installation", "include-group-config", "include-group-config-overrides",
             "hide-license", "hide-env"}}),
       {"installation"}},
      {"installation list",
       Cat({kGroup,
            kPaging,
            kTable,
            {"owner", "group", "state", "dns", "deletion-locked", "include-group-config",
             "include-group-config-overrides", "hide-license", "hide-env"}}),
       {}},
      {"installation status", kGroup, {}},
      {"installation state-report", kGroup, {}},
      {"installation recover",
       Cat({kGroup, {"installation", "installation-database", "database"}}),
       {"installation", "installation-database"}},
      {"installation report", Cat({kGroup, {"installation", "event-count"}}), {"installation"}},
      {"installation deletion-report", Cat({kGroup, {"days"}}), {}},
      {"installation annotation add",
       Cat({kGroup, {"installation", "annotation"}}),
       {"installation", "annotation"}},
      {"installation annotation delete",
       Cat({kGroup, {"installation", "annotation"}}),
       {"installation", "annotation"}},
      {"installation backup create", Cat({kGroup, {"installation"}}), {"installation"}},
      {"installation backup list", Cat({kGroup, kPaging, kTable, {"installation", "state"}}), {}},
      {"installation backup get", Cat({kGroup, {"backup"}}), {"backup"}},
      {"installation backup delete", Cat({kGroup, {"backup"}}), {"backup"}},
      {"installation operation restoration request",
       Cat({kGroup, {"installation", "backup"}}),
       {"installation", "backup"}},
      {"installation operation restoration list",
       Cat({kGroup, kPaging, kTable, {"installation", "cluster-installation", "state"}}),
       {}},
      {"installation operation restoration get", Cat({kGroup, {"restoration"}}), {"restoration"}},
      {"installation operation db-migration request",
       Cat({kGroup, {"installation", "destination-db", "multi-tenant-db"}}),
       {"installation", "multi-tenant-db"}},
      {"installation operation db-migration list",
       Cat({kGroup, kPaging, kTable, {"installation", "state"}}),
       {}},
      {"installation operation db-migration get",
       Cat({kGroup, {"db-migration"}}),
       {"db-migration"}},
      {"installation operation db-migration commit",
       Cat({kGroup, {"db-migration"}}),
       {"db-migration"}},
      {"installation operation db-migration rollback",
       Cat({kGroup, {"db-migration"}}),
       {"db-migration"}},
      {"installation dns add",
       Cat({kGroup, {"installation", "domain"}}),
       {"installation", "domain"}},
      {"installation dns set-primary",
       Cat({kGroup, {"installation", "domain-id"}}),
       {"installation", "domain-id"}},
      {"installation dns delete",
       Cat({kGroup, {"installation", "domain-id"}}),
       {"installation", "domain-id"}},
      // group
      {"group create",
       Cat({kGroup,
            {"name", "description", "version", "image", "max-rolling", "mattermost-env",
             "scheduling", "annotation"}}),
       {"name"}},
      {"group update",
       Cat({kGroup,
            {"group", "name", "description", "version", "image", "max-rolling", "mattermost-env",
             "mattermost-env-clear", "scheduling", "force-sequence-update",
             "force-installation-restart"}}),
       {"group"}},
      {"group delete", Cat({kGroup, {"group"}}), {"group"}},
      {"group get", Cat({kGroup, {"group"}}), {"group"}},
      {"group status", Cat({kGroup, {"group"}}), {"group"}},
      {"group list", Cat({kGroup, kPaging, {"table", "include-installation-count"}}), {}},
      {"group join", Cat({kGroup, {"group", "installation"}}), {"group", "installation"}},
      {"group assign",
       Cat({kGroup, {"installation", "group-selection-annotation"}}),
       {"installation", "group-selection-annotation"}},
      {"group leave", Cat({kGroup, {"installation", "retain-config"}}), {"installation"}},
      {"group statuses", kGroup, {}},
      {"group annotation add", Cat({kGroup, {"group", "annotation"}}), {"group", "annotation"}},
      {"group annotation delete", Cat({kGroup, {"group", "annotation"}}), {"group", "annotation"}},
      // database
      {"database multitenant list",
       Cat({kGroup, kPaging, kTable, {"vpc-id", "database-type"}}),
       {}},
      {"database multitenant get",
       Cat({kGroup, {"multitenant-database"}}),
       {"multitenant-database"}},
      {"database multitenant update",
       Cat({kGroup, {"multitenant-database", "max-installations-per-logical-db"}}),
       {"multitenant-database"}},
      {"database multitenant delete",
       Cat({kGroup, {"multitenant-database", "force"}}),
       {"multitenant-database"}},
      {"database multitenant report",
       Cat({kGroup, {"multitenant-database", "include-schema-counts"}}),
       {"multitenant-database"}},
      {"database logical list", Cat({kGroup, kPaging, kTable, {"multitenant-database-id"}}), {}},
      {"database logical get", Cat({kGroup, {"logical-database"}}), {"logical-database"}},
      {"database logical delete", Cat({kGroup, {"logical-database"}}), {"logical-database"}},
      {"database schema list",
       Cat({kGroup, kPaging, kTable, {"logical-database-id", "installation-id"}}),
       {}},
      {"database schema get", Cat({kGroup, {"database-schema"}}), {"database-schema"}},
      {"database validation-report", kGroup, {}},
      // webhook (only --server at group level; create has its own --header)
      {"webhook create", {"server", "owner", "url", "header", "header-from-env"}, {"owner", "url"}},
      {"webhook get", {"server", "webhook"}, {"webhook"}},
      {"webhook list", Cat({{"server", "owner", "table"}, kPaging}), {}},
      {"webhook delete", {"server", "webhook"}, {"webhook"}},
      // subscription
      {"subscription create",
       Cat({kGroup,
            {"url", "owner", "event-type", "name", "failure-threshold", "header",
             "header-from-env"}}),
       {"url", "owner", "event-type"}},
      {"subscription list", Cat({kGroup, kPaging, kTable, {"owner", "event-type"}}), {}},
      {"subscription get", Cat({kGroup, {"subscription"}}), {"subscription"}},
      {"subscription delete", Cat({kGroup, {"subscription"}}), {"subscription"}},
      // events
      {"events state-change list",
       Cat({{"server", "resource-type", "resource-id"}, kPaging, kTable}),
       {}},
      // security
      {"security cluster api-lock", {"server", "cluster"}, {}},
      {"security cluster api-unlock", {"server", "cluster"}, {}},
      {"security installation api-lock", {"server", "installation"}, {}},
      {"security installation api-unlock", {"server", "installation"}, {}},
      {"security installation deletion-lock", {"server", "installation"}, {}},
      {"security installation deletion-unlock", {"server", "installation"}, {}},
      {"security cluster-installation api-lock", {"server", "cluster-installation"}, {}},
      {"security cluster-installation api-unlock", {"server", "cluster-installation"}, {}},
      {"security group api-lock", {"server", "group"}, {}},
      {"security group api-unlock", {"server", "group"}, {}},
      {"security backup api-lock", {"server", "backup"}, {}},
      {"security backup api-unlock", {"server", "backup"}, {}},
      // workbench, dashboard
      {"workbench cluster", {"server", "cluster", "state-store"}, {"cluster"}},
      {"dashboard", {"refresh-seconds"}, {}},
  };
}

class CliTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CliIo io;
    io.out = &out_;
    io.err = &err_;
    RegisterCliCommands(app_, io);
  }

  // The command at `path`, or nullptr.
  CLI::App* Find(const std::string& path) {
    CLI::App* app = &app_;
    std::istringstream words(path);
    std::string word;
    while (words >> word) {
      CLI::App* next = nullptr;
      for (CLI::App* sub : app->get_subcommands({})) {
        if (sub->get_name() == word) next = sub;
      }
      if (next == nullptr) return nullptr;
      app = next;
    }
    return app;
  }

  // The option `--name` on `cmd` or its parents (cobra persistent flags).
  static const CLI::Option* FindFlag(CLI::App* cmd, const std::string& name) {
    for (CLI::App* a = cmd; a != nullptr; a = a->get_parent()) {
      if (const CLI::Option* opt = a->get_option_no_throw("--" + name)) return opt;
    }
    return nullptr;
  }

  CLI::App app_{"cloud"};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CliTreeTest, EveryCommandAndFlagOfTheSpecExists) {
  for (const Expected& e : SpecTree()) {
    SCOPED_TRACE(e.path);
    CLI::App* cmd = Find(e.path);
    ASSERT_NE(cmd, nullptr) << "missing command";
    for (const std::string& flag : e.flags) {
      EXPECT_NE(FindFlag(cmd, flag), nullptr) << "missing flag --" << flag;
    }
    for (const std::string& flag : e.required) {
      const CLI::Option* opt = FindFlag(cmd, flag);
      ASSERT_NE(opt, nullptr) << "missing flag --" << flag;
      EXPECT_TRUE(opt->get_required()) << "--" << flag << " should be required";
    }
  }
}

TEST_F(CliTreeTest, SpecListCoversTheRunnableCommands) {
  // 120 runnable commands upstream; ours: the list above + server, schema migrate (src/app),
  // login, 6 contexts commands, 2 completion scripts (upstream has completion bash|zsh).
  EXPECT_EQ(SpecTree().size() + 11, 120u);
}

TEST_F(CliTreeTest, DefaultsMatchTheSpec) {
  struct Default {
    std::string path;
    std::string flag;
    std::string value;
  };
  const std::vector<Default> defaults = {
      {"cluster create", "provider", "aws"},
      {"cluster create", "version", "latest"},
      {"cluster create", "zones", "us-east-1a"},
      {"cluster create", "networking", "calico"},
      {"cluster create", "size", "SizeAlef500"},
      {"cluster create", "pgbouncer-max-client-connections", "25000"},
      {"cluster upgrade", "max-scaling", "5"},
      {"cluster upgrade", "evict-grace-period", "3600"},
      {"cluster upgrade", "wait-between-drains", "900"},
      {"installation create", "version", "stable"},
      {"installation create", "image", "mattermost/mattermost-enterprise-edition"},
      {"installation create", "size", "100users"},
      {"installation create", "affinity", "isolated"},
      {"installation create", "database", "mysql-operator"},
      {"installation create", "filestore", "minio-operator"},
      {"installation deletion-report", "days", "7"},
      {"installation report", "event-count", "10"},
      {"installation operation db-migration request", "destination-db",
       "aws-multitenant-rds-postgres"},
      {"group create", "max-rolling", "1"},
      {"group update", "max-rolling", "0"},
      {"database multitenant update", "max-installations-per-logical-db", "10"},
      {"subscription create", "event-type", "resourceStateChange"},
      {"cluster list", "per-page", "100"},
      {"workbench cluster", "state-store", "dev.cloud.mattermost.com"},
      {"dashboard", "refresh-seconds", "10"},
  };
  for (const Default& d : defaults) {
    SCOPED_TRACE(d.path + " --" + d.flag);
    CLI::App* cmd = Find(d.path);
    ASSERT_NE(cmd, nullptr);
    const CLI::Option* opt = FindFlag(cmd, d.flag);
    ASSERT_NE(opt, nullptr);
    EXPECT_EQ(opt->get_default_str(), d.value);
  }
}

}  // namespace
}  // namespace cloud::cli
