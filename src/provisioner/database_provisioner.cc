// The multitenant database choice rule.
#include "provisioner/database_provisioner.h"

namespace cloud::provisioner {

std::optional<model::MultitenantDatabase> ChooseMultitenantDatabase(
    std::span<const model::MultitenantDatabase> candidates, model::DatabaseEngineType type,
    std::string_view vpc_id, int64_t max_installations) {
  std::optional<model::MultitenantDatabase> best;
  size_t best_count = 0;
  for (const model::MultitenantDatabase& db : candidates) {
    if (db.IsDeleted() || db.database_type != type || db.vpc_id != vpc_id) continue;
    const size_t count = db.installations ? db.installations->size() : 0;
    // Every member weighs at most 1, so the rounded-up weight is at most the member count.
    if (static_cast<int64_t>(count) >= max_installations) continue;
    if (!best || count >= best_count) {
      best = db;
      best_count = count;
    }
  }
  return best;
}

}  // namespace cloud::provisioner
