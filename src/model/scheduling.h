// Scheduling: node selector and tolerations for an installation's pods, set on installations
// and groups (spec upstream-api.md §4.3 Scheduling, §5.5).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/json_codec.h"

namespace cloud::model {

// A Kubernetes core/v1 Toleration (every key omitempty, as in k8s.io/api).
struct Toleration {
  std::string key;
  std::string op;  // JSON "operator": Exists | Equal
  std::string value;
  std::string effect;  // NoSchedule | PreferNoSchedule | NoExecute
  std::optional<int64_t> toleration_seconds;
  friend bool operator==(const Toleration&, const Toleration&) = default;
};

template <class V>
void JsonFields(V& v, Toleration& t) {
  v("key", t.key, kOmitEmpty);
  v("operator", t.op, kOmitEmpty);
  v("value", t.value, kOmitEmpty);
  v("effect", t.effect, kOmitEmpty);
  v("tolerationSeconds", t.toleration_seconds, kOmitEmpty);
}

struct Scheduling {
  std::optional<std::map<std::string, std::string>> node_selector;  // null when unset
  std::optional<std::vector<Toleration>> tolerations;               // null when unset

  // Upstream treats a Scheduling with a nil NodeSelector and no tolerations as "clear".
  bool IsClear() const {
    return !node_selector.has_value() && (!tolerations.has_value() || tolerations->empty());
  }
  friend bool operator==(const Scheduling&, const Scheduling&) = default;
};

template <class V>
void JsonFields(V& v, Scheduling& s) {
  v("NodeSelector", s.node_selector);
  v("Tolerations", s.tolerations);
}

}  // namespace cloud::model
