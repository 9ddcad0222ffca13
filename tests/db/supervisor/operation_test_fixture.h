// Shared fixture of the backup, DB restoration, DB migration and group supervisor tests: real
// stores (SQLite and PostgreSQL), the sim cloud with instant operations, a ManualClock, one
// stable cluster and one hibernating backup-compatible installation with a cluster installation
// that exists in the sim, and a recording hook for the operations' state-change announcements.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "model/installation_enums.h"
#include "provisioner/sim/sim_cloud.h"
#include "store/event_outbox.h"
#include "store/sql_backup_store.h"
#include "store/sql_cluster_installation_store.h"
#include "store/sql_cluster_store.h"
#include "store/sql_db_migration_store.h"
#include "store/sql_db_restoration_store.h"
#include "store/sql_group_store.h"
#include "store/sql_installation_store.h"
#include "supervisor/notifier.h"
#include "testlib/test_database.h"

namespace cloud::supervisor {

inline constexpr const char* kInstance = "supervisor-instance-1";

// Records wake-ups as (kind, id); id is "" for a kind-wide wake-up.
class RecordingNotifier final : public Notifier {
 public:
  void Notify(ResourceKind kind) override { Record(kind, {}); }
  void Notify(ResourceKind kind, std::string_view id) override { Record(kind, id); }
  std::vector<std::pair<std::string, std::string>> woken() const {
    std::lock_guard lock(mu_);
    return woken_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    woken_.clear();
  }

 private:
  void Record(ResourceKind kind, std::string_view id) {
    std::lock_guard lock(mu_);
    woken_.emplace_back(std::string(ToString(kind)), std::string(id));
  }
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> woken_;
};

// Records the state changes the operation stores announce ("old -> new" per resource ID).
class RecordingHook {
 public:
  store::StateChangeHook Hook() {
    return [this](store::SqlExecutor&, const store::StateChangeRecord& r) -> Result<void> {
      std::lock_guard lock(mu_);
      changes_[r.resource_id].push_back(r.old_state + " -> " + r.new_state);
      return Ok();
    };
  }
  std::vector<std::string> Of(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = changes_.find(id);
    return it == changes_.end() ? std::vector<std::string>{} : it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::string>> changes_;
};

class OperationSupervisorTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = store::MakeSqlLockStore(db(), clock_);
    clusters_ = std::make_unique<store::SqlClusterStore>(db(), *locks_, clock_);
    installations_ = std::make_unique<store::SqlInstallationStore>(db(), *locks_, clock_);
    cis_ = std::make_unique<store::SqlClusterInstallationStore>(db(), *locks_, clock_);
    backups_ = std::make_unique<store::SqlBackupStore>(db(), *locks_, clock_, hook_.Hook());
    restorations_ =
        std::make_unique<store::SqlDBRestorationStore>(db(), *locks_, clock_, hook_.Hook());
    migrations_ = std::make_unique<store::SqlDBMigrationStore>(db(), *locks_, clock_, hook_.Hook());
    groups_ = std::make_unique<store::SqlGroupStore>(db(), *locks_, clock_);
    sim_ = std::make_unique<provisioner::sim::SimCloud>(
        clock_, logger_.log, provisioner::sim::SimOptions{.default_duration_ms = 0});
    provisioners_ = std::make_unique<provisioner::ProvisionerSet>(sim_->MakeProvisionerSet());

    model::Cluster c;
    c.state = model::ClusterState::kStable;
    c.provisioner_metadata_kops.emplace();
    c.provider_metadata_aws = model::AWSMetadata{{"us-east-1a"}};
    c.allow_installations = true;
    auto dto = clusters_->CreateCluster(c, {}, store::EventOptions::IfChanged());
    ASSERT_TRUE(dto) << dto.error().ToString();
    cluster_ = dto->cluster;
    ASSERT_TRUE(sim_->CreateCluster(cluster_));
    installation_ = NewInstallation("inst", model::InstallationState::kHibernating);
    ci_ = NewClusterInstallation(installation_);
  }
  void TearDown() override {
    if (sim_) sim_->Shutdown();
    DatabaseTest::TearDown();
  }

  model::Installation NewInstallation(const std::string& name, model::InstallationState state,
                                      std::optional<std::string> group_id = std::nullopt) {
    model::Installation i;
    i.owner_id = "owner";
    i.name = name;
    i.state = state;
    i.size = "100users";
    i.database = "aws-multitenant-rds-postgres";
    i.filestore = "bifrost";
    i.affinity = "multitenant";
    i.group_id = std::move(group_id);
    i.cr_version = std::string(model::kV1betaCRVersion);
    auto inst = installations_->CreateInstallation(i, {}, {name + ".example.com"},
                                                   store::EventOptions::IfChanged());
    EXPECT_TRUE(inst) << inst.error().ToString();
    clock_.Advance(10);
    return inst ? inst->installation : model::Installation{};
  }

  model::ClusterInstallation NewClusterInstallation(const model::Installation& i) {
    model::ClusterInstallation ci;
    ci.cluster_id = cluster_.id;
    ci.installation_id = i.id;
    ci.namespace_ = i.id;
    ci.state = model::ClusterInstallationState::kStable;
    ci.is_active = true;
    auto created = cis_->CreateClusterInstallation(ci, nullptr, store::EventOptions::IfChanged());
    EXPECT_TRUE(created) << created.error().ToString();
    if (!created) return {};
    EXPECT_TRUE(sim_->CreateClusterInstallation(cluster_, i, {}, *created));
    clock_.Advance(10);
    return *created;
  }

  model::Installation GetInstallation(const std::string& id) {
    auto i = installations_->GetInstallation(id, store::GroupMerge::None());
    EXPECT_TRUE(i && i->has_value());
    return i && i->has_value() ? **i : model::Installation{};
  }

  // Installation state-change events (Event rows) of `id`.
  size_t InstallationEventCount(const std::string& id) {
    auto rows = db().Query("SELECT COUNT(*) FROM StateChangeEvent WHERE ResourceID = $1", {id});
    EXPECT_TRUE(rows && rows->size() == 1);
    return rows && rows->size() == 1 ? static_cast<size_t>((*rows)[0].GetInt64(0)) : 0;
  }

  bool Leased(store::LockTable table, const std::string& id) {
    auto lease = locks_->AcquireOne(table, id, "probe");
    if (!lease) return true;
    EXPECT_TRUE(locks_->Release(*lease));
    return false;
  }

  RecordingNotifier notifier_;
  RecordingHook hook_;
  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::ClusterStore> clusters_;
  std::unique_ptr<store::InstallationStore> installations_;
  std::unique_ptr<store::ClusterInstallationStore> cis_;
  std::unique_ptr<store::BackupStore> backups_;
  std::unique_ptr<store::DBRestorationStore> restorations_;
  std::unique_ptr<store::DBMigrationStore> migrations_;
  std::unique_ptr<store::GroupStore> groups_;
  std::unique_ptr<provisioner::sim::SimCloud> sim_;
  std::unique_ptr<provisioner::ProvisionerSet> provisioners_;
  model::Cluster cluster_;
  model::Installation installation_;
  model::ClusterInstallation ci_;
};

}  // namespace cloud::supervisor
