// Page anchors for one list order: the sort key (CreateAt, ID) of every `stride`-th row of the
// list as it was at one version of the table. A deep page (OFFSET 99,900) then starts from the
// nearest anchor and walks at most stride + per_page index entries instead of the whole OFFSET.
// The version comes from the database (InstallationListVersion.Version, bumped by triggers in
// every transaction that can shift the position of a listed row: removals, and inserts that do
// not sort last), so anchors built by one process are never used for a list another process has
// reordered; appended rows are reached by walking on from the last anchor. Thread-safe; pure
// bookkeeping: the SQL that reads versions and builds anchors lives in the store.
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cloud::store {

struct PageAnchor {
  int64_t position = 0;  // 0-based position of this row in the list
  int64_t create_at = 0;
  std::string id;
};

struct PageAnchorStats {
  int64_t builds = 0;     // anchor sets built (one walk of the list each)
  int64_t hits = 0;       // pages answered from an anchor
  int64_t fallbacks = 0;  // deep pages that walked the OFFSET (anchors stale, build throttled)
};

class ListPageAnchors {
 public:
  // Builds are throttled to one per `rebuild_interval_ms`: under constant writes a deep page
  // falls back to the plain OFFSET instead of rebuilding on every request.
  ListPageAnchors(int64_t stride, int64_t rebuild_interval_ms)
      : stride_(stride), rebuild_interval_ms_(rebuild_interval_ms) {}

  int64_t stride() const { return stride_; }

  // The anchor at or before `offset`, when the anchors are of `version`.
  std::optional<PageAnchor> Find(int64_t version, int64_t offset) const {
    std::lock_guard lock(mu_);
    if (version_ != version || anchors_.empty()) return std::nullopt;
    const size_t at = std::min(static_cast<size_t>(offset / stride_), anchors_.size() - 1);
    return anchors_[at];
  }

  // True when the caller should build anchors now; it must then call FinishBuild or
  // AbandonBuild. False while another build runs or within the throttle interval.
  bool BeginBuild(int64_t now_ms) {
    std::lock_guard lock(mu_);
    if (building_ || (last_build_ms_ && now_ms - *last_build_ms_ < rebuild_interval_ms_)) {
      return false;
    }
    building_ = true;
    last_build_ms_ = now_ms;
    return true;
  }

  // `anchors[k]` must be the row at position k * stride of the list at `version`.
  void FinishBuild(int64_t version, std::vector<PageAnchor> anchors) {
    std::lock_guard lock(mu_);
    building_ = false;
    version_ = version;
    anchors_ = std::move(anchors);
    ++stats_.builds;
  }

  void AbandonBuild() {
    std::lock_guard lock(mu_);
    building_ = false;
  }

  void CountHit() {
    std::lock_guard lock(mu_);
    ++stats_.hits;
  }

  void CountFallback() {
    std::lock_guard lock(mu_);
    ++stats_.fallbacks;
  }

  PageAnchorStats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  const int64_t stride_;
  const int64_t rebuild_interval_ms_;
  mutable std::mutex mu_;
  int64_t version_ = -1;
  std::vector<PageAnchor> anchors_;
  bool building_ = false;
  std::optional<int64_t> last_build_ms_;
  PageAnchorStats stats_;
};

}  // namespace cloud::store
