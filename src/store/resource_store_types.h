// Small types shared by the resource stores (clusters, installations, cluster installations,
// groups): how a state write records its outbox event, and the result of a pending-work claim.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/lock_store.h"

namespace cloud::store {

// How a write that may change a resource's state records its state-change event in the outbox
// (event_outbox.h), inside the same transaction as the write.
struct EventOptions {
  enum class Mode {
    kIfStateChanged,  // upstream's default: an event only when the stored state changed
    kAlways,          // e.g. PUT .../mattermost emits even when the state stays update-requested
    kNone,            // upstream's silent writes: leave group, cancel deletion, SwitchDNS ...
  };
  Mode mode = Mode::kIfStateChanged;
  // Event extra data (e.g. {"Environment": "dev", "actor_id": "..."}). The installation store
  // adds "Name" and the cluster installation store "ClusterID" unless given here.
  std::map<std::string, std::string> extra_data;

  static EventOptions IfChanged(std::map<std::string, std::string> extra = {}) {
    return {Mode::kIfStateChanged, std::move(extra)};
  }
  static EventOptions Always(std::map<std::string, std::string> extra = {}) {
    return {Mode::kAlways, std::move(extra)};
  }
  static EventOptions None() { return {Mode::kNone, {}}; }
};

// Rows claimed for a supervisor pass: the lease on them and the rows as read after claiming
// (ordered as the pending-work query orders them). Use lease.Only(id) per row.
template <class T>
struct Claimed {
  Lease lease;
  std::vector<T> rows;
};

}  // namespace cloud::store
