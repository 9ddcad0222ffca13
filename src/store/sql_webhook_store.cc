#include "store/sql_webhook_store.h"

#include <memory>
#include <utility>

#include "common/id.h"
#include "model/json_codec.h"
#include "store/event_outbox.h"
#include "store/sql_fenced_write.h"
#include "store/sql_where_builder.h"

namespace cloud::store {
namespace {

constexpr std::string_view kSelectWebhooks =
    "SELECT ID, OwnerID, URL, CreateAt, DeleteAt, Headers, Secret FROM Webhooks";
constexpr std::string_view kInsertWebhook =
    "INSERT INTO Webhooks (ID, OwnerID, URL, CreateAt, DeleteAt, Headers, Secret) "
    "VALUES ($1, $2, $3, $4, 0, $5, $6)";

Result<model::Webhook> FromRow(const Row& row) {
  model::Webhook w;
  w.id = row.GetString("ID");
  w.owner_id = row.GetString("OwnerID");
  w.url = row.GetString("URL");
  w.create_at = row.GetInt64("CreateAt");
  w.delete_at = row.GetInt64("DeleteAt");
  CLOUD_TRY(w.headers, DecodeHeadersColumn(row.GetOptionalString("Headers")));
  w.secret = row.GetString("Secret");
  return w;
}

}  // namespace

std::string EncodeHeadersColumn(const std::optional<model::Headers>& headers) {
  if (!headers) return "null";
  return model::EncodeJson(*headers);
}

Result<std::optional<model::Headers>> DecodeHeadersColumn(const std::optional<std::string>& raw) {
  if (!raw || raw->empty() || *raw == "null") return std::optional<model::Headers>();
  CLOUD_TRY(model::Headers headers, model::DecodeJson<model::Headers>(*raw));
  return std::optional<model::Headers>(std::move(headers));
}

Result<model::Webhook> SqlWebhookStore::CreateWebhook(model::Webhook webhook) {
  webhook.id = NewId();
  webhook.create_at = clock_.NowMillis();
  webhook.delete_at = 0;
  CLOUD_TRY_VOID(
      db_.Exec(kInsertWebhook, {webhook.id, webhook.owner_id, webhook.url, webhook.create_at,
                                EncodeHeadersColumn(webhook.headers), webhook.secret}));
  return webhook;
}

Result<std::optional<model::Webhook>> SqlWebhookStore::GetWebhook(std::string_view id) {
  CLOUD_TRY(Rows rows,
            db_.Query(std::string(kSelectWebhooks) + " WHERE ID = $1", {std::string(id)}));
  if (rows.empty()) return std::optional<model::Webhook>();
  CLOUD_TRY(model::Webhook w, FromRow(rows.front()));
  return std::optional<model::Webhook>(std::move(w));
}

Result<std::vector<model::Webhook>> SqlWebhookStore::GetWebhooks(
    const model::WebhookFilter& filter) {
  SqlWhereBuilder w;
  w.NotDeletedUnless(filter.paging);
  if (!filter.owner_id.empty()) w.WhereEq("OwnerID", filter.owner_id);
  const std::string where = w.WhereClause() + " ORDER BY CreateAt ASC, ID";
  const std::string limit = w.Limit(filter.paging);
  CLOUD_TRY(Rows rows, db_.Query(std::string(kSelectWebhooks) + where + limit, w.params()));
  std::vector<model::Webhook> out;
  for (Row row : rows) {
    CLOUD_TRY(model::Webhook hook, FromRow(row));
    out.push_back(std::move(hook));
  }
  return out;
}

Result<void> SqlWebhookStore::DeleteWebhook(std::string_view id) {
  // Its pending deliveries fail in the same transaction: they would otherwise wait forever
  // (workers only claim live targets) and retention would never remove their events.
  CLOUD_TRY(std::unique_ptr<SqlTransaction> tx, db_.Begin());
  CLOUD_TRY_VOID(SoftDelete(*tx, "Webhooks", "webhook", id, clock_.NowMillis()));
  CLOUD_TRY(int64_t failed,
            FailPendingDeliveries(*tx, DeliveryChannel::kWebhook, id, kTargetDeletedError));
  (void)failed;
  return tx->Commit();
}

}  // namespace cloud::store
