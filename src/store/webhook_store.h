// WebhookStore: legacy outgoing webhooks (Webhooks table; upstream-core.md §4.2, §3.6).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/filters.h"
#include "model/webhook.h"

namespace cloud::store {

// Used by the webhook API handlers and the webhook sender. Thread-safe.
class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // Inserts `webhook` with a new ID, CreateAt = now, DeleteAt = 0; Headers stored as JSON
  // (`null` when unset). Errors: kAlreadyExists when a live webhook has the same URL.
  virtual Result<model::Webhook> CreateWebhook(model::Webhook webhook) = 0;

  // The webhook, deleted or not; nullopt when there is no such ID.
  virtual Result<std::optional<model::Webhook>> GetWebhook(std::string_view id) = 0;

  // Filter: OwnerID, paging; CreateAt ASC.
  virtual Result<std::vector<model::Webhook>> GetWebhooks(const model::WebhookFilter& filter) = 0;

  // Soft delete; a no-op when already deleted. Its pending deliveries are marked failed
  // ("target deleted") in the same transaction. Errors: kNotFound.
  virtual Result<void> DeleteWebhook(std::string_view id) = 0;
};

}  // namespace cloud::store
