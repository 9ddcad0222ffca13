// An installation for store-level tests: every field CreateInstallation needs, with fixed test
// values (size, version, image, database, filestore, affinity, CR version); the caller sets
// the rest (group, DNS names).
#pragma once

#include <string>
#include <utility>

#include "model/installation.h"

namespace cloud::testlib {

inline model::Installation TestInstallation(std::string name, model::InstallationState state,
                                            std::string owner = "owner") {
  model::Installation i;
  i.name = std::move(name);
  i.owner_id = std::move(owner);
  i.state = state;
  i.size = "100users";
  i.version = "9.0";
  i.image = "mattermost/mm";
  i.database = "perseus";
  i.filestore = "bifrost";
  i.affinity = "multitenant";
  i.cr_version = "installation.mattermost.com/v1beta1";
  return i;
}

}  // namespace cloud::testlib
