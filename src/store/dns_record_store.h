// DNSRecordStore: the InstallationDNS records of installations (domain names, one primary per
// installation; domains unique among live records). Spec upstream-core.md §3.3, §1.3 cleanup,
// upstream-api.md §3.2 (37)-(39).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/installation.h"

namespace cloud::store {

class DNSRecordStore {
 public:
  virtual ~DNSRecordStore() = default;

  // Adds a non-primary record (CreateAt = now). Errors: kAlreadyExists when a live record
  // already has the domain.
  virtual Result<model::InstallationDNS> CreateInstallationDNS(std::string_view installation_id,
                                                               std::string_view domain_name) = 0;
  // A record by its ID, deleted or not; nullopt when absent.
  virtual Result<std::optional<model::InstallationDNS>> GetInstallationDNS(std::string_view id) = 0;
  // The live records of an installation, CreateAt ASC.
  virtual Result<std::vector<model::InstallationDNS>> GetDNSRecordsForInstallation(
      std::string_view installation_id) = 0;
  // The live records of many installations: id -> records (CreateAt ASC); absent when none.
  virtual Result<std::map<std::string, std::vector<model::InstallationDNS>>>
  GetDNSRecordsForInstallations(const std::vector<std::string>& installation_ids) = 0;
  // Makes `record_id` the only primary record of the installation (one transaction).
  // Errors: kNotFound when it is not a live record of that installation (nothing changes).
  virtual Result<void> SwitchPrimaryInstallationDNS(std::string_view installation_id,
                                                    std::string_view record_id) = 0;
  // Soft-deletes the live record (installation, domain); a no-op when there is none.
  virtual Result<void> DeleteInstallationDNS(std::string_view installation_id,
                                             std::string_view domain_name) = 0;
};

}  // namespace cloud::store
