// SqlWebhookStore: WebhookStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include "common/clock.h"
#include "store/sql/sql_connection.h"
#include "store/webhook_store.h"

namespace cloud::store {

// References must outlive the store.
class SqlWebhookStore final : public WebhookStore {
 public:
  SqlWebhookStore(SqlDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<model::Webhook> CreateWebhook(model::Webhook webhook) override;
  Result<std::optional<model::Webhook>> GetWebhook(std::string_view id) override;
  Result<std::vector<model::Webhook>> GetWebhooks(const model::WebhookFilter& filter) override;
  Result<void> DeleteWebhook(std::string_view id) override;

 private:
  SqlDatabase& db_;
  const Clock& clock_;
};

// Headers as stored in the jsonb/TEXT column ("null" for none), and back (NULL, "" or "null"
// -> nullopt). Shared with the subscription store.
std::string EncodeHeadersColumn(const std::optional<model::Headers>& headers);
Result<std::optional<model::Headers>> DecodeHeadersColumn(const std::optional<std::string>& raw);

}  // namespace cloud::store
