#include "model/env_var.h"

namespace cloud::model {

Result<void> ValidateEnvVarMap(const EnvVarMap& env) {
  for (const auto& [key, var] : env) {
    if (!var.HasValue()) return InvalidArgument("env var " + key + " has no value");
  }
  return Ok();
}

bool ClearOrPatchEnvVarMap(std::optional<EnvVarMap>& target,
                           const std::optional<EnvVarMap>& patch) {
  if (!patch.has_value()) return false;
  if (patch->empty()) {
    const bool had_values = target.has_value() && !target->empty();
    target.reset();
    return had_values;
  }
  if (!target.has_value()) {
    // Upstream copies the patch as it is onto a nil map (valueless keys included).
    target = patch;
    return true;
  }
  bool changed = false;
  for (const auto& [key, var] : *patch) {
    auto it = target->find(key);
    if (var.HasValue()) {
      if (it == target->end() || !(it->second == var)) {
        (*target)[key] = var;
        changed = true;
      }
    } else if (it != target->end()) {
      target->erase(it);
      changed = true;
    }
  }
  return changed;
}

}  // namespace cloud::model
