// DNSProvider: installation DNS records at the DNS providers (Route53, Cloudflare, sim)
// (upstream InstallationDNSProvider / DNSManager; spec upstream-core.md §1.11,
// upstream-provisioning.md §5).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace cloud::provisioner {

// Thread-safe. CreateDNSRecords is an upsert of CNAMEs `names` -> `endpoints`; DeleteDNSRecords
// treats missing records as deleted. Errors: kUnavailable (provider failure), kInvalidArgument
// (e.g. Cloudflare given more than one endpoint).
class DNSProvider {
 public:
  virtual ~DNSProvider() = default;

  virtual Result<void> CreateDNSRecords(const std::vector<std::string>& names,
                                        const std::vector<std::string>& endpoints) = 0;
  virtual Result<void> DeleteDNSRecords(const std::vector<std::string>& names) = 0;
};

}  // namespace cloud::provisioner
