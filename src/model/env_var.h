// EnvVar and EnvVarMap: Mattermost environment variables as installations and groups carry them
// (spec upstream-api.md §4.3 EnvVar; patch rules §5.2 and §5.5).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "model/json_codec.h"

namespace cloud::model {

// One variable: a literal `value` or a Kubernetes EnvVarSource (`valueFrom`, kept as raw JSON:
// fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef).
struct EnvVar {
  std::string value;
  std::optional<Json> value_from;

  bool HasValue() const { return !value.empty() || value_from.has_value(); }
  friend bool operator==(const EnvVar&, const EnvVar&) = default;
};

template <class V>
void JsonFields(V& v, EnvVar& e) {
  v("value", e.value, kOmitEmpty);
  v("valueFrom", e.value_from, kOmitEmpty);
}

// Go's map[string]EnvVar. nullopt is a nil map (encodes `null`).
using EnvVarMap = std::map<std::string, EnvVar>;

// Every entry needs a non-empty value or a valueFrom.
// Errors: kInvalidArgument naming the key ("env var FOO has no value").
Result<void> ValidateEnvVarMap(const EnvVarMap& env);

// Applies an env patch as upstream's EnvVarMap.ClearOrPatch does:
//   patch nullopt      -> untouched, returns false;
//   patch empty ({})   -> target cleared to nullopt; returns true only if it was non-empty;
//   target nullopt     -> target becomes a copy of the patch (as upstream), returns true;
//   otherwise          -> each key with a value/valueFrom is added or replaced, each key with
//                         neither is removed; returns true if anything changed.
bool ClearOrPatchEnvVarMap(std::optional<EnvVarMap>& target, const std::optional<EnvVarMap>& patch);

}  // namespace cloud::model
