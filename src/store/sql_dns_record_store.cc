#include "store/sql_dns_record_store.h"

#include "common/id.h"
#include "store/sql_resource_helpers.h"

namespace cloud::store {
namespace {

constexpr std::string_view kSelectDNS =
    "SELECT ID, DomainName, InstallationID, IsPrimary, CreateAt, DeleteAt FROM InstallationDNS";
constexpr std::string_view kInsertDNS =
    "INSERT INTO InstallationDNS (ID, DomainName, InstallationID, IsPrimary, CreateAt, DeleteAt) "
    "VALUES ($1, $2, $3, $4, $5, 0)";
constexpr std::string_view kLiveDomainExists =
    "SELECT InstallationID FROM InstallationDNS WHERE DomainName = $1 AND DeleteAt = 0";
constexpr std::string_view kClearPrimary =
    "UPDATE InstallationDNS SET IsPrimary = false WHERE InstallationID = $1 AND IsPrimary = true";
constexpr std::string_view kSetPrimary =
    "UPDATE InstallationDNS SET IsPrimary = true WHERE ID = $1 AND InstallationID = $2 AND "
    "DeleteAt = 0";
constexpr std::string_view kDeleteDNS =
    "UPDATE InstallationDNS SET DeleteAt = $1 WHERE InstallationID = $2 AND DomainName = $3 AND "
    "DeleteAt = 0";

model::InstallationDNS FromRow(const Row& row) {
  model::InstallationDNS d;
  d.id = row.GetString("ID");
  d.domain_name = row.GetString("DomainName");
  d.installation_id = row.GetString("InstallationID");
  d.is_primary = row.GetBool("IsPrimary");
  d.create_at = row.GetInt64("CreateAt");
  d.delete_at = row.GetInt64("DeleteAt");
  return d;
}

}  // namespace

namespace sql_internal {

Result<model::InstallationDNS> InsertDNSRecordTx(SqlExecutor& tx, std::string_view installation_id,
                                                 std::string_view domain_name, bool is_primary,
                                                 int64_t now) {
  // Checked first for a clear message; the unique index still decides under concurrency.
  CLOUD_TRY(Rows used, tx.Query(kLiveDomainExists, {std::string(domain_name)}));
  if (!used.empty()) {
    return AlreadyExists("domain name " + std::string(domain_name) + " is already in use");
  }
  model::InstallationDNS d;
  d.id = NewId();
  d.domain_name = std::string(domain_name);
  d.installation_id = std::string(installation_id);
  d.is_primary = is_primary;
  d.create_at = now;
  CLOUD_TRY(int64_t inserted,
            tx.Exec(kInsertDNS, {d.id, d.domain_name, d.installation_id, d.is_primary, now}));
  (void)inserted;
  return d;
}

Result<std::map<std::string, std::vector<model::InstallationDNS>>> DNSRecordsForTx(
    SqlExecutor& db, const std::vector<std::string>& installation_ids) {
  std::map<std::string, std::vector<model::InstallationDNS>> out;
  if (installation_ids.empty()) return out;
  SqlParams params;
  const std::string sql = std::string(kSelectDNS) + " WHERE InstallationID IN (" +
                          InList(params, installation_ids) +
                          ") AND DeleteAt = 0 ORDER BY CreateAt ASC, ID ASC";
  CLOUD_TRY(Rows rows, db.Query(sql, params));
  for (Row row : rows) {
    model::InstallationDNS d = FromRow(row);
    out[d.installation_id].push_back(std::move(d));
  }
  return out;
}

}  // namespace sql_internal

Result<model::InstallationDNS> SqlDNSRecordStore::CreateInstallationDNS(
    std::string_view installation_id, std::string_view domain_name) {
  model::InstallationDNS out;
  if (auto tx_done = RunInTransaction(db_,
                                      [&](SqlExecutor& tx) -> Result<void> {
                                        CLOUD_TRY(out, sql_internal::InsertDNSRecordTx(
                                                           tx, installation_id, domain_name, false,
                                                           clock_.NowMillis()));
                                        return Ok();
                                      });
      !tx_done) {
    return std::move(tx_done).error();
  }
  return out;
}

Result<std::optional<model::InstallationDNS>> SqlDNSRecordStore::GetInstallationDNS(
    std::string_view id) {
  CLOUD_TRY(Rows rows, db_.Query(std::string(kSelectDNS) + " WHERE ID = $1", {std::string(id)}));
  if (rows.empty()) return std::optional<model::InstallationDNS>();
  return std::optional<model::InstallationDNS>(FromRow(rows.front()));
}

Result<std::vector<model::InstallationDNS>> SqlDNSRecordStore::GetDNSRecordsForInstallation(
    std::string_view installation_id) {
  CLOUD_TRY(auto by_id, sql_internal::DNSRecordsForTx(db_, {std::string(installation_id)}));
  auto it = by_id.find(std::string(installation_id));
  if (it == by_id.end()) return std::vector<model::InstallationDNS>{};
  return std::move(it->second);
}

Result<std::map<std::string, std::vector<model::InstallationDNS>>>
SqlDNSRecordStore::GetDNSRecordsForInstallations(const std::vector<std::string>& installation_ids) {
  return sql_internal::DNSRecordsForTx(db_, installation_ids);
}

Result<void> SqlDNSRecordStore::SwitchPrimaryInstallationDNS(std::string_view installation_id,
                                                             std::string_view record_id) {
  return RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(int64_t cleared, tx.Exec(kClearPrimary, {std::string(installation_id)}));
    (void)cleared;
    CLOUD_TRY(int64_t set,
              tx.Exec(kSetPrimary, {std::string(record_id), std::string(installation_id)}));
    if (set != 1) {
      return NotFound("DNS record " + std::string(record_id) + " of installation " +
                      std::string(installation_id) + " not found");
    }
    return Ok();
  });
}

Result<void> SqlDNSRecordStore::DeleteInstallationDNS(std::string_view installation_id,
                                                      std::string_view domain_name) {
  CLOUD_TRY(int64_t deleted, db_.Exec(kDeleteDNS, {clock_.NowMillis(), std::string(installation_id),
                                                   std::string(domain_name)}));
  (void)deleted;
  return Ok();
}

}  // namespace cloud::store
