// Seeds a store for bench/api_get_bench: migrates --database and creates --count installations
// through the real SqlInstallationStore (one transaction each, as the API does), then prints
// one installation ID per line to stdout (progress on stderr).
//   usage: api_seed --database sqlite:///tmp/x.db [--count 10000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/logging.h"
#include "store/lock_store.h"
#include "store/migrations.h"
#include "store/sql/sql_connection.h"
#include "store/sql_installation_store.h"

int main(int argc, char** argv) {
  std::string database;
  int count = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--database") {
      database = argv[i + 1];
    } else if (flag == "--count") {
      count = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "api_seed: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (database.empty() || count < 1) {
    std::fprintf(stderr, "usage: api_seed --database URL [--count N>0]\n");
    return 2;
  }
  cloud::Logger log(std::make_shared<cloud::CapturingLogSink>());
  auto db = cloud::store::OpenDatabase(database, log);
  if (!db) {
    std::fprintf(stderr, "api_seed: %s\n", db.error().message.c_str());
    return 1;
  }
  if (auto r = cloud::store::Migrate(**db, log, nullptr); !r) {
    std::fprintf(stderr, "api_seed: migrate: %s\n", r.error().message.c_str());
    return 1;
  }
  const cloud::Clock& clock = cloud::SystemClock::Instance();
  auto locks = cloud::store::MakeSqlLockStore(**db, clock);
  cloud::store::SqlInstallationStore installations(**db, *locks, clock);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    cloud::model::Installation in;
    in.owner_id = "bench-owner-" + std::to_string(i % 50);
    in.name = "bench" + std::to_string(i);
    in.size = "100users";
    in.version = "9.0.0";
    in.image = "mattermost/mattermost-enterprise-edition";
    in.database = "mysql-operator";
    in.filestore = "minio-operator";
    in.affinity = "multitenant";
    auto created = installations.CreateInstallation(in, {}, {in.name + ".bench.example.com"},
                                                    cloud::store::EventOptions::IfChanged());
    if (!created) {
      std::fprintf(stderr, "api_seed: create %d: %s\n", i, created.error().message.c_str());
      return 1;
    }
    std::printf("%s\n", created->installation.id.c_str());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "api_seed: created %d installations in %.1f s\n", count, seconds);
  return 0;
}
