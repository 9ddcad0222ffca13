// SqlDNSRecordStore: DNSRecordStore over a SqlDatabase, plus the transaction-level helpers the
// installation store uses.
#pragma once

#include "common/clock.h"
#include "store/dns_record_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

class SqlDNSRecordStore final : public DNSRecordStore {
 public:
  SqlDNSRecordStore(SqlDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<model::InstallationDNS> CreateInstallationDNS(std::string_view installation_id,
                                                       std::string_view domain_name) override;
  Result<std::optional<model::InstallationDNS>> GetInstallationDNS(std::string_view id) override;
  Result<std::vector<model::InstallationDNS>> GetDNSRecordsForInstallation(
      std::string_view installation_id) override;
  Result<std::map<std::string, std::vector<model::InstallationDNS>>> GetDNSRecordsForInstallations(
      const std::vector<std::string>& installation_ids) override;
  Result<void> SwitchPrimaryInstallationDNS(std::string_view installation_id,
                                            std::string_view record_id) override;
  Result<void> DeleteInstallationDNS(std::string_view installation_id,
                                     std::string_view domain_name) override;

 private:
  SqlDatabase& db_;
  const Clock& clock_;
};

namespace sql_internal {

// Inserts a record inside a transaction; kAlreadyExists for a live duplicate domain.
Result<model::InstallationDNS> InsertDNSRecordTx(SqlExecutor& tx, std::string_view installation_id,
                                                 std::string_view domain_name, bool is_primary,
                                                 int64_t now);
// The live records of the installations, id -> records (CreateAt ASC).
Result<std::map<std::string, std::vector<model::InstallationDNS>>> DNSRecordsForTx(
    SqlExecutor& db, const std::vector<std::string>& installation_ids);

}  // namespace sql_internal
}  // namespace cloud::store
